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
// text is the UTF-16 offset. Span labels are drawn with CSS ::after content,
// and the selected span's edge handles are empty elements, neither of which
// is text in the document, so they never shift an offset. Dragging a handle
// moves that edge to the character boundary under the pointer (whole words
// with granularity="word"); the span changes once, when the drag ends, so a
// drag is one undo step. Relations between spans are drawn over the text
// (SpanRelations).
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent } from "react";

import { Field } from "../components/Field.tsx";
import { asText, attr, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { isRegion, labelsOf, num, type RegionItem } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";

interface Span {
  item: RegionItem;
  start: number;
  end: number;
}

/** offsetIn is the number of UTF-16 code units of text in root before (node, offset). */
function offsetIn(root: Node, node: Node, offset: number): number {
  const range = document.createRange();
  range.selectNodeContents(root);
  range.setEnd(node, offset);
  return range.toString().length;
}

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

/** caretOffset is the text offset (UTF-16) of the character boundary under a screen point in root, or null. */
function caretOffset(root: HTMLElement | null, x: number, y: number): number | null {
  if (!root) return null;
  let node: Node | null = null;
  let offset = 0;
  if (typeof document.caretPositionFromPoint === "function") {
    const position = document.caretPositionFromPoint(x, y);
    if (position) [node, offset] = [position.offsetNode, position.offset];
  } else {
    const range = document.caretRangeFromPoint(x, y);
    if (range) [node, offset] = [range.startContainer, range.startOffset];
  }
  return node && root.contains(node) ? offsetIn(root, node, offset) : null;
}

const wordChar = /[\p{L}\p{N}_]/u;

/**
 * stepEdge moves a span edge at pos one code point in direction dir or,
 * for word granularity, past the next word (and the space before it).
 */
function stepEdge(text: string, pos: number, dir: 1 | -1, words: boolean): number {
  const next = (i: number) =>
    dir > 0
      ? i + ((text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1)
      : i - (i >= 2 && /[\uDC00-\uDFFF]/.test(text[i - 1] ?? "") ? 2 : 1);
  const crossed = (i: number) => (dir > 0 ? text[i] : text[i - 1]) ?? "";
  const inside = (i: number) => (dir > 0 ? i < text.length : i > 0);
  if (!words) return inside(pos) ? next(pos) : pos;
  let i = pos;
  while (inside(i) && !wordChar.test(crossed(i))) i = next(i);
  while (inside(i) && wordChar.test(crossed(i))) i = next(i);
  return i;
}

/** trimSpan drops white space at both ends and, for word granularity, widens to whole words. */
function trimSpan(text: string, start: number, end: number, words: boolean): [number, number] {
  let s = Math.max(0, Math.min(start, text.length));
  let e = Math.max(s, Math.min(end, text.length));
  while (s < e && /\s/.test(text[s] ?? "")) s++;
  while (e > s && /\s/.test(text[e - 1] ?? "")) e--;
  if (words && e > s) {
    while (s > 0 && wordChar.test(text[s - 1] ?? "")) s--;
    while (e < text.length && wordChar.test(text[e] ?? "")) e++;
  }
  return [s, e];
}

export function TextObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  // The click that ends a drag which made a span must not also select the span under it.
  const madeSpan = useRef(false);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  /** A selection made before any label was chosen, waiting for one. */
  const [waiting, setWaiting] = useState<{ start: number; end: number } | null>(null);
  /** The span whose edge is being dragged, where the drag has it so far (UTF-16). */
  const [edge, setEdge] = useState<{ id: string; start: number; end: number } | null>(null);
  /** The drag in progress: which span, its edge that stays, and where the span is so far. */
  const dragging = useRef<{ id: string; fixed: number; start: number; end: number } | null>(null);
  /** The handle to give the focus back to after a keyboard move re-renders the text. */
  const refocus = useRef<"start" | "end" | null>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const value = objectValue(object.value, editor.data);
  const text = asText(value);
  const labelControls = editor.config.controls.filter((c) => c.tag === "Labels" && c.toName.includes(object.name));
  const canLabel = labelControls.length > 0 && !editor.readOnly;
  const words = labelControls.some((c) => attr(c.node, "granularity") === "word");
  const textObjects = editor.config.objects.filter((o) => o.tag === "Text").length;
  const suffix = textObjects > 1 ? ` (${object.name})` : "";

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

  if (/^url$/i.test(attr(object.node, "valueType"))) {
    return (
      <p className="message message-info">
        This text is stored at a link, which Gloss does not open in the editor: <span className="mono">{text}</span>
      </p>
    );
  }

  const points = [...text].length;
  const spans: Span[] = [];
  for (const item of editor.result) {
    if (!isRegion(item) || item.type !== "labels" || item.to_name !== object.name || editor.hidden.has(item.id)) continue;
    const s = num(item.value.start);
    const e = num(item.value.end);
    if (s === null || e === null || s < 0 || e > points || e <= s) continue;
    if (edge?.id === item.id) spans.push({ item, start: edge.start, end: edge.end });
    else spans.push({ item, start: toUnits(text, s), end: toUnits(text, e) });
  }
  // The selected span shows handles on its edges, unless it cannot change.
  const editable =
    canLabel ? (spans.find((span) => span.item.id === editor.selected && !editor.locked.has(span.item.id)) ?? null) : null;

  const labelControl = canLabel ? editor.activeControl(object.name, ["Labels"]) : null;

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

  // moveEdges stores a span's new edges (UTF-16), with its text, as one edit.
  function moveEdges(id: string, from: number, to: number, mergeKey?: string) {
    const [startPoint, endPoint] = [toCodePoints(text, from), toCodePoints(text, to)];
    const item = editor.result.find((r) => r.id === id);
    // An edge let go where it was is no edit.
    if (!item || !isRegion(item) || (item.value.start === startPoint && item.value.end === endPoint)) return;
    const value = { ...item.value, start: startPoint, end: endPoint, text: text.slice(from, to) };
    editor.update((result) => result.map((r) => (r.id === id && isRegion(r) ? { ...r, value } : r)), mergeKey);
  }

  function beginEdge(event: PointerEvent<HTMLSpanElement>, span: Span, which: "start" | "end") {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    ref.current?.setPointerCapture(event.pointerId);
    dragging.current = { id: span.item.id, fixed: which === "start" ? span.end : span.start, start: span.start, end: span.end };
    setEdge({ id: span.item.id, start: span.start, end: span.end });
  }

  function handlePointerMove(event: PointerEvent<HTMLDivElement>) {
    const drag = dragging.current;
    if (!drag) return;
    const at = caretOffset(ref.current, event.clientX, event.clientY);
    if (at === null || at === drag.fixed) return;
    // Dragged past the other edge, the span turns around it.
    const [s, e] = trimSpan(text, Math.min(at, drag.fixed), Math.max(at, drag.fixed), words);
    if (e <= s) return;
    dragging.current = { ...drag, start: s, end: e };
    setEdge({ id: drag.id, start: s, end: e });
  }

  function handlePointerUp(event: PointerEvent<HTMLDivElement>) {
    const drag = dragging.current;
    if (!drag) return;
    dragging.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    // The click that ends the drag must not also select or let go of a span.
    madeSpan.current = true;
    setEdge(null);
    moveEdges(drag.id, drag.start, drag.end);
  }

  // The arrow keys move a focused handle's edge a character (or a word) at a time; a run of presses is one undo step.
  function handleEdgeKey(event: ReactKeyboardEvent<HTMLSpanElement>, span: Span, which: "start" | "end") {
    const dir = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
    if (dir === 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    event.stopPropagation();
    let pos = which === "start" ? span.start : span.end;
    for (;;) {
      const next = stepEdge(text, pos, dir, words);
      if (next === pos) return;
      pos = next;
      const [s, e] = which === "start" ? trimSpan(text, pos, span.end, words) : trimSpan(text, span.start, pos, words);
      if (e <= s || (which === "start" && pos >= span.end) || (which === "end" && pos <= span.start)) return;
      // White space at an edge is trimmed away: keep going until the edge really moves.
      if (s !== span.start || e !== span.end) {
        refocus.current = which;
        moveEdges(span.item.id, s, e, `span-edge:${span.item.id}`);
        return;
      }
    }
  }

  useEffect(() => {
    const which = refocus.current;
    if (!which) return;
    refocus.current = null;
    ref.current?.querySelector<HTMLElement>(`[data-edge="${which}"]`)?.focus();
  });

  function edgeHandle(span: Span, which: "start" | "end") {
    return (
      <span
        key={`edge-${which}`}
        className={`lc-span-handle lc-span-handle-${which}`}
        data-edge={which}
        role="slider"
        tabIndex={0}
        aria-label={which === "start" ? "Start of the selected span" : "End of the selected span"}
        aria-orientation="horizontal"
        aria-valuemin={0}
        aria-valuemax={points}
        aria-valuenow={toCodePoints(text, which === "start" ? span.start : span.end)}
        onPointerDown={(event) => beginEdge(event, span, which)}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => handleEdgeKey(event, span, which)}
      />
    );
  }

  function handleMouseUp() {
    if (!canLabel) return;
    const offsets = selectionOffsets(ref.current, text.length);
    if (offsets && addSpan(offsets.start, offsets.end)) {
      madeSpan.current = true;
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

  // Cut the text at every span edge; each piece knows the spans covering it.
  const edges = new Set<number>([0, text.length]);
  if (waiting) {
    edges.add(waiting.start);
    edges.add(waiting.end);
  }
  for (const span of spans) {
    edges.add(span.start);
    edges.add(span.end);
  }
  const cuts = [...edges].sort((a, b) => a - b);
  const pieces = cuts.slice(0, -1).map((from, i) => {
    const to = cuts[i + 1] ?? text.length;
    const covering = spans.filter((span) => span.start <= from && span.end >= to);
    const piece = text.slice(from, to);
    const isWaiting = waiting !== null && waiting.start <= from && waiting.end >= to;
    if (covering.length === 0) {
      return isWaiting ? (
        <mark key={`${from}-${to}`} className="lc-span lc-span-waiting">
          {piece}
        </mark>
      ) : (
        piece
      );
    }
    const top = covering[covering.length - 1]!;
    const ending = covering.filter((span) => span.end === to);
    const labels = ending.map((span) => labelsOf(span.item).join(", ")).join(" · ");
    const selected = covering.some((span) => span.item.id === editor.selected);
    const classes = [
      "lc-span",
      covering.length > 1 ? "lc-span-overlap" : "",
      selected ? "lc-span-selected" : "",
      isWaiting ? "lc-span-waiting" : "",
    ];
    const handled = editable !== null && covering.includes(editable);
    return (
      <mark
        key={`${from}-${to}`}
        className={classes.filter(Boolean).join(" ")}
        style={colorStyle(editor.colorOf(top.item.from_name, labelsOf(top.item)[0] ?? ""))}
        data-label={labels || undefined}
        data-region-ids={covering.map((span) => span.item.id).join(" ")}
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
        {handled && editable.start === from ? edgeHandle(editable, "start") : null}
        {piece}
        {handled && editable.end === to ? edgeHandle(editable, "end") : null}
      </mark>
    );
  });

  const textClasses = ["lc-text", canLabel ? "lc-text-selectable" : "", edge ? "lc-text-dragging" : ""];
  return (
    <div className="lc-object lc-text-object">
      <div ref={stageRef} className="lc-text-stage">
        <div
          ref={ref}
          className={textClasses.filter(Boolean).join(" ")}
          onMouseDown={() => {
            madeSpan.current = false;
          }}
          onMouseUp={handleMouseUp}
          onPointerMove={handlePointerMove}
          onPointerUp={handlePointerUp}
          onPointerCancel={() => {
            dragging.current = null;
            setEdge(null);
          }}
        >
          {pieces}
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
