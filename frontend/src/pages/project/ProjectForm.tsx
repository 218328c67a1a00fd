// The fields of a project, shared by the new-project page and the project's
// settings, and a live preview of the labeling interface with sample data.
import { useMemo, useState } from "react";

import type { JsonValue } from "../../api.ts";
import type { Project, ProjectInput, Sampling } from "../../operations.ts";
import { Field } from "../../components/Field.tsx";
import { parseLabelConfig } from "../../labeling/config.ts";
import { Editor } from "../../labeling/LazyEditor.tsx";
import type { ResultItem } from "../../labeling/result.ts";

export interface ProjectFormValues {
  title: string;
  description: string;
  instructions: string;
  labelConfig: string;
  overlap: string;
  sampling: Sampling;
  showSkip: boolean;
}

export const emptyProjectForm: ProjectFormValues = {
  title: "",
  description: "",
  instructions: "",
  labelConfig: "",
  overlap: "1",
  sampling: "SEQUENTIAL",
  showSkip: true,
};

/** formValues fills the form from a stored project. */
export function formValues(project: Project): ProjectFormValues {
  return {
    title: project.title,
    description: project.description,
    instructions: project.instructions,
    labelConfig: project.labelConfig,
    overlap: String(project.overlap),
    sampling: project.sampling,
    showSkip: project.showSkip,
  };
}

/** toProjectInput turns the form into the API's input; the server checks the values. */
export function toProjectInput(values: ProjectFormValues): ProjectInput {
  const overlap = Number.parseInt(values.overlap, 10);
  return {
    title: values.title.trim(),
    description: values.description,
    instructions: values.instructions,
    labelConfig: values.labelConfig,
    overlap: Number.isFinite(overlap) ? overlap : 1,
    sampling: values.sampling,
    showSkip: values.showSkip,
  };
}

interface ProjectFieldsProps {
  idPrefix: string;
  values: ProjectFormValues;
  onChange(values: ProjectFormValues): void;
  errorId: string | null;
  /** Shown under the configuration editor, such as what the tasks must hold. */
  configHint?: string;
}

