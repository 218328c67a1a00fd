// /my-work: the viewer's own annotations, newest first, with where each is
// in review. Rejected ones carry the reviewer's comment and a link to the
// task, where the author changes the annotation and presses Update, which
// sends it back for review.
import { useState } from "react";

import { MyAnnotationsQuery, type MyAnnotation, type ReviewState } from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { count, formatDateTime, reviewStateName } from "../format.ts";
import { usePagedQuery } from "../hooks.ts";
import { Link } from "../router.tsx";

const pageSize = 50;

const states: { value: ReviewState | ""; label: string }[] = [
  { value: "", label: "All" },
  { value: "PENDING", label: "Pending" },
  { value: "ACCEPTED", label: "Accepted" },
  { value: "REJECTED", label: "Rejected" },
];

function taskPath(a: MyAnnotation): string {
  return `/projects/${encodeURIComponent(a.task.project.id)}/tasks/${encodeURIComponent(a.task.id)}`;
}

export function MyWorkPage() {
  const [state, setState] = useState<ReviewState | "">("");
  return (
    <>
      <div className="page-header">
        <PageHeading title="My work" />
        <p className="page-meta">Your annotations and what review said about them. Fix rejected ones to send them back.</p>
      </div>
      <section className="card" aria-labelledby="my-work-heading">
        <h2 id="my-work-heading" className="visually-hidden">
          Your annotations
        </h2>
        <div className="toolbar">
          <div className="field">
            <label htmlFor="my-work-state">Review state</label>
            <select id="my-work-state" value={state} onChange={(event) => setState(event.target.value as ReviewState | "")}>
              {states.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <AnnotationList state={state === "" ? null : state} />
      </section>
    </>
  );
}

function AnnotationList({ state }: { state: ReviewState | null }) {
  const list = usePagedQuery(MyAnnotationsQuery, { reviewState: state }, { pageSize, connection: (data) => data.myAnnotations });
  const annotations = list.nodes;
  const last = list.page;

  if (!last) {
    return list.loading ? (
      <Loading label="Loading your annotations…" />
    ) : (
      <>
        <ErrorAlert error={list.error} />
        <div className="actions">
          <Button onClick={list.reload}>Try again</Button>
        </div>
      </>
    );
  }
  if (annotations.length === 0) {
    return (
      <div className="empty-state">
        <p>
          {state === null
            ? "You have not annotated anything yet. Open a project and press Label to start."
            : `None of your annotations is ${reviewStateName(state).toLowerCase()}.`}
        </p>
      </div>
    );
  }
  return (
    <>
      <div className="table-wrap" aria-busy={list.loading || undefined}>
        <table className="table">
          <caption className="visually-hidden">Your annotations</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Project</th>
              <th scope="col">Review</th>
              <th scope="col">Comment</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {annotations.map((a) => (
              <tr key={a.id}>
                <td>
                  {a.reviewState === "REJECTED" ? (
                    <Link to={taskPath(a)} className="button button-small button-secondary">
                      Fix task {a.task.id}
                    </Link>
                  ) : (
                    <Link to={taskPath(a)}>Task {a.task.id}</Link>
                  )}
                  {a.wasCancelled ? <span className="muted"> (skipped)</span> : null}
                </td>
                <td>{a.task.project.title}</td>
                <td>
                  <span className={`badge badge-review-${a.reviewState.toLowerCase()}`}>{reviewStateName(a.reviewState)}</span>
                </td>
                <td>
                  {a.reviewComment ? (
                    <span className="review-comment">{a.reviewComment}</span>
                  ) : (
                    <span className="muted">None</span>
                  )}
                </td>
                <td>
                  <time dateTime={a.updatedAt}>{formatDateTime(a.updatedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-footer">
        <p className="muted">
          Showing {annotations.length} of {count(last.totalCount, "annotation")}
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
