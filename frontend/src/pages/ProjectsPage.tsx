// /projects: the organization's projects, newest first, fifty at a time.
import { Button } from "../components/Button.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { Progress } from "../components/Progress.tsx";
import { count, formatDate, isManagerRole } from "../format.ts";
import { usePagedQuery } from "../hooks.ts";
import { ProjectsQuery } from "../operations.ts";
import { Link } from "../router.tsx";

const pageSize = 50;

export function ProjectsPage() {
  const list = usePagedQuery(ProjectsQuery, {}, { pageSize, connection: (data) => data.projects });
  const projects = list.nodes;
  const last = list.page;
  const canManage = isManagerRole(list.data?.organization?.viewerRole);

  return (
    <>
      <div className="page-header page-header-actions">
        <div>
          <PageHeading title="Projects" />
          <p className="page-meta">Each project holds a labeling configuration, its tasks and their annotations.</p>
        </div>
        {canManage ? (
          <Link to="/projects/new" className="button button-primary">
            Create project
          </Link>
        ) : null}
      </div>
      <section className="card" aria-label="Project list">
        {!last ? (
          list.loading ? (
            <Loading label="Loading projects…" />
          ) : (
            <>
              <ErrorAlert error={list.error} />
              <div className="actions">
                <Button onClick={list.reload}>Try again</Button>
              </div>
            </>
          )
        ) : projects.length === 0 ? (
          <div className="empty-state">
            <h2>No projects yet</h2>
            <p>
              {canManage
                ? "Create a project from a template, import tasks and start labeling."
                : "Ask a manager to create a project and add you to the work."}
            </p>
            {canManage ? (
              <Link to="/projects/new" className="button button-primary">
                Create your first project
              </Link>
            ) : null}
          </div>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Project</th>
                    <th scope="col">Tasks</th>
                    <th scope="col">Labeled</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {projects.map((project) => (
                    <tr key={project.id}>
                      <td>
                        <Link to={`/projects/${encodeURIComponent(project.id)}`} className="project-link">
                          {project.title}
                        </Link>
                        {project.description ? <span className="project-description">{project.description}</span> : null}
                      </td>
                      <td>{project.taskCount.toLocaleString()}</td>
                      <td>
                        <Progress done={project.labeledCount} total={project.taskCount} />
                      </td>
                      <td>
                        <time dateTime={project.createdAt}>{formatDate(project.createdAt)}</time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-footer">
              <p className="muted">
                Showing {projects.length} of {count(last.totalCount, "project")}
              </p>
              {last.pageInfo.hasNextPage ? (
                <Button onClick={list.next} pending={list.loading}>
                  Load more
                </Button>
              ) : null}
            </div>
            <ErrorAlert error={list.error} />
          </>
        )}
      </section>
    </>
  );
}
