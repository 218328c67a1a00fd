// /workspaces (managers and up): workspaces group projects, and a member of
// a workspace works on all of its projects. Create workspaces, see their
// projects, and add or remove members. Projects join a workspace in their
// settings.
import { useState, type FormEvent } from "react";

import {
  AddWorkspaceMemberMutation,
  CreateWorkspaceMutation,
  RemoveWorkspaceMemberMutation,
  WorkspacesQuery,
  type Role,
  type UserSummary,
  type Workspace,
} from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { Field } from "../components/Field.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { count, formatDate, roleName } from "../format.ts";
import { useMutation, useQuery } from "../hooks.ts";
import { Link } from "../router.tsx";

export function WorkspacesPage() {
  const query = useQuery(WorkspacesQuery, {});
  const create = useMutation(CreateWorkspaceMutation);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);

  async function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.pending) return;
    setError(null);
    setCreated(null);
    if (title.trim() === "") {
      setError("Give the workspace a title.");
      return;
    }
    try {
      const data = await create.run({ title: title.trim() });
      query.setData((current) => ({ ...current, workspaces: [...current.workspaces, data.createWorkspace] }));
      setTitle("");
      setCreated(data.createWorkspace.title);
    } catch (err) {
      setError(err);
    }
  }

  const members =
    query.data?.members.edges.map((e) => e.node).filter((m) => m.user.active) ?? [];
  const errorId = error ? "create-workspace-error" : null;
  return (
    <>
      <div className="page-header">
        <PageHeading title="Workspaces" />
        <p className="page-meta">
          A workspace groups projects. Its members work on all of its projects; put a project in a workspace in the
          project's settings.
        </p>
      </div>
      <form className="card form" onSubmit={handleCreate} noValidate aria-labelledby="create-workspace-heading">
        <h2 id="create-workspace-heading">Create workspace</h2>
        <ErrorAlert id="create-workspace-error" error={error} />
        {created ? <StatusMessage>Created the workspace “{created}”.</StatusMessage> : null}
        <Field
          id="workspace-title"
          label="Workspace title"
          type="text"
          required
          maxLength={200}
          autoComplete="off"
          value={title}
          onValueChange={(value) => {
            setCreated(null);
            setTitle(value);
          }}
          errorId={errorId}
        />
        <div className="actions">
          <Button type="submit" variant="primary" pending={create.pending}>
            Create workspace
          </Button>
        </div>
      </form>
      {!query.data ? (
        <div className="card">
          {query.loading ? (
            <Loading label="Loading workspaces…" />
          ) : (
            <>
              <ErrorAlert error={query.error} />
              <div className="actions">
                <Button onClick={query.reload}>Try again</Button>
              </div>
            </>
          )}
        </div>
      ) : query.data.workspaces.length === 0 ? (
        <div className="card empty-state">
          <p>No workspaces yet.</p>
        </div>
      ) : (
        query.data.workspaces.map((workspace) => (
          <WorkspaceCard
            key={workspace.id}
            workspace={workspace}
            members={members}
            onChanged={(next) =>
              query.setData((current) => ({
                ...current,
                workspaces: current.workspaces.map((w) => (w.id === next.id ? next : w)),
              }))
            }
          />
        ))
      )}
    </>
  );
}

interface WorkspaceCardProps {
  workspace: Workspace;
  members: { id: string; role: Role; user: UserSummary }[];
  onChanged(workspace: Workspace): void;
}

function WorkspaceCard({ workspace, members, onChanged }: WorkspaceCardProps) {
  const add = useMutation(AddWorkspaceMemberMutation);
  const remove = useMutation(RemoveWorkspaceMemberMutation);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const headingId = `workspace-${workspace.id}-heading`;
  const selectId = `workspace-${workspace.id}-member`;
  const busy = add.pending || remove.pending;

  async function change(adding: boolean) {
    if (busy) return;
    setError(null);
    setStatus(null);
    const member = members.find((m) => m.user.id === chosen);
    if (!member) {
      setError("Choose a member of the organization first.");
      return;
    }
    try {
      const next = adding
        ? (await add.run({ workspaceId: workspace.id, userId: member.user.id })).addWorkspaceMember
        : (await remove.run({ workspaceId: workspace.id, userId: member.user.id })).removeWorkspaceMember;
      onChanged(next);
      setStatus(
        adding
          ? `${member.user.displayName} now works on the projects of ${workspace.title}.`
          : `${member.user.displayName} is no longer a member of ${workspace.title}.`,
      );
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{workspace.title}</h2>
      <p className="muted">
        Created <time dateTime={workspace.createdAt}>{formatDate(workspace.createdAt)}</time> ·{" "}
        {count(workspace.projects.length, "project")}
      </p>
      {workspace.projects.length > 0 ? (
        <ul className="workspace-projects" aria-label={`Projects of ${workspace.title}`}>
          {workspace.projects.map((p) => (
            <li key={p.id}>
              <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.title}</Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No projects yet. Choose this workspace in a project's settings.</p>
      )}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void change(true);
        }}
        noValidate
      >
        <ErrorAlert error={error} />
        {status ? <StatusMessage>{status}</StatusMessage> : null}
        <div className="field">
          <label htmlFor={selectId}>Member</label>
          <div className="input-row">
            <select id={selectId} value={chosen} onChange={(event) => setChosen(event.target.value)}>
              <option value="">Choose a member…</option>
              {members.map((m) => (
                <option key={m.user.id} value={m.user.id}>
                  {m.user.displayName} ({roleName(m.role)})
                </option>
              ))}
            </select>
            <Button type="submit" pending={add.pending} disabled={remove.pending}>
              Add to workspace
            </Button>
            <Button variant="danger-ghost" pending={remove.pending} disabled={add.pending} onClick={() => void change(false)}>
              Remove from workspace
            </Button>
          </div>
          <p className="field-hint">
            Adding a member who is already in the workspace, or removing one who is not, changes nothing.
          </p>
        </div>
      </form>
    </section>
  );
}
