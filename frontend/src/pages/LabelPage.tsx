// The labeling page. /projects/{id}/label is the label stream: the server
// hands out the next task (nextTask locks it for the viewer), and each
// Submit or Skip moves on until nothing is left; it lists the tasks just
// done, counts what is left, and says when what is left is being labeled by
// someone else. /projects/{id}/tasks/{taskId} opens one task, where Submit
// saves and stays; a reviewer sees the annotations under review there. While
// the data manager's "Label selected" walk (label/walk.ts) holds the task,
// the page says where it is in the selection and Submit moves on.
// /projects/{id}/review is the review stream: the next annotation waiting
// for review, in the editor, with Accept, Reject and Fix.
import { useCallback, useEffect, useMemo, useState } from "react";

import { isApiError, request } from "../api.ts";
import {
  LabelStreamStatusQuery,
  LabelTaskQuery,
  NextReviewQuery,
  NextTaskQuery,
  ProjectQuery,
  type Annotation,
  type Project,
  type Task,
} from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { Markdown } from "../components/Markdown.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { count, isReviewerRole } from "../format.ts";
import { parseLabelConfig } from "../labeling/config.ts";
import { preloadEditor } from "../labeling/LazyEditor.tsx";
import { useQuery } from "../hooks.ts";
import { useRole } from "../organization.tsx";
import { Link, type RouteParams } from "../router.tsx";
import { useSession, useViewer } from "../session.tsx";
import { AnnotationReview } from "./label/AnnotationReview.tsx";
import { TaskLabeler } from "./label/TaskLabeler.tsx";
import { WalkBar, WalkDone } from "./label/WalkBar.tsx";
import { useWalk } from "./label/walk.ts";

export function LabelPage({ params }: { params: RouteParams }) {
  const projectId = params.projectId ?? "";
  const taskId = params.taskId;
  // The editor's chunk loads while the task does.
  useEffect(preloadEditor, []);
  return taskId === undefined ? (
    <LabelStream projectId={projectId} />
  ) : (
    <SingleTask projectId={projectId} taskId={taskId} />
  );
}

function projectPath(projectId: string): string {
  return `/projects/${encodeURIComponent(projectId)}`;
}

function Failed({ title, error, retry }: { title: string; error: unknown; retry: () => void }) {
  return (
    <>
      <PageHeading title={title} />
      <div className="card">
        <ErrorAlert error={error} />
        <div className="actions">
          <Button onClick={retry}>Try again</Button>
        </div>
      </div>
    </>
  );
}

function ProjectMissing({ what }: { what: string }) {
  return (
    <div className="card">
      <PageHeading title={`${what} not found`} />
      <p>It does not exist, or it belongs to another organization.</p>
      <p>
        <Link to="/projects">Back to projects</Link>
      </p>
    </div>
  );
}

type StreamState =
  | { status: "loading" }
  | { status: "failed"; error: unknown }
  | { status: "ready"; task: Task | null };

/** useNextTask asks the server for the viewer's next task; next() asks again. */
function useNextTask(projectId: string): { state: StreamState; next(): void } {
  const { sessionEnded } = useSession();
  const [state, setState] = useState<StreamState>({ status: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    request(NextTaskQuery, { projectId }, controller.signal).then(
      (data) => setState({ status: "ready", task: data.nextTask }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err, "UNAUTHENTICATED")) {
          sessionEnded();
          return;
        }
        setState({ status: "failed", error: err });
      },
    );
    return () => controller.abort();
  }, [projectId, round, sessionEnded]);
  const next = useCallback(() => setRound((n) => n + 1), []);
  return { state, next };
}

/** A task the viewer just finished in the stream. */
interface Done {
  id: string;
}

/** How many tasks the stream lists as just done. */
const doneListLength = 10;

