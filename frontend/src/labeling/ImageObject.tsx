// An Image object with an SVG overlay for its regions. The overlay's
// viewBox is 0..100 on both axes and stretches over the image, so shapes are
// drawn directly in Label Studio's units, percent of the image; pointer
// positions are turned into percent through the overlay's on-screen box,
// which already includes zoom and pan. The image loads only from http(s) and
// data:image/ URLs. Regions are adjusted in place: a drag shows its shape as
// it goes and changes the result once, at the end, so each drag is one undo
// step.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type PointerEvent } from "react";

import type { JsonValue } from "../api.ts";
import { Button } from "../components/Button.tsx";
import { Field } from "../components/Field.tsx";
import { objectValue, safeImageUrl, type ObjectInfo, type RegionTag } from "./config.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { greatest, isRegion, isRelation, labelsOf, least, num, removeRegion, type RegionItem, type ResultItem } from "./result.ts";

const drawingTags: readonly RegionTag[] = [
  "RectangleLabels",
  "PolygonLabels",
  "KeyPointLabels",
  "EllipseLabels",
  "BrushLabels",
];
const minZoom = 1;
const maxZoom = 16;
const zoomStep = 1.25;
/** The share of the window's height an image may take when fitted. */
const fitHeightShare = 0.62;
/** How close, in screen pixels, a click must be to the first point to close a polygon. */
const closeDistance = 10;

type Point = [number, number];

type Draft =
  | { kind: "rect"; from: Point; to: Point }
  | { kind: "polygon"; points: Point[]; cursor: Point | null }
  | { kind: "brush"; points: Point[]; erase: boolean };

/** What a region's handle does: move the region, move one or two of a box's edges, or move a vertex. */
type Handle =
  | { kind: "move" }
  | { kind: "edges"; left: boolean; right: boolean; top: boolean; bottom: boolean }
  | { kind: "vertex"; index: number }
  | { kind: "rotate" };

type JsonObject = { [key: string]: JsonValue };

type Drag =
  | { kind: "pan"; x: number; y: number; ox: number; oy: number }
  | { kind: "rect" }
  | { kind: "brush"; erase: string | null }
  | { kind: "adjust"; id: string; handle: Handle; start: Point; origin: JsonObject };

/** The handles of a box: corners and edge middles, each saying which edges it moves. */
const boxHandles: { name: string; fx: number; fy: number; cursor: string }[] = [
  { name: "nw", fx: 0, fy: 0, cursor: "nwse-resize" },
  { name: "n", fx: 0.5, fy: 0, cursor: "ns-resize" },
  { name: "ne", fx: 1, fy: 0, cursor: "nesw-resize" },
  { name: "e", fx: 1, fy: 0.5, cursor: "ew-resize" },
  { name: "se", fx: 1, fy: 1, cursor: "nwse-resize" },
  { name: "s", fx: 0.5, fy: 1, cursor: "ns-resize" },
  { name: "sw", fx: 0, fy: 1, cursor: "nesw-resize" },
  { name: "w", fx: 0, fy: 0.5, cursor: "ew-resize" },
];

function pointsOf(value: JsonObject): Point[] {
  return Array.isArray(value.points)
    ? value.points.flatMap((p): Point[] =>
        Array.isArray(p) && typeof p[0] === "number" && typeof p[1] === "number" ? [[p[0], p[1]]] : [],
      )
    : [];
}

