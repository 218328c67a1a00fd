// One task in the editor with its Submit (or Update) and Skip buttons. The
// viewer's own annotation is loaded for editing; without one, the best
// prediction is the starting point. Lead time is the seconds since the task
// was shown (added to the earlier time when updating); an update sends the
// annotation back to review. Others' annotations are listed below,
// read-only; on a task page reviewers (and up) accept or reject each one
// with a comment.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import {
  CreateAnnotationMutation,
  ReviewAnnotationMutation,
  UpdateAnnotationMutation,
  type Annotation,
  type Prediction,
  type Project,
  type Task,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { Tabs } from "../../components/Tabs.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { count, formatDateTime, reviewStateName } from "../../format.ts";
import { useMutation } from "../../hooks.ts";
import { parseLabelConfig, type LabelConfig } from "../../labeling/config.ts";
import { Editor } from "../../labeling/LazyEditor.tsx";
import { useResultHistory } from "../../labeling/history.ts";
import { useDraftSaver, type DraftStatus } from "./drafts.ts";
import {
  isRelation,
  missingRequired,
  newId,
  normalizeResult,
  toJson,
  type ResultItem,
} from "../../labeling/result.ts";
import { Link } from "../../router.tsx";
import { useViewer } from "../../session.tsx";

interface TaskLabelerProps {
  project: Project;
  task: Task;
  /** In the stream, saving moves on to the next task; on a task page it stays. */
  mode: "stream" | "task";
  onSubmitted(): void;
  /** Whether the viewer reviews others' annotations here (reviewers and up, on a task page). */
  canReview?: boolean;
  /** Called after a review was saved, to load the task again. */
  onReviewed?(): void;
}

function latest(annotations: readonly Annotation[]): Annotation | null {
  return annotations.reduce<Annotation | null>(
    (best, a) => (best === null || a.updatedAt > best.updatedAt ? a : best),
    null,
  );
}

function bestPrediction(predictions: readonly Prediction[]): Prediction | null {
  return predictions.reduce<Prediction | null>(
    (best, p) => (best === null || (p.score ?? -Infinity) > (best.score ?? -Infinity) ? p : best),
    null,
  );
}

/** What the page knows of the viewer's saved annotation. */
interface Saved {
  id: string;
  leadTime: number;
  /** Whether a skip would throw labels away: the annotation is not a skip and has results. */
  labeled: boolean;
}

function savedOf(a: Annotation): Saved {
  return { id: a.id, leadTime: a.leadTime, labeled: !a.wasCancelled && Array.isArray(a.result) && a.result.length > 0 };
}

/**
 * withNewIds copies a result (a prediction's) under fresh ids, relations
 * following their regions, so that it becomes the viewer's own.
 */
function withNewIds(result: readonly ResultItem[]): ResultItem[] {
  const ids = new Map(result.map((item) => [item.id, newId()]));
  return result.map((item) =>
    isRelation(item)
      ? {
          ...item,
          id: ids.get(item.id) ?? newId(),
          from_id: ids.get(item.from_id) ?? item.from_id,
          to_id: ids.get(item.to_id) ?? item.to_id,
        }
      : { ...item, id: ids.get(item.id) ?? newId(), origin: "prediction" },
  );
}

interface Start {
  result: ResultItem[];
  note: string | null;
}

function startingPoint(
  config: LabelConfig,
  draft: Task["myDraft"],
  own: Annotation | null,
  prediction: Prediction | null,
): Start {
  // A draft is newer than the annotation: submitting removes it.
  if (draft) {
    const { result, dropped } = normalizeResult(draft.result, config);
    const left = dropped > 0 ? ` ${count(dropped, "item")} that no longer fit the configuration were left out.` : "";
    return {
      result,
      note: `Restored your draft from ${formatDateTime(draft.updatedAt)}: it is not submitted yet.${left}`,
    };
  }
  if (own) {
    if (own.wasCancelled) return { result: [], note: "You skipped this task. Label it and press Update to change that." };
    const { result, dropped } = normalizeResult(own.result, config);
    const note =
      dropped > 0
        ? `${count(dropped, "item")} of your annotation no longer fit the configuration and were left out.`
        : null;
    return { result, note };
  }
  if (prediction) {
    const { result, dropped } = normalizeResult(prediction.result, config);
    const score = prediction.score === null ? "" : ` (score ${Math.round(prediction.score * 1000) / 1000})`;
    const left = dropped > 0 ? ` ${count(dropped, "item")} that did not fit the configuration were left out.` : "";
    return { result, note: `Loaded from prediction ${prediction.modelVersion || "(no version)"}${score}.${left}` };
  }
  return { result: [], note: null };
}

