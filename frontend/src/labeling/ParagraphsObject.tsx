// A Paragraphs object: a dialogue from the task (a list of {author, text},
// keys as the config's nameKey and textKey say), shown as plain text, one
// line per paragraph, with ParagraphLabels spans highlighted. A span is made
// by selecting text across one or more lines; it is stored as Label Studio
// stores it: start and end are paragraph indexes (as strings), startOffset
// and endOffset count UTF-16 code units inside those paragraphs' texts.
// The selected span's edges can be dragged (across lines too) or moved with
// the arrow keys, as in every text object (spans.tsx).
// Relations between spans are drawn over the dialogue (SpanRelations).
import { useRef } from "react";

import type { JsonValue } from "../api.ts";
import { asText, attr, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { isRegion, num } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";
import { offsetIn, SpanText, useSpanEdges, type Span } from "./spans.tsx";

interface Paragraph {
  author: string;
  text: string;
}

/** paragraphsOf reads the dialogue, or null when the data is not a list of objects. */
function paragraphsOf(value: JsonValue | undefined, nameKey: string, textKey: string): Paragraph[] | null {
  if (!Array.isArray(value)) return null;
  const out: Paragraph[] = [];
  for (const entry of value) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return null;
    out.push({ author: asText(entry[nameKey]), text: asText(entry[textKey]) });
  }
  return out;
}

/** index reads a paragraph index, a string ("3") as Label Studio writes it or a number. */
function index(value: JsonValue | undefined): number | null {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : num(value);
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}

function lineOf(node: Node): HTMLElement | null {
  const element = node instanceof HTMLElement ? node : node.parentElement;
  return element?.closest<HTMLElement>(".lc-paragraph-text") ?? null;
}

/**
 * Lines is the dialogue's text as one string, the lines joined by "\n",
 * with where each line starts in it, so a span crossing lines is one
 * stretch of it.
 */
class Lines {
  readonly text: string;
  readonly starts: number[] = [];
  constructor(readonly paragraphs: readonly Paragraph[]) {
    let at = 0;
    for (const p of paragraphs) {
      this.starts.push(at);
      at += p.text.length + 1;
    }
    this.text = paragraphs.map((p) => p.text).join("\n");
  }

  /** offset is the place in text of an offset into line i. */
  offset(i: number, offset: number): number {
    return (this.starts[i] ?? 0) + Math.min(offset, this.paragraphs[i]?.text.length ?? 0);
  }

  /** place is the line, and the offset in it, of a place in text. */
  place(offset: number): [number, number] {
    let i = 0;
    while (i + 1 < this.starts.length && (this.starts[i + 1] ?? 0) <= offset) i++;
    return [i, offset - (this.starts[i] ?? 0)];
  }

  /** value is a span from start to end in Label Studio's shape: line indexes as strings, offsets in them. */
  value(start: number, end: number): { start: string; end: string; startOffset: number; endOffset: number; text: string } {
    const [first, startOffset] = this.place(start);
    const [last, endOffset] = this.place(end);
    return { start: String(first), end: String(last), startOffset, endOffset, text: this.text.slice(start, end) };
  }
}

export function ParagraphsObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  const nameKey = attr(object.node, "nameKey") || "author";
  const textKey = attr(object.node, "textKey") || "text";
  const paragraphs = paragraphsOf(objectValue(object.value, editor.data), nameKey, textKey);
  const lines = new Lines(paragraphs ?? []);
  const labelControls = editor.config.controls.filter((c) => c.tag === "ParagraphLabels" && c.toName.includes(object.name));
  const canLabel = !editor.readOnly && labelControls.length > 0;

  const spans: Span[] = [];
  for (const item of editor.result) {
    if (!isRegion(item) || item.type !== "paragraphlabels" || item.to_name !== object.name || editor.hidden.has(item.id)) continue;
    const [start, end] = [index(item.value.start), index(item.value.end)];
    const [so, eo] = [num(item.value.startOffset), num(item.value.endOffset)];
    if (start === null || end === null || so === null || eo === null || end < start || end >= lines.paragraphs.length) continue;
    const [from, to] = [lines.offset(start, so), lines.offset(end, eo)];
    if (to > from) spans.push({ item, start: from, end: to });
  }
  const edges = useSpanEdges({
    root: ref,
    text: lines.text,
    spans,
    canEdit: canLabel,
    words: labelControls.some((c) => attr(c.node, "granularity") === "word"),
    offsetAt: (node, offset) => {
      const line = lineOf(node);
      return line && ref.current?.contains(line) ? lines.offset(Number(line.dataset.index), offsetIn(line, node, offset)) : null;
    },
    valueAt: (start, end) => lines.value(start, end),
  });

  if (paragraphs === null) {
    return (
      <p className="message message-error lc-object" role="alert">
        The dialogue for “{object.name}” must be a list of objects with “{nameKey}” and “{textKey}”.
      </p>
    );
  }

  function handleMouseUp() {
    if (!canLabel) return;
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const first = lineOf(range.startContainer);
    const last = lineOf(range.endContainer);
    if (!first || !last || !ref.current?.contains(first) || !ref.current.contains(last)) {
      editor.notify("Select text inside the lines of the dialogue, not the names.");
      return;
    }
    const start = lines.offset(Number(first.dataset.index), offsetIn(first, range.startContainer, range.startOffset));
    const end = lines.offset(Number(last.dataset.index), offsetIn(last, range.endContainer, range.endOffset));
    if (end <= start) return;
    if (editor.addRegion(object.name, ["ParagraphLabels"], lines.value(start, end))) {
      edges.spanMade();
      selection.removeAllRanges();
    }
  }

  const classes = [
    "lc-object lc-paragraphs lc-text-stage",
    canLabel ? "lc-text-selectable" : "",
    edges.dragging ? "lc-text-dragging" : "",
  ];
  return (
    <div
      ref={ref}
      className={classes.filter(Boolean).join(" ")}
      aria-label={`Dialogue (${object.name})`}
      role="group"
      onMouseUp={handleMouseUp}
      {...edges.stage}
    >
      {paragraphs.map((p, i) => (
        <p key={i} className="lc-paragraph">
          <strong className="lc-paragraph-author">{p.author}</strong>{" "}
          <span className="lc-paragraph-text" data-index={i}>
            <SpanText text={p.text} at={lines.offset(i, 0)} edges={edges} />
          </span>
        </p>
      ))}
      {canLabel ? (
        <p className="field-hint">Choose a label, then select text in one or more lines to label it.</p>
      ) : null}
      <SpanRelations stage={ref} name={object.name} />
    </div>
  );
}
