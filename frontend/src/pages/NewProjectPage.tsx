// /projects/new: pick a template from the gallery (or start empty), adjust
// the configuration and settings, and create the project.
import { useState, type FormEvent } from "react";

import { CreateProjectMutation } from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { ErrorAlert } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { useMutation } from "../hooks.ts";
import { parseLabelConfig, tagsUsed } from "../labeling/config.ts";
import { Link, navigate } from "../router.tsx";
import {
  ConfigPreview,
  emptyProjectForm,
  ProjectFields,
  toProjectInput,
  type ProjectFormValues,
} from "./project/ProjectForm.tsx";
import { templates, type Template } from "./project/templates.ts";

function templateTags(template: Template): string {
  const parsed = parseLabelConfig(template.config);
  return parsed.config ? tagsUsed(parsed.config).join(" · ") : "Your own XML";
}

export function NewProjectPage() {
  const create = useMutation(CreateProjectMutation);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [values, setValues] = useState<ProjectFormValues>(emptyProjectForm);
  const [error, setError] = useState<unknown>(null);
  const template = templates.find((t) => t.id === templateId) ?? null;

  function chooseTemplate(next: Template) {
    setTemplateId(next.id);
    setValues((current) => ({ ...current, labelConfig: next.config }));
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.pending) return;
    setError(null);
    if (values.title.trim() === "") {
      setError("Give the project a title.");
      return;
    }
    if (values.labelConfig.trim() === "") {
      setError("Write a labeling configuration, or choose a template.");
      return;
    }
    try {
      const data = await create.run({ input: toProjectInput(values) });
      navigate(`/projects/${encodeURIComponent(data.createProject.id)}`);
    } catch (err) {
      setError(err);
    }
  }

  const errorId = error ? "new-project-error" : null;
  return (
    <>
      <div className="page-header">
        <p className="breadcrumb">
          <Link to="/projects">Projects</Link>
        </p>
        <PageHeading title="New project" />
        <p className="page-meta">Start from a template and adjust it, or paste a Label Studio configuration.</p>
      </div>
      <section className="card" aria-labelledby="template-heading">
        <h2 id="template-heading">Template</h2>
        <div className="template-grid" role="radiogroup" aria-labelledby="template-heading">
          {templates.map((t) => (
            <div key={t.id} className={t.id === templateId ? "template-card template-card-chosen" : "template-card"}>
              <label className="template-name">
                <input
                  type="radio"
                  name="template"
                  value={t.id}
                  checked={t.id === templateId}
                  onChange={() => chooseTemplate(t)}
                  aria-describedby={`template-${t.id}-description`}
                />
                {t.name}
              </label>
              <p id={`template-${t.id}-description`} className="template-description">
                {t.description}
              </p>
              <p className="template-tags mono" aria-hidden="true">
                {templateTags(t)}
              </p>
            </div>
          ))}
        </div>
      </section>
      <div className="project-editor-layout">
        <form className="card form project-form" onSubmit={handleSubmit} noValidate>
          <h2>Project</h2>
          <ErrorAlert id="new-project-error" error={error} />
          <ProjectFields
            idPrefix="new-project"
            values={values}
            onChange={setValues}
            errorId={errorId}
            {...(template?.dataHint ? { configHint: template.dataHint } : {})}
          />
          <div className="actions">
            <Button type="submit" variant="primary" pending={create.pending}>
              Create project
            </Button>
            <Link to="/projects" className="button button-secondary">
              Cancel
            </Link>
          </div>
        </form>
        <section className="card project-preview" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview</h2>
          <p>How annotators will see a task, with sample data. Try it: nothing is saved.</p>
          <ConfigPreview labelConfig={values.labelConfig} />
        </section>
      </div>
    </>
  );
}