function clampTo(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * boxCorners are the corners of a box turned by rotation degrees about its
 * top-left corner in pixels, in percent; aspect is the image's width over
 * its height.
 */
function boxCorners(x: number, y: number, w: number, h: number, rotation: number, aspect: number): Point[] {
  const corners: Point[] = [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
  ];
  return corners.map((p) => rotated([x, y], p, rotation, aspect));
}

/**
 * insideImage reports whether a region keeps to what the server requires: a
 * turned box its corners on the image, an ellipse its centre on the image
 * and its radii within (0, 100].
 */
function insideImage(type: string, value: JsonObject, aspect: number): boolean {
  if (type === "ellipselabels") {
    const [x, y, rx, ry] = [num(value.x) ?? 0, num(value.y) ?? 0, num(value.radiusX) ?? 0, num(value.radiusY) ?? 0];
    return x >= 0 && x <= 100 && y >= 0 && y <= 100 && rx > 0 && rx <= 100 && ry > 0 && ry <= 100;
  }
  const rotation = num(value.rotation) ?? 0;
  if (type !== "rectanglelabels" || rotation === 0) return true;
  const corners = boxCorners(num(value.x) ?? 0, num(value.y) ?? 0, num(value.width) ?? 0, num(value.height) ?? 0, rotation, aspect);
  return corners.every((p) => p[0] >= -0.01 && p[0] <= 100.01 && p[1] >= -0.01 && p[1] <= 100.01);
}

/** rotated turns point about center by rotation degrees, in pixels. */
function rotated(center: Point, point: Point, rotation: number, aspect: number): Point {
  const theta = (rotation * Math.PI) / 180;
  const across = (point[0] - center[0]) * aspect;
  const down = point[1] - center[1];
  return [
    center[0] + (across * Math.cos(theta) - down * Math.sin(theta)) / aspect,
    center[1] + across * Math.sin(theta) + down * Math.cos(theta),
  ];
}

/** adjusted is a region's value after its handle was dragged from start to point (percent). */
function adjusted(
  type: string,
  origin: JsonObject,
  handle: Handle,
  start: Point,
  point: Point,
  aspect: number,
): JsonObject {
  const dx = point[0] - start[0];
  const dy = point[1] - start[1];
  if (type === "polygonlabels") {
    const points = pointsOf(origin);
    if (handle.kind === "vertex") {
      return { ...origin, points: points.map((p, i) => (i === handle.index ? [point[0], point[1]] : p)) };
    }
    // The whole polygon moves, as far as the image goes.
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const mx = clampTo(dx, -least(xs), 100 - greatest(xs));
    const my = clampTo(dy, -least(ys), 100 - greatest(ys));
    return { ...origin, points: points.map((p) => [p[0] + mx, p[1] + my]) };
  }
  const x = num(origin.x) ?? 0;
  const y = num(origin.y) ?? 0;
  if (type === "ellipselabels" && handle.kind === "edges") return resizedEllipse(origin, handle, point, aspect);
  if (type === "keypointlabels" || type === "ellipselabels") {
    // A point or an ellipse's centre moves, as far as the image goes.
    return { ...origin, x: clampTo(x + dx, 0, 100), y: clampTo(y + dy, 0, 100) };
  }
  const width = num(origin.width) ?? 0;
  const height = num(origin.height) ?? 0;
  if (handle.kind === "rotate") {
    // Label Studio turns a box about its top-left corner; angles are taken
    // in pixels (percent of the width is aspect times percent of the height).
    const angle = (p: Point) => Math.atan2(p[1] - y, (p[0] - x) * aspect);
    const turned = (num(origin.rotation) ?? 0) + ((angle(point) - angle(start)) * 180) / Math.PI;
    return { ...origin, rotation: Math.round((((turned % 360) + 360) % 360) * 100) / 100 };
  }
  if (handle.kind === "edges") {
    let left = x;
    let right = x + width;
    let top = y;
    let bottom = y + height;
    if (handle.left) left = point[0];
    if (handle.right) right = point[0];
    if (handle.top) top = point[1];
    if (handle.bottom) bottom = point[1];
    return {
      ...origin,
      x: Math.min(left, right),
      y: Math.min(top, bottom),
      width: Math.max(Math.abs(right - left), 0.1),
      height: Math.max(Math.abs(bottom - top), 0.1),
    };
  }
  return { ...origin, x: clampTo(x + dx, 0, 100 - width), y: clampTo(y + dy, 0, 100 - height) };
}

/**
 * resizedEllipse is an ellipse after one of the handles of the box around it
 * was dragged to point: as with a box, the dragged edges follow the pointer
 * and the opposite ones stay, so the centre moves by half as much. The box
 * is the ellipse's own, turned with it; the work is done in pixels (percent
 * of the height on both axes), where the turn is a plain rotation.
 */
function resizedEllipse(
  origin: JsonObject,
  handle: Extract<Handle, { kind: "edges" }>,
  point: Point,
  aspect: number,
): JsonObject {
  const [cx, cy] = [num(origin.x) ?? 0, num(origin.y) ?? 0];
  const [rx, ry] = [(num(origin.radiusX) ?? 0) * aspect, num(origin.radiusY) ?? 0];
  const theta = ((num(origin.rotation) ?? 0) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  // The pointer in the ellipse's own frame, about its centre.
  const [px, py] = [(point[0] - cx) * aspect, point[1] - cy];
  const [u, w] = [px * cos + py * sin, -px * sin + py * cos];
  let [left, right, top, bottom] = [-rx, rx, -ry, ry];
  if (handle.left) left = u;
  if (handle.right) right = u;
  if (handle.top) top = w;
  if (handle.bottom) bottom = w;
  const [mu, mw] = [(left + right) / 2, (top + bottom) / 2];
  return {
    ...origin,
    x: cx + (mu * cos - mw * sin) / aspect,
    y: cy + mu * sin + mw * cos,
    radiusX: Math.max(Math.abs(right - left) / 2 / aspect, 0.1),
    radiusY: Math.max(Math.abs(bottom - top) / 2, 0.1),
  };
}

type Tool = "pan" | "rect" | "ellipse" | "polygon" | "point" | "brush" | "erase" | "select";

/** centreOf is the middle of a region's shape, in percent, or null for a mask. */
function centreOf(type: string, value: JsonObject, aspect: number): Point | null {
  if (type === "polygonlabels") {
    const points = pointsOf(value);
    if (points.length === 0) return null;
    return [
      points.reduce((sum, p) => sum + p[0], 0) / points.length,
      points.reduce((sum, p) => sum + p[1], 0) / points.length,
    ];
  }
  const [x, y] = [num(value.x), num(value.y)];
  if (x === null || y === null) return null;
  if (type === "rectanglelabels") {
    // A turned box turns about its top-left corner: its middle is its corners'.
    const corners = boxCorners(x, y, num(value.width) ?? 0, num(value.height) ?? 0, num(value.rotation) ?? 0, aspect);
    return [
      corners.reduce((sum, p) => sum + p[0], 0) / corners.length,
      corners.reduce((sum, p) => sum + p[1], 0) / corners.length,
    ];
  }
  return [x, y];
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function sameTool(tag: string | undefined): Tool {
  switch (tag) {
    case "RectangleLabels":
      return "rect";
    case "PolygonLabels":
      return "polygon";
    case "KeyPointLabels":
      return "point";
    case "EllipseLabels":
      return "ellipse";
    case "BrushLabels":
      return "brush";
    default:
      return "select";
  }
}

const toolHints: Record<Tool, string> = {
  pan: "Drag to move the image.",
  rect: "Drag on the image to draw a box.",
  ellipse: "Drag on the image to draw an ellipse within the box you drag.",
  polygon: "Click to add points; click the first point, double-click or press Enter to close; Escape cancels.",
  point: "Click on the image to place a point.",
  brush: "Drag on the image to paint a mask; each stroke is one region.",
  erase: "Drag over the selected mask to erase it; each stroke is one step.",
  select: "Choose a label to draw; click a region to select it.",
};

function isTextInput(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(target.tagName))
  );
}

export function ImageObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const url = safeImageUrl(objectValue(object.value, editor.data), editor.taskId);
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [room, setRoom] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const rendered = useRef(view);
  rendered.current = view;
  const [panTool, setPanTool] = useState(false);
  const [eraser, setEraser] = useState(false);
  const [spaceHeld, setSpaceHeld] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  /** The region being dragged, with its value so far; the result changes once, when the drag ends. */
  const [adjusting, setAdjusting] = useState<{ id: string; value: JsonObject } | null>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<Drag | null>(null);
  const hovering = useRef(false);
  // Over the whole result, not this image's masks alone: the budget is the page's.
  const masksDrawn = useMemo(() => drawnMasks(editor.result), [editor.result]);

  const control = editor.readOnly ? null : editor.activeControl(object.name, drawingTags);
  const drawTool = sameTool(control?.tag);
  const canDraw = !editor.readOnly && editor.config.controls.some(
    (c) => drawingTags.includes(c.tag as RegionTag) && c.toName.includes(object.name),
  );
  const canBrush = !editor.readOnly && editor.config.controls.some(
    (c) => c.tag === "BrushLabels" && c.toName.includes(object.name),
  );
  // The eraser works on the selected mask of this image, unless it is locked.
  const erasing =
    eraser && canBrush && !editor.locked.has(editor.selected ?? "")
      ? (editor.result.find(
          (r): r is RegionItem =>
            r.id === editor.selected && isRegion(r) && r.type === "brushlabels" && r.to_name === object.name,
        ) ?? null)
      : null;
  const tool: Tool = panTool || spaceHeld ? "pan" : erasing ? "erase" : drawTool;

  // The image is fitted to the view, as Label Studio's "zoom to fit": no
  // wider than the viewport, no taller than a share of the window (so what
  // follows it, labels and review buttons, stays in sight), and never larger
  // than its natural size; the zoom buttons enlarge it from there. The
  // overlay takes exactly the image's displayed box, so percentages hold at
  // any size.
  useEffect(() => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    const measure = () =>
      setRoom({ width: viewport.clientWidth, height: Math.max(240, Math.round(window.innerHeight * fitHeightShare)) });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(viewport);
    window.addEventListener("resize", measure);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", measure);
    };
  }, [url]);
  const fit =
    natural && room && natural.width > 0 && natural.height > 0
      ? Math.min(1, room.width / natural.width, room.height / natural.height)
      : null;
  const imageSize = fit && natural ? { width: natural.width * fit, height: natural.height * fit } : undefined;

  // A half-drawn shape belongs to the tool that started it.
  useEffect(() => {
    setDraft(null);
  }, [drawTool, control?.name]);

  const toPercent = useCallback((clientX: number, clientY: number): Point | null => {
    const box = svgRef.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return null;
    return [clampPercent(((clientX - box.left) / box.width) * 100), clampPercent(((clientY - box.top) / box.height) * 100)];
  }, []);

  // zoomAt scales the image by factor, keeping the point under the pointer
  // (or the middle of the view) where it is.
  const zoomAt = useCallback((factor: number, clientX?: number, clientY?: number) => {
    const stage = stageRef.current?.getBoundingClientRect();
    const viewport = viewportRef.current?.getBoundingClientRect();
    if (!stage || !viewport) return;
    const px = clientX ?? viewport.left + viewport.width / 2;
    const py = clientY ?? viewport.top + viewport.height / 2;
    // Where the stage would be without any pan.
    const baseLeft = stage.left - rendered.current.x;
    const baseTop = stage.top - rendered.current.y;
    setView((v) => {
      const zoom = Math.min(maxZoom, Math.max(minZoom, v.zoom * factor));
      if (zoom === minZoom) return { zoom, x: 0, y: 0 };
      const keep = 1 - zoom / v.zoom;
      return {
        zoom,
        x: v.x + (px - (baseLeft + v.x)) * keep,
        y: v.y + (py - (baseTop + v.y)) * keep,
      };
    });
  }, []);

  function resetZoom() {
    setView({ zoom: 1, x: 0, y: 0 });
  }

  // The wheel zooms around the pointer. React's wheel listener is passive, so
  // the page would scroll too; this one is not.
  useEffect(() => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    function handleWheel(event: WheelEvent) {
      event.preventDefault();
      zoomAt(event.deltaY < 0 ? zoomStep : 1 / zoomStep, event.clientX, event.clientY);
    }
    viewport.addEventListener("wheel", handleWheel, { passive: false });
    return () => viewport.removeEventListener("wheel", handleWheel);
  }, [zoomAt, url]);

  const addRegion = useCallback(
    (tags: readonly RegionTag[], value: Parameters<typeof editor.addRegion>[2]) => {
      if (!natural) return false;
      return editor.addRegion(object.name, tags, value, {
        original_width: natural.width,
        original_height: natural.height,
        image_rotation: 0,
      });
    },
    [editor, natural, object.name],
  );

  const closePolygon = useCallback(
    (points: Point[]) => {
      if (points.length < 3) {
        editor.notify("A polygon needs at least 3 points.");
        return;
      }
      if (addRegion(["PolygonLabels"], { points })) setDraft(null);
    },
    [addRegion, editor],
  );

  // Escape cancels a shape being drawn, Enter closes a polygon, and holding
  // Space over the image pans.
  useEffect(() => {
    function handleKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape" && draft) {
        event.preventDefault();
        event.stopPropagation();
        setDraft(null);
      } else if (event.key === "Enter" && draft?.kind === "polygon" && !isTextInput(event.target)) {
        event.preventDefault();
        closePolygon(draft.points);
      } else if (event.key === " " && hovering.current && !isTextInput(event.target)) {
        event.preventDefault();
        setSpaceHeld(true);
      }
    }
    function handleKeyUp(event: KeyboardEvent) {
      if (event.key === " ") setSpaceHeld(false);
    }
    document.addEventListener("keydown", handleKeyDown, true);
    document.addEventListener("keyup", handleKeyUp);
    return () => {
      document.removeEventListener("keydown", handleKeyDown, true);
      document.removeEventListener("keyup", handleKeyUp);
    };
  }, [draft, closePolygon]);

  // The arrow keys move the selected region of this image (Shift: ten
  // times as far), the keyboard's way of adjusting; a run of presses is one
  // undo step.
  const { readOnly, result: items, selected: selectedId, update, locked } = editor;
  useEffect(() => {
    const item = items.find((r): r is RegionItem => r.id === selectedId && isRegion(r));
    if (readOnly || !natural || !item || locked.has(item.id) || item.to_name !== object.name || item.type === "labels" || item.type === "brushlabels") return;
    const ratio = natural.width / natural.height;
    const moves: Record<string, Point> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    function handleKeyDown(event: KeyboardEvent) {
      const move = moves[event.key];
      const target = event.target;
      const typing =
        target instanceof HTMLElement &&
        (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (!move || !item || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing) return;
      event.preventDefault();
      const step = event.shiftKey ? 5 : 0.5;
      const next = adjusted(item.type, item.value, { kind: "move" }, [0, 0], [move[0] * step, move[1] * step], ratio);
      if (!insideImage(item.type, next, ratio)) return;
      update(
        (result) => result.map((r) => (r.id === item.id && isRegion(r) ? { ...r, value: next } : r)),
        `nudge:${item.id}`,
      );
    }
    document.addEventListener("keydown", handleKeyDown);
    return () => document.removeEventListener("keydown", handleKeyDown);
  }, [readOnly, items, selectedId, update, natural, object.name, locked]);

  function handlePointerDown(event: PointerEvent<HTMLDivElement>) {
    if (!natural) return;
    if (event.button === 1 || (event.button === 0 && tool === "pan")) {
      event.preventDefault();
      event.currentTarget.setPointerCapture(event.pointerId);
      drag.current = { kind: "pan", x: event.clientX, y: event.clientY, ox: view.x, oy: view.y };
      return;
    }
    if (event.button !== 0) return;
    const point = toPercent(event.clientX, event.clientY);
    if (!point) return;
    switch (tool) {
      case "rect":
      case "ellipse":
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { kind: "rect" };
        setDraft({ kind: "rect", from: point, to: point });
        break;
      case "polygon": {
        event.preventDefault();
        const points = draft?.kind === "polygon" ? draft.points : [];
        const first = points[0];
        const box = svgRef.current?.getBoundingClientRect();
        if (first && box && points.length >= 3) {
          const dx = ((first[0] - point[0]) / 100) * box.width;
          const dy = ((first[1] - point[1]) / 100) * box.height;
          if (Math.hypot(dx, dy) <= closeDistance) {
            closePolygon(points);
            return;
          }
        }
        const last = points[points.length - 1];
        // A double-click sends two clicks on one spot; keep one point.
        if (last && Math.abs(last[0] - point[0]) < 0.2 && Math.abs(last[1] - point[1]) < 0.2) return;
        setDraft({ kind: "polygon", points: [...points, point], cursor: point });
        break;
      }
      case "brush":
      case "erase":
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { kind: "brush", erase: tool === "erase" ? (erasing?.id ?? null) : null };
        setDraft({ kind: "brush", points: [point], erase: tool === "erase" });
        break;
      case "point":
        event.preventDefault();
        addRegion(["KeyPointLabels"], { x: point[0], y: point[1], width: 0.5 });
        break;
      case "select":
        if (event.target === svgRef.current && editor.selected) {
          editor.select(null);
        } else if (event.target === svgRef.current && canDraw) {
          editor.notify("Choose a label first, then draw on the image.");
        }
        break;
      default:
        break;
    }
  }

  // beginAdjust starts dragging a region's handle (or the region itself).
  function beginAdjust(event: PointerEvent<SVGElement>, item: RegionItem, handle: Handle, origin = item.value) {
    if (editor.readOnly || event.button !== 0 || !natural) return;
    const point = toPercent(event.clientX, event.clientY);
    if (!point) return;
    event.stopPropagation();
    event.preventDefault();
    // A locked region is selected, never moved.
    if (editor.locked.has(item.id)) {
      if (editor.selected !== item.id) editor.select(item.id);
      return;
    }
    viewportRef.current?.setPointerCapture(event.pointerId);
    if (editor.selected !== item.id) editor.select(item.id);
    drag.current = { kind: "adjust", id: item.id, handle, start: point, origin };
    setAdjusting({ id: item.id, value: origin });
  }

  function handlePointerMove(event: PointerEvent<HTMLDivElement>) {
    const current = drag.current;
    if (current?.kind === "adjust") {
      const point = toPercent(event.clientX, event.clientY);
      const item = editor.result.find((r) => r.id === current.id);
      if (!point || !item || !isRegion(item)) return;
      const next = adjusted(item.type, current.origin, current.handle, current.start, point, aspect);
      // A turned box stops where a corner would leave the image.
      if (!insideImage(item.type, next, aspect)) return;
      setAdjusting({ id: current.id, value: next });
      return;
    }
    if (current?.kind === "pan") {
      const x = current.ox + event.clientX - current.x;
      const y = current.oy + event.clientY - current.y;
      setView((v) => ({ ...v, x, y }));
      return;
    }
    if (!draft) return;
    const point = toPercent(event.clientX, event.clientY);
    if (!point) return;
    if (draft.kind === "brush" && current?.kind === "brush") {
      setDraft({ ...draft, points: [...draft.points, point] });
    } else if (draft.kind === "rect" && current?.kind === "rect") {
      setDraft({ ...draft, to: point });
    } else if (draft.kind === "polygon") {
      setDraft({ ...draft, cursor: point });
    }
  }

  function handlePointerUp(event: PointerEvent<HTMLDivElement>) {
    const current = drag.current;
    drag.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    if (current?.kind === "adjust") {
      const moved = adjusting?.id === current.id ? adjusting.value : null;
      setAdjusting(null);
      // One edit per drag, so one undo step; a click that moved nothing is no edit.
      const item = editor.result.find((r) => r.id === current.id);
      if (moved && item && isRegion(item) && JSON.stringify(moved) !== JSON.stringify(item.value)) {
        editor.update((result) =>
          result.map((r) => (r.id === current.id && isRegion(r) ? { ...r, value: moved } : r)),
        );
      }
      return;
    }
    if (current?.kind === "brush" && draft?.kind === "brush" && natural) {
      setDraft(null);
      if (current.erase !== null) {
        erase(current.erase, draft.points);
        return;
      }
      const rle = paintRLE(draft.points, natural.width, natural.height, brushSize(natural));
      addRegion(["BrushLabels"], { format: "rle", rle });
      return;
    }
    if (current?.kind !== "rect" || draft?.kind !== "rect") return;
    const end = toPercent(event.clientX, event.clientY) ?? draft.to;
    const box = svgRef.current?.getBoundingClientRect();
    const x = Math.min(draft.from[0], end[0]);
    const y = Math.min(draft.from[1], end[1]);
    const width = Math.abs(end[0] - draft.from[0]);
    const height = Math.abs(end[1] - draft.from[1]);
    setDraft(null);
    // A click, or a drag of a pixel or two, is not a box.
    if (!box || (width / 100) * box.width < 3 || (height / 100) * box.height < 3) return;
    if (drawTool === "ellipse") {
      // Label Studio keeps an ellipse as its centre and radii, in percent of the image.
      addRegion(["EllipseLabels"], { x: x + width / 2, y: y + height / 2, radiusX: width / 2, radiusY: height / 2, rotation: 0 });
      return;
    }
    addRegion(["RectangleLabels"], { x, y, width, height, rotation: 0 });
  }

  // erase clears a stroke through points from a mask, as one edit; a mask
  // with nothing painted left is removed, with its relations.
  function erase(id: string, points: Point[]) {
    const item = editor.result.find((r): r is RegionItem => r.id === id && isRegion(r));
    if (!item || !natural) return;
    const width = num(item.original_width) ?? natural.width;
    const height = num(item.original_height) ?? natural.height;
    const rle = Array.isArray(item.value.rle) ? item.value.rle.filter((v): v is number => typeof v === "number") : [];
    // The brush is as wide on the mask as it looks on the image.
    const size = Math.max(1, Math.round((brushSize(natural) * width) / natural.width));
    const erased = eraseRLE(rle, width, height, points, size);
    if (!erased) {
      editor.notify("This mask cannot be read, so it cannot be erased from.");
      return;
    }
    if (!erased.changed) {
      editor.notify("The stroke did not touch the selected mask.");
      return;
    }
    if (!erased.painted) {
      editor.update((result) => removeRegion(result, id));
      return;
    }
    editor.update((result) =>
      result.map((r) => (r.id === id && isRegion(r) ? { ...r, value: { ...r.value, rle: erased.rle } } : r)),
    );
  }

  function handleDoubleClick() {
    if (draft?.kind === "polygon") closePolygon(draft.points);
  }

  if (url === null) {
    return (
      <p className="message message-error lc-object" role="alert">
        This image URL is not allowed. Images load only from http(s) and data:image URLs and Gloss uploads.
      </p>
    );
  }

  const regions = editor.result.filter(
    (item): item is RegionItem =>
      isRegion(item) && item.type !== "labels" && item.to_name === object.name && !editor.hidden.has(item.id),
  );
  const masks = editor.result.filter(
    (item): item is RegionItem =>
      isRegion(item) && item.type === "brushlabels" && item.to_name === object.name && maskPixels(item) !== null,
  );
  const masksUndrawn = masks.filter((item) => !masksDrawn.has(item.id)).length;
  const aspect = natural ? natural.width / natural.height : 1;

  // Handles keep their size on screen whatever the zoom: r pixels in percent.
  const handleX = imageSize ? (5 * 100) / (imageSize.width * view.zoom) : 1;
  const handleY = imageSize ? (5 * 100) / (imageSize.height * view.zoom) : 1;

  /** valueOf is a region's value, or where the drag in progress has it. */
  const valueOf = (item: RegionItem) => (adjusting?.id === item.id ? adjusting.value : item.value);

  function shape(item: RegionItem) {
    const labels = labelsOf(item);
    const style = colorStyle(editor.colorOf(item.from_name, labels[0] ?? ""));
    const selected = item.id === editor.selected;
    const className =
      (selected ? "lc-shape lc-shape-selected" : "lc-shape") + (editor.locked.has(item.id) ? " lc-shape-locked" : "");
    // A selected region, or any region while no label is chosen, moves
    // when dragged; pressing it selects it.
    const movable = !editor.readOnly && (selected || tool === "select" || editor.linkingFrom !== null);
    const onPointerDown = movable ? (event: PointerEvent<SVGElement>) => beginAdjust(event, item, { kind: "move" }) : undefined;
    const title = <title>{labels.join(", ")}</title>;
    const v = valueOf(item);
    if (item.type === "rectanglelabels") {
      const [x, y, w, h] = [num(v.x), num(v.y), num(v.width), num(v.height)];
      if (x === null || y === null || w === null || h === null) return null;
      const rotation = num(v.rotation) ?? 0;
      if (rotation !== 0) {
        // Turned in pixels about the top-left corner, as Label Studio does:
        // the overlay's units are stretched, so the corners are computed.
        const corners = boxCorners(x, y, w, h, rotation, aspect);
        return (
          <polygon
            key={item.id}
            className={className}
            style={style}
            points={corners.map((p) => `${p[0]},${p[1]}`).join(" ")}
            onPointerDown={onPointerDown}
            data-region-id={item.id}
          >
            {title}
          </polygon>
        );
      }
      return (
        <rect
          key={item.id}
          className={className}
          style={style}
          x={x}
          y={y}
          width={w}
          height={h}
          onPointerDown={onPointerDown}
          data-region-id={item.id}
        >
          {title}
        </rect>
      );
    }
    if (item.type === "polygonlabels") {
      const points = pointsOf(v).map((p) => `${p[0]},${p[1]}`);
      return (
        <polygon
          key={item.id}
          className={className}
          style={style}
          points={points.join(" ")}
          onPointerDown={onPointerDown}
          data-region-id={item.id}
        >
          {title}
        </polygon>
      );
    }
    if (item.type === "brushlabels") {
      // A mask does not move; pressing it selects it, unless a tool is drawing (it covers the whole image).
      return (
        <BrushMask
          key={item.id}
          item={item}
          drawable={masksDrawn.has(item.id)}
          className={className}
          selectable={tool === "select"}
          onPointerDown={(event) => {
            if (event.button !== 0) return;
            event.stopPropagation();
            editor.select(item.id);
          }}
        />
      );
    }
    if (item.type === "ellipselabels") {
      const [cx, cy, rx, ry] = [num(v.x), num(v.y), num(v.radiusX), num(v.radiusY)];
      if (cx === null || cy === null || rx === null || ry === null) return null;
      const rotation = num(v.rotation) ?? 0;
      const common = { className, style, onPointerDown, "data-region-id": item.id };
      if (rotation === 0) {
        return (
          <ellipse key={item.id} {...common} cx={cx} cy={cy} rx={rx} ry={ry}>
            {title}
          </ellipse>
        );
      }
      // Turned in pixels about its centre: the overlay is stretched, so the outline is computed.
      const outline: Point[] = [];
      for (let i = 0; i < 48; i++) {
        const t = (i / 48) * 2 * Math.PI;
        outline.push(rotated([cx, cy], [cx + rx * Math.cos(t), cy + ry * Math.sin(t)], rotation, aspect));
      }
      return (
        <polygon key={item.id} {...common} points={outline.map((p) => `${p[0]},${p[1]}`).join(" ")}>
          {title}
        </polygon>
      );
    }
    const [x, y] = [num(v.x), num(v.y)];
    if (x === null || y === null) return null;
    return (
      <ellipse
        key={item.id}
        className={`${className} lc-keypoint`}
        style={style}
        cx={x}
        cy={y}
        rx={0.9}
        ry={0.9 * aspect}
        onPointerDown={onPointerDown}
        data-region-id={item.id}
      >
        {title}
      </ellipse>
    );
  }

  // handles draws the selected region's handles: a box's corners and edges
  // (not when rotated), a polygon's vertices (Alt+click or double-click
  // removes one) with a handle in the middle of each side that adds one.
  function handles() {
    const item = regions.find((r) => r.id === editor.selected);
    if (!item || editor.readOnly || editor.locked.has(item.id)) return null;
    const labels = labelsOf(item);
    const style = colorStyle(editor.colorOf(item.from_name, labels[0] ?? ""));
    const v = valueOf(item);
    const dot = (key: string, cx: number, cy: number, props: Record<string, unknown>, small = false) => (
      <ellipse
        key={key}
        className={small ? "lc-handle lc-handle-add" : "lc-handle"}
        cx={cx}
        cy={cy}
        rx={small ? handleX * 0.7 : handleX}
        ry={small ? handleY * 0.7 : handleY}
        {...props}
      />
    );
    if (item.type === "rectanglelabels") {
      const [x, y, w, h] = [num(v.x), num(v.y), num(v.width), num(v.height)];
      if (x === null || y === null || w === null || h === null) return null;
      const rotation = num(v.rotation) ?? 0;
      // The rotate handle sits 24 pixels above the middle of the top edge, turned with the box.
      const up = (24 * 100) / ((imageSize?.height ?? 100) * view.zoom);
      const [rx, ry] = rotated([x, y], [x + w / 2, y - up], rotation, aspect);
      const rotate = dot("rotate", rx, ry, {
        "data-handle": "rotate",
        className: "lc-handle lc-handle-rotate",
        onPointerDown: (event: PointerEvent<SVGElement>) => beginAdjust(event, item, { kind: "rotate" }),
      });
      if (rotation !== 0) return <g style={style}>{rotate}</g>;
      return (
        <g style={style}>
          {rotate}
          {boxHandles.map((b) =>
            dot(b.name, x + w * b.fx, y + h * b.fy, {
              "data-handle": b.name,
              style: { cursor: b.cursor },
              onPointerDown: (event: PointerEvent<SVGElement>) =>
                beginAdjust(event, item, {
                  kind: "edges",
                  left: b.fx === 0,
                  right: b.fx === 1,
                  top: b.fy === 0,
                  bottom: b.fy === 1,
                }),
            }),
          )}
        </g>
      );
    }
    if (item.type === "ellipselabels") {
      // The handles of the box around the ellipse, turned with it.
      const [cx, cy, rx, ry] = [num(v.x), num(v.y), num(v.radiusX), num(v.radiusY)];
      if (cx === null || cy === null || rx === null || ry === null) return null;
      const rotation = num(v.rotation) ?? 0;
      return (
        <g style={style}>
          {boxHandles.map((b) => {
            const [hx, hy] = rotated([cx, cy], [cx + (2 * b.fx - 1) * rx, cy + (2 * b.fy - 1) * ry], rotation, aspect);
            return dot(b.name, hx, hy, {
              "data-handle": b.name,
              style: { cursor: rotation === 0 ? b.cursor : "move" },
              onPointerDown: (event: PointerEvent<SVGElement>) =>
                beginAdjust(event, item, {
                  kind: "edges",
                  left: b.fx === 0,
                  right: b.fx === 1,
                  top: b.fy === 0,
                  bottom: b.fy === 1,
                }),
            });
          })}
        </g>
      );
    }
    if (item.type === "polygonlabels") {
      const points = pointsOf(v);
      const removeVertex = (index: number) => {
        if (points.length <= 3) {
          editor.notify("A polygon needs at least 3 points.");
          return;
        }
        editor.update((result) =>
          result.map((r) =>
            r.id === item.id && isRegion(r) ? { ...r, value: { ...r.value, points: points.filter((_, i) => i !== index) } } : r,
          ),
        );
      };
      // A polygon of a model's or an import's, thousands of points long,
      // gets no handles: two circles a point froze the tab (300,000 for a
      // crafted one). It is still moved whole, relabeled or deleted.
      if (points.length > maxVertexHandles) return null;
      return (
        <g style={style}>
          {points.map((p, i) => {
            const q = points[(i + 1) % points.length] ?? p;
            const mid: Point = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
            return dot(
              `add-${i}`,
              mid[0],
              mid[1],
              {
                "data-handle": `add-${i}`,
                onPointerDown: (event: PointerEvent<SVGElement>) => {
                  const inserted = [...points.slice(0, i + 1), mid, ...points.slice(i + 1)];
                  beginAdjust(event, item, { kind: "vertex", index: i + 1 }, { ...v, points: inserted });
                },
              },
              true,
            );
          })}
          {points.map((p, i) =>
            dot(`vertex-${i}`, p[0], p[1], {
              "data-handle": `vertex-${i}`,
              onPointerDown: (event: PointerEvent<SVGElement>) => {
                if (event.altKey) {
                  event.stopPropagation();
                  event.preventDefault();
                  removeVertex(i);
                  return;
                }
                beginAdjust(event, item, { kind: "vertex", index: i });
              },
              onDoubleClick: (event: PointerEvent<SVGElement>) => {
                event.stopPropagation();
                removeVertex(i);
              },
            }),
          )}
        </g>
      );
    }
    return null;
  }

  // relationArrows draws each relation between two shown regions of this
  // image as an arrow from centre to centre.
  function relationArrows() {
    const centres = new Map<string, Point>();
    for (const item of regions) {
      const at = centreOf(item.type, valueOf(item), aspect);
      if (at) centres.set(item.id, at);
    }
    const arrows = editor.result.filter(isRelation).flatMap((relation) => {
      const from = centres.get(relation.from_id);
      const to = centres.get(relation.to_id);
      if (!from || !to) return [];
      return [
        <line
          key={relation.id}
          className="lc-relation-arrow"
          x1={from[0]}
          y1={from[1]}
          x2={to[0]}
          y2={to[1]}
          markerEnd={relation.direction === "left" ? undefined : `url(#${editor.idPrefix}-${object.name}-arrow)`}
          markerStart={relation.direction === "right" ? undefined : `url(#${editor.idPrefix}-${object.name}-arrow)`}
          vectorEffect="non-scaling-stroke"
          data-relation-id={relation.id}
        />,
        relationLabel(relation.id, relation.labels, [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2]),
      ];
    });
    if (arrows.length === 0) return null;
    return (
      <g className="lc-relations-overlay">
        <defs>
          <marker
            id={`${editor.idPrefix}-${object.name}-arrow`}
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="3"
            markerHeight="3"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {arrows}
      </g>
    );
  }

  // relationLabel writes a relation's labels at at (percent), the middle of
  // its arrow. The overlay stretches percent to the image and the stage is
  // zoomed, so the text is scaled back to screen pixels there: same size,
  // undistorted, at any zoom.
  function relationLabel(id: string, labels: readonly string[], at: Point) {
    if (labels.length === 0 || !imageSize) return null;
    const sx = 100 / (imageSize.width * view.zoom);
    const sy = 100 / (imageSize.height * view.zoom);
    return (
      <text
        key={`${id}-label`}
        className="lc-relation-label"
        transform={`translate(${at[0]} ${at[1]}) scale(${sx} ${sy})`}
        textAnchor="middle"
        dominantBaseline="central"
        data-relation-label={id}
      >
        {labels.join(", ")}
      </text>
    );
  }

  // Region labels are HTML over the image, so text is not stretched with the overlay.
  function regionLabels() {
    return regions.map((item) => {
      const labels = labelsOf(item);
      if (labels.length === 0) return null;
      const v = valueOf(item);
      let at: Point | null = null;
      if (item.type === "polygonlabels") {
        const points = pointsOf(v);
        if (points.length > 0) at = [least(points.map((p) => p[0])), least(points.map((p) => p[1]))];
      } else {
        const [x, y] = [num(v.x), num(v.y)];
        // A keypoint's label starts at the dot's right edge (its radius is 0.9%), beside it rather than over it.
        if (x !== null && y !== null) at = item.type === "keypointlabels" ? [x + 0.9, y] : [x, y];
      }
      if (!at) return null;
      return (
        <span
          key={item.id}
          className={item.id === editor.selected ? "lc-region-label lc-region-label-selected" : "lc-region-label"}
          style={{
            ...colorStyle(editor.colorOf(item.from_name, labels[0] ?? "")),
            left: `${at[0]}%`,
            top: `${at[1]}%`,
            transform: `scale(${1 / view.zoom}) translateY(-100%)`,
          }}
          aria-hidden="true"
        >
          {labels.join(", ")}
        </span>
      );
    });
  }

  function draftShape() {
    if (!draft) return null;
    const label = control ? (editor.active[control.name]?.[0] ?? "") : "";
    const style = colorStyle(control ? editor.colorOf(control.name, label) : "currentColor");
    if (draft.kind === "rect" && drawTool === "ellipse") {
      return (
        <ellipse
          className="lc-shape lc-draft"
          style={style}
          cx={(draft.from[0] + draft.to[0]) / 2}
          cy={(draft.from[1] + draft.to[1]) / 2}
          rx={Math.abs(draft.to[0] - draft.from[0]) / 2}
          ry={Math.abs(draft.to[1] - draft.from[1]) / 2}
        />
      );
    }
    if (draft.kind === "rect") {
      return (
        <rect
          className="lc-shape lc-draft"
          style={style}
          x={Math.min(draft.from[0], draft.to[0])}
          y={Math.min(draft.from[1], draft.to[1])}
          width={Math.abs(draft.to[0] - draft.from[0])}
          height={Math.abs(draft.to[1] - draft.from[1])}
        />
      );
    }
    if (draft.kind === "brush") {
      const screen = natural && imageSize ? (brushSize(natural) * imageSize.width * view.zoom) / natural.width : 8;
      return (
        <polyline
          className={draft.erase ? "lc-draft lc-eraser-stroke" : "lc-draft"}
          style={
            draft.erase
              ? { fill: "none", stroke: "#fff", strokeOpacity: 0.75 }
              : { ...style, fill: "none", stroke: "var(--label-color)", strokeOpacity: 0.6 }
          }
          strokeWidth={screen}
          strokeLinecap="round"
          strokeLinejoin="round"
          vectorEffect="non-scaling-stroke"
          points={draft.points.map((p) => `${p[0]},${p[1]}`).join(" ")}
        />
      );
    }
    const path = draft.cursor ? [...draft.points, draft.cursor] : draft.points;
    return (
      <g style={style}>
        <polyline className="lc-shape lc-draft" points={path.map((p) => `${p[0]},${p[1]}`).join(" ")} />
        {draft.points.map((p, i) => (
          <ellipse
            key={i}
            className={i === 0 ? "lc-vertex lc-vertex-first" : "lc-vertex"}
            cx={p[0]}
            cy={p[1]}
            rx={i === 0 ? 1.2 : 0.6}
            ry={(i === 0 ? 1.2 : 0.6) * aspect}
          />
        ))}
      </g>
    );
  }

  const { zoom } = view;
  const stageStyle = { transform: `translate(${view.x}px, ${view.y}px) scale(${zoom})` };
  return (
    <div className="lc-object lc-image-object">
      <div className="lc-image-toolbar" role="toolbar" aria-label={`Image tools (${object.name})`}>
        <Button onClick={() => zoomAt(zoomStep)} disabled={zoom >= maxZoom}>
          Zoom in
        </Button>
        <Button onClick={() => zoomAt(1 / zoomStep)} disabled={zoom <= minZoom}>
          Zoom out
        </Button>
        <Button onClick={resetZoom} disabled={zoom === 1 && view.x === 0 && view.y === 0}>
          Reset zoom
        </Button>
        <Button aria-pressed={panTool} onClick={() => setPanTool((on) => !on)}>
          Pan
        </Button>
        {canBrush ? (
          <Button aria-pressed={eraser} onClick={() => setEraser((on) => !on)}>
            Eraser
          </Button>
        ) : null}
        <span className="muted lc-zoom-level">{Math.round(zoom * 100)}%</span>
        {canDraw ? (
          <span className="muted lc-tool-hint">
            {eraser && !erasing && tool !== "pan" ? "Select a brush mask to erase from. " : ""}
            {toolHints[tool]}
          </span>
        ) : null}
      </div>
      {masksUndrawn > 0 ? (
        <p className="lc-brush-notice" role="note">
          {`${masksUndrawn} of the ${masks.length} brush masks are not drawn: the most it draws is ${maxMasksPixels.toLocaleString("en")} pixels in all (${maxMaskPixels.toLocaleString("en")} for one mask).`}
        </p>
      ) : null}
      <div
        ref={viewportRef}
        className={`lc-image-viewport lc-tool-${tool}`}
        onPointerDown={handlePointerDown}
        onPointerMove={handlePointerMove}
        onPointerUp={handlePointerUp}
        onPointerCancel={() => {
          drag.current = null;
          setAdjusting(null);
          setDraft((d) => (d?.kind === "rect" || d?.kind === "brush" ? null : d));
        }}
        onDoubleClick={handleDoubleClick}
        onPointerEnter={() => {
          hovering.current = true;
        }}
        onPointerLeave={() => {
          hovering.current = false;
        }}
        onAuxClick={(event) => event.preventDefault()}
      >
        <div ref={stageRef} className="lc-image-stage" style={stageStyle}>
          <img
            src={url}
            alt={`Image to label (${object.name})`}
            draggable={false}
            referrerPolicy="no-referrer"
            style={imageSize}
            onLoad={(event) => {
              setFailed(false);
              setNatural({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight });
            }}
            onError={() => setFailed(true)}
          />
          {natural ? (
            <svg
              ref={svgRef}
              className="lc-image-overlay"
              viewBox="0 0 100 100"
              preserveAspectRatio="none"
              aria-hidden="true"
            >
              {regions.map(shape)}
              {relationArrows()}
              {handles()}
              {draftShape()}
            </svg>
          ) : null}
          {natural ? <div className="lc-region-labels">{regionLabels()}</div> : null}
        </div>
      </div>
      {canDraw && natural ? (
        <details className="lc-coordinates">
          <summary>Add a region by coordinates</summary>
          <CoordinateForm
            tool={drawTool}
            idPrefix={`${editor.idPrefix}-${object.name}`}
            notify={editor.notify}
            add={(tags, value) => addRegion(tags, value)}
          />
        </details>
      ) : null}
      {failed ? (
        <p className="message message-error" role="alert">
          The image could not be loaded.
        </p>
      ) : null}
    </div>
  );
}

