// The browsers signed in to the account, each revocable but this one.
import { useState } from "react";

import { RevokeSessionMutation, type Session } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading } from "../../components/Messages.tsx";
import { describeUserAgent, formatDateTime } from "../../format.ts";
import { useMutation, type QueryState } from "../../hooks.ts";

export function SessionsSection({ sessions }: { sessions: QueryState<{ sessions: Session[] }> }) {
  const revoke = useMutation(RevokeSessionMutation);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function handleRevoke(id: string) {
    if (revoke.pending) return;
    setError(null);
    setRevoking(id);
    try {
      const data = await revoke.run({ id });
      sessions.setData((current) => ({
        sessions: current.sessions.filter((s) => s.id !== data.revokeSession),
      }));
    } catch (err) {
      setError(err);
    } finally {
      setRevoking(null);
    }
  }

  const list = sessions.data?.sessions;
  return (
    <section className="card">
      <h2>Sessions</h2>
      <p>These browsers are signed in to your account. Revoke any you do not recognise.</p>
      <ErrorAlert error={error ?? (list ? null : sessions.error)} />
      {list === undefined ? (
        sessions.loading ? (
          <Loading label="Loading sessions…" />
        ) : (
          <div className="actions">
            <Button onClick={sessions.reload}>Try again</Button>
          </div>
        )
      ) : list.length === 0 ? (
        <p className="empty">No browser is signed in.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Created</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id}>
                  <td>
                    <div className="ua-summary">
                      {describeUserAgent(session.userAgent) || "Unknown browser"}
                      {session.current ? <span className="badge badge-accent">This device</span> : null}
                    </div>
                    {session.userAgent ? (
                      <div className="ua-raw" title={session.userAgent}>
                        {session.userAgent}
                      </div>
                    ) : null}
                  </td>
                  <td className="mono">{session.clientAddress}</td>
                  <td>
                    <time dateTime={session.createdAt}>{formatDateTime(session.createdAt)}</time>
                  </td>
                  <td>
                    <time dateTime={session.lastSeenAt}>{formatDateTime(session.lastSeenAt)}</time>
                  </td>
                  <td className="cell-actions">
                    {session.current ? null : (
                      <Button
                        variant="danger-ghost"
                        aria-label={`Revoke session ${session.id}`}
                        pending={revoking === session.id}
                        disabled={revoke.pending}
                        onClick={() => handleRevoke(session.id)}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
