// A Paragraphs object: a dialogue from the task (a list of {author, text},
// keys as the config's nameKey and textKey say), shown as plain text, one
// line per paragraph, with ParagraphLabels spans highlighted. A span is made
// by selecting text across one or more lines; it is stored as Label Studio
// stores it: start and end are paragraph indexes (as strings), startOffset
// and endOffset count UTF-16 code units inside those paragraphs' texts.
// Relations between spans are drawn over the dialogue (SpanRelations).
import { useRef, type ReactNode } from "react";

import type { JsonValue } from "../api.ts";
import { asText, attr, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { isRegion, labelsOf, num, type RegionItem } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";

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

/** offsetIn is the number of UTF-16 code units of text in root before (node, offset). */
function offsetIn(root: Node, node: Node, offset: number): number {
  const range = document.createRange();
  range.selectNodeContents(root);
  range.setEnd(node, offset);
  return range.toString().length;
}

function lineOf(node: Node): HTMLElement | null {
  const element = node instanceof HTMLElement ? node : node.parentElement;
  return element?.closest<HTMLElement>(".lc-paragraph-text") ?? null;
}

interface Span {
  item: RegionItem;
  start: number;
  end: number;
  startOffset: number;
  endOffset: number;
}

export function ParagraphsObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  const madeSpan = useRef(false);
  const nameKey = attr(object.node, "nameKey") || "author";
  const textKey = attr(object.node, "textKey") || "text";
  const paragraphs = paragraphsOf(objectValue(object.value, editor.data), nameKey, textKey);
  const canLabel =
    !editor.readOnly &&
    editor.config.controls.some((c) => c.tag === "ParagraphLabels" && c.toName.includes(object.name));

  if (paragraphs === null) {
    return (
      <p className="message message-error lc-object" role="alert">
        The dialogue for “{object.name}” must be a list of objects with “{nameKey}” and “{textKey}”.
      </p>
    );
  }

  const spans: Span[] = [];
  for (const item of editor.result) {
    if (!isRegion(item) || item.type !== "paragraphlabels" || item.to_name !== object.name || editor.hidden.has(item.id)) continue;
    const [start, end] = [index(item.value.start), index(item.value.end)];
    const [so, eo] = [num(item.value.startOffset), num(item.value.endOffset)];
    if (start === null || end === null || so === null || eo === null || end < start || end >= paragraphs.length) continue;
    spans.push({ item, start, end, startOffset: so, endOffset: eo });
  }

  function handleMouseUp() {
    if (!canLabel || !paragraphs) return;
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    const first = lineOf(range.startContainer);
    const last = lineOf(range.endContainer);
    if (!first || !last || !ref.current?.contains(first) || !ref.current.contains(last)) {
      editor.notify("Select text inside the lines of the dialogue, not the names.");
      return;
    }
    const start = Number(first.dataset.index);
    const end = Number(last.dataset.index);
    const startOffset = offsetIn(first, range.startContainer, range.startOffset);
    const endOffset = offsetIn(last, range.endContainer, range.endOffset);
    if (end < start || (start === end && endOffset <= startOffset)) return;
    const parts = paragraphs.slice(start, end + 1).map((p, i) => {
      const from = i === 0 ? startOffset : 0;
      const to = start + i === end ? endOffset : p.text.length;
      return p.text.slice(from, to);
    });
    const added = editor.addRegion(object.name, ["ParagraphLabels"], {
      start: String(start),
      end: String(end),
      startOffset,
      endOffset,
      text: parts.join("\n"),
    });
    if (added) {
      madeSpan.current = true;
      selection.removeAllRanges();
    }
  }

  // pieces cuts one paragraph's text at the edges of the spans over it.
  function pieces(i: number, text: string): ReactNode[] {
    const over = spans
      .filter((s) => s.start <= i && i <= s.end)
      .map((s) => ({
        item: s.item,
        from: Math.min(i === s.start ? s.startOffset : 0, text.length),
        to: Math.min(i === s.end ? s.endOffset : text.length, text.length),
        ends: i === s.end,
      }))
      .filter((s) => s.to > s.from);
    const edges = new Set<number>([0, text.length]);
    for (const s of over) {
      edges.add(s.from);
      edges.add(s.to);
    }
    const cuts = [...edges].sort((a, b) => a - b);
    return cuts.slice(0, -1).map((from, k) => {
      const to = cuts[k + 1] ?? text.length;
      const piece = text.slice(from, to);
      const covering = over.filter((s) => s.from <= from && s.to >= to);
      if (covering.length === 0) return piece;
      const top = covering[covering.length - 1]!;
      const labels = covering
        .filter((s) => s.ends && s.to === to)
        .map((s) => labelsOf(s.item).join(", "))
        .join(" · ");
      const selected = covering.some((s) => s.item.id === editor.selected);
      return (
        <mark
          key={`${from}-${to}`}
          className={selected ? "lc-span lc-span-selected" : "lc-span"}
          style={colorStyle(editor.colorOf(top.item.from_name, labelsOf(top.item)[0] ?? ""))}
          data-label={labels || undefined}
          data-region-ids={covering.map((s) => s.item.id).join(" ")}
          onClick={() => {
            if (madeSpan.current) {
              madeSpan.current = false;
              return;
            }
            if (window.getSelection()?.isCollapsed !== false) {
              editor.select(top.item.id === editor.selected ? null : top.item.id);
            }
          }}
        >
          {piece}
        </mark>
      );
    });
  }

  return (
    <div
      ref={ref}
      className={canLabel ? "lc-object lc-paragraphs lc-text-stage lc-text-selectable" : "lc-object lc-paragraphs lc-text-stage"}
      aria-label={`Dialogue (${object.name})`}
      role="group"
      onMouseDown={() => {
        madeSpan.current = false;
      }}
      onMouseUp={handleMouseUp}
    >
      {paragraphs.map((p, i) => (
        <p key={i} className="lc-paragraph">
          <strong className="lc-paragraph-author">{p.author}</strong>{" "}
          <span className="lc-paragraph-text" data-index={i}>
            {pieces(i, p.text)}
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
