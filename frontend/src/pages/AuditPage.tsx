// /audit (owners and admins): the organization's audit log, newest first,
// fifty events at a time, filtered by action and time on the server, and the
// whole log as a JSON lines download. Every value is shown as text.
import { useState, type FormEvent } from "react";

import { auditDownloadUrl } from "../api.ts";
import {
  AuditEventsQuery,
  MembersQuery,
  type AuditEvent,
  type AuditFilter,
} from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { count, describeUserAgent, formatDateTime } from "../format.ts";
import { usePagedQuery, useQuery } from "../hooks.ts";

const pageSize = 50;

interface FilterValues {
  action: string;
  since: string;
  until: string;
}

const emptyFilter: FilterValues = { action: "", since: "", until: "" };

/** localToIso turns a datetime-local value (local time, no zone) into RFC 3339, or null when invalid. */
function localToIso(value: string): string | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** toFilter checks the form and builds the server's filter, or returns a message saying what to fix. */
function toFilter(values: FilterValues): { filter: AuditFilter | null } | { error: string } {
  const filter: AuditFilter = {};
  const action = values.action.trim();
  if (action) filter.action = action;
  if (values.since) {
    const since = localToIso(values.since);
    if (since === null) return { error: "Since is not a valid date and time." };
    filter.since = since;
  }
  if (values.until) {
    const until = localToIso(values.until);
    if (until === null) return { error: "Until is not a valid date and time." };
    filter.until = until;
  }
  if (filter.since && filter.until && filter.since > filter.until) {
    return { error: "Since must be before Until." };
  }
  return { filter: Object.keys(filter).length > 0 ? filter : null };
}

export function AuditPage() {
  const [values, setValues] = useState<FilterValues>(emptyFilter);
  const [filter, setFilter] = useState<AuditFilter | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  // Names for actor ids; owners and admins may list every member.
  const members = useQuery(MembersQuery, { first: 100, after: null, isAdmin: false });
  const names = new Map<string, string>(
    members.data?.members.edges.map((e) => [e.node.user.id, e.node.user.displayName]) ?? [],
  );

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = toFilter(values);
    if ("error" in result) {
      setFormError(result.error);
      return;
    }
    setFormError(null);
    setFilter(result.filter);
  }

  function clear() {
    setValues(emptyFilter);
    setFormError(null);
    setFilter(null);
  }

  const set = (key: keyof FilterValues) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const formErrorId = formError ? "audit-filter-error" : null;
  return (
    <>
      <div className="page-header page-header-actions">
        <div>
          <PageHeading title="Audit log" />
          <p className="page-meta">
            Every change and security event in this organization, newest first. Entries are chained by hash and
            cannot be edited.
          </p>
        </div>
        <a className="button button-secondary" href={auditDownloadUrl} download>
          Download JSON lines
        </a>
      </div>
      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading" className="visually-hidden">
          Events
        </h2>
        <form className="audit-filters" onSubmit={handleSubmit} noValidate aria-label="Filter events">
          <div className="toolbar">
            <div className="field">
              <label htmlFor="audit-action">Action</label>
              <input
                id="audit-action"
                type="text"
                value={values.action}
                placeholder="login. or invite.created"
                spellCheck={false}
                autoCapitalize="none"
                autoComplete="off"
                maxLength={200}
                aria-describedby="audit-action-hint"
                onChange={(event) => set("action")(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-since">Since</label>
              <input
                id="audit-since"
                type="datetime-local"
                value={values.since}
                aria-invalid={formErrorId ? true : undefined}
                aria-describedby={formErrorId ?? undefined}
                onChange={(event) => set("since")(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-until">Until</label>
              <input
                id="audit-until"
                type="datetime-local"
                value={values.until}
                aria-invalid={formErrorId ? true : undefined}
                aria-describedby={formErrorId ?? undefined}
                onChange={(event) => set("until")(event.target.value)}
              />
            </div>
            <div className="actions toolbar-actions">
              <Button type="submit" variant="primary">
                Apply filters
              </Button>
              <Button onClick={clear}>Clear</Button>
            </div>
          </div>
          <p id="audit-action-hint" className="field-hint">
            Action is an exact action such as <code>invite.created</code>, or a prefix ending in a dot such as{" "}
            <code>login.</code>
          </p>
        </form>
        <ErrorAlert id="audit-filter-error" error={formError} />
        <EventList filter={filter} names={names} />
      </section>
    </>
  );
}

function EventList({ filter, names }: { filter: AuditFilter | null; names: ReadonlyMap<string, string> }) {
  const list = usePagedQuery(AuditEventsQuery, { filter }, { pageSize, connection: (data) => data.auditEvents });
  const events = list.nodes;
  const last = list.page;

  if (!last) {
    return list.loading ? (
      <Loading label="Loading events…" />
    ) : (
      <>
        <ErrorAlert error={list.error} />
        <div className="actions">
          <Button onClick={list.reload}>Try again</Button>
        </div>
      </>
    );
  }
  if (events.length === 0) {
    return (
      <div className="empty-state">
        <p>{filter ? "No events match these filters." : "No events yet."}</p>
      </div>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table className="table table-audit">
          <caption className="visually-hidden">Audit events</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Address</th>
              <th scope="col">Request ID</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => {
              const name = event.actorId ? names.get(event.actorId) : undefined;
              const browser = describeUserAgent(event.userAgent);
              return (
                <tr key={event.id}>
                  <td>
                    <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>
                  </td>
                  <td>
                    {event.actorId === null ? (
                      <span className="muted">Server or anonymous</span>
                    ) : (
                      <>
                        {name ? <span className="member-name">{name}</span> : null}
                        <span className="mono muted">id {event.actorId}</span>
                      </>
                    )}
                  </td>
                  <td>
                    <code>{event.action}</code>
                    {event.details !== null ? <Details details={event.details} /> : null}
                  </td>
                  <td>
                    {event.targetType || event.targetId ? (
                      <span className="mono">
                        {event.targetType}
                        {event.targetId ? ` ${event.targetId}` : ""}
                      </span>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                  <td>
                    <span className="mono">{event.clientAddress}</span>
                    {browser ? (
                      <span className="audit-agent muted" title={event.userAgent}>
                        {browser}
                      </span>
                    ) : null}
                  </td>
                  <td className="mono audit-request">{event.requestId}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="table-footer">
        <p className="muted">
          Showing {events.length} of {count(last.totalCount, "event")}
        </p>
        {last.pageInfo.hasNextPage ? (
          <Button onClick={list.next} pending={list.loading}>
            Load more
          </Button>
        ) : null}
      </div>
      <ErrorAlert error={list.error} />
    </>
  );
}

/** Details shows an event's details (JSON) as text, folded away. */
function Details({ details }: { details: AuditEvent["details"] }) {
  const text = JSON.stringify(details, null, 2);
  if (!text || text === "{}") return null;
  return (
    <details className="audit-details">
      <summary>Details</summary>
      <pre className="mono">{text}</pre>
    </details>
  );
}