/** brushSize is the brush's width in image pixels: a fortieth of the image's smaller side, at least 4. */
function brushSize(natural: { width: number; height: number }): number {
  return Math.max(4, Math.round(Math.min(natural.width, natural.height) / 40));
}

/**
 * strokePixels draws a stroke through points (percent of the image) size
 * pixels wide on a canvas of the image's size and returns the pixels it
 * touched, one byte per pixel.
 */
function strokePixels(points: Point[], width: number, height: number, size: number): Uint8Array {
  const touched = new Uint8Array(width * height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return touched;
  context.strokeStyle = "#000";
  context.fillStyle = "#000";
  context.lineWidth = size;
  context.lineCap = "round";
  context.lineJoin = "round";
  const px = points.map((p): Point => [(p[0] / 100) * width, (p[1] / 100) * height]);
  context.beginPath();
  px.forEach((p, i) => (i === 0 ? context.moveTo(p[0], p[1]) : context.lineTo(p[0], p[1])));
  if (px.length === 1 && px[0]) {
    context.arc(px[0][0], px[0][1], size / 2, 0, 2 * Math.PI);
    context.fill();
  } else {
    context.stroke();
  }
  const rgba = context.getImageData(0, 0, width, height).data;
  for (let i = 0; i < touched.length; i++) touched[i] = rgba[i * 4 + 3] ? 1 : 0;
  return touched;
}

/**
 * paintRLE paints a stroke through points (percent of the image) size pixels
 * wide on a mask of the image's size and encodes it: painted pixels are
 * opaque.
 */
function paintRLE(points: Point[], width: number, height: number, size: number): number[] {
  const touched = strokePixels(points, width, height, size);
  const values = new Uint8Array(width * height * 4);
  for (let p = 0; p < touched.length; p++) values[p * 4 + 3] = touched[p] ? 255 : 0;
  return encodeRLE(values);
}

/**
 * eraseRLE clears the pixels a stroke through points touches from a mask
 * of width × height (all four values of each, so a cleared pixel is as an
 * unpainted one; the others stay exactly as they were). It says whether
 * anything changed and whether anything painted is left, or returns null
 * when the mask cannot be read.
 */
function eraseRLE(
  rle: readonly number[],
  width: number,
  height: number,
  points: Point[],
  size: number,
): { rle: number[]; changed: boolean; painted: boolean } | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width * height > 25_000_000) {
    return null;
  }
  const values = decodeRLE(rle, width * height * 4);
  if (!values || values.length !== width * height * 4) return null;
  const touched = strokePixels(points, width, height, size);
  let changed = false;
  let painted = false;
  for (let p = 0; p < touched.length; p++) {
    const at = p * 4;
    if (touched[p] && (values[at] || values[at + 1] || values[at + 2] || values[at + 3])) {
      values.fill(0, at, at + 4);
      changed = true;
    }
    if (values[at + 3]) painted = true;
  }
  return { rle: changed ? encodeRLE(values) : [...rle], changed, painted };
}

