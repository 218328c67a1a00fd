// The organization's members, oldest first, fifty at a time.
import { useState } from "react";

import { MembersQuery, type Member, type MembersPage } from "../../api.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading } from "../../components/Messages.tsx";
import { formatDate, roleName } from "../../format.ts";
import { useMutation, useQuery } from "../../hooks.ts";

const pageSize = 50;

export function MembersSection({ isAdmin }: { isAdmin: boolean }) {
  const firstPage = useQuery(MembersQuery, { first: pageSize, after: null, isAdmin });
  const nextPage = useMutation(MembersQuery);
  const [later, setLater] = useState<MembersPage[]>([]);
  const [error, setError] = useState<unknown>(null);

  const pages = firstPage.data ? [firstPage.data.members, ...later] : [];
  const last = pages[pages.length - 1];
  // Keyset pages do not overlap, but a member who joins between two loads
  // must not show twice if the server's order ever shifts.
  const byId = new Map<string, Member>();
  for (const page of pages) {
    for (const edge of page.edges) {
      if (!byId.has(edge.node.id)) byId.set(edge.node.id, edge.node);
    }
  }
  const members = [...byId.values()];

  async function loadMore() {
    const after = last?.pageInfo.endCursor ?? null;
    if (nextPage.pending || !after) return;
    setError(null);
    try {
      const data = await nextPage.run({ first: pageSize, after, isAdmin });
      setLater((current) => [...current, data.members]);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card">
      <h2>Members</h2>
      {!last ? (
        firstPage.loading ? (
          <Loading label="Loading members…" />
        ) : (
          <>
            <ErrorAlert error={firstPage.error} />
            <div className="actions">
              <Button onClick={firstPage.reload}>Try again</Button>
            </div>
          </>
        )
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.id}>
                    <td>
                      <span className="member-name">{member.user.displayName}</span>
                      {member.user.email ? <span className="member-email">{member.user.email}</span> : null}
                    </td>
                    <td>
                      <span className={`badge badge-role-${member.role.toLowerCase()}`}>{roleName(member.role)}</span>
                    </td>
                    <td>
                      <time dateTime={member.createdAt}>{formatDate(member.createdAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-footer">
            <p className="muted">
              Showing {members.length} of {last.totalCount} {last.totalCount === 1 ? "member" : "members"}
            </p>
            {last.pageInfo.hasNextPage ? (
              <Button onClick={loadMore} pending={nextPage.pending}>
                Load more
              </Button>
            ) : null}
          </div>
          <ErrorAlert error={error} />
        </>
      )}
    </section>
  );
}
