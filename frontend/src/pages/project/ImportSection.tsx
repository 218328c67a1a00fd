// Import (managers and up): upload task files, or have the server fetch a
// task file from a URL through its SSRF-safe client. Imports are all or
// nothing; the server's message says which file and line is wrong.
import { useId, useRef, useState, type FormEvent } from "react";

import { isApiError, uploadTaskFiles } from "../../api.ts";
import { ImportTasksFromUrlMutation, type Project } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { count } from "../../format.ts";
import { useMutation } from "../../hooks.ts";
import { useSession } from "../../session.tsx";

const accepted =
  ".json,.jsonl,.csv,.tsv,.txt,.png,.jpg,.jpeg,.gif,.webp,.bmp,.svg,.mp3,.wav,.ogg,.oga,.flac,.m4a,.webm,.mp4,.html,.htm";

interface ImportSectionProps {
  project: Project;
  onImported(): void;
}

export function ImportSection({ project, onImported }: ImportSectionProps) {
  const { sessionEnded } = useSession();
  const fileInput = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [uploading, setUploading] = useState(false);
  const [url, setUrl] = useState("");
  const fromUrl = useMutation(ImportTasksFromUrlMutation);
  const [error, setError] = useState<unknown>(null);
  const [imported, setImported] = useState<number | null>(null);
  const hintId = useId();

  function done(taskCount: number) {
    setImported(taskCount);
    onImported();
  }

  async function handleUpload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (uploading) return;
    setError(null);
    setImported(null);
    if (files.length === 0) {
      setError("Choose one or more task files first.");
      return;
    }
    setUploading(true);
    try {
      done(await uploadTaskFiles(project.id, files));
      setFiles([]);
      if (fileInput.current) fileInput.current.value = "";
    } catch (err) {
      if (isApiError(err, "UNAUTHENTICATED")) sessionEnded();
      setError(err);
    } finally {
      setUploading(false);
    }
  }

  async function handleUrl(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fromUrl.pending) return;
    setError(null);
    setImported(null);
    if (url.trim() === "") {
      setError("Enter the URL of a task file.");
      return;
    }
    try {
      const data = await fromUrl.run({ projectId: project.id, url: url.trim() });
      done(data.importTasksFromUrl.taskCount);
      setUrl("");
    } catch (err) {
      setError(err);
    }
  }

  const keys = project.dataKeys.length > 0 ? project.dataKeys.join(", ") : "the fields your configuration reads";
  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import tasks</h2>
      <p id={hintId}>
        Upload Label Studio task files: JSON (a list of tasks or <code>{"{\"data\": …}"}</code> objects), JSON lines, CSV or
        TSV with a header row, or plain text with one task per line. Images, audio, video and HTML files are
        stored in Gloss and become one task each, in the first field the project reads. This project reads{" "}
        {keys}. An import is all or nothing: if any task is wrong, nothing is added.
      </p>
      {imported !== null ? <StatusMessage>Imported {count(imported, "task")}.</StatusMessage> : null}
      <ErrorAlert error={error} />
      <form className="form import-form" onSubmit={handleUpload} noValidate>
        <div className="field">
          <label htmlFor="import-files">Task files</label>
          <input
            ref={fileInput}
            id="import-files"
            type="file"
            multiple
            accept={accepted}
            aria-describedby={hintId}
            onChange={(event) => setFiles(Array.from(event.target.files ?? []))}
          />
          {files.length > 0 ? (
            <p className="field-hint">
              {files.map((f) => f.name).join(", ")} ({count(files.length, "file")})
            </p>
          ) : null}
        </div>
        <div className="actions">
          <Button type="submit" variant="primary" pending={uploading}>
            Import
          </Button>
        </div>
      </form>
      <form className="form import-form" onSubmit={handleUrl} noValidate>
        <h3>From URL</h3>
        <Field
          id="import-url"
          label="Task file URL"
          type="url"
          inputMode="url"
          placeholder="https://example.com/tasks.json"
          spellCheck={false}
          autoComplete="off"
          hint="The server downloads the file; only public http(s) addresses are allowed."
          value={url}
          onValueChange={setUrl}
        />
        <div className="actions">
          <Button type="submit" pending={fromUrl.pending}>
            Import from URL
          </Button>
        </div>
      </form>
    </section>
  );
}
