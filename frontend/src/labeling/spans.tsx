// Labeled spans of text, shared by the objects that show text (Text,
// HyperText, Paragraphs). Each object reads its text as one string (Text its
// data, HyperText the text of its sanitized HTML, Paragraphs its lines joined
// by "\n") and places spans in it by UTF-16 offsets into that string,
// converting to its result's shape at the edge (valueAt). SpanText draws a
// stretch of that string (all of it, one text node of the HTML, one line)
// cut at span edges, each piece a <mark> knowing the spans over it.
// useSpanEdges gives the selected span a handle at each edge: dragging one
// moves that edge to the character boundary under the pointer (whole words
// with granularity="word"; dragged past the other edge, the span turns
// around it; it never becomes empty), a focused handle moves with the arrow
// keys, and a drag, or a run of key presses, is one undo step: the span
// changes once, when the drag ends. Handles are empty elements and span
// labels are CSS ::after content, so neither is text in the document and
// offsets read from the page stay offsets into the string.
import {
  useEffect,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type PointerEvent,
  type ReactNode,
  type RefObject,
} from "react";

import type { JsonValue } from "../api.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { isRegion, labelsOf, type RegionItem } from "./result.ts";

/** A span of an object's text: UTF-16 offsets into the string the object shows. */
export interface Span {
  item: RegionItem;
  start: number;
  end: number;
}

/** offsetIn is the number of UTF-16 code units of text in root before (node, offset). */
export function offsetIn(root: Node, node: Node, offset: number): number {
  const range = document.createRange();
  range.selectNodeContents(root);
  range.setEnd(node, offset);
  return range.toString().length;
}

