// Settings (managers and up): change the project, preview the labeling
// interface, or delete the project after an in-page confirmation.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { DeleteProjectMutation, UpdateProjectMutation, type Project } from "../../api.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { count } from "../../format.ts";
import { useMutation } from "../../hooks.ts";
import { navigate } from "../../router.tsx";
import { ConfigPreview, formValues, ProjectFields, toProjectInput, type ProjectFormValues } from "./ProjectForm.tsx";

interface SettingsSectionProps {
  project: Project;
  onSaved(project: Project): void;
}

export function SettingsSection({ project, onSaved }: SettingsSectionProps) {
  const save = useMutation(UpdateProjectMutation);
  const remove = useMutation(DeleteProjectMutation);
  const [values, setValues] = useState<ProjectFormValues>(() => formValues(project));
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
      const data = await save.run({ id: project.id, input: toProjectInput(values) });
      setValues(formValues(data.updateProject));
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