export function ProjectFields({ idPrefix, values, onChange, errorId, configHint }: ProjectFieldsProps) {
  const set = <K extends keyof ProjectFormValues>(key: K, value: ProjectFormValues[K]) =>
    onChange({ ...values, [key]: value });
  const id = (name: string) => `${idPrefix}-${name}`;
  const parsed = useMemo(() => parseLabelConfig(values.labelConfig), [values.labelConfig]);
  const dataKeys = parsed.config
    ? [...new Set(parsed.config.objects.map((o) => /^\$([A-Za-z0-9_]+)/.exec(o.value)?.[1]).filter(Boolean))]
    : [];
  const describedBy = (own: string) => [own, errorId].filter(Boolean).join(" ") || undefined;

  return (
    <>
      <Field
        id={id("title")}
        label="Title"
        type="text"
        required
        maxLength={200}
        autoComplete="off"
        value={values.title}
        onValueChange={(v) => set("title", v)}
        errorId={errorId}
      />
      <div className="field">
        <label htmlFor={id("description")}>Description</label>
        <textarea
          id={id("description")}
          rows={2}
          value={values.description}
          onChange={(event) => set("description", event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={id("instructions")}>Instructions</label>
        <textarea
          id={id("instructions")}
          rows={4}
          value={values.instructions}
          aria-describedby={id("instructions-hint")}
          onChange={(event) => set("instructions", event.target.value)}
        />
        <p id={id("instructions-hint")} className="field-hint">
          Shown to annotators above every task. Supports paragraphs, lists, **bold**, *italic*, `code` and
          [links](https://example.com).
        </p>
      </div>
      <div className="field">
        <label htmlFor={id("config")}>Labeling configuration</label>
        <textarea
          id={id("config")}
          className="mono config-editor"
          rows={14}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          required
          value={values.labelConfig}
          aria-describedby={describedBy(id("config-hint"))}
          aria-invalid={errorId ? true : undefined}
          onChange={(event) => set("labelConfig", event.target.value)}
        />
        <p id={id("config-hint")} className="field-hint">
          {parsed.error && values.labelConfig.trim() !== ""
            ? parsed.error
            : dataKeys.length > 0
              ? `Tasks are read from the data field${dataKeys.length === 1 ? "" : "s"} ${dataKeys.join(", ")}.${configHint ? ` ${configHint}` : ""}`
              : "Label Studio XML: objects such as <Text> and <Image> show task data, controls such as <Choices> and <Labels> make the annotation."}
        </p>
      </div>
      <div className="form-row">
        <Field
          id={id("overlap")}
          label="Overlap"
          type="number"
          min={1}
          max={100}
          step={1}
          inputMode="numeric"
          hint="Annotations wanted per task."
          value={values.overlap}
          onValueChange={(v) => set("overlap", v)}
        />
        <div className="field">
          <label htmlFor={id("sampling")}>Sampling</label>
          <select
            id={id("sampling")}
            value={values.sampling}
            onChange={(event) => set("sampling", event.target.value === "RANDOM" ? "RANDOM" : "SEQUENTIAL")}
          >
            <option value="SEQUENTIAL">Sequential</option>
            <option value="RANDOM">Random</option>
          </select>
          <p className="field-hint">The order of the label stream.</p>
        </div>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={values.showSkip} onChange={(event) => set("showSkip", event.target.checked)} />
        Show skip button
      </label>
    </>
  );
}

const sampleText =
  "Ada Lovelace wrote the first program for Charles Babbage's Analytical Engine in London in 1843.";

/** sampleImage is a drawn placeholder, a data: URL so that the preview loads nothing from anywhere. */
const sampleImage = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400">` +
    `<rect width="640" height="400" fill="#dbeafe"/><circle cx="480" cy="110" r="50" fill="#fde68a"/>` +
    `<path d="M0 330 L180 170 L320 300 L430 210 L640 360 L640 400 L0 400 Z" fill="#86efac"/>` +
    `<rect x="90" y="250" width="120" height="60" rx="10" fill="#f87171"/>` +
    `<text x="320" y="380" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#1e3a8a">Sample image</text></svg>`,
)}`;

/** sampleRecord is a Table's field in the preview. */
const sampleRecord: JsonValue = { name: "Ada Lovelace", born: 1815, field: "mathematics" };

/** sampleData makes a task for the preview: text for Text fields, a drawing for Image fields, a record for Tables. */
function sampleData(config: NonNullable<ReturnType<typeof parseLabelConfig>["config"]>): JsonValue {
  const data: { [key: string]: JsonValue } = {};
  for (const object of config.objects) {
    const key = /^\$([A-Za-z0-9_]+)/.exec(object.value)?.[1];
    if (!key) continue;
    data[key] =
      object.tag === "Image"
        ? sampleImage
        : object.tag === "HyperText"
          ? "<p>Some <b>HTML</b> from a task.</p>"
          : object.tag === "Table"
            ? sampleRecord
            : sampleText;
  }
  return data;
}

/** ConfigPreview renders the labeling interface for a config with sample data; nothing is saved. */
export function ConfigPreview({ labelConfig }: { labelConfig: string }) {
  const parsed = useMemo(() => parseLabelConfig(labelConfig), [labelConfig]);
  const data = useMemo(() => (parsed.config ? sampleData(parsed.config) : null), [parsed]);
  const [result, setResult] = useState<{ config: string; items: readonly ResultItem[] }>({ config: "", items: [] });
  // A changed config starts the preview over.
  const items = result.config === labelConfig ? result.items : [];

  if (labelConfig.trim() === "") {
    return <p className="muted">Choose a template or write a configuration to see the labeling interface.</p>;
  }
  if (!parsed.config || data === null) {
    return <p className="message message-info">{parsed.error}</p>;
  }
  return (
    <Editor
      config={parsed.config}
      data={data}
      result={items}
      hotkeys={false}
      onChange={(change) => setResult((current) => ({ config: labelConfig, items: change(current.config === labelConfig ? current.items : []) }))}
    />
  );
}
