// Relation arrows between text spans, as the image draws them between
// regions: an SVG laid over a text object (Text, HyperText, Paragraphs)
// that arches from the start of one span to the start of the other. The
// objects mark each highlighted piece of text with the ids of the spans
// covering it (data-region-ids, space-separated), so this one piece of code
// finds a span's place on screen whichever object drew it. Positions are
// measured after every render and whenever the text's box changes size
// (layout, wrapping, fonts); the overlay sits in the same box as the text,
// so it scrolls with it.
import { useEffect, useState, type RefObject } from "react";

import { useEditor } from "./context.ts";
import { isRelation, type RelationItem } from "./result.ts";

interface Arrow {
  id: string;
  path: string;
  direction: RelationItem["direction"];
  /** The relation's labels, written at the arrow's middle, and where that is. */
  label: string;
  middle: [number, number];
}

/**
 * firstPieces maps each span id to its first piece in stage, in one walk
 * of the pieces: a query of the whole stage per relation's end cost
 * relations × pieces on every render.
 */
function firstPieces(stage: HTMLElement): Map<string, Element> {
  const first = new Map<string, Element>();
  for (const piece of stage.querySelectorAll("[data-region-ids]")) {
    for (const id of (piece.getAttribute("data-region-ids") ?? "").split(" ")) {
      if (id && !first.has(id)) first.set(id, piece);
    }
  }
  return first;
}

/** anchor is where arrows meet a span: the top middle of its first piece's first line, in stage pixels. */
function anchor(pieces: Map<string, Element>, id: string, origin: DOMRect): [number, number] | null {
  const rect = pieces.get(id)?.getClientRects()[0];
  if (!rect) return null;
  return [rect.left + rect.width / 2 - origin.left, rect.top - origin.top];
}

/** measure lays out an arrow for each relation whose two ends are spans in stage. */
function measure(stage: HTMLElement, relations: readonly RelationItem[]): Arrow[] {
  const origin = stage.getBoundingClientRect();
  const pieces = firstPieces(stage);
  const arrows: Arrow[] = [];
  for (const relation of relations) {
    const from = anchor(pieces, relation.from_id, origin);
    const to = anchor(pieces, relation.to_id, origin);
    if (!from || !to) continue;
    // The arrow arches over the text between the two spans, higher the farther apart they are,
    // but never out of the stage's top (the curve rises three quarters of its lift), where it
    // would cross the labels above the text.
    const lift = Math.min(14 + Math.min(36, Math.abs(to[0] - from[0]) / 8), Math.max(6, Math.min(from[1], to[1]) / 0.75));
    const r = (n: number) => Math.round(n * 10) / 10;
    const path =
      `M ${r(from[0])} ${r(from[1])} ` +
      `C ${r(from[0])} ${r(from[1] - lift)}, ${r(to[0])} ${r(to[1] - lift)}, ${r(to[0])} ${r(to[1])}`;
    // The curve's middle (t = 1/2) is halfway across, three quarters of the lift up.
    const middle: [number, number] = [r((from[0] + to[0]) / 2), r((from[1] + to[1]) / 2 - 0.75 * lift)];
    arrows.push({ id: relation.id, path, direction: relation.direction, label: relation.labels.join(", "), middle });
  }
  return arrows;
}

function same(a: readonly Arrow[], b: readonly Arrow[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]?.id && x.path === b[i]?.path && x.direction === b[i]?.direction && x.label === b[i]?.label);
}

/**
 * SpanRelations draws the relations between spans inside stage, an element
 * with position: relative holding the text; name keeps marker ids apart.
 */
export function SpanRelations({ stage, name }: { stage: RefObject<HTMLElement | null>; name: string }) {
  const editor = useEditor();
  const [arrows, setArrows] = useState<Arrow[]>([]);
  // A resize only needs a render, after which the positions are measured again.
  const [, setResized] = useState(0);
  const relations = editor.result.filter(isRelation);

  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setResized((n) => n + 1));
    observer.observe(element);
    return () => observer.disconnect();
  }, [stage]);

  // After every render (the spans may have moved) and every resize; a change
  // of geometry renders once more, an unchanged one does not.
  useEffect(() => {
    const element = stage.current;
    const next = element && relations.length > 0 ? measure(element, relations) : [];
    setArrows((current) => (same(current, next) ? current : next));
  });

  if (arrows.length === 0) return null;
  const marker = `${editor.idPrefix}-${name}-span-arrow`;
  return (
    <svg className="lc-span-relations" aria-hidden="true">
      <defs>
        <marker
          id={marker}
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="8"
          markerHeight="8"
          markerUnits="userSpaceOnUse"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" />
        </marker>
      </defs>
      {arrows.map((arrow) => (
        <path
          key={arrow.id}
          className="lc-relation-arrow"
          d={arrow.path}
          markerEnd={arrow.direction === "left" ? undefined : `url(#${marker})`}
          markerStart={arrow.direction === "right" ? undefined : `url(#${marker})`}
          data-relation-id={arrow.id}
        />
      ))}
      {arrows.map((arrow) =>
        arrow.label ? (
          <text
            key={`${arrow.id}-label`}
            className="lc-relation-label"
            x={arrow.middle[0]}
            y={arrow.middle[1]}
            textAnchor="middle"
            dominantBaseline="central"
            data-relation-label={arrow.id}
          >
            {arrow.label}
          </text>
        ) : null,
      )}
    </svg>
  );
}
