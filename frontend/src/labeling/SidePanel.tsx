// The editor's side panel, as Label Studio's: the regions of the result,
// flat or grouped by label and sorted by creation, label or position, each
// with an eye (hide) and a lock; and the relations between them. Hiding and
// locking are this view's state only: they are never saved and undo does
// not track them.
import { useState } from "react";

import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { EyeIcon, EyeOffIcon, LockIcon, UnlockIcon } from "./icons.tsx";
import { isRegion, isRelation, labelsOf, least, num, removeRegion, type RegionItem } from "./result.ts";

function clip(text: string, most = 48): string {
  return text.length > most ? `${text.slice(0, most - 1)}…` : text;
}

function percent(n: number | null): string {
  return n === null ? "?" : `${Math.round(n * 10) / 10}%`;
}

/** describeRegion says where a region is, for lists. */
export function describeRegion(item: RegionItem): string {
  const v = item.value;
  switch (item.type) {
    case "labels":
      if (typeof v.channel === "number") return `${num(v.start) ?? "?"}–${num(v.end) ?? "?"} s`;
      return typeof v.text === "string" ? `“${clip(v.text)}”` : `characters ${num(v.start) ?? "?"}–${num(v.end) ?? "?"}`;
    case "rectanglelabels": {
      const turned = num(v.rotation) ?? 0;
      const box = `box at ${percent(num(v.x))}, ${percent(num(v.y))}, ${percent(num(v.width))} × ${percent(num(v.height))}`;
      return turned === 0 ? box : `${box}, turned ${Math.round(turned * 10) / 10}°`;
    }
    case "polygonlabels":
      return `polygon with ${Array.isArray(v.points) ? v.points.length : 0} points`;
    case "keypointlabels":
      return `point at ${percent(num(v.x))}, ${percent(num(v.y))}`;
    case "brushlabels":
      return "brush mask";
    case "hypertextlabels":
      return typeof v.text === "string" ? `“${clip(v.text)}”` : "HTML span";
    case "paragraphlabels":
      return typeof v.text === "string"
        ? `“${clip(v.text)}”`
        : `lines ${String(v.start ?? "?")}–${String(v.end ?? "?")}`;
    case "ellipselabels":
      return `ellipse at ${percent(num(v.x))}, ${percent(num(v.y))}, radii ${percent(num(v.radiusX))} × ${percent(num(v.radiusY))}`;
    default:
      return "";
  }
}

export function useRegions(): RegionItem[] {
  const editor = useEditor();
  return editor.result.filter(isRegion);
}

/** regionName names a region by its number in order of creation, its labels and where it is. */
export function regionName(regions: readonly RegionItem[], id: string): string {
  const index = regions.findIndex((r) => r.id === id);
  const region = regions[index];
  if (!region) return "a removed region";
  return `${index + 1}. ${labelsOf(region).join(", ")} ${describeRegion(region)}`;
}

/**
 * position is where a region starts, for sorting: top to bottom then left to
 * right on an image, first character or second in text or audio; null for a
 * region without one (a brush mask).
 */
function position(item: RegionItem): [number, number] | null {
  const v = item.value;
  if (item.type === "polygonlabels" && Array.isArray(v.points)) {
    const points = v.points.filter((p): p is number[] => Array.isArray(p)).map((p) => [Number(p[0]), Number(p[1])]);
    if (points.length === 0) return null;
    return [least(points.map((p) => p[1] ?? 0)), least(points.map((p) => p[0] ?? 0))];
  }
  const x = num(v.x);
  const y = num(v.y);
  if (x !== null && y !== null) return [y, x];
  const start = num(v.start);
  if (start !== null) return [start, num(v.end) ?? start];
  if (typeof v.start === "string") return [Number.parseInt(v.start, 10) || 0, num(v.startOffset) ?? 0];
  return null;
}

type SortOrder = "created" | "label" | "position";

