// The labeling editor: renders a parsed Label Studio config in document
// order against one task's data and edits a result. Objects (Text,
// HyperText, Image) show the data, always as text, inside a sandboxed frame
// or as an <img>; controls write result items. The editor owns only
// transient choices (the chosen labels, the selected region); the result
// itself lives with the caller, which saves it.
import { Fragment, useCallback, useEffect, useId, useMemo, useState, type ReactNode } from "react";

import type { JsonValue } from "../api.ts";
import {
  asText,
  attr,
  flexLayout,
  isRegionTag,
  isTrue,
  objectValue,
  substitute,
  type ConfigNode,
  type ControlInfo,
  type LabelConfig,
  type ObjectInfo,
  type RegionTag,
} from "./config.ts";
import { Dialog } from "../components/Dialog.tsx";
import { EditorContext, useEditor, type EditorApi } from "./context.ts";
import {
  ChoicesControl,
  DateTimeControl,
  LabelsPicker,
  NumberControl,
  RatingControl,
  TaxonomyControl,
  TextAreaControl,
  withChoice,
} from "./controls.tsx";
import { ImageObject } from "./ImageObject.tsx";
import { regionName, SidePanel, useRegions } from "./SidePanel.tsx";
import {
  controlItem,
  isRegion,
  isRelation,
  labelKey,
  labelsOf,
  newId,
  removeRegion,
  shown,
  maxUsagesNotice,
  strings,
  usedUp,
  type RegionItem,
  type RelationItem,
  type ResultItem,
} from "./result.ts";
import { AudioObject } from "./AudioObject.tsx";
import { HyperTextObject as LabeledHyperTextObject } from "./HyperTextObject.tsx";
import { ParagraphsObject } from "./ParagraphsObject.tsx";
import { TextObject } from "./TextObject.tsx";

/** Colors for labels whose config gives none. */
const palette = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#d97706",
  "#9333ea",
  "#0891b2",
  "#db2777",
  "#4d7c0f",
  "#7c3aed",
  "#b45309",
];

export interface EditorProps {
  config: LabelConfig;
  data: JsonValue;
  /** The task's id, so that storage URIs in its data load through the data proxy. */
  taskId?: string | undefined;
  result: readonly ResultItem[];
  /** onChange applies an edit; edits with one mergeKey in quick succession are one undo step. */
  onChange(change: (result: readonly ResultItem[]) => ResultItem[], mergeKey?: string): void;
  readOnly?: boolean;
  /** Undo and redo of the result, when the caller keeps a history (see history.ts). */
  history?: EditorHistory;
  /** Whether number keys pick choices and labels; off where the editor is only a preview. */
  hotkeys?: boolean;
}

export interface EditorHistory {
  undo(): void;
  redo(): void;
  canUndo: boolean;
  canRedo: boolean;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target instanceof HTMLInputElement) {
    return !["radio", "checkbox", "button", "submit", "reset", "range", "color"].includes(target.type);
  }
  return false;
}

