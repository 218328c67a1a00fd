// Role invites (owners and admins): a link that makes its holder a member
// with a chosen role, optionally straight into one project, optionally
// expiring. The link is shown once, in a dialog, when it is created; the
// list shows the invites without their links, who made them and how often
// they were used, each revocable. Owner and admin invites admit one person.
import { useRef, useState, type FormEvent } from "react";

import {
  CreateInviteMutation,
  RevokeInviteMutation,
  RoleInvitesQuery,
  type CreateInviteInput,
  type RoleInvite,
  type Role,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { assignableRoles, formatDateTime, roleName, withArticle } from "../../format.ts";
import { useMutation, useQuery } from "../../hooks.ts";

const maxHours = 8760;

function inviteStatus(invite: RoleInvite, now: number): string {
  if (invite.revoked) return "Revoked";
  if (invite.expiresAt !== null && new Date(invite.expiresAt).getTime() <= now) return "Expired";
  if (invite.maxUses !== null && invite.useCount >= invite.maxUses) return "Used up";
  return "Active";
}

function inviteUses(invite: RoleInvite): string {
  return invite.maxUses === null ? String(invite.useCount) : `${invite.useCount} of ${invite.maxUses}`;
}

const singleUse = (role: Role) => role === "OWNER" || role === "ADMIN";

export function RoleInvitesSection({ viewerRole }: { viewerRole: Role }) {
  const query = useQuery(RoleInvitesQuery, {});
  const create = useMutation(CreateInviteMutation);
  const revoke = useMutation(RevokeInviteMutation);
  const [role, setRole] = useState<Role>("ANNOTATOR");
  const [projectId, setProjectId] = useState("");
  const [hours, setHours] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ url: string; role: Role } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const createButton = useRef<HTMLButtonElement>(null);

  const projects = query.data?.projects.edges.map((e) => e.node) ?? [];
  const projectTitle = (id: string | null) =>
    id === null ? null : (projects.find((p) => p.id === id)?.title ?? `Project ${id}`);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.pending) return;
    setError(null);
    setRevoked(null);
    const input: CreateInviteInput = { role };
    if (projectId !== "") input.projectId = projectId;
    if (hours.trim() !== "") {
      const n = Number(hours);
      if (!Number.isInteger(n) || n < 1 || n > maxHours) {
        setError(`Expires in hours must be a whole number from 1 to ${maxHours}, or empty for a link that does not expire.`);
        return;
      }
      input.expiresInHours = n;
    }
    try {
      const data = await create.run({ input });
      setCreated({ url: data.createInvite.url, role: data.createInvite.invite.role });
      query.setData((current) => ({ ...current, roleInvites: [data.createInvite.invite, ...current.roleInvites] }));
    } catch (err) {
      setError(err);
    }
  }

  async function handleRevoke(invite: RoleInvite) {
    if (revoke.pending) return;
    setListError(null);
    setRevoked(null);
    setRevoking(invite.id);
    try {
      const data = await revoke.run({ id: invite.id });
      query.setData((current) => ({
        ...current,
        roleInvites: current.roleInvites.map((i) => (i.id === invite.id ? data.revokeInvite : i)),
      }));
      setRevoked(`The ${roleName(invite.role).toLowerCase()} invite no longer works.`);
    } catch (err) {
      setListError(err);
    } finally {
      setRevoking(null);
    }
  }

  const errorId = error ? "create-invite-error" : null;
  const invites = query.data?.roleInvites;
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="role-invites-heading">
      <h2 id="role-invites-heading">Role invites</h2>
      <p>
        A role invite makes whoever opens it a member with the role you choose, and can add them to a project
        straight away. Each link is shown only once, when you create it.
      </p>
      <form className="form" onSubmit={handleSubmit} noValidate aria-labelledby="create-invite-heading">
        <h3 id="create-invite-heading">Create invite</h3>
        <ErrorAlert id="create-invite-error" error={error} />
        <div className="form-row">
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
              {assignableRoles(viewerRole).map((r) => (
                <option key={r} value={r}>
                  {roleName(r)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="invite-project">Project</label>
            <select
              id="invite-project"
              value={projectId}
              aria-describedby="invite-project-hint"
              onChange={(event) => setProjectId(event.target.value)}
            >
              <option value="">No project</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title}
                </option>
              ))}
            </select>
            <p id="invite-project-hint" className="field-hint">
              Optional: the new member joins this project.
            </p>
          </div>
          <div className="field">
            <label htmlFor="invite-hours">Expires in hours</label>
            <input
              id="invite-hours"
              type="number"
              inputMode="numeric"
              min={1}
              max={maxHours}
              step={1}
              value={hours}
              placeholder="Never"
              aria-describedby={["invite-hours-hint", errorId].filter(Boolean).join(" ")}
              aria-invalid={errorId ? true : undefined}
              onChange={(event) => setHours(event.target.value)}
            />
            <p id="invite-hours-hint" className="field-hint">
              1 to {maxHours}; leave empty for a link that does not expire.
            </p>
          </div>
        </div>
        <div className="actions">
          <Button ref={createButton} type="submit" variant="primary" pending={create.pending}>
            Create invite
          </Button>
        </div>
      </form>

      <h3 className="subsection">Invites</h3>
      <ErrorAlert error={listError} />
      {revoked ? <StatusMessage>{revoked}</StatusMessage> : null}
      {invites === undefined ? (
        query.loading ? (
          <Loading label="Loading invites…" />
        ) : (
          <>
            <ErrorAlert error={query.error} />
            <div className="actions">
              <Button onClick={query.reload}>Try again</Button>
            </div>
          </>
        )
      ) : invites.length === 0 ? (
        <p className="muted">No role invites yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Role invites</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Project</th>
                <th scope="col">Created by</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Uses</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invites.map((invite) => {
                const status = inviteStatus(invite, now);
                return (
                  <tr key={invite.id}>
                    <td>{roleName(invite.role)}</td>
                    <td>{projectTitle(invite.projectId) ?? <span className="muted">None</span>}</td>
                    <td>{invite.createdBy?.displayName ?? <span className="muted">Former member</span>}</td>
                    <td>
                      <time dateTime={invite.createdAt}>{formatDateTime(invite.createdAt)}</time>
                    </td>
                    <td>
                      {invite.expiresAt ? (
                        <time dateTime={invite.expiresAt}>{formatDateTime(invite.expiresAt)}</time>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                    <td>{inviteUses(invite)}</td>
                    <td>
                      <span className={status === "Active" ? "badge badge-success" : "badge"}>{status}</span>
                    </td>
                    <td className="cell-actions">
                      {status === "Active" ? (
                        <Button
                          variant="danger-ghost"
                          className="button-small"
                          pending={revoking === invite.id}
                          disabled={revoke.pending}
                          onClick={() => handleRevoke(invite)}
                        >
                          Revoke
                          <span className="visually-hidden">
                            {" "}
                            {roleName(invite.role).toLowerCase()} invite created {formatDateTime(invite.createdAt)}
                          </span>
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {created !== null ? (
        <Dialog
          title="Your new invite link"
          onClose={() => setCreated(null)}
          initialFocusId="created-invite-url"
          describedById="created-invite-explanation"
          returnFocus={createButton}
        >
          <p id="created-invite-explanation">
            Send this link to the person you invite. Copy it now: <strong>it will not be shown again.</strong>{" "}
            {singleUse(created.role) ? (
              <>
                It makes one person {withArticle(roleName(created.role).toLowerCase())}, and stops working once used,
                when it expires or is revoked, or when you are no longer an{" "}
                {created.role === "OWNER" ? "owner" : "owner or admin"}.
              </>
            ) : (
              <>
                Anyone who has it can join as {withArticle(roleName(created.role).toLowerCase())} until it expires or
                is revoked, or until you are no longer an owner or admin.
              </>
            )}
          </p>
          <div className="field">
            <label htmlFor="created-invite-url">Invite link</label>
            <div className="input-row">
              <input
                id="created-invite-url"
                className="mono"
                type="text"
                readOnly
                value={created.url}
                spellCheck={false}
                autoComplete="off"
                onFocus={(event) => event.currentTarget.select()}
              />
              <CopyButton text={created.url} label="Copy" inputId="created-invite-url" />
            </div>
          </div>
          <div className="dialog-actions">
            <Button variant="primary" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}