/**
 * encodeRLE encodes a mask's RGBA values in Label Studio's RLE (8-bit
 * words, run sizes 3, 4, 8 and 16 bits, as label_studio_converter writes it).
 */
function encodeRLE(values: Uint8Array): number[] {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  const put = (value: number, n: number) => {
    for (let k = n - 1; k >= 0; k--) {
      acc = (acc << 1) | (Math.floor(value / 2 ** k) & 1);
      if (++bits === 8) {
        bytes.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  };
  put(values.length, 32);
  put(7, 5);
  for (const s of [3, 4, 8, 16]) put(s - 1, 4);
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i] && j - i < 65536) j++;
    const n = j - i;
    const v = values[i] ?? 0;
    if (n === 1) {
      put(0, 1);
      put(0, 2);
      put(0, 3);
    } else {
      const which = n <= 8 ? 0 : n <= 16 ? 1 : n <= 256 ? 2 : 3;
      put(1, 1);
      put(which, 2);
      put(n - 1, [3, 4, 8, 16][which] ?? 16);
    }
    put(v, 8);
    i = j;
  }
  if (bits > 0) put(0, 8 - bits);
  return bytes;
}

/**
 * decodeRLE reads Label Studio's brush RLE (thi.ng rle-pack: a 32-bit count,
 * a 5-bit word size, four 4-bit run-length sizes, then runs) into bytes, or
 * null when it is malformed or larger than limit.
 */
