// The data manager's quick view: one task beside the list, its data and the
// annotations the viewer may see, read-only, with a link to open it fully.
import type { JsonValue } from "../../api.ts";
import { LabelTaskQuery } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading } from "../../components/Messages.tsx";
import { formatDateTime } from "../../format.ts";
import { useQuery } from "../../hooks.ts";
import { asText } from "../../labeling/config.ts";
import { Link } from "../../router.tsx";

/** The labels a Label Studio result holds: choices, labels, text areas' text, ratings. */
export function resultLabels(result: JsonValue): string[] {
  const out = new Set<string>();
  if (!Array.isArray(result)) return [];
  for (const region of result) {
    if (region === null || typeof region !== "object" || Array.isArray(region)) continue;
    const value = region["value"];
    if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
    for (const [key, v] of Object.entries(value)) {
      if (!Array.isArray(v) || !(key === "choices" || key.endsWith("labels") || key === "text" || key === "taxonomy")) continue;
      for (const label of v) {
        if (typeof label === "string") out.add(label);
      }
    }
    if (typeof value["rating"] === "number") out.add(`rating ${value["rating"]}`);
  }
  return [...out];
}

interface QuickViewProps {
  projectId: string;
  taskId: string;
  onClose(): void;
}

export function QuickView({ projectId, taskId, onClose }: QuickViewProps) {
  const q = useQuery(LabelTaskQuery, { projectId, taskId });
  const task = q.data?.task;
  const href = `/projects/${encodeURIComponent(projectId)}/tasks/${encodeURIComponent(taskId)}`;
  const data = task && task.data !== null && typeof task.data === "object" && !Array.isArray(task.data) ? task.data : null;
  return (
    <aside className="card quick-view" aria-labelledby="quick-view-heading">
      <div className="quick-view-head">
        <h3 id="quick-view-heading">Task {taskId}</h3>
        <div className="actions">
          <Link to={href}>Open task {taskId}</Link>
          <Button onClick={onClose}>Close</Button>
        </div>
      </div>
      {!task ? (
        q.loading ? (
          <Loading label="Loading the task…" />
        ) : (
          <ErrorAlert error={q.error ?? "This task is not there any more."} />
        )
      ) : (
        <>
          <dl className="quick-view-data">
            {data ? (
              Object.entries(data).map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{asText(value)}</dd>
                </div>
              ))
            ) : (
              <div>
                <dt>data</dt>
                <dd>{asText(task.data)}</dd>
              </div>
            )}
          </dl>
          <h4>Annotations</h4>
          {task.annotations.length === 0 ? (
            <p className="muted">No annotations yet.</p>
          ) : (
            <ul className="quick-view-annotations">
              {task.annotations.map((a) => (
                <li key={a.id}>
                  <strong>{a.completedBy?.displayName ?? "An annotator"}</strong>{" "}
                  {a.wasCancelled ? "skipped" : resultLabels(a.result).join(", ") || "no labels"}{" "}
                  <span className="muted">
                    · {a.reviewState.toLowerCase()} · <time dateTime={a.updatedAt}>{formatDateTime(a.updatedAt)}</time>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}
