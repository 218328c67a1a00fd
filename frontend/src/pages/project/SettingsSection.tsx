// Settings (managers and up): change the project, who sees whose
// annotations and its workspace, preview the labeling interface, or delete
// the project after an in-page confirmation.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { DeleteProjectMutation, UpdateProjectMutation, WorkspaceChoicesQuery, type Project } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { count } from "../../format.ts";
import { useMutation, useQuery } from "../../hooks.ts";
import { navigate } from "../../router.tsx";
import { ConfigPreview, formValues, ProjectFields, toProjectInput, type ProjectFormValues } from "./ProjectForm.tsx";

/** Who sees what on the project, and where it belongs. */
interface AccessValues {
  annotatorsSeeOthers: boolean;
  revealAnnotators: boolean;
  /** A workspace id, or "" for none. */
  workspaceId: string;
}

function accessValues(project: Project): AccessValues {
  return {
    annotatorsSeeOthers: project.annotatorsSeeOthers,
    revealAnnotators: project.revealAnnotators,
    workspaceId: project.workspace?.id ?? "",
  };
}

interface SettingsSectionProps {
  project: Project;
  onSaved(project: Project): void;
}

export function SettingsSection({ project, onSaved }: SettingsSectionProps) {
  const save = useMutation(UpdateProjectMutation);
  const remove = useMutation(DeleteProjectMutation);
  const [values, setValues] = useState<ProjectFormValues>(() => formValues(project));
  const [access, setAccess] = useState<AccessValues>(() => accessValues(project));
  const workspaces = useQuery(WorkspaceChoicesQuery, {});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const moveFocus = useRef(false);

  // Keep keyboard focus on the control that replaced the one just used.
  useEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    (confirming ? cancelButton : deleteButton).current?.focus();
  }, [confirming]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.pending) return;
    setError(null);
    setSaved(false);
    if (values.title.trim() === "") {
      setError("Give the project a title.");
      return;
    }
    try {
      const data = await save.run({
        id: project.id,
        input: {
          ...toProjectInput(values),
          annotatorsSeeOthers: access.annotatorsSeeOthers,
          revealAnnotators: access.revealAnnotators,
          // "0" takes the project out of its workspace.
          workspaceId: access.workspaceId === "" ? "0" : access.workspaceId,
        },
      });
      setValues(formValues(data.updateProject));
      setAccess(accessValues(data.updateProject));
      setSaved(true);
      onSaved(data.updateProject);
    } catch (err) {
      setError(err);
    }
  }

  async function confirmDelete() {
    if (remove.pending) return;
    setDeleteError(null);
    try {
      await remove.run({ id: project.id });
      navigate("/projects");
    } catch (err) {
      setDeleteError(err);
      moveFocus.current = true;
      setConfirming(false);
    }
  }

  const errorId = error ? "settings-error" : null;
  return (
    <>
      <div className="project-editor-layout">
        <form className="card form project-form" onSubmit={handleSubmit} noValidate>
          <h2>Settings</h2>
          <ErrorAlert id="settings-error" error={error} />
          {saved ? <StatusMessage>Settings saved.</StatusMessage> : null}
          <ProjectFields
            idPrefix="settings"
            values={values}
            onChange={(next) => {
              setSaved(false);
              setValues(next);
            }}
            errorId={errorId}
          />
          <fieldset className="fieldset">
            <legend>Access</legend>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={access.annotatorsSeeOthers}
                aria-describedby="settings-see-others-hint"
                onChange={(event) => {
                  setSaved(false);
                  setAccess({ ...access, annotatorsSeeOthers: event.target.checked });
                }}
              />
              Annotators see each other's annotations
            </label>
            <p id="settings-see-others-hint" className="field-hint">
              Otherwise annotators see only their own work on a task.
            </p>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={access.revealAnnotators}
                aria-describedby="settings-reveal-hint"
                onChange={(event) => {
                  setSaved(false);
                  setAccess({ ...access, revealAnnotators: event.target.checked });
                }}
              />
              Show who made annotations
            </label>
            <p id="settings-reveal-hint" className="field-hint">
              Shows annotators the names on the annotations they see. Reviewers and managers always see them.
            </p>
            <div className="field">
              <label htmlFor="settings-workspace">Workspace</label>
              <select
                id="settings-workspace"
                value={access.workspaceId}
                aria-describedby="settings-workspace-hint"
                onChange={(event) => {
                  setSaved(false);
                  setAccess({ ...access, workspaceId: event.target.value });
                }}
              >
                <option value="">None</option>
                {project.workspace &&
                !(workspaces.data?.workspaces ?? []).some((w) => w.id === project.workspace?.id) ? (
                  <option value={project.workspace.id}>{project.workspace.title}</option>
                ) : null}
                {(workspaces.data?.workspaces ?? []).map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.title}
                  </option>
                ))}
              </select>
              <p id="settings-workspace-hint" className="field-hint">
                Members of a workspace work on all of its projects.
              </p>
              <ErrorAlert error={workspaces.error} />
            </div>
          </fieldset>
          <div className="actions">
            <Button type="submit" variant="primary" pending={save.pending}>
              Save settings
            </Button>
          </div>
        </form>
        <section className="card project-preview" aria-labelledby="settings-preview-heading">
          <h2 id="settings-preview-heading">Preview</h2>
          <p>How annotators will see a task, with sample data.</p>
          <ConfigPreview labelConfig={values.labelConfig} />
        </section>
      </div>
      <section className="card danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete project</h2>
        <p>
          Deleting removes the project with its {count(project.taskCount, "task")} and all their annotations. This
          cannot be undone; export first if you need the data.
        </p>
        <ErrorAlert error={deleteError} />
        {confirming ? (
          <div className="confirm">
            <p>
              <strong>Delete “{project.title}”?</strong> Its tasks and annotations are deleted at once.
            </p>
            <div className="actions">
              <Button variant="danger" pending={remove.pending} onClick={confirmDelete}>
                Delete permanently
              </Button>
              <Button
                ref={cancelButton}
                disabled={remove.pending}
                onClick={() => {
                  moveFocus.current = true;
                  setConfirming(false);
                }}
              >
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <div className="actions">
            <Button
              ref={deleteButton}
              variant="danger"
              onClick={() => {
                setDeleteError(null);
                moveFocus.current = true;
                setConfirming(true);
              }}
            >
              Delete project
            </Button>
          </div>
        )}
      </section>
    </>
  );
}
