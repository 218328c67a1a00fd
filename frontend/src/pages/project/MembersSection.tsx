// Members (managers and up): who works on the project. Reviewers and
// annotators see only the projects they are members of, directly or through
// the project's workspace (workspace members are managed on /workspaces and
// are not listed here). Adding or removing takes effect at once and can be
// undone by doing the opposite.
import { useRef, useState, type FormEvent } from "react";

import {
  AddProjectMemberMutation,
  ProjectMembersQuery,
  RemoveProjectMemberMutation,
  type Project,
  type Role,
  type UserSummary,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { roleName } from "../../format.ts";
import { useMutation, useQuery } from "../../hooks.ts";

export function MembersSection({ project }: { project: Project }) {
  const query = useQuery(ProjectMembersQuery, { id: project.id });
  const add = useMutation(AddProjectMemberMutation);
  const remove = useMutation(RemoveProjectMemberMutation);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const select = useRef<HTMLSelectElement>(null);

  const data = query.data;
  const members = data?.project?.members ?? [];
  const orgMembers = data?.members.edges.map((e) => e.node) ?? [];
  const roles = new Map<string, Role>(orgMembers.map((m) => [m.user.id, m.role]));
  const memberIds = new Set(members.map((m) => m.id));
  const candidates = orgMembers.filter((m) => m.user.active && !memberIds.has(m.user.id));

  function updated(next: UserSummary[]) {
    query.setData((current) => ({
      ...current,
      project: current.project ? { ...current.project, members: next } : current.project,
    }));
  }

  async function handleAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (add.pending) return;
    setError(null);
    setStatus(null);
    const member = orgMembers.find((m) => m.user.id === chosen);
    if (!member) {
      setError("Choose a member of the organization to add.");
      return;
    }
    try {
      const result = await add.run({ projectId: project.id, userId: member.user.id });
      updated(result.addProjectMember.members);
      setChosen("");
      setStatus(`${member.user.displayName} was added to the project.`);
    } catch (err) {
      setError(err);
    }
  }

  async function handleRemove(user: UserSummary) {
    if (remove.pending) return;
    setError(null);
    setStatus(null);
    setRemoving(user.id);
    try {
      const result = await remove.run({ projectId: project.id, userId: user.id });
      updated(result.removeProjectMember.members);
      setStatus(`${user.displayName} was removed from the project.`);
      // The button that had focus is gone with its row.
      select.current?.focus();
    } catch (err) {
      setError(err);
    } finally {
      setRemoving(null);
    }
  }

  if (!data) {
    return (
      <section className="card" aria-labelledby="project-members-heading">
        <h2 id="project-members-heading">Members</h2>
        {query.loading ? (
          <Loading label="Loading members…" />
        ) : (
          <>
            <ErrorAlert error={query.error} />
            <div className="actions">
              <Button onClick={query.reload}>Try again</Button>
            </div>
          </>
        )}
      </section>
    );
  }

  const errorId = error ? "project-members-error" : null;
  return (
    <section className="card" aria-labelledby="project-members-heading">
      <h2 id="project-members-heading">Members</h2>
      <p>
        Reviewers and annotators see only the projects they are members of. Owners and admins see every
        project; managers see the ones they created or are members of.
        {project.workspace ? ` Members of the workspace “${project.workspace.title}” also work on this project.` : ""}
      </p>
      <ErrorAlert id="project-members-error" error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      <form className="form add-member" onSubmit={handleAdd} noValidate>
        <div className="field">
          <label htmlFor="project-add-member">Add member</label>
          <div className="input-row">
            <select
              ref={select}
              id="project-add-member"
              value={chosen}
              aria-invalid={errorId ? true : undefined}
              aria-describedby={errorId ?? undefined}
              onChange={(event) => setChosen(event.target.value)}
            >
              <option value="">
                {candidates.length === 0 ? "Everyone is a member already" : "Choose a member…"}
              </option>
              {candidates.map((m) => (
                <option key={m.user.id} value={m.user.id}>
                  {m.user.displayName} ({roleName(m.role)})
                </option>
              ))}
            </select>
            <Button type="submit" pending={add.pending} disabled={candidates.length === 0}>
              Add
            </Button>
          </div>
        </div>
      </form>
      {members.length === 0 ? (
        <p className="muted">No members yet.</p>
      ) : (
        <ul className="member-list" aria-label="Project members">
          {members.map((user) => {
            const role = roles.get(user.id);
            return (
              <li key={user.id}>
                <span>
                  <span className="member-name">
                    <span>{user.displayName}</span>
                    {!user.active ? <span className="badge badge-inactive">Deactivated</span> : null}
                  </span>
                  {role ? <span className="muted">{roleName(role)}</span> : null}
                </span>
                <Button
                  variant="danger-ghost"
                  className="button-small"
                  aria-label={`Remove ${user.displayName}`}
                  pending={removing === user.id}
                  disabled={remove.pending}
                  onClick={() => handleRemove(user)}
                >
                  Remove
                </Button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
