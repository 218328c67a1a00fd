// The annotation under review, shown in the editor read-only, with Accept
// and Reject (with a comment) and the option to fix it and accept: Fix makes
// the editor editable (with undo), and Fix and accept saves the reviewer's
// result on the annotation, whose author stays. Ctrl+Enter accepts (or fixes
// and accepts), Ctrl+Space rejects, from anywhere on the page. Used by the
// review stream and by a reviewer's task page.
import { useCallback, useEffect, useState } from "react";

import { ReviewAnnotationMutation, type Annotation, type Project, type Task } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { count, formatDateTime, reviewStateName } from "../../format.ts";
import { useMutation } from "../../hooks.ts";
import type { LabelConfig } from "../../labeling/config.ts";
import { Editor } from "../../labeling/LazyEditor.tsx";
import { useResultHistory } from "../../labeling/history.ts";
import { missingRequired, normalizeResult, toJson } from "../../labeling/result.ts";

interface AnnotationReviewProps {
  project: Project;
  config: LabelConfig;
  task: Task;
  annotation: Annotation;
  author: string;
  /** Called with the saved annotation after a review. */
  onReviewed(annotation: Annotation): void;
  /** Passes this annotation by, in the stream. */
  onSkip?(): void;
}

export function AnnotationReview({ config, task, annotation, author, onReviewed, onSkip }: AnnotationReviewProps) {
  const review = useMutation(ReviewAnnotationMutation);
  const [fixing, setFixing] = useState(false);
  const history = useResultHistory(normalizeResult(annotation.result, config).result);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const commentId = `review-${annotation.id}-comment`;
  const items = Array.isArray(annotation.result) ? annotation.result.length : 0;

  const send = useCallback(
    async (accepted: boolean) => {
      if (review.pending) return;
      setError(null);
      setDone(null);
      const fixed = accepted && fixing;
      if (fixed) {
        const missing = missingRequired(config, history.result);
        if (missing) {
          setError(missing);
          return;
        }
      }
      try {
        const data = await review.run({
          id: annotation.id,
          accepted,
          comment: comment.trim(),
          updatedAt: annotation.updatedAt,
          ...(fixed ? { result: toJson(history.result) } : {}),
        });
        const state = data.reviewAnnotation.reviewState;
        setDone(state === "ACCEPTED" ? (fixed ? "Fixed and accepted." : "Accepted.") : "Rejected.");
        onReviewed(data.reviewAnnotation);
      } catch (err) {
        setError(err);
      }
    },
    [annotation.id, annotation.updatedAt, comment, config, fixing, history.result, onReviewed, review],
  );

  useEffect(() => {
    function handleKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || !(event.ctrlKey || event.metaKey) || event.altKey) return;
      if (event.key === "Enter") {
        event.preventDefault();
        void send(true);
      } else if (event.key === " ") {
        event.preventDefault();
        void send(false);
      }
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [send]);

  return (
    <article className="card labeling annotation-review" aria-label={`Annotation by ${author}`}>
      <div className="labeling-meta">
        <span className="badge">Task {task.id}</span>
        <span>
          Annotation by <strong className="annotation-author">{author}</strong>
        </span>
        <span className={`badge badge-review-${annotation.reviewState.toLowerCase()}`}>
          {reviewStateName(annotation.reviewState)}
        </span>
        <span className="muted">
          {annotation.updatedAt !== annotation.createdAt ? "updated " : "made "}
          <time dateTime={annotation.updatedAt}>{formatDateTime(annotation.updatedAt)}</time> ·{" "}
          {annotation.wasCancelled ? "skipped" : count(items, "result item")}
        </span>
      </div>
      {annotation.reviewComment ? (
        <p>
          Last review comment: <q className="review-comment">{annotation.reviewComment}</q>
        </p>
      ) : null}
      {fixing ? (
        <p className="message message-info">
          You are fixing this annotation: change it, then press Fix and accept. It stays {author}'s annotation.
        </p>
      ) : null}
      {annotation.wasCancelled ? (
        <p className="message message-info">The annotator skipped this task.</p>
      ) : (
        <Editor
          key={fixing ? "fixing" : "viewing"}
          config={config}
          data={task.data}
          result={history.result}
          onChange={history.change}
          {...(fixing ? { history } : {})}
          readOnly={!fixing}
          hotkeys={fixing}
        />
      )}
      <div className="field review-comment-field">
        <label htmlFor={commentId}>Review comment</label>
        <textarea
          id={commentId}
          rows={2}
          maxLength={2000}
          value={comment}
          aria-describedby={`${commentId}-hint`}
          onChange={(event) => {
            setDone(null);
            setComment(event.target.value);
          }}
        />
        <p id={`${commentId}-hint`} className="field-hint">
          Optional; the annotator sees it. Say what to fix when you reject.
        </p>
      </div>
      <ErrorAlert error={error} />
      {done ? <StatusMessage>{done}</StatusMessage> : null}
      <div className="labeling-actions">
        <Button variant="primary" pending={review.pending} onClick={() => void send(true)} aria-keyshortcuts="Control+Enter">
          {fixing ? "Fix and accept" : "Accept"}
        </Button>
        <Button variant="danger" disabled={review.pending} onClick={() => void send(false)} aria-keyshortcuts="Control+Space">
          Reject
        </Button>
        {!fixing && !annotation.wasCancelled ? (
          <Button disabled={review.pending} onClick={() => setFixing(true)}>
            Fix
          </Button>
        ) : null}
        {fixing ? (
          <Button
            disabled={review.pending}
            onClick={() => {
              history.reset(normalizeResult(annotation.result, config).result);
              setFixing(false);
            }}
          >
            Cancel the fix
          </Button>
        ) : null}
        {onSkip ? (
          <Button disabled={review.pending} onClick={onSkip}>
            Next without reviewing
          </Button>
        ) : null}
        <span className="muted labeling-hint">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> accepts · <kbd>Ctrl</kbd>+<kbd>Space</kbd> rejects
        </span>
      </div>
    </article>
  );
}
