// The labeling page. /projects/{id}/label is the label stream: the server
// hands out the next task (nextTask locks it for the viewer), and each
// Submit or Skip moves on until nothing is left. /projects/{id}/tasks/{taskId}
// opens one task, where Submit saves and stays.
import { useCallback, useEffect, useState } from "react";

import { isApiError, LabelTaskQuery, NextTaskQuery, ProjectQuery, request, type Project, type Task } from "../api.ts";
import { Button } from "../components/Button.tsx";
import { Markdown } from "../components/Markdown.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { isReviewerRole } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { useRole } from "../organization.tsx";
import { Link, type RouteParams } from "../router.tsx";
import { useSession } from "../session.tsx";
import { TaskLabeler } from "./label/TaskLabeler.tsx";

export function LabelPage({ params }: { params: RouteParams }) {
  const projectId = params.projectId ?? "";
  const taskId = params.taskId;
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

function LabelStream({ projectId }: { projectId: string }) {
  const project = useQuery(ProjectQuery, { id: projectId });
  const { state, next } = useNextTask(projectId);

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
          {p.taskCount === 0 ? (
            <>
              <h2>This project has no tasks yet.</h2>
              <p>Once tasks are imported, they show up here one after another.</p>
            </>
          ) : (
            <>
              <h2>All tasks are done. 🎉</h2>
              <p>There is nothing left for you to label in this project right now.</p>
            </>
          )}
          <p>
            <Link to={projectPath(p.id)}>Back to the project</Link>
          </p>
        </div>
      ) : (
        <TaskLabeler key={state.task.id} project={p} task={state.task} mode="stream" onSubmitted={next} />
      )}
    </>
  );
}

function SingleTask({ projectId, taskId }: { projectId: string; taskId: string }) {
  const query = useQuery(LabelTaskQuery, { projectId, taskId });
  const canReview = isReviewerRole(useRole());
  if (!query.data) {
    return query.loading ? (
      <div className="card">
        <Loading label="Loading task…" />
      </div>
    ) : (
      <Failed title="Task" error={query.error} retry={query.reload} />
    );
  }
  const { project, task } = query.data;
  if (project === null) return <ProjectMissing what="Project" />;
  if (task === null || task.project.id !== project.id) return <ProjectMissing what="Task" />;
  return (
    <>
      <LabelHeader project={project} title={`Task ${task.id}`} />
      <TaskLabeler
        key={task.id}
        project={project}
        task={task}
        mode="task"
        onSubmitted={query.reload}
        canReview={canReview}
        onReviewed={query.reload}
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
