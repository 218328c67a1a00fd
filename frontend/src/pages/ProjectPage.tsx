// /projects/{id}: a project's header and instructions, the Label button that
// starts the label stream, and tabs for the data manager and, for managers,
// import, export, members, storages, settings and webhooks. The tab is kept in the URL (?tab=...).
import { LabelStreamStatusQuery, ProjectQuery } from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { Markdown } from "../components/Markdown.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { Progress } from "../components/Progress.tsx";
import { Tabs, type TabItem } from "../components/Tabs.tsx";
import { count, formatDate, isAdminRole, isManagerRole, isReviewerRole } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { Link, navigate, useLocation, type RouteParams } from "../router.tsx";
import { DataManager } from "./project/DataManager.tsx";
import { ExportSection } from "./project/ExportSection.tsx";
import { ImportSection } from "./project/ImportSection.tsx";
import { MembersSection } from "./project/MembersSection.tsx";
import { SettingsSection } from "./project/SettingsSection.tsx";
import { WebhooksSection } from "./webhook/WebhooksSection.tsx";
import { StoragesSection } from "./project/StoragesSection.tsx";

export function ProjectPage({ params }: { params: RouteParams }) {
  const id = params.projectId ?? "";
  const query = useQuery(ProjectQuery, { id });
  const { search } = useLocation();

  if (!query.data) {
    return query.loading ? (
      <div className="card">
        <Loading label="Loading project…" />
      </div>
    ) : (
      <>
        <PageHeading title="Project" />
        <div className="card">
          <ErrorAlert error={query.error} />
          <div className="actions">
            <Button onClick={query.reload}>Try again</Button>
          </div>
        </div>
      </>
    );
  }

  const project = query.data.project;
  if (project === null) {
    return (
      <div className="card">
        <PageHeading title="Project not found" />
        <p>This project does not exist, or it belongs to another organization.</p>
        <p>
          <Link to="/projects">Back to projects</Link>
        </p>
      </div>
    );
  }

  const role = query.data.organization?.viewerRole;
  const canManage = isManagerRole(role);
  const tabs: TabItem[] = [{ id: "tasks", label: "Data manager" }];
  if (canManage) {
    tabs.push(
      { id: "import", label: "Import" },
      { id: "export", label: "Export" },
      { id: "members", label: "Members" },
      { id: "storages", label: "Storages" },
      { id: "settings", label: "Settings" },
      { id: "webhooks", label: "Webhooks" },
    );
  }
  const wanted = search.get("tab") ?? "tasks";
  const tab = tabs.some((t) => t.id === wanted) ? wanted : "tasks";
  const base = `/projects/${encodeURIComponent(project.id)}`;

  function selectTab(next: string) {
    navigate(next === "tasks" ? base : `${base}?tab=${next}`, { replace: true });
  }

  return (
    <>
      <div className="page-header page-header-actions">
        <div>
          <p className="breadcrumb">
            <Link to="/projects">Projects</Link>
          </p>
          <PageHeading title={project.title} />
          <p className="page-meta">
            {isReviewerRole(role) ? count(project.taskCount, "task") : <TasksToLabel projectId={project.id} />} ·{" "}
            {project.labeledCount.toLocaleString()} labeled · created{" "}
            <time dateTime={project.createdAt}>{formatDate(project.createdAt)}</time>
          </p>
          {project.description ? <p className="project-summary">{project.description}</p> : null}
        </div>
        <div className="page-header-side">
          <Progress done={project.labeledCount} total={project.taskCount} />
          <Link to={`${base}/label`} className="button button-primary">
            Label
          </Link>
          {isReviewerRole(role) ? (
            <Link to={`${base}/review`} className="button button-secondary">
              Review
            </Link>
          ) : null}
        </div>
      </div>
      {project.instructions.trim() ? (
        <details className="card instructions">
          <summary>Instructions</summary>
          <Markdown source={project.instructions} />
        </details>
      ) : null}
      <Tabs label="Project" tabs={tabs} current={tab} onSelect={selectTab} idPrefix="project">
        {tab === "tasks" ? (
          <DataManager
            project={project}
            canManage={canManage}
            canReview={isReviewerRole(role)}
            onImport={() => selectTab("import")}
          />
        ) : tab === "import" ? (
          <ImportSection project={project} onImported={query.reload} />
        ) : tab === "export" ? (
          <ExportSection project={project} />
        ) : tab === "members" ? (
          <MembersSection project={project} />
        ) : tab === "webhooks" ? (
          <WebhooksSection projectId={project.id} canReadLog={isAdminRole(role ?? "ANNOTATOR")} />
        ) : tab === "storages" ? (
          <StoragesSection project={project} />
        ) : (
          <SettingsSection
            project={project}
            onSaved={(saved) => query.setData((data) => ({ ...data, project: saved }))}
          />
        )}
      </Tabs>
    </>
  );
}

/**
 * TasksToLabel says how many tasks the label stream has for an annotator,
 * who sees only the tasks handed to them: the project's own count would
 * tell them it is empty while work waits.
 */
function TasksToLabel({ projectId }: { projectId: string }) {
  const status = useQuery(LabelStreamStatusQuery, { projectId });
  if (!status.data) return <>…</>;
  const left = status.data.labelStreamStatus.left;
  return <>{left >= 1000 ? "1,000 or more tasks to label" : `${count(left, "task")} to label`}</>;
}
