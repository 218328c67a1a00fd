// Storages (managers and up): where the project's data comes from (source
// storages, synced into tasks) and where its annotations go (target
// storages, one JSON object per annotation). Credentials are write-only:
// the form shows whether they are set, never what they are. A sync runs on
// the server; its progress is polled, so it survives a reload.
import { useEffect, useState, type FormEvent } from "react";

import {
  CheckStorageMutation,
  CreateStorageMutation,
  DeleteStorageMutation,
  ProjectStoragesQuery,
  SyncStorageMutation,
  UpdateStorageMutation,
  type Project,
  type StorageInput,
  type StorageSummary,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { useMutation, useQuery } from "../../hooks.ts";

type Direction = "IMPORT" | "EXPORT";
type Kind = "S3" | "GCS" | "AZURE" | "LOCAL" | "REDIS";

/** The form's state: strings and flags as the inputs hold them. */
interface Draft {
  direction: Direction;
  kind: Kind;
  title: string;
  bucket: string;
  prefix: string;
  regexFilter: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  gcsProjectId: string;
  credentialsJson: string;
  accountName: string;
  accountKey: string;
  path: string;
  port: string;
  db: string;
  password: string;
  tls: boolean;
  useBlobUrls: boolean;
  presign: boolean;
  presignTtlMinutes: string;
  canDeleteObjects: boolean;
}

const emptyDraft: Draft = {
  direction: "IMPORT",
  kind: "S3",
  title: "",
  bucket: "",
  prefix: "",
  regexFilter: "",
  endpoint: "",
  region: "",
  accessKeyId: "",
  secretAccessKey: "",
  gcsProjectId: "",
  credentialsJson: "",
  accountName: "",
  accountKey: "",
  path: "",
  port: "6379",
  db: "0",
  password: "",
  tls: false,
  useBlobUrls: true,
  presign: true,
  presignTtlMinutes: "15",
  canDeleteObjects: false,
};

function draftOf(s: StorageSummary): Draft {
  return {
    ...emptyDraft,
    direction: s.direction,
    kind: s.kind,
    title: s.title,
    bucket: s.kind === "LOCAL" ? "" : s.bucket,
    path: s.kind === "LOCAL" ? s.bucket : "",
    prefix: s.prefix,
    regexFilter: s.regexFilter,
    endpoint: s.endpoint ?? "",
    region: s.region ?? "",
    accountName: s.accountName ?? "",
    gcsProjectId: s.gcsProjectId ?? "",
    port: String(s.port ?? 6379),
    db: String(s.db ?? 0),
    tls: s.tls ?? false,
    useBlobUrls: s.useBlobUrls,
    presign: s.presign,
    presignTtlMinutes: String(s.presignTtlMinutes),
    canDeleteObjects: s.canDeleteObjects,
  };
}

/** inputOf turns the form into GraphQL input; empty secret fields are left out, so stored ones stay. */
function inputOf(d: Draft): StorageInput {
  const input: StorageInput = {
    title: d.title,
    prefix: d.prefix,
    regexFilter: d.regexFilter,
    presignTtlMinutes: Number(d.presignTtlMinutes),
  };
  if (d.direction === "IMPORT" && d.kind !== "REDIS") {
    input.useBlobUrls = d.useBlobUrls;
    input.presign = d.presign;
  } else {
    input.canDeleteObjects = d.canDeleteObjects;
  }
  if (d.kind === "LOCAL") {
    input.local = { path: d.path };
  } else if (d.kind === "REDIS") {
    const redis: NonNullable<StorageInput["redis"]> = { host: d.bucket, port: Number(d.port), db: Number(d.db), tls: d.tls };
    if (d.password) redis.password = d.password;
    input.redis = redis;
  } else if (d.kind === "GCS") {
    const gcs: NonNullable<StorageInput["gcs"]> = { bucket: d.bucket, endpoint: d.endpoint, projectId: d.gcsProjectId };
    if (d.credentialsJson) gcs.credentialsJson = d.credentialsJson;
    input.gcs = gcs;
  } else if (d.kind === "AZURE") {
    const azure: NonNullable<StorageInput["azure"]> = { container: d.bucket, accountName: d.accountName, endpoint: d.endpoint };
    if (d.accountKey) azure.accountKey = d.accountKey;
    input.azure = azure;
  } else {
    const s3: NonNullable<StorageInput["s3"]> = { bucket: d.bucket, endpoint: d.endpoint, region: d.region };
    if (d.accessKeyId) s3.accessKeyId = d.accessKeyId;
    if (d.secretAccessKey) s3.secretAccessKey = d.secretAccessKey;
    input.s3 = s3;
  }
  return input;
}

const kindNames: Record<Kind, string> = { S3: "S3", GCS: "GCS", AZURE: "Azure", LOCAL: "Local", REDIS: "Redis" };
const uriSchemes: Record<Kind, string> = { S3: "s3://", GCS: "gs://", AZURE: "azure-blob://", LOCAL: "", REDIS: "" };

function syncText(s: StorageSummary): string {
  const sync = s.lastSync;
  if (!sync) return "Never synced";
  const of = sync.total === null ? "" : ` of ${sync.total.toLocaleString()}`;
  switch (sync.status) {
    case "QUEUED":
    case "RUNNING":
      return `Syncing… ${sync.done.toLocaleString()}${of}`;
    case "COMPLETED":
      return `Synced ${sync.done.toLocaleString()}${of}`;
    case "FAILED":
      return `Sync failed: ${sync.message ?? "no reason given"}`;
  }
}

export function StoragesSection({ project }: { project: Project }) {
  const query = useQuery(ProjectStoragesQuery, { id: project.id });
  const storages = query.data?.project?.storages ?? [];
  const running = storages.some((s) => s.lastSync?.status === "RUNNING" || s.lastSync?.status === "QUEUED");
  const reload = query.reload;
  // Follow running syncs; the sync itself lives on the server.
  useEffect(() => {
    if (!running) return undefined;
    const timer = window.setInterval(reload, 1000);
    return () => window.clearInterval(timer);
  }, [running, reload]);

  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const check = useMutation(CheckStorageMutation);
  const sync = useMutation(SyncStorageMutation);
  const remove = useMutation(DeleteStorageMutation);

  async function act(what: () => Promise<string>) {
    setError(null);
    setStatus(null);
    try {
      setStatus(await what());
    } catch (err) {
      setError(err);
    }
  }

  if (!query.data) {
    return (
      <section className="card" aria-labelledby="project-storages-heading">
        <h2 id="project-storages-heading">Storages</h2>
        {query.loading ? <Loading label="Loading storages…" /> : <ErrorAlert error={query.error} />}
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="project-storages-heading">
      <h2 id="project-storages-heading">Storages</h2>
      <p>
        A source storage makes tasks from the objects in a bucket or folder; a target storage receives every
        annotation as a JSON object. Credentials are stored encrypted and are never shown again.
      </p>
      <ErrorAlert error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {storages.length === 0 ? <p>No storage is connected.</p> : null}
      <ul className="storage-list">
        {storages.map((s) => {
          const name = s.title || `${kindNames[s.kind]} ${s.bucket}`;
          return (
            <li key={s.id} className="storage-item">
              <h3>
                {name} <span className="badge">{s.direction === "IMPORT" ? "Source" : "Target"}</span>
              </h3>
              <p className="page-meta">
                {s.kind === "LOCAL" ? `Folder ${s.bucket}` : s.kind === "REDIS" ? `Redis ${s.bucket} ${s.prefix}` : `${uriSchemes[s.kind]}${s.bucket}/${s.prefix}`}
                {s.kind === "LOCAL" ? "" : ` · credentials ${s.secretSet ? "set" : "not set"}`}
              </p>
              <p role="status" aria-label={`Sync of ${name}`}>
                {syncText(s)}
              </p>
              <div className="actions">
                <Button
                  pending={check.pending}
                  onClick={() =>
                    act(async () => {
                      const r = await check.run({ id: s.id });
                      return r.checkStorage.ok
                        ? `${name}: connection works.`
                        : `${name}: connection failed: ${r.checkStorage.message ?? "no reason given"}`;
                    })
                  }
                >
                  Check connection<span className="visually-hidden"> of {name}</span>
                </Button>
                <Button
                  variant="primary"
                  pending={sync.pending}
                  onClick={() =>
                    act(async () => {
                      await sync.run({ id: s.id });
                      reload();
                      return `${name}: sync started.`;
                    })
                  }
                >
                  Sync<span className="visually-hidden"> {name}</span>
                </Button>
                <Button onClick={() => setEditing(editing === s.id ? null : s.id)} aria-expanded={editing === s.id}>
                  Edit<span className="visually-hidden"> {name}</span>
                </Button>
                <Button
                  variant="danger-ghost"
                  pending={remove.pending}
                  onClick={() =>
                    act(async () => {
                      if (!window.confirm(`Disconnect ${name}? Tasks it made stay.`)) return "Nothing was changed.";
                      await remove.run({ id: s.id });
                      reload();
                      return `${name} was disconnected.`;
                    })
                  }
                >
                  Delete<span className="visually-hidden"> {name}</span>
                </Button>
              </div>
              {editing === s.id ? (
                <StorageForm
                  project={project}
                  storage={s}
                  onDone={(message) => {
                    setEditing(null);
                    setStatus(message);
                    reload();
                  }}
                />
              ) : null}
            </li>
          );
        })}
      </ul>
      {adding ? (
        <StorageForm
          project={project}
          onDone={(message) => {
            setAdding(false);
            setStatus(message);
            reload();
          }}
        />
      ) : (
        <div className="actions">
          <Button onClick={() => setAdding(true)}>Add storage</Button>
        </div>
      )}
    </section>
  );
}

function StorageForm({
  project,
  storage,
  onDone,
}: {
  project: Project;
  storage?: StorageSummary;
  onDone(message: string): void;
}) {
  const [draft, setDraft] = useState<Draft>(storage ? draftOf(storage) : emptyDraft);
  const [error, setError] = useState<unknown>(null);
  const create = useMutation(CreateStorageMutation);
  const update = useMutation(UpdateStorageMutation);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const id = storage ? `storage-${storage.id}` : "storage-new";

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      if (storage) {
        await update.run({ id: storage.id, input: inputOf(draft) });
        onDone("The storage was saved.");
      } else {
        await create.run({
          input: { ...inputOf(draft), projectId: project.id, direction: draft.direction, kind: draft.kind },
        });
        onDone("The storage was added. Sync it to bring in its objects.");
      }
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label={storage ? "Edit storage" : "Add storage"}>
      <ErrorAlert error={error} />
      {storage ? null : (
        <>
          <div className="field">
            <label htmlFor={`${id}-direction`}>Direction</label>
            <select
              id={`${id}-direction`}
              value={draft.direction}
              onChange={(e) => set("direction")(e.target.value as Direction)}
            >
              <option value="IMPORT">Source: make tasks from objects</option>
              <option value="EXPORT">Target: write annotations</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-kind`}>Kind</label>
            <select id={`${id}-kind`} value={draft.kind} onChange={(e) => set("kind")(e.target.value as Kind)}>
              <option value="S3">Amazon S3 or S3-compatible</option>
              <option value="GCS">Google Cloud Storage</option>
              <option value="AZURE">Azure Blob Storage</option>
              <option value="REDIS">Redis</option>
              <option value="LOCAL">Local files</option>
            </select>
          </div>
        </>
      )}
      <Field id={`${id}-title`} label="Title" value={draft.title} onValueChange={set("title")} />
      {draft.kind === "S3" ? (
        <>
          <Field id={`${id}-bucket`} label="Bucket" value={draft.bucket} onValueChange={set("bucket")} required />
          <Field
            id={`${id}-endpoint`}
            label="Endpoint"
            value={draft.endpoint}
            onValueChange={set("endpoint")}
            hint="Only for S3-compatible services such as MinIO; leave empty for Amazon S3."
          />
          <Field id={`${id}-region`} label="Region" value={draft.region} onValueChange={set("region")} />
          <Field
            id={`${id}-access-key`}
            label="Access key ID"
            value={draft.accessKeyId}
            onValueChange={set("accessKeyId")}
            autoComplete="off"
            placeholder={storage?.secretSet ? "set (leave empty to keep)" : ""}
          />
          <Field
            id={`${id}-secret-key`}
            label="Secret access key"
            type="password"
            value={draft.secretAccessKey}
            onValueChange={set("secretAccessKey")}
            autoComplete="new-password"
            placeholder={storage?.secretSet ? "set (leave empty to keep)" : ""}
          />
        </>
      ) : draft.kind === "GCS" ? (
        <>
          <Field id={`${id}-bucket`} label="Bucket" value={draft.bucket} onValueChange={set("bucket")} required />
          <Field id={`${id}-gcs-project`} label="Project ID" value={draft.gcsProjectId} onValueChange={set("gcsProjectId")} hint="Billed for requester-pays buckets; usually empty." />
          <Field
            id={`${id}-credentials`}
            label="Service account key (JSON)"
            type="password"
            value={draft.credentialsJson}
            onValueChange={set("credentialsJson")}
            autoComplete="new-password"
            placeholder={storage?.secretSet ? "set (leave empty to keep)" : ""}
            hint="Only service-account keys; without one, the bucket is read anonymously and objects are proxied, not presigned."
          />
          <Field
            id={`${id}-endpoint`}
            label="Endpoint"
            value={draft.endpoint}
            onValueChange={set("endpoint")}
            hint="Only for GCS-compatible servers; leave empty for Google Cloud Storage."
          />
        </>
      ) : draft.kind === "AZURE" ? (
        <>
          <Field id={`${id}-container`} label="Container" value={draft.bucket} onValueChange={set("bucket")} required />
          <Field id={`${id}-account`} label="Account name" value={draft.accountName} onValueChange={set("accountName")} required />
          <Field
            id={`${id}-account-key`}
            label="Account key"
            type="password"
            value={draft.accountKey}
            onValueChange={set("accountKey")}
            autoComplete="new-password"
            placeholder={storage?.secretSet ? "set (leave empty to keep)" : ""}
          />
          <Field
            id={`${id}-endpoint`}
            label="Endpoint"
            value={draft.endpoint}
            onValueChange={set("endpoint")}
            hint="The account's URL, only for Azurite and the like (http://host:10000/account); leave empty for Azure."
          />
        </>
      ) : draft.kind === "REDIS" ? (
        <>
          <Field id={`${id}-host`} label="Host" value={draft.bucket} onValueChange={set("bucket")} required />
          <Field id={`${id}-port`} label="Port" type="number" value={draft.port} onValueChange={set("port")} />
          <Field id={`${id}-db`} label="Database" type="number" value={draft.db} onValueChange={set("db")} />
          <Field
            id={`${id}-password`}
            label="Password"
            type="password"
            value={draft.password}
            onValueChange={set("password")}
            autoComplete="new-password"
            placeholder={storage?.secretSet ? "set (leave empty to keep)" : ""}
          />
          <label className="checkbox">
            <input type="checkbox" checked={draft.tls} onChange={(e) => set("tls")(e.target.checked)} />
            Use TLS
          </label>
        </>
      ) : (
        <Field
          id={`${id}-path`}
          label="Folder"
          value={draft.path}
          onValueChange={set("path")}
          hint="A folder inside the server's LOCAL_FILES_DOCUMENT_ROOT."
          required
        />
      )}
      <Field id={`${id}-prefix`} label="Prefix" value={draft.prefix} onValueChange={set("prefix")} />
      {draft.direction === "IMPORT" ? (
        <>
          <Field
            id={`${id}-regex`}
            label="File filter (regular expression)"
            value={draft.regexFilter}
            onValueChange={set("regexFilter")}
            hint="For example .*\.(jpe?g|png)$ — empty takes every object."
          />
          {draft.kind === "REDIS" ? null : (
            <label className="checkbox">
              <input type="checkbox" checked={draft.useBlobUrls} onChange={(e) => set("useBlobUrls")(e.target.checked)} />
              Treat every object as a source file (otherwise objects are JSON task files)
            </label>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={draft.presign} onChange={(e) => set("presign")(e.target.checked)} />
            Use presigned URLs
          </label>
          <Field
            id={`${id}-ttl`}
            label="Presigned URL lifetime (minutes)"
            type="number"
            min={1}
            max={10080}
            value={draft.presignTtlMinutes}
            onValueChange={set("presignTtlMinutes")}
          />
        </>
      ) : (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.canDeleteObjects}
            onChange={(e) => set("canDeleteObjects")(e.target.checked)}
          />
          Delete an annotation's object when the annotation is deleted
        </label>
      )}
      <div className="actions">
        <Button type="submit" variant="primary" pending={create.pending || update.pending}>
          {storage ? "Save storage" : "Add storage"}
        </Button>
      </div>
    </form>
  );
}