export function decodeRLE(rle: readonly number[], limit: number): Uint8Array | null {
  let pos = 0;
  const read = (n: number): number | null => {
    if (pos + n > rle.length * 8) return null;
    let v = 0;
    for (let i = 0; i < n; i++, pos++) v = v * 2 + (((rle[pos >> 3] ?? 0) >> (7 - (pos & 7))) & 1);
    return v;
  };
  const num = read(32);
  const word = read(5);
  if (num === null || word === null || num > limit) return null;
  const sizes = [read(4), read(4), read(4), read(4)];
  if (sizes.some((s) => s === null)) return null;
  const out = new Uint8Array(num);
  for (let i = 0; i < num; ) {
    const repeat = read(1);
    const which = read(2);
    const n = which === null ? null : read((sizes[which] ?? 0) + 1);
    if (repeat === null || n === null) return null;
    const j = Math.min(num, i + 1 + n);
    if (repeat) {
      const v = read(word + 1);
      if (v === null) return null;
      out.fill(v, i, j);
      i = j;
    } else {
      for (; i < j; i++) {
        const v = read(word + 1);
        if (v === null) return null;
        out[i] = v;
      }
    }
  }
  return out;
}

/** maxVertexHandles is the most points a selected polygon gets handles for. */
const maxVertexHandles = 2000;

