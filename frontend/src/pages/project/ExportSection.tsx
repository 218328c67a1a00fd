// Export (managers and up): a plain download link. The server streams the
// file as an attachment, so nothing from the data is ever rendered here.
import { useState } from "react";

import { exportUrl, type Project } from "../../api.ts";

const formats: { value: string; label: string; description: string }[] = [
  { value: "JSON", label: "JSON", description: "Label Studio's full task format: data, annotations and predictions." },
  { value: "JSON_MIN", label: "JSON-MIN", description: "One flat record per annotation: data fields plus each control's answer." },
  { value: "CSV", label: "CSV", description: "A spreadsheet: one row per annotation, one column per data field and control." },
  { value: "TSV", label: "TSV", description: "The CSV columns, separated by tabs." },
  { value: "CONLL2003", label: "CoNLL 2003", description: "Tokens with BIO tags, for named entity recognition projects." },
  { value: "COCO", label: "COCO", description: "Boxes and polygons in COCO's JSON, for object detection." },
  { value: "YOLO", label: "YOLO", description: "A zip of label files and classes.txt, for YOLO training." },
];

export function ExportSection({ project }: { project: Project }) {
  const [format, setFormat] = useState("JSON");
  const chosen = formats.find((f) => f.value === format) ?? formats[0]!;
  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <p>Download the project's tasks with their annotations in a format your tools read.</p>
      <div className="form form-narrow">
        <div className="field">
          <label htmlFor="export-format">Export format</label>
          <select
            id="export-format"
            value={format}
            aria-describedby="export-format-hint"
            onChange={(event) => setFormat(event.target.value)}
          >
            {formats.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
          <p id="export-format-hint" className="field-hint">
            {chosen.description}
          </p>
        </div>
        <div className="actions">
          <a className="button button-primary" href={exportUrl(project.id, format)} download>
            Download export
          </a>
        </div>
      </div>
    </section>
  );
}
