// HyperText with HyperTextLabels: the task's HTML, sanitized with DOMPurify to
// an allowlist of text tags with no attributes at all (so no scripts, event
// handlers, styles, URLs, ids or names), with labeled spans highlighted.
// The sanitized HTML is parsed into an inert document (the "pristine" copy)
// and drawn from it as React elements, tag by tag (each again checked
// against the allowlist, never with an attribute) and text by text, so the
// spans over each text node are marks made here like every text object's
// (spans.tsx), and the selected span has edge handles that can be dragged.
// Spans are stored in Label Studio's shape: XPaths of the start and end
// text nodes (relative to the HTML's root, such as /p[1]/text()[1]), offsets
// inside them, globalOffsets into the whole text, and the text; all are
// UTF-16 offsets, as the browser counts them, read from the pristine copy.
// Relations between spans are drawn over the HTML (SpanRelations).
import DOMPurify from "dompurify";
import { createElement, useMemo, useRef, type ReactNode } from "react";

import { asText, attr, objectValue, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { isRegion, num } from "./result.ts";
import { SpanRelations } from "./SpanRelations.tsx";
import { offsetIn, SpanText, useSpanEdges, type Span, type SpanEdges } from "./spans.tsx";

const allowedTags = [
  "p", "div", "span", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "b", "i", "em", "strong", "u", "s",
  "small", "sub", "sup", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
  "tbody", "tfoot", "tr", "td", "th", "caption", "section", "article", "header", "footer", "main", "aside",
  "nav", "figure", "figcaption", "abbr", "q", "cite", "time", "mark", "a",
];
const allowed: ReadonlySet<string> = new Set(allowedTags);
const voidTags: ReadonlySet<string> = new Set(["br", "hr"]);

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

/**
 * draw makes React elements of the children of a pristine node: allowed
 * tags with no attributes, and each text node as SpanText at its offset in
 * the whole text (counted on in at).
 */
function draw(node: Node, edges: SpanEdges, at: { offset: number }): ReactNode[] {
  return Array.from(node.childNodes, (child, i) => {
    if (child.nodeType === Node.TEXT_NODE) {
      const text = (child as Text).data;
      const offset = at.offset;
      at.offset += text.length;
      return <SpanText key={i} text={text} at={offset} edges={edges} />;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) return null;
    const tag = child.nodeName.toLowerCase();
    const inner = draw(child, edges, at);
    if (!allowed.has(tag)) return inner;
    return voidTags.has(tag) ? createElement(tag, { key: i }) : createElement(tag, { key: i }, ...inner);
  });
}

export function HyperTextObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  const clean = useMemo(() => sanitize(asText(objectValue(object.value, editor.data))), [object.value, editor.data]);
  // The sanitized HTML as stored: XPaths and offsets come from it.
  // Parsed by DOMParser into a document of its own, which is inert: nothing
  // in it loads or runs, whatever the sanitizer let through.
  const pristine = useMemo(() => new DOMParser().parseFromString(clean, "text/html").body, [clean]);
  const text = pristine.textContent ?? "";
  const labelControls = editor.config.controls.filter((c) => c.tag === "HyperTextLabels" && c.toName.includes(object.name));
  const canLabel = !editor.readOnly && labelControls.length > 0;
  const stageRef = useRef<HTMLDivElement>(null);

  const spans: Span[] = [];
  for (const item of editor.result) {
    if (!isRegion(item) || item.type !== "hypertextlabels" || item.to_name !== object.name || editor.hidden.has(item.id)) continue;
    const g = item.value.globalOffsets;
    const start = g && typeof g === "object" && !Array.isArray(g) ? num(g.start) : null;
    const end = g && typeof g === "object" && !Array.isArray(g) ? num(g.end) : null;
    if (start === null || end === null || start < 0 || Math.min(end, text.length) <= start) continue;
    spans.push({ item, start, end: Math.min(end, text.length) });
  }

  /** valueAt is a span from start to end in Label Studio's shape, or null if the text has no such place. */
  function valueAt(start: number, end: number) {
    const from = locate(pristine, start, false);
    const to = locate(pristine, end, true);
    if (!from || !to) return null;
    return {
      start: xpathOf(pristine, from.node),
      end: xpathOf(pristine, to.node),
      startOffset: from.offset,
      endOffset: to.offset,
      globalOffsets: { start, end },
      text: text.slice(start, end),
    };
  }

  const edges = useSpanEdges({
    root: ref,
    text,
    spans,
    canEdit: canLabel,
    words: labelControls.some((c) => attr(c.node, "granularity") === "word"),
    offsetAt: (node, offset) => (ref.current ? offsetIn(ref.current, node, offset) : null),
    valueAt,
  });

  function handleMouseUp() {
    const root = ref.current;
    const selection = window.getSelection();
    if (!canLabel || !root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
    const start = offsetIn(root, range.startContainer, range.startOffset);
    const end = offsetIn(root, range.endContainer, range.endOffset);
    const value = end > start ? valueAt(start, end) : null;
    if (value && editor.addRegion(object.name, ["HyperTextLabels"], value)) {
      edges.spanMade();
      selection.removeAllRanges();
    }
  }

  const classes = ["lc-text lc-html", canLabel ? "lc-text-selectable" : "", edges.dragging ? "lc-text-dragging" : ""];
  return (
    <div className="lc-object">
      <div ref={stageRef} className="lc-text-stage">
        <div
          ref={ref}
          className={classes.filter(Boolean).join(" ")}
          role="document"
          aria-label={`HTML content (${object.name})`}
          onMouseUp={handleMouseUp}
          {...edges.stage}
        >
          {draw(pristine, edges, { offset: 0 })}
        </div>
        <SpanRelations stage={stageRef} name={object.name} />
      </div>
      {canLabel ? <p className="field-hint">Choose a label, then select text to label it.</p> : null}
    </div>
  );
}