function LabelStream({ projectId }: { projectId: string }) {
  const project = useQuery(ProjectQuery, { id: projectId });
  const { state, next } = useNextTask(projectId);
  const [done, setDone] = useState<Done[]>([]);
  // The counts are read again each time the stream has moved on (skip turns
  // off once the next task is there); they are bounded reads, asked for by
  // the page and never by nextTask.
  const status = useQuery(LabelStreamStatusQuery, { projectId }, { skip: state.status !== "ready" });
  const task = state.status === "ready" ? state.task : null;
  const submitted = useCallback(() => {
    if (task) setDone((list) => [{ id: task.id }, ...list.filter((d) => d.id !== task.id)].slice(0, doneListLength));
    next();
  }, [next, task]);

  if (!project.data) {
    return project.loading ? (
      <div className="card">
        <Loading label="Loading project…" />
      </div>
    ) : (
      <Failed title="Label" error={project.error} retry={project.reload} />
    );
  }
  const p = project.data.project;
  if (p === null) return <ProjectMissing what="Project" />;

  return (
    <>
      <LabelHeader project={p} title={`Label ${p.title}`} instructionsOpen />
      {state.status === "loading" ? (
        <div className="card">
          <Loading label="Finding the next task…" />
        </div>
      ) : state.status === "failed" ? (
        <div className="card">
          <ErrorAlert error={state.error} />
          <div className="actions">
            <Button onClick={next}>Try again</Button>
          </div>
        </div>
      ) : state.task === null ? (
        <div className="card done">
          {status.data && status.data.labelStreamStatus.lockedByOthers > 0 ? (
            <>
              <h2>
                {countAtMost(status.data.labelStreamStatus.lockedByOthers, "task is", "tasks are")} being labeled by
                someone else.
              </h2>
              <p>
                Nothing is free for you right now. A task comes back when its annotator lets it go or their hold
                runs out.
              </p>
              <div className="actions">
                <Button onClick={next}>Look again</Button>
              </div>
            </>
          ) : status.loading ? (
            <Loading label="Counting what is left…" />
          ) : p.taskCount === 0 ? (
            <>
              <h2>This project has no tasks yet.</h2>
              <p>Once tasks are imported, they show up here one after another.</p>
            </>
          ) : (
            <>
              <h2>All tasks are done.</h2>
              <p>There is nothing left for you to label in this project right now.</p>
            </>
          )}
          <p>
            <Link to={projectPath(p.id)}>Back to the project</Link>
          </p>
        </div>
      ) : (
        <>
          {status.data ? (
            <p className="muted stream-left" role="status">
              {countAtMost(status.data.labelStreamStatus.left, "task", "tasks")} left for you, this one included
              {status.data.labelStreamStatus.lockedByOthers > 0
                ? ` (${status.data.labelStreamStatus.lockedByOthers.toLocaleString()} being labeled by someone else)`
                : ""}
              .
            </p>
          ) : null}
          <TaskLabeler key={state.task.id} project={p} task={state.task} mode="stream" onSubmitted={submitted} />
        </>
      )}
      {done.length > 0 ? <JustDone projectId={p.id} done={done} /> : null}
    </>
  );
}