export function TaskLabeler({ project, task, mode, onSubmitted, canReview = false, onReviewed }: TaskLabelerProps) {
  const viewer = useViewer();
  const parsed = useMemo(() => parseLabelConfig(project.labelConfig), [project.labelConfig]);
  const own = useMemo(
    () => latest(task.annotations.filter((a) => a.completedBy?.id === viewer.id)),
    [task, viewer.id],
  );
  const others = task.annotations.filter((a) => a.completedBy?.id !== viewer.id);
  // Which annotation the editor shows: "own" (editable), or "a:<id>" (another's) or "p:<id>" (a prediction), read-only.
  const [tab, setTab] = useState("own");
  const [start] = useState<Start>(() =>
    parsed.config
      ? startingPoint(parsed.config, task.myDraft, own, bestPrediction(task.predictions)) : { result: [], note: null },
  );
  const history = useResultHistory(start.result);
  const result = history.result;
  const drafts = useDraftSaver(task.id, result, history.version, parsed.config !== null);
  const [annotation, setAnnotation] = useState<Saved | null>(own ? savedOf(own) : null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const shownAt = useRef(performance.now());
  const section = useRef<HTMLElement>(null);
  const create = useMutation(CreateAnnotationMutation);
  const update = useMutation(UpdateAnnotationMutation);
  const pending = create.pending || update.pending;
  // onSubmitted runs once the page has taken a save in (the draft is clean),
  // so that moving on to another task does not ask about unsaved work.
  const [submits, setSubmits] = useState(0);
  const handledSubmits = useRef(0);
  useEffect(() => {
    if (submits === handledSubmits.current) return;
    handledSubmits.current = submits;
    onSubmitted();
  }, [submits, onSubmitted]);

  const { change: changeResult } = history;
  const onChange = useCallback(
    (change: (result: readonly ResultItem[]) => ResultItem[], mergeKey?: string) => {
      setSaved(null);
      changeResult(change, mergeKey);
    },
    [changeResult],
  );

  const save = useCallback(
    async (wasCancelled: boolean) => {
      if (pending) return;
      setError(null);
      setSaved(null);
      const missing = !wasCancelled && parsed.config ? missingRequired(parsed.config, result) : null;
      if (missing) {
        setError(missing);
        return;
      }
      // Skip never throws an annotation away without asking.
      const confirmSkip = wasCancelled && annotation !== null && annotation.labeled;
      if (
        confirmSkip &&
        !window.confirm("You already annotated this task. Skipping it throws your annotation away. Skip anyway?")
      ) {
        return;
      }
      // No draft may land after the annotation that replaces it.
      await drafts.hold();
      const seconds = (performance.now() - shownAt.current) / 1000;
      const input = {
        result: wasCancelled ? [] : toJson(result),
        wasCancelled,
        leadTime: Math.round(((annotation?.leadTime ?? 0) + seconds) * 1000) / 1000,
      };
      try {
        const data = annotation
          ? (await update.run({ id: annotation.id, input: confirmSkip ? { ...input, confirmSkip } : input }))
              .updateAnnotation
          : (await create.run({ input: { ...input, taskId: task.id } })).createAnnotation;
        drafts.markClean();
        if (mode === "stream") {
          setSubmits((n) => n + 1);
          return;
        }
        shownAt.current = performance.now();
        setAnnotation(savedOf(data));
        if (wasCancelled) history.reset([]);
        setSaved(wasCancelled ? "Skipped." : "Saved.");
        setSubmits((n) => n + 1);
      } catch (err) {
        drafts.resume();
        setError(err);
      }
    },
    [annotation, create, drafts, history, mode, parsed.config, pending, result, task.id, update],
  );

  // In the stream each task replaces the last one, whose Submit button had
  // focus: start the new task at the top, with focus on it.
  useEffect(() => {
    if (mode !== "stream") return;
    window.scrollTo(0, 0);
    if (document.activeElement === null || document.activeElement === document.body) {
      section.current?.focus({ preventScroll: true });
    }
  }, [mode]);

  // Ctrl+Enter (or Cmd+Enter) submits from anywhere on the page, and
  // Ctrl+Space skips, as in Label Studio.
  useEffect(() => {
    function handleKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || !(event.ctrlKey || event.metaKey) || event.altKey) return;
      if (event.key === "Enter") {
        event.preventDefault();
        void save(false);
      } else if (event.key === " " && project.showSkip) {
        event.preventDefault();
        void save(true);
      }
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [project.showSkip, save]);

  if (!parsed.config) {
    return (
      <div className="card">
        <p role="alert" className="message message-error">
          This project's labeling configuration cannot be shown: {parsed.error}
        </p>
      </div>
    );
  }

  const projectLink = `/projects/${encodeURIComponent(project.id)}`;
  return (
    <>
      <section ref={section} className="card labeling" aria-label={`Task ${task.id}`} tabIndex={-1}>
        <div className="labeling-meta">
          <span className="badge">Task {task.id}</span>
          <span className="muted">
            {count(task.totalAnnotations, "annotation")}
            {task.cancelledAnnotations > 0 ? ` · ${task.cancelledAnnotations} skipped` : ""}
          </span>
          {mode === "task" ? <Link to={projectLink}>Back to the data manager</Link> : null}
        </div>
        {own ? <OwnReview annotation={own} /> : null}
        {start.note ? <p className="message message-info">{start.note}</p> : null}
        {others.length + task.predictions.length > 0 ? (
          <Tabs
            label="Annotation shown in the editor"
            idPrefix={`task-${task.id}-annotations`}
            current={tab}
            onSelect={setTab}
            tabs={[
              { id: "own", label: "My annotation" },
              ...others.map((a, i) => ({
                id: `a:${a.id}`,
                label: `${a.completedBy?.displayName ?? `Another annotator (${i + 1})`}${a.wasCancelled ? " (skipped)" : ""}`,
              })),
              ...task.predictions.map((p) => ({
                id: `p:${p.id}`,
                label: `Prediction ${p.modelVersion || "(no version)"}${p.score === null ? "" : ` (${Math.round(p.score * 1000) / 1000})`}`,
              })),
            ]}
          >
            <AnnotationTab
              config={parsed.config}
              task={task}
              tab={tab}
              others={others}
              own={<Editor config={parsed.config} data={task.data} taskId={task.id} result={result} onChange={onChange} history={history} />}
              onAccept={(accepted) => {
                onChange(() => withNewIds(accepted));
                setTab("own");
              }}
            />
          </Tabs>
        ) : (
          <Editor config={parsed.config} data={task.data} taskId={task.id} result={result} onChange={onChange} history={history} />
        )}
        <ErrorAlert error={error} />
        {saved ? <StatusMessage>{saved}</StatusMessage> : null}
        <div className="labeling-actions">
          <Button variant="primary" pending={pending} onClick={() => void save(false)} aria-keyshortcuts="Control+Enter">
            {annotation ? "Update" : "Submit"}
          </Button>
          {project.showSkip ? (
            <Button pending={pending} onClick={() => void save(true)} aria-keyshortcuts="Control+Space">
              Skip
            </Button>
          ) : null}
          <span className="muted labeling-hint">
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submits
          </span>
          {drafts.status !== "clean" ? <DraftState status={drafts.status} error={drafts.error} /> : null}
        </div>
      </section>
      {others.length > 0 ? (
        canReview ? (
          <ReviewAnnotations config={parsed.config} task={task} annotations={others} onReviewed={onReviewed} />
        ) : (
          <OtherAnnotations config={parsed.config} task={task} annotations={others} />
        )
      ) : null}
    </>
  );
}

/**
 * AnnotationTab is the editor of the chosen tab: the viewer's own, or a
 * read-only view of another's annotation or of a prediction, which the
 * viewer can accept as the start of their own.
 */
function AnnotationTab({
  config,
  task,
  tab,
  others,
  own,
  onAccept,
}: {
  config: LabelConfig;
  task: Task;
  tab: string;
  others: readonly Annotation[];
  own: ReactNode;
  onAccept(result: ResultItem[]): void;
}) {
  const annotation = tab.startsWith("a:") ? others.find((a) => `a:${a.id}` === tab) : undefined;
  const prediction = tab.startsWith("p:") ? task.predictions.find((p) => `p:${p.id}` === tab) : undefined;
  const shown = annotation ?? prediction;
  if (!shown) return <>{own}</>;
  const { result, dropped } = normalizeResult(annotation?.wasCancelled ? [] : shown.result, config);
  return (
    <div className="annotation-view">
      <p className="message message-info">
        {annotation
          ? annotation.wasCancelled
            ? "This annotator skipped the task."
            : "Another annotator's annotation, read-only."
          : "A prediction, read-only. Accept it to start your annotation from it (Undo takes it back)."}
        {dropped > 0 ? ` ${count(dropped, "item")} that do not fit the configuration are not shown.` : ""}
      </p>
      {prediction ? (
        <div className="actions">
          <Button variant="primary" onClick={() => onAccept(result)}>
            Accept prediction
          </Button>
        </div>
      ) : null}
      <Editor
        config={config}
        data={task.data}
        taskId={task.id}
        result={result}
        onChange={() => undefined}
        readOnly
        hotkeys={false}
      />
    </div>
  );
}

/** DraftState says whether the work on the task is saved as a draft. */
function DraftState({ status, error }: { status: DraftStatus; error: string | null }) {
  const text: Record<DraftStatus, string> = {
    clean: "",
    pending: "Unsaved changes",
    saving: "Saving draft…",
    saved: "Draft saved",
    failed: `Draft not saved: ${error ?? "unknown error"}`,
  };
  return (
    <span className={status === "failed" ? "labeling-draft message-error" : "muted labeling-draft"} role="status">
      {text[status]}
    </span>
  );
}

function OtherAnnotations({ config, task, annotations }: { config: LabelConfig; task: Task; annotations: Annotation[] }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="other-annotations-heading">
      <h2 id="other-annotations-heading">Other annotations</h2>
      <ul className="annotation-list">
        {annotations.map((a, i) => {
          const items = Array.isArray(a.result) ? a.result.length : 0;
          const shown = open === a.id;
          const author = a.completedBy?.displayName ?? `another annotator (${i + 1})`;
          return (
            <li key={a.id}>
              <div className="annotation-row">
                <span>
                  <strong className="annotation-author">{author}</strong>{" "}
                  <span className="muted">
                    <time dateTime={a.createdAt}>{formatDateTime(a.createdAt)}</time> ·{" "}
                    {a.wasCancelled ? "skipped" : count(items, "result item")}
                  </span>
                </span>
                {!a.wasCancelled ? (
                  <Button
                    className="button-small"
                    aria-expanded={shown}
                    onClick={() => setOpen(shown ? null : a.id)}
                  >
                    {shown ? "Hide" : "Show"}
                    <span className="visually-hidden"> annotation by {author}</span>
                  </Button>
                ) : null}
              </div>
              {shown ? (
                <div className="annotation-view">
                  <Editor
                    config={config}
                    data={task.data}
                    taskId={task.id}
                    result={normalizeResult(a.result, config).result}
                    onChange={() => undefined}
                    readOnly
                    hotkeys={false}
                  />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** ReviewBadge shows where an annotation is in review. */
function ReviewBadge({ state }: { state: Annotation["reviewState"] }) {
  return <span className={`badge badge-review-${state.toLowerCase()}`}>{reviewStateName(state)}</span>;
}

/** OwnReview tells the author what review said about their annotation. */
function OwnReview({ annotation }: { annotation: Annotation }) {
  if (annotation.reviewState === "REJECTED") {
    return (
      <div className="message message-warning">
        <p>
          <strong>A reviewer rejected your annotation.</strong> Change it and press Update to send it back for
          review.
        </p>
        {annotation.reviewComment ? (
          <p>
            Reviewer's comment: <q className="review-comment">{annotation.reviewComment}</q>
          </p>
        ) : null}
      </div>
    );
  }
  if (annotation.reviewState === "ACCEPTED") {
    return (
      <p className="message message-info">
        A reviewer accepted your annotation.
        {annotation.reviewComment ? (
          <>
            {" "}
            Comment: <q className="review-comment">{annotation.reviewComment}</q>
          </>
        ) : null}
      </p>
    );
  }
  return <p className="muted review-pending">Your annotation is waiting for review.</p>;
}

function ReviewAnnotations({
  config,
  task,
  annotations,
  onReviewed,
}: {
  config: LabelConfig;
  task: Task;
  annotations: Annotation[];
  onReviewed: (() => void) | undefined;
}) {
  return (
    <section className="card" aria-labelledby="review-annotations-heading">
      <h2 id="review-annotations-heading">Annotations to review</h2>
      <p>Accept the annotations that are right, or reject them with a comment saying what to fix.</p>
      <div className="review-list">
        {annotations.map((a, i) => (
          <ReviewCard
            key={a.id}
            config={config}
            task={task}
            annotation={a}
            author={a.completedBy?.displayName ?? `another annotator (${i + 1})`}
            onReviewed={onReviewed}
          />
        ))}
      </div>
    </section>
  );
}

function ReviewCard({
  config,
  task,
  annotation,
  author,
  onReviewed,
}: {
  config: LabelConfig;
  task: Task;
  annotation: Annotation;
  author: string;
  onReviewed: (() => void) | undefined;
}) {
  const review = useMutation(ReviewAnnotationMutation);
  const [comment, setComment] = useState("");
  const [choice, setChoice] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const headingId = `review-${annotation.id}-heading`;
  const commentId = `review-${annotation.id}-comment`;
  const errorId = error ? `review-${annotation.id}-error` : null;
  const items = Array.isArray(annotation.result) ? annotation.result.length : 0;

  async function send(accepted: boolean) {
    if (review.pending) return;
    setError(null);
    setDone(null);
    setChoice(accepted);
    try {
      const data = await review.run({
        id: annotation.id,
        accepted,
        comment: comment.trim(),
        updatedAt: annotation.updatedAt,
      });
      setComment("");
      setDone(data.reviewAnnotation.reviewState === "ACCEPTED" ? "Accepted." : "Rejected.");
      onReviewed?.();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <article className="review-card" aria-labelledby={headingId}>
      <div className="annotation-row">
        <h3 id={headingId} className="review-title">
          Annotation by {author}
        </h3>
        <ReviewBadge state={annotation.reviewState} />
      </div>
      <p className="muted">
        {annotation.updatedAt !== annotation.createdAt ? "Updated " : "Made "}
        <time dateTime={annotation.updatedAt}>{formatDateTime(annotation.updatedAt)}</time> ·{" "}
        {annotation.wasCancelled ? "skipped" : count(items, "result item")}
        {annotation.reviewedAt ? (
          <>
            {" "}
            · reviewed <time dateTime={annotation.reviewedAt}>{formatDateTime(annotation.reviewedAt)}</time>
          </>
        ) : null}
      </p>
      {annotation.reviewComment ? (
        <p>
          Last review comment: <q className="review-comment">{annotation.reviewComment}</q>
        </p>
      ) : null}
      {annotation.wasCancelled ? (
        <p className="message message-info">The annotator skipped this task.</p>
      ) : (
        <div className="annotation-view">
          <Editor
            config={config}
            data={task.data}
            taskId={task.id}
            result={normalizeResult(annotation.result, config).result}
            onChange={() => undefined}
            readOnly
            hotkeys={false}
          />
        </div>
      )}
      <div className="field review-comment-field">
        <label htmlFor={commentId}>Review comment</label>
        <textarea
          id={commentId}
          rows={2}
          maxLength={2000}
          value={comment}
          aria-describedby={[`${commentId}-hint`, errorId].filter(Boolean).join(" ")}
          onChange={(event) => {
            setDone(null);
            setComment(event.target.value);
          }}
        />
        <p id={`${commentId}-hint`} className="field-hint">
          Optional; the annotator sees it. Say what to fix when you reject.
        </p>
      </div>
      <ErrorAlert id={`review-${annotation.id}-error`} error={error} />
      {done ? <StatusMessage>{done}</StatusMessage> : null}
      <div className="actions">
        <Button variant="primary" pending={review.pending && choice === true} disabled={review.pending} onClick={() => void send(true)}>
          Accept
        </Button>
        <Button variant="danger" pending={review.pending && choice === false} disabled={review.pending} onClick={() => void send(false)}>
          Reject
        </Button>
      </div>
    </article>
  );
}