export function Editor({ config, data, taskId, result, onChange, readOnly = false, hotkeys = true, history }: EditorProps) {
  const idPrefix = `lc${useId().replace(/[^A-Za-z0-9]/g, "")}`;
  const [active, setActive] = useState<Readonly<Record<string, readonly string[]>>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [hidden, setHiddenIds] = useState<ReadonlySet<string>>(() => new Set());
  const [locked, setLockedIds] = useState<ReadonlySet<string>>(() => new Set());
  const [linkingFrom, setLinkingFrom] = useState<string | null>(null);

  const update = useCallback(
    (change: (result: readonly ResultItem[]) => ResultItem[], mergeKey?: string) => {
      if (readOnly) return;
      setNotice(null);
      onChange(change, mergeKey);
    },
    [onChange, readOnly],
  );

  // Labels without a background take palette colors in document order
  // across all region controls, so no two controls start with the same one.
  const colorOf = useCallback(
    (controlName: string, label: string) => {
      let index = 0;
      for (const control of config.controls) {
        if (!isRegionTag(control.tag)) continue;
        for (const option of control.options) {
          if (control.name === controlName && (option.value === label || option.label === label)) {
            return option.color ?? palette[index % palette.length] ?? "#2563eb";
          }
          index++;
        }
      }
      return palette[0] ?? "#2563eb";
    },
    [config],
  );

  const activeControl = useCallback(
    (objectName: string, tags: readonly RegionTag[]) =>
      config.controls.find(
        (c) =>
          isRegionTag(c.tag) &&
          tags.includes(c.tag) &&
          c.toName.includes(objectName) &&
          (active[c.name]?.length ?? 0) > 0,
      ) ?? null,
    [config, active],
  );

  const chooseLabel = useCallback(
    (control: ControlInfo, value: string) => {
      if (readOnly) return;
      const region = result.find((item): item is RegionItem => isRegion(item) && item.id === selected);
      if (region && region.from_name === control.name) {
        // With a region of this control selected, a label relabels it,
        // unless that would put the label on more regions than it may be.
        if (!labelsOf(region).includes(value)) {
          const full = usedUp(result, control, [value]);
          if (full) {
            setNotice(maxUsagesNotice(full));
            return;
          }
        }
        update((current) =>
          current.map((item) => {
            if (item.id !== region.id || !isRegion(item)) return item;
            const labels = labelsOf(item);
            const next =
              control.choice === "multiple"
                ? labels.includes(value) && labels.length > 1
                  ? labels.filter((l) => l !== value)
                  : [...labels.filter((l) => l !== value), value]
                : [value];
            return { ...item, value: { ...item.value, [labelKey(item.type)]: next } };
          }),
        );
        return;
      }
      setActive((current) => {
        const mine = current[control.name] ?? [];
        const on = !mine.includes(value);
        const next: Record<string, readonly string[]> = {};
        // One labels control draws on an object at a time.
        for (const [name, labels] of Object.entries(current)) {
          const other = config.controls.find((c) => c.name === name);
          if (other && other !== control && on && other.toName.some((t) => control.toName.includes(t))) continue;
          next[name] = labels;
        }
        next[control.name] =
          control.choice === "multiple"
            ? on
              ? [...mine, value]
              : mine.filter((l) => l !== value)
            : on
              ? [value]
              : [];
        return next;
      });
    },
    [config, readOnly, result, selected, update],
  );

  const addRegion = useCallback<EditorApi["addRegion"]>(
    (objectName, tags, value, extra = {}) => {
      const control = activeControl(objectName, tags);
      if (!control) {
        setNotice("Choose a label first.");
        return false;
      }
      const labels = [...(active[control.name] ?? [])];
      const full = usedUp(result, control, labels);
      if (full) {
        setNotice(maxUsagesNotice(full));
        return false;
      }
      update((current) => [
        ...current,
        {
          id: newId(),
          from_name: control.name,
          to_name: objectName,
          type: control.type,
          value: { ...value, [labelKey(control.type)]: labels },
          origin: "manual",
          ...extra,
        },
      ]);
      return true;
    },
    [active, activeControl, update, result],
  );

  // While a relation is being made, selecting another region ends it there.
  const select = useCallback(
    (id: string | null) => {
      if (linkingFrom !== null && id !== null && id !== linkingFrom && !readOnly) {
        const from = linkingFrom;
        setLinkingFrom(null);
        const exists = result.some((item) => isRelation(item) && item.from_id === from && item.to_id === id);
        if (exists) {
          setNotice("These regions are already related.");
        } else {
          update((current) => [
            ...current,
            { id: newId(), type: "relation", from_id: from, to_id: id, direction: "right", labels: [] },
          ]);
        }
      }
      setSelected(id);
    },
    [linkingFrom, readOnly, result, update],
  );

  const startRelation = useCallback(
    (from: string | null) => {
      if (readOnly) return;
      setLinkingFrom(from);
      if (from !== null) setNotice("Now select the region the relation goes to (Escape cancels).");
    },
    [readOnly],
  );

  const setHidden = useCallback((ids: readonly string[], on: boolean) => {
    setHiddenIds((current) => toggled(current, ids, on));
  }, []);
  const setLocked = useCallback((ids: readonly string[], on: boolean) => {
    setLockedIds((current) => toggled(current, ids, on));
  }, []);

  const api = useMemo<EditorApi>(
    () => ({
      config,
      data,
      taskId,
      result,
      readOnly,
      idPrefix,
      update,
      active,
      chooseLabel,
      activeControl,
      addRegion,
      selected,
      select,
      notify: setNotice,
      colorOf,
      hidden,
      locked,
      setHidden,
      setLocked,
      linkingFrom,
      startRelation,
    }),
    [
      config,
      data,
      taskId,
      result,
      readOnly,
      idPrefix,
      update,
      active,
      chooseLabel,
      activeControl,
      addRegion,
      selected,
      select,
      colorOf,
      hidden,
      locked,
      setHidden,
      setLocked,
      linkingFrom,
      startRelation,
    ],
  );

  // Number keys (or a tag's hotkey) pick choices and labels; Escape lets go
  // of the selected region and Delete removes it.
  useEffect(() => {
    if (!hotkeys || readOnly) return;
    function handleKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || isTyping(event.target)) return;
      // Alt+arrows go from region to region, as in Label Studio.
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.key.startsWith("Arrow")) {
        const regions = result.filter((item) => isRegion(item) && !hidden.has(item.id));
        if (regions.length === 0) return;
        event.preventDefault();
        const step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : -1;
        const at = regions.findIndex((r) => r.id === selected);
        const next = at < 0 ? (step > 0 ? 0 : regions.length - 1) : (at + step + regions.length) % regions.length;
        setSelected(regions[next]?.id ?? null);
        return;
      }
      // Alt+R starts a relation from the selected region, as in Label Studio.
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyR" && selected) {
        event.preventDefault();
        startRelation(selected);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "?") {
        event.preventDefault();
        setHelp(true);
        return;
      }
      if (event.key === "Escape" && linkingFrom !== null) {
        setLinkingFrom(null);
        setNotice(null);
        return;
      }
      if (event.key === "Escape" && selected) {
        setSelected(null);
        return;
      }
      if ((event.key === "Delete" || event.key === "Backspace") && selected) {
        event.preventDefault();
        // A locked region stays.
        if (locked.has(selected)) return;
        const id = selected;
        setSelected(null);
        update((current) => removeRegion(current, id));
        return;
      }
      const key = event.key.toLowerCase();
      for (const control of config.controls) {
        const option = control.options.find((o) => o.hotkey === key);
        if (!option) continue;
        if (control.tag === "Choices") {
          const chosen = strings(controlItem(result, control)?.value.choices).includes(option.value);
          update((current) => withChoice(current, control, option.value, !chosen));
        } else if (isRegionTag(control.tag)) {
          chooseLabel(control, option.value);
        } else {
          continue;
        }
        event.preventDefault();
        return;
      }
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [hotkeys, readOnly, config, result, selected, update, chooseLabel, locked, hidden, linkingFrom, startRelation]);

  // Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (Cmd on a Mac), as in
  // Label Studio. In a text field the browser's own undo of the typing wins.
  useEffect(() => {
    if (!history || readOnly) return;
    const { undo, redo } = history;
    function handleKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || !(event.ctrlKey || event.metaKey) || event.altKey || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        undo();
      } else if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) {
        event.preventDefault();
        redo();
      }
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [history, readOnly]);

  // A deleted region cannot stay selected, nor be a relation's start; a hidden one cannot stay selected.
  useEffect(() => {
    if (selected && (!result.some((item) => item.id === selected) || hidden.has(selected))) setSelected(null);
    if (linkingFrom && !result.some((item) => item.id === linkingFrom)) setLinkingFrom(null);
  }, [result, selected, hidden, linkingFrom]);

  const hasRegions = config.controls.some((c) => isRegionTag(c.tag));
  return (
    <EditorContext.Provider value={api}>
      <div className="lc-editor">
        {history && !readOnly ? (
          <div className="lc-history" role="toolbar" aria-label="Edit history">
            <button
              type="button"
              className="button button-secondary button-small"
              disabled={!history.canUndo}
              aria-keyshortcuts="Control+Z"
              onClick={history.undo}
            >
              Undo
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              disabled={!history.canRedo}
              aria-keyshortcuts="Control+Shift+Z Control+Y"
              onClick={history.redo}
            >
              Redo
            </button>
            {hotkeys ? (
              <button
                type="button"
                className="button button-secondary button-small"
                aria-keyshortcuts="Shift+?"
                onClick={() => setHelp(true)}
              >
                Shortcuts
              </button>
            ) : null}
          </div>
        ) : null}
        {help ? <ShortcutsDialog config={config} onClose={() => setHelp(false)} /> : null}
        <div className={hasRegions ? "lc-layout lc-layout-panel" : "lc-layout"}>
          <div className="lc-main">
            <NodeView node={config.root} />
            <div className="lc-notice" role="status">
              {notice}
            </div>
          </div>
          {hasRegions ? <SidePanel /> : null}
        </div>
      </div>
    </EditorContext.Provider>
  );
}

