// HyperText with HyperTextLabels: the task's HTML, sanitized with DOMPurify to
// an allowlist of text tags with no attributes at all (so no scripts, event
// handlers, styles, URLs, ids or names), rendered in the page so spans can be
// selected, with labeled spans highlighted. Spans are stored in Label
// Studio's shape: XPaths of the start and end text nodes (relative to the
// HTML's root, such as /p[1]/text()[1]), offsets inside them, globalOffsets
// into the whole text, and the text. Highlights are drawn by wrapping text in
// <mark> elements made here, after the sanitized HTML is in place; offsets
// are always read from the sanitized HTML without them. Relations between
// spans are drawn over the HTML (SpanRelations), once the marks are in place.
import DOMPurify from "dompurify";
import { useLayoutEffect, useMemo, useRef, type MouseEvent } from "react";

import { asText, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { isRegion, labelsOf, num, type RegionItem } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";

const allowedTags = [
  "p", "div", "span", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "b", "i", "em", "strong", "u", "s",
  "small", "sub", "sup", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
  "tbody", "tfoot", "tr", "td", "th", "caption", "section", "article", "header", "footer", "main", "aside",
  "nav", "figure", "figcaption", "abbr", "q", "cite", "time", "mark", "a",
];

/** sanitize keeps only allowed tags, without any attribute. */
export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: [],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    KEEP_CONTENT: true,
    RETURN_TRUSTED_TYPE: false,
  });
}

/** textNodes lists root's text nodes in document order. */
function textNodes(root: Node): Text[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n as Text);
  return out;
}

/** xpathOf is Label Studio's XPath of a text node below root: /p[1]/text()[1]. */
function xpathOf(root: Node, node: Node): string {
  const parts: string[] = [];
  for (let n: Node | null = node; n && n !== root; n = n.parentNode) {
    const parent = n.parentNode;
    if (!parent) break;
    const siblings = Array.from(parent.childNodes);
    if (n.nodeType === Node.TEXT_NODE) {
      const position = siblings.filter((s) => s.nodeType === Node.TEXT_NODE).indexOf(n as ChildNode) + 1;
      parts.unshift(`text()[${position}]`);
    } else {
      const name = n.nodeName.toLowerCase();
      const position = siblings.filter((s) => s.nodeName.toLowerCase() === name).indexOf(n as ChildNode) + 1;
      parts.unshift(`${name}[${position}]`);
    }
  }
  return `/${parts.join("/")}`;
}

/** locate finds the text node and offset at a global text offset of root. */
function locate(root: Node, offset: number, atEnd: boolean): { node: Text; offset: number } | null {
  let seen = 0;
  const nodes = textNodes(root);
  for (const node of nodes) {
    const length = node.data.length;
    if (offset < seen + length || (atEnd && offset === seen + length)) return { node, offset: offset - seen };
    seen += length;
  }
  const last = nodes[nodes.length - 1];
  return last && offset === seen ? { node: last, offset: last.data.length } : null;
}

/** globalOffset is the number of characters of text in root before (node, offset). */
function globalOffset(root: Node, node: Node, offset: number): number {
  const range = document.createRange();
  range.selectNodeContents(root);
  range.setEnd(node, offset);
  return range.toString().length;
}

export function HyperTextObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  const clean = useMemo(() => sanitize(asText(objectValue(object.value, editor.data))), [object.value, editor.data]);
  const canLabel = !editor.readOnly && editor.config.controls.some((c) => c.tag === "HyperTextLabels" && c.toName.includes(object.name));
  const spans = editor.result.filter(
    (item): item is RegionItem => isRegion(item) && item.type === "hypertextlabels" && item.to_name === object.name && !editor.hidden.has(item.id),
  );

  const stageRef = useRef<HTMLDivElement>(null);

  // Put the sanitized HTML in place, then wrap each span's text in marks,
  // before anything measures where the marks are.
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    root.innerHTML = clean;
    for (const item of spans) {
      const g = item.value.globalOffsets;
      const start = g && typeof g === "object" && !Array.isArray(g) ? num(g.start) : null;
      const end = g && typeof g === "object" && !Array.isArray(g) ? num(g.end) : null;
      if (start === null || end === null || end <= start) continue;
      const labels = labelsOf(item);
      let seen = 0;
      for (const node of textNodes(root)) {
        const [from, to] = [Math.max(start - seen, 0), Math.min(end - seen, node.data.length)];
        seen += node.data.length;
        if (to <= from || !node.parentNode) continue;
        const range = document.createRange();
        range.setStart(node, from);
        range.setEnd(node, to);
        const mark = document.createElement("mark");
        mark.className = item.id === editor.selected ? "lc-span lc-span-selected" : "lc-span";
        mark.style.setProperty("--label-color", editor.colorOf(item.from_name, labels[0] ?? ""));
        mark.dataset.regionIds = item.id;
        if (seen >= end) mark.dataset.label = labels.join(", ");
        range.surroundContents(mark);
      }
    }
  });

  function handleMouseUp() {
    const root = ref.current;
    const selection = window.getSelection();
    if (!canLabel || !root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
    const start = globalOffset(root, range.startContainer, range.startOffset);
    const end = globalOffset(root, range.endContainer, range.endOffset);
    if (end <= start) return;
    // XPaths and offsets come from the sanitized HTML as stored, without marks.
    const pristine = document.createElement("div");
    pristine.innerHTML = clean;
    const from = locate(pristine, start, false);
    const to = locate(pristine, end, true);
    if (!from || !to) return;
    const added = editor.addRegion(object.name, ["HyperTextLabels"], {
      start: xpathOf(pristine, from.node),
      end: xpathOf(pristine, to.node),
      startOffset: from.offset,
      endOffset: to.offset,
      globalOffsets: { start, end },
      text: range.toString(),
    });
    if (added) selection.removeAllRanges();
  }

  function handleClick(event: MouseEvent<HTMLDivElement>) {
    const mark = (event.target as HTMLElement).closest<HTMLElement>("mark[data-region-ids]");
    if (mark && window.getSelection()?.isCollapsed !== false) {
      const id = mark.dataset.regionIds ?? null;
      editor.select(id === editor.selected ? null : id);
    }
  }

  return (
    <div className="lc-object">
      <div ref={stageRef} className="lc-text-stage">
        <div
          ref={ref}
          className={canLabel ? "lc-text lc-html lc-text-selectable" : "lc-text lc-html"}
          role="document"
          aria-label={`HTML content (${object.name})`}
          onMouseUp={handleMouseUp}
          onClick={handleClick}
        />
        <SpanRelations stage={stageRef} name={object.name} />
      </div>
      {canLabel ? <p className="field-hint">Choose a label, then select text to label it.</p> : null}
    </div>
  );
}