function sortRegions(regions: readonly RegionItem[], order: SortOrder): RegionItem[] {
  const list = [...regions];
  if (order === "label") {
    list.sort((a, b) => labelsOf(a).join(", ").localeCompare(labelsOf(b).join(", ")));
  } else if (order === "position") {
    list.sort((a, b) => {
      const pa = position(a);
      const pb = position(b);
      if (pa === null || pb === null) return pa === null ? (pb === null ? 0 : 1) : -1;
      return pa[0] - pb[0] || pa[1] - pb[1];
    });
  }
  return list;
}

/** howToMark says how regions are made on the objects this config has, and only those. */
function howToMark(tags: readonly string[]): string {
  const ways: string[] = [];
  if (tags.includes("Image")) ways.push("choose a label and draw on the image");
  if (tags.some((t) => t === "Text" || t === "HyperText" || t === "Paragraphs")) {
    ways.push("mark the text and choose a label, in either order");
  }
  if (tags.includes("Audio")) ways.push("choose a label and drag along the timeline");
  const sentence = ways.length > 0 ? ways.join("; or ") : "choose a label and mark the data";
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

export function SidePanel() {
  const editor = useEditor();
  // A config with a Relations control lists (and labels) relations there.
  const ownList = !editor.config.controls.some((c) => c.tag === "Relations");
  return (
    <aside className="lc-side-panel" aria-label="Regions and relations">
      <RegionsSection />
      {ownList ? <RelationsSection /> : null}
    </aside>
  );
}

function RegionsSection() {
  const editor = useEditor();
  const regions = useRegions();
  const [grouped, setGrouped] = useState(false);
  const [order, setOrder] = useState<SortOrder>("created");
  const headingId = `${editor.idPrefix}-regions`;
  const sortId = `${editor.idPrefix}-regions-sort`;
  const sorted = sortRegions(regions, order);
  const allHidden = regions.length > 0 && regions.every((r) => editor.hidden.has(r.id));
  const allLocked = regions.length > 0 && regions.every((r) => editor.locked.has(r.id));
  const ids = regions.map((r) => r.id);

  const groups: [string, RegionItem[]][] = [];
  if (grouped) {
    for (const region of sorted) {
      const key = labelsOf(region).join(", ") || "(no label)";
      const group = groups.find(([k]) => k === key);
      if (group) group[1].push(region);
      else groups.push([key, [region]]);
    }
  }

  const row = (region: RegionItem) => <RegionRow key={region.id} region={region} number={regions.indexOf(region) + 1} />;

  return (
    <section className="lc-regions" aria-labelledby={headingId}>
      <h3 id={headingId}>Regions</h3>
      {regions.length === 0 ? (
        <p className="muted">No regions yet. {howToMark(editor.config.objects.map((o) => o.tag))}</p>
      ) : (
        <>
          <div className="lc-regions-tools" role="toolbar" aria-label="Region list">
            <button
              type="button"
              className="button button-secondary button-small"
              aria-pressed={grouped}
              onClick={() => setGrouped((on) => !on)}
            >
              Group by label
            </button>
            <label htmlFor={sortId} className="lc-regions-sort">
              Sort{" "}
              <select id={sortId} value={order} onChange={(event) => setOrder(event.target.value as SortOrder)}>
                <option value="created">by creation</option>
                <option value="label">by label</option>
                <option value="position">by position</option>
              </select>
            </label>
            <button
              type="button"
              className="button button-secondary button-small"
              aria-pressed={allHidden}
              onClick={() => editor.setHidden(ids, !allHidden)}
            >
              {allHidden ? "Show all" : "Hide all"}
            </button>
            {!editor.readOnly ? (
              <button
                type="button"
                className="button button-secondary button-small"
                aria-pressed={allLocked}
                onClick={() => editor.setLocked(ids, !allLocked)}
              >
                {allLocked ? "Unlock all" : "Lock all"}
              </button>
            ) : null}
          </div>
          {grouped ? (
            groups.map(([label, members]) => (
              <section key={label} className="lc-region-group" aria-label={`Label ${label}`}>
                <h4>
                  {label} <span className="muted">({members.length})</span>
                </h4>
                <ol className="lc-region-list">{members.map(row)}</ol>
              </section>
            ))
          ) : (
            <ol className="lc-region-list">{sorted.map(row)}</ol>
          )}
        </>
      )}
      {editor.selected && !editor.readOnly ? (
        <p className="field-hint">
          A region is selected: choosing a label of its control relabels it. Escape lets go, Delete removes it, Alt+R
          starts a relation from it.
        </p>
      ) : null}
    </section>
  );
}

function RegionRow({ region, number }: { region: RegionItem; number: number }) {
  const editor = useEditor();
  const labels = labelsOf(region);
  const isSelected = region.id === editor.selected;
  const isHidden = editor.hidden.has(region.id);
  const isLocked = editor.locked.has(region.id);
  const linking = editor.linkingFrom === region.id;
  const classes = ["lc-region"];
  if (isSelected) classes.push("lc-region-selected");
  if (isHidden) classes.push("lc-region-hidden");
  return (
    <li className={classes.join(" ")} data-region-id={region.id}>
      <span
        className="lc-swatch"
        style={colorStyle(editor.colorOf(region.from_name, labels[0] ?? ""))}
        aria-hidden="true"
      />
      <span className="lc-region-text">
        <span className="lc-region-number">{number}.</span> <strong>{labels.join(", ") || "(no label)"}</strong>{" "}
        <span className="muted">{describeRegion(region)}</span>
      </span>
      <span className="lc-region-actions">
        <button
          type="button"
          className="button button-secondary button-small"
          aria-pressed={isHidden}
          aria-label={`${isHidden ? "Show" : "Hide"} region ${number}`}
          title={isHidden ? "Show" : "Hide"}
          onClick={() => editor.setHidden([region.id], !isHidden)}
        >
          {isHidden ? <EyeOffIcon /> : <EyeIcon />}
        </button>
        {!editor.readOnly ? (
          <>
            <button
              type="button"
              className="button button-secondary button-small"
              aria-pressed={isLocked}
              aria-label={`${isLocked ? "Unlock" : "Lock"} region ${number}`}
              title={isLocked ? "Unlock" : "Lock"}
              onClick={() => editor.setLocked([region.id], !isLocked)}
            >
              {isLocked ? <LockIcon /> : <UnlockIcon />}
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              aria-pressed={isSelected}
              aria-label={`Select region ${number}`}
              disabled={isHidden}
              onClick={() => editor.select(isSelected ? null : region.id)}
            >
              Select
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              aria-pressed={linking}
              aria-label={`Relation from region ${number}`}
              aria-keyshortcuts="Alt+R"
              onClick={() => editor.startRelation(linking ? null : region.id)}
            >
              Relation
            </button>
            <button
              type="button"
              className="button button-danger-ghost button-small"
              aria-label={`Delete region ${number}`}
              disabled={isLocked}
              onClick={() => editor.update((current) => removeRegion(current, region.id))}
            >
              Delete
            </button>
          </>
        ) : null}
      </span>
    </li>
  );
}

function RelationsSection() {
  const editor = useEditor();
  const regions = useRegions();
  const relations = editor.result.filter(isRelation);
  const headingId = `${editor.idPrefix}-relations`;
  const arrow = { right: "→", left: "←", bi: "↔" } as const;
  return (
    <section className="lc-relations-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Relations</h3>
      {relations.length === 0 ? (
        <p className="muted">
          {editor.readOnly
            ? "No relations."
            : "No relations. Select a region, press Relation (or Alt+R), then select the region it goes to."}
        </p>
      ) : (
        <ol className="lc-relation-list">
          {relations.map((relation, i) => (
            <li key={relation.id}>
              <span>
                {regionName(regions, relation.from_id)} {arrow[relation.direction]} {regionName(regions, relation.to_id)}
                {relation.labels.length > 0 ? <strong> ({relation.labels.join(", ")})</strong> : null}
              </span>
              {!editor.readOnly ? (
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  aria-label={`Delete relation ${i + 1}`}
                  onClick={() => editor.update((current) => current.filter((item) => item.id !== relation.id))}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