/** caretAt is the place in the document of the character boundary under a screen point, or null. */
function caretAt(x: number, y: number): { node: Node; offset: number } | null {
  if (typeof document.caretPositionFromPoint === "function") {
    const position = document.caretPositionFromPoint(x, y);
    return position ? { node: position.offsetNode, offset: position.offset } : null;
  }
  const range = document.caretRangeFromPoint(x, y);
  return range ? { node: range.startContainer, offset: range.startOffset } : null;
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
export function trimSpan(text: string, start: number, end: number, words: boolean): [number, number] {
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

type Which = "start" | "end";

interface EdgeOptions {
  /** The element holding the text (and the handles); it captures the pointer during a drag. */
  root: RefObject<HTMLElement | null>;
  /** The object's text as one string. */
  text: string;
  /** The spans shown, where the result has them. */
  spans: readonly Span[];
  /** Whether spans can change here (a labels control, not read-only). */
  canEdit: boolean;
  /** Whole words (granularity="word") rather than characters. */
  words: boolean;
  /** offsetAt is the offset into text of a place in root's document, or null if it is not in the text. */
  offsetAt(node: Node, offset: number): number | null;
  /** valueAt is what a span from start to end stores in its value (offsets in the result's shape, text). */
  valueAt(start: number, end: number): { [key: string]: JsonValue } | null;
  /** ariaValue is how a handle tells its place (aria-valuenow); the offset itself unless given. */
  ariaValue?: (offset: number) => number;
}

export interface SpanEdges {
  /** The spans shown, the one being dragged where the drag has it so far. */
  spans: Span[];
  /** The selected span, if it can change: it has the handles. */
  editable: Span | null;
  /** handle is the element for one edge of the editable span. */
  handle(which: Which): ReactNode;
  /** Whether a handle is being dragged. */
  dragging: boolean;
  /** Events of the element holding the text (root). */
  stage: {
    onMouseDown(): void;
    onPointerMove(event: PointerEvent<HTMLElement>): void;
    onPointerUp(event: PointerEvent<HTMLElement>): void;
    onPointerCancel(): void;
  };
  /** spanMade says a gesture ending now made a span, so its click must not also select one. */
  spanMade(): void;
  /** clickSpan selects (or lets go of) the span on top of a clicked piece. */
  clickSpan(id: string): void;
}

/** useSpanEdges lets the selected span's edges be dragged, or moved with the arrow keys. */
export function useSpanEdges({ root, text, spans, canEdit, words, offsetAt, valueAt, ariaValue }: EdgeOptions): SpanEdges {
  const editor = useEditor();
  /** The span whose edge is being dragged, where the drag has it so far. */
  const [edge, setEdge] = useState<{ id: string; start: number; end: number } | null>(null);
  /** The drag in progress: which span, where it was, its edge that stays, and where it is so far. */
  const drag = useRef<{ span: Span; fixed: number; start: number; end: number } | null>(null);
  /** The click that ends a gesture which made or changed a span must not also select the span under it. */
  const swallowClick = useRef(false);
  /** The handle to give the focus back to after a keyboard move re-renders the text. */
  const refocus = useRef<Which | null>(null);

  useEffect(() => {
    const which = refocus.current;
    if (!which) return;
    refocus.current = null;
    root.current?.querySelector<HTMLElement>(`[data-edge="${which}"]`)?.focus();
  });

  const placed = spans.map((span) => (span.item.id === edge?.id ? { ...span, start: edge.start, end: edge.end } : span));
  const editable = canEdit
    ? (placed.find((span) => span.item.id === editor.selected && !editor.locked.has(span.item.id)) ?? null)
    : null;

  /** move stores a span's new edges as one edit (or, with mergeKey, part of one); where it was is no edit. */
  function move(span: Span, start: number, end: number, mergeKey?: string) {
    if (start === span.start && end === span.end) return;
    const value = valueAt(start, end);
    if (!value) return;
    editor.update(
      (result) => result.map((r) => (r.id === span.item.id && isRegion(r) ? { ...r, value: { ...r.value, ...value } } : r)),
      mergeKey,
    );
  }

  function begin(event: PointerEvent<HTMLElement>, span: Span, which: Which) {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    root.current?.setPointerCapture(event.pointerId);
    drag.current = { span, fixed: which === "start" ? span.end : span.start, start: span.start, end: span.end };
    setEdge({ id: span.item.id, start: span.start, end: span.end });
  }

  function pointerMove(event: PointerEvent<HTMLElement>) {
    const d = drag.current;
    const caret = d ? caretAt(event.clientX, event.clientY) : null;
    if (!d || !caret || !root.current?.contains(caret.node)) return;
    const at = offsetAt(caret.node, caret.offset);
    if (at === null || at === d.fixed) return;
    // Dragged past the other edge, the span turns around it; it never becomes empty.
    const [s, e] = trimSpan(text, Math.min(at, d.fixed), Math.max(at, d.fixed), words);
    if (e <= s) return;
    drag.current = { ...d, start: s, end: e };
    setEdge({ id: d.span.item.id, start: s, end: e });
  }

  function pointerUp(event: PointerEvent<HTMLElement>) {
    const d = drag.current;
    if (!d) return;
    drag.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    swallowClick.current = true;
    setEdge(null);
    move(d.span, d.start, d.end);
  }

  // The arrow keys move a focused handle's edge a character (or a word) at a time; a run of presses is one undo step.
  function key(event: ReactKeyboardEvent<HTMLElement>, span: Span, which: Which) {
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
        move(span, s, e, `span-edge:${span.item.id}`);
        return;
      }
    }
  }

  const tell = ariaValue ?? ((offset: number) => offset);
  function handle(which: Which): ReactNode {
    const span = editable;
    if (!span) return null;
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
        aria-valuemax={tell(text.length)}
        aria-valuenow={tell(which === "start" ? span.start : span.end)}
        onPointerDown={(event) => begin(event, span, which)}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => key(event, span, which)}
      />
    );
  }

  return {
    spans: placed,
    editable,
    handle,
    dragging: edge !== null,
    stage: {
      onMouseDown: () => {
        swallowClick.current = false;
      },
      onPointerMove: pointerMove,
      onPointerUp: pointerUp,
      onPointerCancel: () => {
        drag.current = null;
        setEdge(null);
      },
    },
    spanMade: () => {
      swallowClick.current = true;
    },
    clickSpan: (id) => {
      if (swallowClick.current) {
        swallowClick.current = false;
        return;
      }
      if (window.getSelection()?.isCollapsed !== false) editor.select(id === editor.selected ? null : id);
    },
  };
}

/**
 * SpanText draws the stretch of an object's text that starts at offset at,
 * cut at the edges of the spans over it: each covered piece is a mark with
 * the ids of its spans (for SpanRelations), its top span's color, and the
 * labels of the spans ending there; the editable span's pieces carry its
 * handles. waiting is a selection made before a label was chosen.
 */
