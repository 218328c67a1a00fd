// A Text object: the task's text, shown as text, with its labeled spans
// highlighted. Spans are made by selecting text with the mouse, or with the
// Start and End fields (which follow the selection) and "Add span", before
// or after choosing a label: a selection made with no label chosen waits,
// highlighted, and is labeled when a label is picked. Results store offsets
// in Unicode code points, as Label Studio's exports and Python's
// text[start:end] count them (and the server checks them); inside this
// component offsets are JavaScript's UTF-16 indices, converted at the edge
// (toUnits when reading a result, toCodePoints when writing one, and the
// Start and End fields show code points). The element holds exactly the data
// string, split into text nodes at span edges, so the length of a DOM range's
// text is the UTF-16 offset. The pieces, and the selected span's edge
// handles, are drawn as for every text object (spans.tsx). Relations between
// spans are drawn over the text (SpanRelations).
import { useEffect, useRef, useState, type FormEvent } from "react";

import { Field } from "../components/Field.tsx";
import { asText, attr, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { isRegion, num } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";
import { offsetIn, SpanText, trimSpan, useSpanEdges, type Span } from "./spans.tsx";

/** selectionOffsets is the part of the page's selection inside root, as text offsets, or null. */
function selectionOffsets(root: HTMLElement | null, length: number): { start: number; end: number } | null {
  const selection = window.getSelection();
  if (!root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const start = root.contains(range.startContainer) ? offsetIn(root, range.startContainer, range.startOffset) : 0;
  const end = root.contains(range.endContainer) ? offsetIn(root, range.endContainer, range.endOffset) : length;
  return end > start ? { start, end } : null;
}

/** toCodePoints converts a UTF-16 index into text to a code point offset. */
export function toCodePoints(text: string, units: number): number {
  let points = 0;
  for (let i = 0; i < units && i < text.length; points++) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return points;
}

/** toUnits converts a code point offset into text to a UTF-16 index. */
export function toUnits(text: string, points: number): number {
  let i = 0;
  for (let n = 0; n < points && i < text.length; n++) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return i;
}

export function TextObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  /** A selection made before any label was chosen, waiting for one. */
  const [waiting, setWaiting] = useState<{ start: number; end: number } | null>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const value = objectValue(object.value, editor.data);
  const text = asText(value);
  const labelControls = editor.config.controls.filter((c) => c.tag === "Labels" && c.toName.includes(object.name));
  const canLabel = labelControls.length > 0 && !editor.readOnly;
  const words = labelControls.some((c) => attr(c.node, "granularity") === "word");
  const textObjects = editor.config.objects.filter((o) => o.tag === "Text").length;
  const suffix = textObjects > 1 ? ` (${object.name})` : "";
  const isLink = /^url$/i.test(attr(object.node, "valueType"));

  const points = [...text].length;
  const spans: Span[] = [];
  for (const item of editor.result) {
    if (!isRegion(item) || item.type !== "labels" || item.to_name !== object.name || editor.hidden.has(item.id)) continue;
    const s = num(item.value.start);
    const e = num(item.value.end);
    if (s === null || e === null || s < 0 || e > points || e <= s) continue;
    spans.push({ item, start: toUnits(text, s), end: toUnits(text, e) });
  }
  const edges = useSpanEdges({
    root: ref,
    text,
    spans,
    canEdit: canLabel,
    words,
    offsetAt: (node, offset) => (ref.current ? offsetIn(ref.current, node, offset) : null),
    valueAt: (from, to) => ({ start: toCodePoints(text, from), end: toCodePoints(text, to), text: text.slice(from, to) }),
    ariaValue: (offset) => toCodePoints(text, offset),
  });

  // The Start and End fields follow whatever is selected in this text.
  useEffect(() => {
    if (!canLabel) return;
    function handleSelectionChange() {
      const offsets = selectionOffsets(ref.current, text.length);
      if (offsets) {
        setStart(String(toCodePoints(text, offsets.start)));
        setEnd(String(toCodePoints(text, offsets.end)));
      }
    }
    document.addEventListener("selectionchange", handleSelectionChange);
    return () => document.removeEventListener("selectionchange", handleSelectionChange);
  }, [canLabel, text]);

  const labelControl = canLabel && !isLink ? editor.activeControl(object.name, ["Labels"]) : null;

  // A label picked while a selection waits labels it.
  useEffect(() => {
    if (!waiting || !labelControl) return;
    setWaiting(null);
    editor.addRegion(object.name, ["Labels"], {
      start: toCodePoints(text, waiting.start),
      end: toCodePoints(text, waiting.end),
      text: text.slice(waiting.start, waiting.end),
    });
  }, [waiting, labelControl, editor, object.name, text]);

  // Escape lets a waiting selection go.
  useEffect(() => {
    if (!waiting) return;
    function handleKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape") setWaiting(null);
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [waiting]);

  if (isLink) {
    return (
      <p className="message message-info">
        This text is stored at a link, which Gloss does not open in the editor: <span className="mono">{text}</span>
      </p>
    );
  }

  // addSpan labels text from..to with the chosen label; with none chosen,
  // the span waits for one.
  function addSpan(from: number, to: number): boolean {
    const [s, e] = trimSpan(text, from, to, words);
    if (e <= s) return false;
    if (!labelControl) {
      setWaiting({ start: s, end: e });
      editor.notify(`“${text.slice(s, e)}” is selected: choose a label for it.`);
      return true;
    }
    setWaiting(null);
    return editor.addRegion(object.name, ["Labels"], {
      start: toCodePoints(text, s),
      end: toCodePoints(text, e),
      text: text.slice(s, e),
    });
  }

  function handleMouseUp() {
    if (!canLabel) return;
    const offsets = selectionOffsets(ref.current, text.length);
    if (offsets && addSpan(offsets.start, offsets.end)) {
      edges.spanMade();
      window.getSelection()?.removeAllRanges();
      setStart("");
      setEnd("");
    }
  }

  function handleAdd(event: FormEvent) {
    event.preventDefault();
    const s = Number(start);
    const e = Number(end);
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > points || e <= s) {
      editor.notify(`Start and End must be whole numbers with 0 ≤ Start < End ≤ ${points}.`);
      return;
    }
    if (addSpan(toUnits(text, s), toUnits(text, e))) {
      setStart("");
      setEnd("");
    }
  }

  const textClasses = ["lc-text", canLabel ? "lc-text-selectable" : "", edges.dragging ? "lc-text-dragging" : ""];
  return (
    <div className="lc-object lc-text-object">
      <div ref={stageRef} className="lc-text-stage">
        <div ref={ref} className={textClasses.filter(Boolean).join(" ")} onMouseUp={handleMouseUp} {...edges.stage}>
          <SpanText text={text} at={0} edges={edges} waiting={waiting} />
        </div>
        <SpanRelations stage={stageRef} name={object.name} />
      </div>
      {canLabel ? (
        <form className="lc-span-form" onSubmit={handleAdd} aria-label={`Add a span by offsets${suffix}`}>
          <Field
            id={`${editor.idPrefix}-${object.name}-start`}
            label={`Start${suffix}`}
            type="number"
            inputMode="numeric"
            min={0}
            max={points}
            value={start}
            onValueChange={setStart}
          />
          <Field
            id={`${editor.idPrefix}-${object.name}-end`}
            label={`End${suffix}`}
            type="number"
            inputMode="numeric"
            min={0}
            max={points}
            value={end}
            onValueChange={setEnd}
          />
          <button type="submit" className="button button-secondary">
            Add span
          </button>
          <p className="field-hint">
            Select text with the mouse, or type offsets (0 to {points}) and press Add span; choose a label
            before or after.
          </p>
        </form>
      ) : null}
    </div>
  );
}