/** maxMaskPixels is the largest mask, in pixels, BrushMask draws. */
const maxMaskPixels = 25_000_000;

/**
 * maxMasksPixels is the most pixels of masks an editor draws in all: each
 * is decoded at full size into a bitmap of 4 bytes a pixel, so this is
 * about 256 MB, sixteen 4-megapixel masks. A result of 1 MiB holds 64 masks
 * of 25 megapixels; drawn whole, they froze the tab for about a minute.
 */
const maxMasksPixels = 64_000_000;

/** maskPixels is the size in pixels of a brush mask, or null when it gives none that can be drawn. */
function maskPixels(item: RegionItem): number | null {
  const width = num(item.original_width);
  const height = num(item.original_height);
  if (width === null || height === null || !Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return null;
  }
  return width * height;
}

/**
 * drawnMasks returns the ids of the brush masks of result that are drawn:
 * those of a size that can be, up to maxMaskPixels each and maxMasksPixels
 * in all, counted from the smallest, so that masks of a crafted size cannot
 * crowd out the ordinary ones wherever they stand in the result.
 */
function drawnMasks(result: readonly ResultItem[]): Set<string> {
  const masks: { id: string; pixels: number }[] = [];
  for (const item of result) {
    if (!isRegion(item) || item.type !== "brushlabels") continue;
    const pixels = maskPixels(item);
    if (pixels !== null && pixels <= maxMaskPixels) masks.push({ id: item.id, pixels });
  }
  masks.sort((a, b) => a.pixels - b.pixels);
  const drawn = new Set<string>();
  let total = 0;
  for (const mask of masks) {
    if (total + mask.pixels > maxMasksPixels) break;
    total += mask.pixels;
    drawn.add(mask.id);
  }
  return drawn;
}