/** ShortcutsDialog lists the editor's keyboard shortcuts, with the config's own hotkeys. */
function ShortcutsDialog({ config, onClose }: { config: LabelConfig; onClose(): void }) {
  // Each key is its own <kbd>; what qualifies them is plain text, so nothing long wraps inside a key cap.
  const keys: { keys: string[]; note?: string; action: string }[] = [
    { keys: ["Ctrl+Enter"], action: "Submit or update the annotation" },
    { keys: ["Ctrl+Space"], action: "Skip the task" },
    { keys: ["Ctrl+Z"], action: "Undo" },
    { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], action: "Redo" },
    { keys: ["Alt+→", "Alt+←"], action: "Select the next or previous region" },
    { keys: ["Arrows"], note: "with Shift: farther", action: "Move the selected region on an image" },
    {
      keys: ["←", "→"],
      note: "on a span's edge handle",
      action: 'Move that edge of the selected text span (a word with granularity="word")',
    },
    { keys: ["Backspace", "Delete"], action: "Delete the selected region (unless locked)" },
    { keys: ["Alt+R"], action: "Start a relation from the selected region; then select its target" },
    { keys: ["Escape"], action: "Let go of the selected region, or cancel a shape being drawn" },
    { keys: ["Enter"], action: "Close the polygon being drawn" },
    { keys: ["Space"], note: "held over the image", action: "Pan the image" },
    { keys: ["Alt+click"], note: "on a vertex", action: "Remove a polygon vertex" },
    { keys: ["?"], action: "Show these shortcuts" },
  ];
  for (const control of config.controls) {
    for (const option of control.options) {
      if (option.hotkey) keys.push({ keys: [option.hotkey], action: `${control.name}: ${option.label}` });
    }
  }
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="lc-shortcuts">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((row) => (
            <tr key={`${row.keys.join(" ")} ${row.action}`}>
              <td>
                {row.keys.map((key, i) => (
                  <Fragment key={key}>
                    {i > 0 ? " " : null}
                    <kbd>{key}</kbd>
                  </Fragment>
                ))}
                {row.note ? <span className="muted"> {row.note}</span> : null}
              </td>
              <td>{row.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

function NodeView({ node }: { node: ConfigNode }): ReactNode {
  const editor = useEditor();
  const children = () => node.children.map((child) => <NodeView key={child.key} node={child} />);
  if (attr(node, "visibleWhen")) {
    const selected = editor.result.find((item): item is RegionItem => isRegion(item) && item.id === editor.selected) ?? null;
    if (!shown(node, editor.result, selected)) return null;
  }
  switch (node.tag) {
    case "View":
      return <div className={flexLayout(node) ? "lc-view lc-row" : "lc-view"}>{children()}</div>;
    case "Header": {
      const text = substitute(attr(node, "value") || node.text, editor.data);
      return text ? <h3 className="lc-header">{text}</h3> : null;
    }
    case "Filter":
    case "Style": // accepted from Label Studio's configs; its CSS is not applied
      return null;
    case "Text":
    case "HyperText":
    case "Image":
    case "Paragraphs":
    case "Audio":
    case "Table": {
      const object = editor.config.objects.find((o) => o.node === node);
      if (!object) return null;
      if (node.tag === "Table") return <TableObject object={object} />;
      if (node.tag === "Audio") return <AudioObject object={object} />;
      if (node.tag === "Text") return <TextObject object={object} />;
      if (node.tag === "Paragraphs") return <ParagraphsObject object={object} />;
      if (node.tag === "Image") return <ImageObject object={object} />;
      if (editor.config.controls.some((c) => c.tag === "HyperTextLabels" && c.toName.includes(object.name))) {
        return <LabeledHyperTextObject object={object} />;
      }
      return <HyperTextObject object={object} />;
    }
    default: {
      const control = editor.config.controls.find((c) => c.node === node);
      if (!control) {
        return (
          <p className="message message-info">
            Gloss cannot show the &lt;{node.tag}&gt; tag here.
          </p>
        );
      }
      return <ControlView control={control} />;
    }
  }
}

/** perRegionAudio reports whether a control is a per-region TextArea of audio only. */
function perRegionAudio(control: ControlInfo, config: LabelConfig): boolean {
  return (
    isTrue(attr(control.node, "perRegion")) &&
    control.toName.length > 0 &&
    control.toName.every((name) => config.objects.some((o) => o.name === name && o.tag === "Audio"))
  );
}

function ControlView({ control }: { control: ControlInfo }) {
  const { config } = useEditor();
  switch (control.tag) {
    case "Choices":
      return <ChoicesControl control={control} />;
    case "Labels":
    case "RectangleLabels":
    case "PolygonLabels":
    case "KeyPointLabels":
    case "EllipseLabels":
    case "ParagraphLabels":
    case "HyperTextLabels":
    case "BrushLabels":
      return <LabelsPicker control={control} />;
    case "TextArea":
      // A per-region transcription of audio is edited under the audio, for the selected segment.
      if (perRegionAudio(control, config)) return null;
      return <TextAreaControl control={control} />;
    case "Rating":
      return <RatingControl control={control} />;
    case "Number":
      return <NumberControl control={control} />;
    case "DateTime":
      return <DateTimeControl control={control} />;
    case "Taxonomy":
      return <TaxonomyControl control={control} />;
    case "Relations":
      return <RelationsControl control={control} />;
  }
}

/**
 * HyperTextObject shows HTML from the task in an iframe with an empty
 * sandbox: no scripts, no forms, no same-origin access, so nothing in it can
 * reach the app.
 */
function HyperTextObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const html = asText(objectValue(object.value, editor.data));
  const spans = editor.config.controls.some((c) => c.tag === "Labels" && c.toName.includes(object.name));
  return (
    <div className="lc-object">
      <iframe
        className="lc-hypertext"
        sandbox=""
        srcDoc={html}
        title={`HTML content (${object.name})`}
        referrerPolicy="no-referrer"
      />
      {spans && !editor.readOnly ? (
        <p className="field-hint">Gloss does not label spans inside HTML yet; the other controls work as usual.</p>
      ) : null}
    </div>
  );
}

/** maxTableRows is the most rows a Table shows: a crafted task of 1 MiB could hold 100,000 keys. */
const maxTableRows = 1000;

/**
 * TableObject shows a data field that is an object (or JSON text of one)
 * as a table of its keys and values, as Label Studio's Table does; values
 * that are not text are shown as JSON. Everything is drawn as text.
 */
function TableObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  // Parsed once per task, not on every edit of the annotation.
  const value = useMemo(() => {
    const raw = objectValue(object.value, editor.data);
    if (typeof raw !== "string") return raw;
    try {
      return JSON.parse(raw) as JsonValue;
    } catch {
      return raw; // shown as it is, below
    }
  }, [object.value, editor.data]);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return (
      <div className="lc-object">
        <p className="lc-table-text">{asText(value ?? "")}</p>
      </div>
    );
  }
  const rows = Object.entries(value);
  return (
    <div className="lc-object">
      <table className="lc-table" aria-label={`Table (${object.name})`}>
        <tbody>
          {rows.slice(0, maxTableRows).map(([key, cell]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{typeof cell === "string" ? cell : JSON.stringify(cell)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > maxTableRows ? (
        <p className="field-hint" role="note">{`${rows.length - maxTableRows} of the ${rows.length} rows are not shown: a table shows at most ${maxTableRows}.`}</p>
      ) : null}
    </div>
  );
}

/** toggled adds ids to a set, or takes them out. */
function toggled(current: ReadonlySet<string>, ids: readonly string[], on: boolean): ReadonlySet<string> {
  const next = new Set(current);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

function RelationsControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const regions = useRegions();
  const relations = editor.result.filter(isRelation);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [label, setLabel] = useState("");
  const base = `${editor.idPrefix}-relation`;

  function add() {
    if (!from || !to || from === to) {
      editor.notify("Choose two different regions to relate.");
      return;
    }
    const relation: RelationItem = {
      id: newId(),
      type: "relation",
      from_id: from,
      to_id: to,
      direction: "right",
      labels: label ? [label] : [],
    };
    editor.update((current) => [...current, relation]);
    setFrom("");
    setTo("");
  }

  return (
    <fieldset className="lc-control lc-relations">
      <legend>Relations</legend>
      {relations.length === 0 ? (
        <p className="muted">No relations yet.</p>
      ) : (
        <ol className="lc-relation-list">
          {relations.map((relation, i) => (
            <li key={relation.id}>
              <span>
                {regionName(regions, relation.from_id)} → {regionName(regions, relation.to_id)}
                {relation.labels.length > 0 ? <strong> ({relation.labels.join(", ")})</strong> : null}
              </span>
              {!editor.readOnly ? (
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  aria-label={`Delete relation ${i + 1}`}
                  onClick={() => editor.update((current) => current.filter((item) => item !== relation))}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {!editor.readOnly && regions.length >= 2 ? (
        <div className="lc-relation-form">
          <div className="field">
            <label htmlFor={`${base}-from`}>From region</label>
            <select id={`${base}-from`} value={from} onChange={(event) => setFrom(event.target.value)}>
              <option value="">Choose…</option>
              {regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {regionName(regions, r.id)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${base}-to`}>To region</label>
            <select id={`${base}-to`} value={to} onChange={(event) => setTo(event.target.value)}>
              <option value="">Choose…</option>
              {regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {regionName(regions, r.id)}
                </option>
              ))}
            </select>
          </div>
          {control.options.length > 0 ? (
            <div className="field">
              <label htmlFor={`${base}-label`}>Relation label</label>
              <select id={`${base}-label`} value={label} onChange={(event) => setLabel(event.target.value)}>
                <option value="">None</option>
                {control.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <button type="button" className="button button-secondary" onClick={add}>
            Add relation
          </button>
        </div>
      ) : null}
      {!editor.readOnly && regions.length < 2 ? (
        <p className="field-hint">Make at least two regions to relate them.</p>
      ) : null}
    </fieldset>
  );
}
