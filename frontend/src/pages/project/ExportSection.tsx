// Export (managers and up): a plain download link. The server streams the
// file as an attachment, so nothing from the data is ever rendered here.
// Only the formats that fit the labeling config are offered (the server
// says which, Project.exportFormats, and refuses the others).
import { useState } from "react";

import { exportUrl } from "../../api.ts";
import type { Project } from "../../operations.ts";

const formats: Record<string, { label: string; description: string }> = {
  JSON: { label: "JSON", description: "Label Studio's full task format: data, annotations and predictions." },
  JSON_MIN: { label: "JSON-MIN", description: "One flat record per annotation: data fields plus each control's answer." },
  CSV: { label: "CSV", description: "A spreadsheet: one row per annotation, one column per data field and control." },
  TSV: { label: "TSV", description: "The CSV columns, separated by tabs." },
  CONLL2003: { label: "CoNLL 2003", description: "Tokens with BIO tags, for named entity recognition projects." },
  COCO: { label: "COCO (zip)", description: "A zip of COCO's result.json with boxes, polygons and keypoints, for object detection." },
  VOC: { label: "Pascal VOC XML (zip)", description: "A zip of one XML file of boxes per image, for object detection." },
  YOLO: { label: "YOLO (zip)", description: "A zip of label files and classes.txt, for YOLO training." },
};

export function ExportSection({ project }: { project: Project }) {
  const fitting = project.exportFormats.filter((f) => f.fits);
  const unfit = project.exportFormats.filter((f) => !f.fits);
  const [format, setFormat] = useState("JSON");
  const [onlyAnnotated, setOnlyAnnotated] = useState(false);
  const [includePredictions, setIncludePredictions] = useState(true);
  const chosen = formats[format] ?? formats.JSON!;
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
            {fitting.map((f) => (
              <option key={f.name} value={f.name}>
                {formats[f.name]?.label ?? f.name}
              </option>
            ))}
          </select>
          <p id="export-format-hint" className="field-hint">
            {chosen.description}
          </p>
          {unfit.length > 0 && (
            <p className="field-hint">
              Not offered for this labeling config: {unfit.map((f) => formats[f.name]?.label ?? f.name).join(", ")}.
            </p>
          )}
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={onlyAnnotated} onChange={(event) => setOnlyAnnotated(event.target.checked)} />{" "}
            Only annotated tasks
          </label>
          {format === "JSON" && (
            <label>
              <input
                type="checkbox"
                checked={includePredictions}
                onChange={(event) => setIncludePredictions(event.target.checked)}
              />{" "}
              Include predictions
            </label>
          )}
        </div>
        <div className="actions">
          <a
            className="button button-primary"
            href={exportUrl(project.id, format, { onlyAnnotated, includePredictions })}
            download
          >
            Download export
          </a>
        </div>
      </div>
    </section>
  );
}
