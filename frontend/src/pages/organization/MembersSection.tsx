// The organization's members, oldest first, fifty at a time. Owners and
// admins also change roles (only owners give or take the owner role),
// remove members and deactivate accounts, each after an in-page
// confirmation or an explicit Save; the server has the last word and its
// message is shown when it refuses (for example for the last owner).
import { useEffect, useRef, useState } from "react";

import {
  DeactivateUserMutation,
  MembersQuery,
  RemoveMemberMutation,
  UpdateMemberRoleMutation,
  type Member,
  type Role,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { assignableRoles, formatDate, roleName, withArticle } from "../../format.ts";
import { useMutation, usePagedQuery } from "../../hooks.ts";

const pageSize = 50;

interface MembersSectionProps {
  /** The viewer's role; owners and admins manage members. */
  viewerRole: Role;
  viewerId: string;
}

type Pending = { kind: "remove" | "deactivate"; member: Member } | null;

/** Local changes made on this page, applied over the loaded pages. */
interface Changes {
  roles: Record<string, Role>;
  removed: ReadonlySet<string>;
  deactivated: ReadonlySet<string>;
}

export function MembersSection({ viewerRole, viewerId }: MembersSectionProps) {
  const isAdmin = viewerRole === "OWNER" || viewerRole === "ADMIN";
  const list = usePagedQuery(MembersQuery, { isAdmin }, { pageSize, connection: (data) => data.members });
  const [changes, setChanges] = useState<Changes>({ roles: {}, removed: new Set(), deactivated: new Set() });
  const [status, setStatus] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const last = list.page;
  const members = list.nodes
    .filter((node) => !changes.removed.has(node.user.id))
    .map((node) => {
      const role = changes.roles[node.user.id] ?? node.role;
      const active = node.user.active && !changes.deactivated.has(node.user.id);
      return { ...node, role, user: { ...node.user, active } };
    });
  const total = last ? last.totalCount - changes.removed.size : 0;

  function reported(message: string | null, err: unknown = null) {
    setStatus(message);
    setActionError(err);
  }

  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {!last ? (
        list.loading ? (
          <Loading label="Loading members…" />
        ) : (
          <>
            <ErrorAlert error={list.error} />
            <div className="actions">
              <Button onClick={list.reload}>Try again</Button>
            </div>
          </>
        )
      ) : (
        <>
          <ErrorAlert error={actionError} />
          {status ? <StatusMessage>{status}</StatusMessage> : null}
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Members</caption>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  {isAdmin ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <MemberRow
                    key={member.id}
                    member={member}
                    viewerRole={viewerRole}
                    isSelf={member.user.id === viewerId}
                    onRoleChanged={(role) => {
                      setChanges((c) => ({ ...c, roles: { ...c.roles, [member.user.id]: role } }));
                      reported(`${member.user.displayName} is now ${withArticle(roleName(role).toLowerCase())}.`);
                    }}
                    onChanged={(changed) => {
                      if (changed === "removed") {
                        setChanges((c) => ({ ...c, removed: new Set([...c.removed, member.user.id]) }));
                        reported(`${member.user.displayName} was removed from the organization.`);
                      } else {
                        setChanges((c) => ({ ...c, deactivated: new Set([...c.deactivated, member.user.id]) }));
                        reported(`${member.user.displayName} was deactivated and signed out everywhere.`);
                      }
                    }}
                    onError={(err) => reported(null, err)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-footer">
            <p className="muted">
              Showing {members.length} of {total} {total === 1 ? "member" : "members"}
            </p>
            {last.pageInfo.hasNextPage ? (
              <Button onClick={list.next} pending={list.loading}>
                Load more
              </Button>
            ) : null}
          </div>
          <ErrorAlert error={list.error} />
        </>
      )}
    </section>
  );
}

interface MemberRowProps {
  member: Member;
  viewerRole: Role;
  isSelf: boolean;
  onRoleChanged(role: Role): void;
  onChanged(change: "removed" | "deactivated"): void;
  onError(error: unknown): void;
}

function MemberRow({ member, viewerRole, isSelf, onRoleChanged, onChanged, onError }: MemberRowProps) {
  const isAdmin = viewerRole === "OWNER" || viewerRole === "ADMIN";
  const name = member.user.displayName;
  // Admins neither give nor take the owner role, so an owner's row is theirs to read only.
  const canManage = isAdmin && (viewerRole === "OWNER" || member.role !== "OWNER");
  const updateRole = useMutation(UpdateMemberRoleMutation);
  const remove = useMutation(RemoveMemberMutation);
  const deactivate = useMutation(DeactivateUserMutation);
  const [draft, setDraft] = useState<Role>(member.role);
  const [pending, setPending] = useState<Pending>(null);
  const selectRef = useRef<HTMLSelectElement>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  const deactivateButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const focusAfter = useRef<"confirm" | "remove" | "deactivate" | null>(null);

  useEffect(() => {
    setDraft(member.role);
  }, [member.role]);

  // Keep keyboard focus on the control that replaced the one just used.
  useEffect(() => {
    const target = focusAfter.current;
    focusAfter.current = null;
    if (target === "confirm") confirmButton.current?.focus();
    if (target === "remove") removeButton.current?.focus();
    if (target === "deactivate") deactivateButton.current?.focus();
  }, [pending]);

  async function saveRole() {
    if (updateRole.pending || draft === member.role) return;
    onError(null);
    try {
      const data = await updateRole.run({ userId: member.user.id, role: draft });
      onRoleChanged(data.updateMemberRole.role);
    } catch (err) {
      setDraft(member.role);
      onError(err);
      selectRef.current?.focus();
    }
  }

  async function confirm() {
    if (!pending || remove.pending || deactivate.pending) return;
    onError(null);
    try {
      if (pending.kind === "remove") {
        await remove.run({ userId: member.user.id });
        onChanged("removed");
      } else {
        await deactivate.run({ userId: member.user.id });
        // The Deactivate button is gone now; Remove takes its place.
        focusAfter.current = "remove";
        setPending(null);
        onChanged("deactivated");
      }
    } catch (err) {
      onError(err);
      focusAfter.current = pending.kind;
      setPending(null);
    }
  }

  const options = assignableRoles(viewerRole);
  const roleId = `member-role-${member.user.id}`;
  return (
    <>
      <tr className={member.user.active ? undefined : "row-inactive"}>
        <td>
          <span className="member-name">
            <span>{name}</span>
            {isSelf ? <span className="muted"> (you)</span> : null}
            {!member.user.active ? <span className="badge badge-inactive">Deactivated</span> : null}
          </span>
          {member.user.email ? <span className="member-email">{member.user.email}</span> : null}
        </td>
        <td>
          {canManage ? (
            <div className="role-edit">
              <label htmlFor={roleId} className="visually-hidden">
                Role of {name}
              </label>
              <select
                ref={selectRef}
                id={roleId}
                value={draft}
                disabled={updateRole.pending}
                onChange={(event) => setDraft(event.target.value as Role)}
              >
                {options.map((role) => (
                  <option key={role} value={role}>
                    {roleName(role)}
                  </option>
                ))}
              </select>
              {draft !== member.role ? (
                <>
                  <Button className="button-small" variant="primary" pending={updateRole.pending} onClick={saveRole}>
                    Save<span className="visually-hidden"> role of {name}</span>
                  </Button>
                  <Button className="button-small" disabled={updateRole.pending} onClick={() => setDraft(member.role)}>
                    Cancel<span className="visually-hidden"> role change of {name}</span>
                  </Button>
                </>
              ) : null}
            </div>
          ) : (
            <span className={`badge badge-role-${member.role.toLowerCase()}`}>{roleName(member.role)}</span>
          )}
        </td>
        <td>
          <time dateTime={member.createdAt}>{formatDate(member.createdAt)}</time>
        </td>
        {isAdmin ? (
          <td className="cell-actions">
            {canManage && !isSelf && pending === null ? (
              <div className="row-actions">
                <Button
                  ref={removeButton}
                  variant="danger-ghost"
                  className="button-small"
                  aria-label={`Remove ${name}`}
                  onClick={() => {
                    onError(null);
                    focusAfter.current = "confirm";
                    setPending({ kind: "remove", member });
                  }}
                >
                  Remove
                </Button>
                {member.user.active ? (
                  <Button
                    ref={deactivateButton}
                    variant="danger-ghost"
                    className="button-small"
                    aria-label={`Deactivate ${name}`}
                    onClick={() => {
                      onError(null);
                      focusAfter.current = "confirm";
                      setPending({ kind: "deactivate", member });
                    }}
                  >
                    Deactivate
                  </Button>
                ) : null}
              </div>
            ) : null}
          </td>
        ) : null}
      </tr>
      {pending ? (
        <tr className="confirm-row">
          <td colSpan={4}>
            <div className="confirm">
              <p>
                {pending.kind === "remove" ? (
                  <>
                    <strong>Remove {name} from the organization?</strong> They lose access to its projects at once;
                    their annotations stay.
                  </>
                ) : (
                  <>
                    <strong>Deactivate {name}?</strong> They are signed out everywhere at once and cannot sign in
                    again; their API token stops working.
                  </>
                )}
              </p>
              <div className="actions">
                <Button
                  ref={confirmButton}
                  variant="danger"
                  pending={remove.pending || deactivate.pending}
                  onClick={confirm}
                >
                  {pending.kind === "remove" ? "Remove member" : "Deactivate account"}
                </Button>
                <Button
                  disabled={remove.pending || deactivate.pending}
                  onClick={() => {
                    focusAfter.current = pending.kind;
                    setPending(null);
                  }}
                >
                  Cancel
                </Button>
              </div>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