/**
 * The masks drawn so far, by the RLE list they were drawn from and then by
 * size and color. Results are never changed in place, so an edited mask
 * (erased, undone) is a new list and is drawn anew.
 */
const maskCache = new WeakMap<object, Map<string, string | null>>();

/** drawMask draws a mask of width × height in color as a data:image URL and keeps it in maskCache. */
function drawMask(source: readonly JsonValue[], width: number, height: number, color: string, key: string): void {
  let href: string | null = null;
  const rle = source.filter((v): v is number => typeof v === "number");
  const bytes = decodeRLE(rle, width * height * 4);
  const canvas = document.createElement("canvas");
  const context = bytes && bytes.length === width * height * 4 ? canvas.getContext("2d") : null;
  if (bytes && context) {
    canvas.width = width;
    canvas.height = height;
    // The mask is the alpha channel; it is painted in the label's color.
    context.fillStyle = color;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
    const image = context.createImageData(width, height);
    for (let i = 3; i < bytes.length; i += 4) {
      if (bytes[i]) {
        image.data[i - 3] = r ?? 0;
        image.data[i - 2] = g ?? 0;
        image.data[i - 1] = b ?? 0;
        image.data[i] = 160;
      }
    }
    context.putImageData(image, 0, 0);
    href = canvas.toDataURL("image/png");
  }
  maskCache.set(source, (maskCache.get(source) ?? new Map<string, string | null>()).set(key, href));
}