/** countAtMost writes a capped count: the server stops counting at 1000. */
function countAtMost(n: number, one: string, many: string): string {
  return n >= 1000 ? `1,000 or more ${many}` : `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** JustDone links back to the tasks the viewer just finished in the stream. */
function JustDone({ projectId, done }: { projectId: string; done: readonly Done[] }) {
  return (
    <nav className="card just-done" aria-labelledby="just-done-heading">
      <h2 id="just-done-heading">Just done</h2>
      <ul className="inline-list">
        {done.map((d) => (
          <li key={d.id}>
            <Link to={`${projectPath(projectId)}/tasks/${encodeURIComponent(d.id)}`}>Task {d.id}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

type ReviewStreamState =
  | { status: "loading" }
  | { status: "failed"; error: unknown }
  | { status: "ready"; annotation: (Annotation & { task: Task }) | null };

/**
 * ReviewPage is the review stream: the project's next annotation waiting for
 * review (not the viewer's own), one after another. Next without reviewing
 * passes one by for this visit.
 */
export function ReviewPage({ params }: { params: RouteParams }) {
  const projectId = params.projectId ?? "";
  const project = useQuery(ProjectQuery, { id: projectId });
  const { sessionEnded } = useSession();
  useEffect(preloadEditor, []);
  const [after, setAfter] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const [state, setState] = useState<ReviewStreamState>({ status: "loading" });
  const [reviewed, setReviewed] = useState<{ id: string; taskId: string; state: string }[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    request(NextReviewQuery, { projectId, after }, controller.signal).then(
      (data) => setState({ status: "ready", annotation: data.nextReview }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err, "UNAUTHENTICATED")) {
          sessionEnded();
          return;
        }
        setState({ status: "failed", error: err });
      },
    );
    return () => controller.abort();
  }, [projectId, after, round, sessionEnded]);
  const config = useMemo(() => (project.data?.project ? parseLabelConfig(project.data.project.labelConfig) : null), [project.data]);

  if (!project.data) {
    return project.loading ? (
      <div className="card">
        <Loading label="Loading project…" />
      </div>
    ) : (
      <Failed title="Review" error={project.error} retry={project.reload} />
    );
  }
  const p = project.data.project;
  if (p === null) return <ProjectMissing what="Project" />;
  const current = state.status === "ready" ? state.annotation : null;

  return (
    <>
      <LabelHeader project={p} title={`Review ${p.title}`} />
      {state.status === "loading" ? (
        <div className="card">
          <Loading label="Finding the next annotation to review…" />
        </div>
      ) : state.status === "failed" ? (
        <div className="card">
          <ErrorAlert error={state.error} />
          <div className="actions">
            <Button onClick={() => setRound((n) => n + 1)}>Try again</Button>
          </div>
        </div>
      ) : current === null ? (
        <div className="card done">
          <h2>Nothing is waiting for your review.</h2>
          <p>
            {after === null
              ? "Every submitted annotation of this project has been reviewed, or is yours."
              : "You passed some annotations by; they are still waiting."}
          </p>
          <div className="actions">
            {after !== null ? <Button onClick={() => setAfter(null)}>Start over</Button> : null}
            <Link to={projectPath(p.id)}>Back to the project</Link>
          </div>
        </div>
      ) : config?.config ? (
        <AnnotationReview
          key={current.id}
          project={p}
          config={config.config}
          task={current.task}
          annotation={current}
          author={current.completedBy?.displayName ?? "an annotator"}
          onReviewed={(a) => {
            setReviewed((list) =>
              [{ id: a.id, taskId: current.task.id, state: a.reviewState }, ...list].slice(
                0,
                doneListLength,
              ),
            );
            setRound((n) => n + 1);
          }}
          onSkip={() => setAfter(current.id)}
        />
      ) : (
        <div className="card">
          <p role="alert" className="message message-error">
            This project's labeling configuration cannot be shown: {config?.error}
          </p>
        </div>
      )}
      {reviewed.length > 0 ? (
        <nav className="card just-done" aria-labelledby="just-reviewed-heading">
          <h2 id="just-reviewed-heading">Just reviewed</h2>
          <ul className="inline-list">
            {reviewed.map((r) => (
              <li key={r.id}>
                <Link to={`${projectPath(p.id)}/tasks/${encodeURIComponent(r.taskId)}`}>Task {r.taskId}</Link>{" "}
                <span className="muted">({r.state.toLowerCase()})</span>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </>
  );
}

function SingleTask({ projectId, taskId }: { projectId: string; taskId: string }) {
  const query = useQuery(LabelTaskQuery, { projectId, taskId });
  const canReview = isReviewerRole(useRole());
  const viewer = useViewer();
  const walk = useWalk(projectId, taskId);
  const [labelOwn, setLabelOwn] = useState(false);
  const data = query.data;
  // A task of a walk that cannot be opened (deleted meanwhile, or not
  // visible to the viewer) is passed by.
  const missing = data !== null && data.project !== null && (data.task === null || data.task.project.id !== data.project.id);
  const { walk: walking, pass } = walk;
  useEffect(() => {
    if (missing && walking) pass();
  }, [missing, walking, pass]);
  if (!data) {
    return query.loading ? (
      <div className="card">
        <Loading label="Loading task…" />
      </div>
    ) : (
      <Failed title="Task" error={query.error} retry={query.reload} />
    );
  }
  const { project, task } = data;
  if (project === null) return <ProjectMissing what="Project" />;
  if (walk.finished && walk.walk) {
    return (
      <>
        <LabelHeader project={project} title={`Label ${project.title}`} />
        <WalkDone walk={walk.walk} projectId={project.id} />
      </>
    );
  }
  if (task === null || task.project.id !== project.id) {
    return walking ? (
      <div className="card">
        <Loading label="Passing a task that cannot be opened…" />
      </div>
    ) : (
      <ProjectMissing what="Task" />
    );
  }
  if (canReview && !labelOwn) {
    const own = task.annotations.some((a) => a.completedBy?.id === viewer.id);
    const others = task.annotations.filter((a) => a.completedBy?.id !== viewer.id);
    if (!own && others.length > 0) {
      return (
        <>
          <LabelHeader project={project} title={`Task ${task.id}`} />
          <WalkBar state={walk} />
          <TaskReview project={project} task={task} annotations={others} onReviewed={query.reload} onLabel={() => setLabelOwn(true)} />
        </>
      );
    }
  }
  return (
    <>
      <LabelHeader project={project} title={`Task ${task.id}`} />
      <WalkBar state={walk} />
      <TaskLabeler
        key={task.id}
        project={project}
        task={task}
        mode="task"
        // In a walk, a submit, update or skip moves on to the next selected task.
        onSubmitted={walking ? walk.next : query.reload}
        canReview={canReview}
        onReviewed={query.reload}
      />
    </>
  );
}

/**
 * TaskReview is a reviewer's view of a task that others annotated: one tab
 * per annotation, the selected one under review in the editor (the first
 * still waiting for review, to start with).
 */
function TaskReview({
  project,
  task,
  annotations,
  onReviewed,
  onLabel,
}: {
  project: Project;
  task: Task;
  annotations: Annotation[];
  onReviewed(): void;
  onLabel(): void;
}) {
  const parsed = useMemo(() => parseLabelConfig(project.labelConfig), [project.labelConfig]);
  const [selected, setSelected] = useState<string | undefined>(
    () => (annotations.find((a) => a.reviewState === "PENDING" && !a.wasCancelled) ?? annotations[0])?.id,
  );
  const current = annotations.find((a) => a.id === selected) ?? annotations[0];
  if (current === undefined) return null;
  const authorOf = (a: Annotation) => a.completedBy?.displayName ?? `annotator ${annotations.indexOf(a) + 1}`;
  if (!parsed.config) {
    return (
      <div className="card">
        <p role="alert" className="message message-error">
          This project's labeling configuration cannot be shown: {parsed.error}
        </p>
      </div>
    );
  }
  return (
    <>
      <div className="card annotation-tabs-card">
        <div role="tablist" aria-label="Annotations of this task" className="annotation-tabs">
          {annotations.map((a) => (
            <button
              key={a.id}
              type="button"
              role="tab"
              aria-selected={a.id === current.id}
              className={a.id === current.id ? "tab tab-selected" : "tab"}
              onClick={() => setSelected(a.id)}
            >
              {authorOf(a)} <span className="muted">({a.wasCancelled ? "skipped" : a.reviewState.toLowerCase()})</span>
            </button>
          ))}
        </div>
        <p className="muted annotation-tabs-note">
          {count(annotations.length, "annotation")} by others.{" "}
          <Button className="button-small" onClick={onLabel}>
            Label this task yourself
          </Button>{" "}
          <Link to={projectPath(project.id)}>Back to the data manager</Link>
        </p>
      </div>
      <AnnotationReview
        key={current.id}
        project={project}
        config={parsed.config}
        task={task}
        annotation={current}
        author={authorOf(current)}
        onReviewed={onReviewed}
      />
    </>
  );
}

/**
 * LabelHeader is the page heading and the project's instructions. They stay
 * mounted from task to task, so instructions closed once stay closed.
 */
function LabelHeader({
  project,
  title,
  instructionsOpen = false,
}: {
  project: Project;
  title: string;
  instructionsOpen?: boolean;
}) {
  return (
    <>
      <div className="page-header">
        <p className="breadcrumb">
          <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>{" "}
          <Link to={projectPath(project.id)}>{project.title}</Link>
        </p>
        <PageHeading title={title} />
      </div>
      {project.instructions.trim() ? (
        <details className="card instructions" open={instructionsOpen || undefined}>
          <summary>Instructions</summary>
          <Markdown source={project.instructions} />
        </details>
      ) : null}
    </>
  );
}