export function SpanText({
  text,
  at,
  edges,
  waiting = null,
}: {
  text: string;
  at: number;
  edges: SpanEdges;
  waiting?: { start: number; end: number } | null;
}) {
  const editor = useEditor();
  const stop = at + text.length;
  const all = edges.spans.filter((span) => span.start < stop && span.end > at);
  // A crafted result (an import's, which is checked for its shape only) may
  // stack thousands of spans: past maxSpansDrawn the rest are not drawn.
  const over = all.length > maxSpansDrawn ? all.slice(0, maxSpansDrawn) : all;
  const cuts = new Set<number>([at, stop]);
  for (const { start, end } of waiting ? [...over, waiting] : over) {
    if (start > at && start < stop) cuts.add(start);
    if (end > at && end < stop) cuts.add(end);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const editable = edges.editable;
  // One sweep over the pieces, in order: the spans over a piece are those
  // that start at or before it and end after its start (every edge is a
  // cut), kept in over's order (the last is drawn on top). Filtering all
  // of over for each piece cost pieces × spans: 10,000 spans froze the tab.
  const byStart = over.map((_, k) => k).sort((a, b) => over[a]!.start - over[b]!.start || a - b);
  let next = 0;
  let active: number[] = [];
  const pieces = sorted.slice(0, -1).map((from, i) => {
    const to = sorted[i + 1] ?? stop;
    const piece = text.slice(from - at, to - at);
    active = active.filter((k) => over[k]!.end > from);
    for (; next < byStart.length && over[byStart[next]!]!.start <= from; next++) {
      const k = byStart[next]!;
      if (over[k]!.end > from) active.splice(sortedIndex(active, k), 0, k);
    }
    // Only the top spans are drawn into the piece (its color, its labels,
    // its ids), as many as the server lets a result stack; the selected
    // and the editable span always are, for their highlight and handles.
    const covering = topOf(active, maxCovering, (k) => {
      const id = over[k]!.item.id;
      return id === editor.selected || over[k] === editable;
    }).map((k) => over[k]!);
    const isWaiting = waiting !== null && waiting.start <= from && waiting.end >= to;
    if (covering.length === 0) {
      return isWaiting ? (
        <mark key={from} className="lc-span lc-span-waiting">
          {piece}
        </mark>
      ) : (
        piece
      );
    }
    const top = covering[covering.length - 1]!;
    const labels = covering
      .filter((span) => span.end === to)
      .map((span) => labelsOf(span.item).join(", "))
      .join(" · ");
    const classes = [
      "lc-span",
      covering.length > 1 ? "lc-span-overlap" : "",
      covering.some((span) => span.item.id === editor.selected) ? "lc-span-selected" : "",
      isWaiting ? "lc-span-waiting" : "",
    ];
    const handled = editable !== null && covering.includes(editable);
    return (
      <mark
        key={from}
        className={classes.filter(Boolean).join(" ")}
        style={colorStyle(editor.colorOf(top.item.from_name, labelsOf(top.item)[0] ?? ""))}
        data-label={labels || undefined}
        data-region-ids={covering.map((span) => span.item.id).join(" ")}
        onClick={() => edges.clickSpan(top.item.id)}
      >
        {handled && editable.start === from ? edges.handle("start") : null}
        {piece}
        {handled && editable.end === to ? edges.handle("end") : null}
      </mark>
    );
  });
  return (
    <>
      {all.length > over.length ? (
        <span className="lc-span-notice" role="note">
          {`${all.length - over.length} of the ${all.length} regions over this text are not drawn: the most it shows is ${maxSpansDrawn}.`}
        </span>
      ) : null}
      {pieces}
    </>
  );
}

/** maxSpansDrawn is the most spans SpanText draws over one stretch of text. */
const maxSpansDrawn = 5000;

/**
 * maxCovering is the most spans over a piece that it is drawn with (the top
 * ones), and lists the ids of for SpanRelations: each piece listing every
 * span over it wrote 10^8 ids for 10,000 nested spans. It is the server's
 * MaxSpanDepth, so a result the server accepts is drawn whole.
 */
const maxCovering = 100;

/** topOf is the last n of sorted, and before them those of the rest that keep says to, in sorted's order. */
function topOf(sorted: readonly number[], n: number, keep: (k: number) => boolean): number[] {
  if (sorted.length <= n) return [...sorted];
  const top = sorted.slice(-n);
  const kept = sorted.slice(0, -n).filter(keep);
  return kept.length > 0 ? [...kept, ...top] : top;
}

/** sortedIndex is where k goes in the ascending list sorted. */
function sortedIndex(sorted: readonly number[], k: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