/**
 * The masks waiting to be drawn. One is drawn per task, so the tab answers
 * input between masks however many a result holds.
 */
const maskQueue: (() => void)[] = [];

/** queueMask has draw run in a later task and returns a function that takes it back if it has not run yet. */
function queueMask(draw: () => void): () => void {
  maskQueue.push(draw);
  if (maskQueue.length === 1) setTimeout(drawQueued, 0);
  return () => {
    const at = maskQueue.indexOf(draw);
    if (at >= 0) maskQueue.splice(at, 1);
  };
}

/** drawQueued draws the first mask waiting and leaves the next to a later task. */
function drawQueued() {
  maskQueue.shift()?.();
  if (maskQueue.length > 0) setTimeout(drawQueued, 0);
}

/**
 * BrushMask draws a brush region's mask over the image, through a canvas
 * turned into a data:image URL, unless drawable is false. A mask not drawn
 * yet is drawn in a later task; meanwhile the one drawn before it (before
 * an erase, say) stays.
 */
function BrushMask({
  item,
  drawable,
  className,
  selectable,
  onPointerDown,
}: {
  item: RegionItem;
  drawable: boolean;
  className: string;
  selectable: boolean;
  onPointerDown: (event: PointerEvent<SVGElement>) => void;
}) {
  const editor = useEditor();
  const width = num(item.original_width);
  const height = num(item.original_height);
  const source = drawable && Array.isArray(item.value.rle) ? item.value.rle : null;
  const labels = labelsOf(item);
  const color = editor.colorOf(item.from_name, labels[0] ?? "");
  const key = `${width}x${height}:${color}`;
  const drawn = source ? maskCache.get(source)?.get(key) : undefined;
  const [last, setLast] = useState<string | null>(null);
  useEffect(() => {
    if (!source || !width || !height || drawn !== undefined) return;
    return queueMask(() => {
      if (maskCache.get(source)?.get(key) === undefined) drawMask(source, width, height, color, key);
      setLast(maskCache.get(source)?.get(key) ?? null);
    });
  }, [source, drawn, width, height, color, key]);
  if (drawn !== undefined && drawn !== last) setLast(drawn);
  const href = source ? (drawn ?? last) : null;
  if (!href) return null;
  return (
    <image
      className={`${className} lc-brush`}
      href={href}
      x={0}
      y={0}
      width={100}
      height={100}
      preserveAspectRatio="none"
      data-region-id={item.id}
      pointerEvents={selectable ? "visiblePainted" : "none"}
      onPointerDown={selectable ? onPointerDown : undefined}
    >
      <title>{labels.join(", ")}</title>
    </image>
  );
}

interface CoordinateFormProps {
  tool: Tool;
  idPrefix: string;
  notify(message: string): void;
  add(tags: readonly RegionTag[], value: { [key: string]: JsonValue }): boolean;
}

/**
 * CoordinateForm is the keyboard path for drawing: a box, a point or a
 * polygon typed in percent of the image, for the label chosen above.
 */
function CoordinateForm({ tool, idPrefix, notify, add }: CoordinateFormProps) {
  const [x, setX] = useState("");
  const [y, setY] = useState("");
  const [width, setWidth] = useState("");
  const [height, setHeight] = useState("");
  const [points, setPoints] = useState("");

  if (tool !== "rect" && tool !== "point" && tool !== "polygon") {
    return <p className="field-hint">Choose a label first; the fields depend on its kind of region.</p>;
  }

  const percent = (value: string) => {
    const n = Number(value);
    return value.trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
  };

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (tool === "polygon") {
      const parsed = points
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split(",").map(percent));
      if (parsed.length < 3 || parsed.some((p) => p.length !== 2 || p[0] === null || p[1] === null)) {
        notify("Give at least 3 points as x,y pairs from 0 to 100, separated by spaces.");
        return;
      }
      if (add(["PolygonLabels"], { points: parsed as number[][] })) setPoints("");
      return;
    }
    const px = percent(x);
    const py = percent(y);
    if (px === null || py === null) {
      notify("X and Y must be numbers from 0 to 100.");
      return;
    }
    if (tool === "point") {
      if (add(["KeyPointLabels"], { x: px, y: py, width: 0.5 })) {
        setX("");
        setY("");
      }
      return;
    }
    const w = percent(width);
    const h = percent(height);
    if (w === null || h === null || w === 0 || h === 0 || px + w > 100 || py + h > 100) {
      notify("Width and Height must be greater than 0 and keep the box inside the image (X + Width ≤ 100).");
      return;
    }
    if (add(["RectangleLabels"], { x: px, y: py, width: w, height: h, rotation: 0 })) {
      setX("");
      setY("");
      setWidth("");
      setHeight("");
    }
  }

  const number = (name: string, label: string, value: string, set: (v: string) => void) => (
    <Field
      id={`${idPrefix}-${name}`}
      label={label}
      type="number"
      min={0}
      max={100}
      step="any"
      value={value}
      onValueChange={set}
    />
  );
  return (
    <form className="lc-coordinate-form" onSubmit={handleSubmit}>
      {tool === "polygon" ? (
        <Field
          id={`${idPrefix}-points`}
          label="Points (x,y in %)"
          type="text"
          placeholder="10,10 60,12 40,70"
          spellCheck={false}
          value={points}
          onValueChange={setPoints}
        />
      ) : (
        <>
          {number("x", "X (%)", x, setX)}
          {number("y", "Y (%)", y, setY)}
          {tool === "rect" ? number("width", "Width (%)", width, setWidth) : null}
          {tool === "rect" ? number("height", "Height (%)", height, setHeight) : null}
        </>
      )}
      <button type="submit" className="button button-secondary">
        {tool === "rect" ? "Add box" : tool === "point" ? "Add point" : "Add polygon"}
      </button>
    </form>
  );
}
