// Webhooks of a project (managers and up) or of the organization (owners and
// admins): add one (its signing secret is shown once, in a dialog), change
// its URL, events and switches, delete it, and, for owners and admins, read
// the newest deliveries of each.
import { useRef, useState, type FormEvent } from "react";

import {
  CreateWebhookMutation,
  DeleteWebhookMutation,
  OrganizationDeliveriesQuery,
  OrganizationWebhooksQuery,
  ProjectDeliveriesQuery,
  ProjectWebhooksQuery,
  UpdateWebhookMutation,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { formatDateTime } from "../../format.ts";
import { useMutation, useQuery } from "../../hooks.ts";

const eventLabels: Record<WebhookEvent, string> = {
  TASKS_CREATED: "Tasks created",
  TASKS_DELETED: "Tasks deleted",
  ANNOTATION_CREATED: "Annotation created",
  ANNOTATIONS_CREATED: "Annotations created (import)",
  ANNOTATION_UPDATED: "Annotation updated",
  ANNOTATIONS_DELETED: "Annotations deleted",
  PROJECT_CREATED: "Project created",
  PROJECT_UPDATED: "Project updated",
  PROJECT_DELETED: "Project deleted",
};

/** Every event, in the order the form lists them (the labels' type makes sure none is missing). */
const webhookEvents = Object.keys(eventLabels) as WebhookEvent[];

interface FormValues {
  url: string;
  events: WebhookEvent[];
  sendPayload: boolean;
  active: boolean;
}

const blank: FormValues = { url: "", events: ["ANNOTATION_CREATED", "ANNOTATION_UPDATED"], sendPayload: true, active: true };

/** WebhookFields are the inputs of a webhook, for adding and for editing. */
function WebhookFields({ prefix, values, onChange }: { prefix: string; values: FormValues; onChange: (v: FormValues) => void }) {
  const toggle = (e: WebhookEvent, on: boolean) =>
    onChange({ ...values, events: on ? [...values.events, e] : values.events.filter((x) => x !== e) });
  return (
    <>
      <div className="field">
        <label htmlFor={`${prefix}-url`}>Receiver URL</label>
        <input
          id={`${prefix}-url`}
          type="url"
          value={values.url}
          placeholder="https://hooks.example.com/gloss"
          spellCheck={false}
          aria-describedby={`${prefix}-url-hint`}
          onChange={(event) => onChange({ ...values, url: event.target.value })}
        />
        <p id={`${prefix}-url-hint`} className="field-hint">
          Private addresses work only if the operator lists them in GLOSS_OUTBOUND_ALLOW.
        </p>
      </div>
      <fieldset className="field">
        <legend>Events</legend>
        {webhookEvents.map((e) => (
          <label key={e} className="checkbox">
            <input type="checkbox" checked={values.events.includes(e)} onChange={(event) => toggle(e, event.target.checked)} />
            {eventLabels[e]}
          </label>
        ))}
      </fieldset>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={values.sendPayload}
          onChange={(event) => onChange({ ...values, sendPayload: event.target.checked })}
        />
        Send the changed objects (otherwise only the event's name)
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={values.active} onChange={(event) => onChange({ ...values, active: event.target.checked })} />
        Active
      </label>
    </>
  );
}

function DeliveryLog({ deliveries }: { deliveries: WebhookDelivery[] }) {
  if (deliveries.length === 0) return <p className="muted">Nothing sent yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Answer</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>{eventLabels[d.event]}</td>
              <td>
                <span className={d.status === "DELIVERED" ? "badge badge-success" : "badge"}>{d.status.toLowerCase()}</span>
              </td>
              <td>{d.attempts}</td>
              <td>
                {d.responseCode !== null ? `HTTP ${d.responseCode}` : ""} {d.error}
                {d.status === "PENDING" && d.nextAttemptAt ? ` (next try ${formatDateTime(d.nextAttemptAt)})` : ""}
              </td>
              <td>
                <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** WebhooksSection manages the webhooks of projectId, or of the organization when it is absent. */
export function WebhooksSection({ projectId, canReadLog }: { projectId?: string; canReadLog: boolean }) {
  const projectQuery = useQuery(ProjectWebhooksQuery, { id: projectId ?? "" }, { skip: !projectId });
  const orgQuery = useQuery(OrganizationWebhooksQuery, {}, { skip: !!projectId });
  const hooks: Webhook[] | undefined = projectId
    ? (projectQuery.data?.project?.webhooks ?? undefined)
    : (orgQuery.data?.organization?.webhooks ?? undefined);
  const query = projectId ? projectQuery : orgQuery;
  const projectLog = useQuery(ProjectDeliveriesQuery, { id: projectId ?? "" }, { skip: !canReadLog || !projectId });
  const orgLog = useQuery(OrganizationDeliveriesQuery, {}, { skip: !canReadLog || !!projectId });
  const logs = canReadLog ? (projectId ? projectLog.data?.project?.webhooks : orgLog.data?.organization?.webhooks) : undefined;

  const create = useMutation(CreateWebhookMutation);
  const update = useMutation(UpdateWebhookMutation);
  const remove = useMutation(DeleteWebhookMutation);
  const [values, setValues] = useState<FormValues>(blank);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string; values: FormValues } | null>(null);
  const [editError, setEditError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  const prefix = projectId ? "project-webhook" : "org-webhook";

  function reload() {
    query.reload();
    if (canReadLog) (projectId ? projectLog : orgLog).reload();
  }

  async function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.pending) return;
    setError(null);
    setStatus(null);
    try {
      const input = { url: values.url.trim(), events: values.events, sendPayload: values.sendPayload, active: values.active };
      const data = await create.run({ input: projectId ? { ...input, projectId } : input });
      setSecret(data.createWebhook.secret);
      setValues(blank);
      reload();
    } catch (err) {
      setError(err);
    }
  }

  async function handleSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!editing || update.pending) return;
    setEditError(null);
    try {
      const v = editing.values;
      await update.run({ id: editing.id, input: { url: v.url.trim(), events: v.events, sendPayload: v.sendPayload, active: v.active } });
      setEditing(null);
      setStatus("Webhook saved.");
      reload();
    } catch (err) {
      setEditError(err);
    }
  }

  async function handleDelete(hook: Webhook) {
    if (remove.pending) return;
    setListError(null);
    setStatus(null);
    try {
      await remove.run({ id: hook.id });
      setStatus(`The webhook to ${hook.url} is deleted.`);
      reload();
    } catch (err) {
      setListError(err);
    }
  }

  return (
    <section className="card" aria-labelledby={`${prefix}-heading`}>
      <h2 id={`${prefix}-heading`}>{projectId ? "Webhooks" : "Organization webhooks"}</h2>
      <p>
        {projectId
          ? "Gloss tells these receivers about this project's tasks and annotations."
          : "Gloss tells these receivers about every project of the organization."}{" "}
        Each request is signed with the webhook's secret (X-Gloss-Signature), which is shown once.
      </p>
      <form className="form" onSubmit={handleCreate} noValidate aria-labelledby={`${prefix}-add-heading`}>
        <h3 id={`${prefix}-add-heading`}>Add webhook</h3>
        <ErrorAlert error={error} />
        <WebhookFields prefix={`${prefix}-new`} values={values} onChange={setValues} />
        <div className="actions">
          <Button ref={createButton} type="submit" variant="primary" pending={create.pending}>
            Add webhook
          </Button>
        </div>
      </form>

      <h3 className="subsection">Receivers</h3>
      <ErrorAlert error={listError} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {hooks === undefined ? (
        query.loading ? (
          <Loading label="Loading webhooks…" />
        ) : (
          <>
            <ErrorAlert error={query.error} />
            <div className="actions">
              <Button onClick={query.reload}>Try again</Button>
            </div>
          </>
        )
      ) : hooks.length === 0 ? (
        <p className="muted">No webhooks yet.</p>
      ) : (
        <ul className="list">
          {hooks.map((hook) => {
            const log = logs?.find((l) => l.id === hook.id)?.deliveries.edges.map((e) => e.node);
            return (
              <li key={hook.id}>
                <p>
                  <span className="mono">{hook.url}</span>{" "}
                  <span className={hook.active ? "badge badge-success" : "badge"}>{hook.active ? "Active" : "Paused"}</span>
                </p>
                <p className="muted">{webhookEvents.filter((e) => hook.events.includes(e)).map((e) => eventLabels[e]).join(", ")}</p>
                <div className="actions">
                  <Button className="button-small" onClick={() => setEditing({ id: hook.id, values: { ...hook } })}>
                    Edit<span className="visually-hidden"> webhook to {hook.url}</span>
                  </Button>
                  <Button variant="danger-ghost" className="button-small" disabled={remove.pending} onClick={() => handleDelete(hook)}>
                    Delete<span className="visually-hidden"> webhook to {hook.url}</span>
                  </Button>
                </div>
                {canReadLog ? (
                  <details>
                    <summary>Deliveries</summary>
                    {log ? <DeliveryLog deliveries={log} /> : <Loading label="Loading deliveries…" />}
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}

      {editing !== null ? (
        <Dialog title="Edit webhook" onClose={() => setEditing(null)}>
          <form className="form" onSubmit={handleSave} noValidate>
            <ErrorAlert error={editError} />
            <WebhookFields prefix={`${prefix}-edit`} values={editing.values} onChange={(v) => setEditing({ ...editing, values: v })} />
            <div className="dialog-actions">
              <Button onClick={() => setEditing(null)}>Cancel</Button>
              <Button type="submit" variant="primary" pending={update.pending}>
                Save webhook
              </Button>
            </div>
          </form>
        </Dialog>
      ) : null}

      {secret !== null ? (
        <Dialog
          title="Your webhook's signing secret"
          onClose={() => setSecret(null)}
          initialFocusId={`${prefix}-secret`}
          describedById={`${prefix}-secret-explanation`}
          returnFocus={createButton}
        >
          <p id={`${prefix}-secret-explanation`}>
            Your receiver checks X-Gloss-Signature with this secret. Copy it now: <strong>it will not be shown again.</strong>
          </p>
          <div className="field">
            <label htmlFor={`${prefix}-secret`}>Signing secret</label>
            <div className="input-row">
              <input
                id={`${prefix}-secret`}
                className="mono"
                type="text"
                readOnly
                value={secret}
                spellCheck={false}
                autoComplete="off"
                onFocus={(event) => event.currentTarget.select()}
              />
              <CopyButton text={secret} label="Copy" inputId={`${prefix}-secret`} />
            </div>
          </div>
          <div className="dialog-actions">
            <Button variant="primary" onClick={() => setSecret(null)}>
              Done
            </Button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}
