// Label Studio labeling configurations, read in the browser. The XML is
// parsed with DOMParser as application/xml, which builds an inert document:
// nothing in it runs, loads or renders. The editor reads only the tags and
// attributes it knows from the result, and every value that reaches the page
// goes through React as text. The server has already checked the config
// (internal/labelconfig); this side stays forgiving and explains what it
// cannot show instead of failing.
import type { JsonValue } from "../api.ts";

/** ConfigNode is one tag of the config, with attribute names lower-cased as Label Studio does. */
export interface ConfigNode {
  tag: string;
  attrs: ReadonlyMap<string, string>;
  children: ConfigNode[];
  /** The tag's own text, trimmed (a Header's title, say). */
  text: string;
  /** A stable key for React: the node's path in the tree. */
  key: string;
}

export type ObjectTag = "Text" | "HyperText" | "Image" | "Paragraphs" | "Audio" | "Table";

export type ControlTag =
  | "Choices"
  | "Labels"
  | "RectangleLabels"
  | "PolygonLabels"
  | "KeyPointLabels"
  | "EllipseLabels"
  | "ParagraphLabels"
  | "HyperTextLabels"
  | "BrushLabels"
  | "TextArea"
  | "Rating"
  | "Number"
  | "DateTime"
  | "Taxonomy"
  | "Relations";

/** RegionTag is a control whose results are regions of an object rather than answers about it. */
export type RegionTag = "Labels" | "RectangleLabels" | "PolygonLabels" | "KeyPointLabels" | "EllipseLabels" | "ParagraphLabels" | "HyperTextLabels" | "BrushLabels";

export interface OptionInfo {
  /** What results store: the alias when there is one, otherwise the value. */
  value: string;
  /** What people see: the value attribute. */
  label: string;
  /** The key that picks the option, when it has one. */
  hotkey: string | null;
  /** A safe CSS color for regions with this label. */
  color: string | null;
  /** Nested options (Taxonomy only). */
  children: OptionInfo[];
  /** How many regions of one annotation may carry the label (maxUsages, of the Label or its labels tag); null: any number. */
  maxUsages: number | null;
}

export interface ControlInfo {
  name: string;
  tag: ControlTag;
  /** The result type: the tag in lower case. */
  type: string;
  toName: string[];
  choice: "single" | "multiple";
  options: OptionInfo[];
  node: ConfigNode;
}

export interface ObjectInfo {
  name: string;
  tag: ObjectTag;
  value: string;
  node: ConfigNode;
}

export interface LabelConfig {
  root: ConfigNode;
  controls: ControlInfo[];
  objects: ObjectInfo[];
  /** The data keys Image objects read, whose values are image URLs. */
  imageKeys: ReadonlySet<string>;
}

const objectTags: ReadonlySet<string> = new Set(["Text", "HyperText", "Image", "Paragraphs", "Audio", "Table"]);
const controlTags: ReadonlySet<string> = new Set([
  "Choices",
  "Labels",
  "RectangleLabels",
  "PolygonLabels",
  "KeyPointLabels",
  "EllipseLabels",
  "ParagraphLabels",
  "HyperTextLabels",
  "BrushLabels",
  "TextArea",
  "Rating",
  "Number",
  "DateTime",
  "Taxonomy",
  "Relations",
]);

/** isRegionTag reports whether a control draws regions (spans, boxes, polygons, points). */
export function isRegionTag(tag: string): tag is RegionTag {
  return (
    tag === "Labels" ||
    tag === "RectangleLabels" ||
    tag === "PolygonLabels" ||
    tag === "KeyPointLabels" ||
    tag === "EllipseLabels" ||
    tag === "ParagraphLabels" ||
    tag === "HyperTextLabels" ||
    tag === "BrushLabels"
  );
}

/** attr returns an attribute by name, case-insensitively, or "" when it is absent. */
export function attr(node: ConfigNode, name: string): string {
  return node.attrs.get(name.toLowerCase()) ?? "";
}

/** controlLabel is what a control is called for people: its name, with separators as spaces and a capital. */
export function controlLabel(control: ControlInfo): string {
  const words = control.name.replace(/[_-]+/g, " ").trim() || control.tag;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** isTrue reads a Label Studio boolean attribute ("true", any case). */
export function isTrue(value: string): boolean {
  return value.trim().toLowerCase() === "true";
}

export type ParseOutcome = { config: LabelConfig; error?: never } | { config?: never; error: string };

/** parseLabelConfig reads a labeling config, or says in a sentence why it cannot. */
export function parseLabelConfig(xml: string): ParseOutcome {
  if (xml.trim() === "") {
    return { error: "The labeling configuration is empty." };
  }
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    return { error: "DOCTYPE and ENTITY declarations are not allowed in a labeling configuration." };
  }
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  const failure = doc.getElementsByTagName("parsererror")[0];
  if (failure) {
    // Chromium wraps the message in headings around a <div>; other engines give plain text.
    const message = failure.querySelector("div")?.textContent ?? failure.textContent ?? "";
    const detail = message.replace(/\s+/g, " ").trim();
    return { error: `The labeling configuration is not well-formed XML${detail ? `: ${detail}` : "."}` };
  }
  const top = doc.documentElement;
  if (top.tagName !== "View") {
    return { error: `The labeling configuration must start with <View>, not <${top.tagName}>.` };
  }
  const root = toNode(top, "0");
  const controls: ControlInfo[] = [];
  const objects: ObjectInfo[] = [];
  const imageKeys = new Set<string>();
  walk(root, (node) => {
    const name = attr(node, "name");
    if (objectTags.has(node.tag)) {
      const value = attr(node, "value") || attr(node, "valueList");
      objects.push({ name, tag: node.tag as ObjectTag, value, node });
      if (node.tag === "Image") {
        const key = dataKeyOf(value);
        if (key) imageKeys.add(key);
      }
    } else if (controlTags.has(node.tag)) {
      controls.push(controlOf(node, name));
      return false; // options are read by controlOf
    }
    return true;
  });
  assignHotkeys(controls);
  return { config: { root, controls, objects, imageKeys } };
}

function toNode(element: Element, key: string): ConfigNode {
  const attrs = new Map<string, string>();
  for (const a of Array.from(element.attributes)) {
    attrs.set(a.name.toLowerCase(), a.value);
  }
  const children: ConfigNode[] = [];
  let text = "";
  element.childNodes.forEach((child) => {
    if (child.nodeType === Node.ELEMENT_NODE) {
      children.push(toNode(child as Element, `${key}.${children.length}`));
    } else if (child.nodeType === Node.TEXT_NODE || child.nodeType === Node.CDATA_SECTION_NODE) {
      text += child.nodeValue ?? "";
    }
  });
  return { tag: element.tagName, attrs, children, text: text.trim(), key };
}

/** walk visits nodes in document order; returning false skips a node's children. */
function walk(node: ConfigNode, visit: (node: ConfigNode) => boolean): void {
  if (!visit(node)) return;
  for (const child of node.children) walk(child, visit);
}

function controlOf(node: ConfigNode, name: string): ControlInfo {
  const tag = node.tag as ControlTag;
  const optionTag = tag === "Relations" ? "Relation" : tag === "Choices" || tag === "Taxonomy" ? "Choice" : "Label";
  const options: OptionInfo[] = [];
  const collect = (parent: ConfigNode, into: OptionInfo[]) => {
    for (const child of parent.children) {
      if (child.tag === optionTag) {
        const option = optionOf(child, node);
        into.push(option);
        if (tag === "Taxonomy") collect(child, option.children);
      } else if (child.tag === "View" || child.tag === "Header") {
        collect(child, into); // options may be grouped in layout tags
      }
    }
  };
  collect(node, options);
  return {
    name,
    tag,
    type: tag.toLowerCase(),
    toName: attr(node, "toName")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
    choice: attr(node, "choice") === "multiple" ? "multiple" : "single",
    options,
    node,
  };
}

function optionOf(node: ConfigNode, control: ConfigNode): OptionInfo {
  const label = attr(node, "value");
  const hotkey = attr(node, "hotkey");
  const maxUsages = Number(attr(node, "maxUsages") || attr(control, "maxUsages"));
  return {
    value: attr(node, "alias") || label,
    label,
    hotkey: hotkey.length === 1 ? hotkey.toLowerCase() : null,
    color: safeColor(attr(node, "background")),
    children: [],
    maxUsages: Number.isInteger(maxUsages) && maxUsages > 0 ? maxUsages : null,
  };
}

/**
 * assignHotkeys gives the options of Choices and the labels controls without
 * a hotkey attribute the digits 1 to 9, in document order, skipping digits
 * that some option already claims.
 */
function assignHotkeys(controls: ControlInfo[]): void {
  const used = new Set<string>();
  for (const control of controls) {
    for (const option of control.options) {
      if (option.hotkey !== null) {
        if (used.has(option.hotkey)) option.hotkey = null;
        else used.add(option.hotkey);
      }
    }
  }
  let next = 1;
  for (const control of controls) {
    if (control.tag !== "Choices" && !isRegionTag(control.tag)) continue;
    for (const option of control.options) {
      if (option.hotkey !== null) continue;
      while (next <= 9 && used.has(String(next))) next++;
      if (next > 9) return;
      option.hotkey = String(next);
      used.add(option.hotkey);
    }
  }
}

const namedColor = /^[a-z]{3,24}$/i;
const hexColor = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const functionColor = /^(?:rgba?|hsla?)\(\s*[-0-9.%\s,/deg]+\)$/i;

/**
 * safeColor returns a config's color when it is a plain CSS color (a name,
 * hex, rgb() or hsl()) and null otherwise, so a config can never smuggle
 * url() or anything else into a style.
 */
export function safeColor(value: string): string | null {
  const color = value.trim();
  if (color === "" || color.length > 64) return null;
  if (namedColor.test(color) || hexColor.test(color) || functionColor.test(color)) return color;
  return null;
}

/** dataKeyOf returns the data field a "$key" value reads, or null for a literal value. */
export function dataKeyOf(value: string): string | null {
  const match = /^\$([A-Za-z0-9_]+)/.exec(value.trim());
  return match?.[1] ?? null;
}

/** lookup follows a "$key.sub.field" reference into task data; undefined when it leads nowhere. */
export function lookup(data: JsonValue, reference: string): JsonValue | undefined {
  const path = reference.replace(/^\$/, "").split(".");
  let current: JsonValue | undefined = data;
  for (const part of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, part) ? current[part] : undefined;
  }
  return current;
}

/** asText shows any JSON value as text: strings as they are, everything else as JSON. */
export function asText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * objectValue is the data an object shows: the referenced field for a
 * "$key" value, the literal text otherwise.
 */
export function objectValue(value: string, data: JsonValue): JsonValue | undefined {
  if (/^\$[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/.test(value.trim())) {
    return lookup(data, value.trim());
  }
  return substitute(value, data);
}

/** substitute replaces each "$key" in a text (a Header's title, say) with that field as text. */
export function substitute(text: string, data: JsonValue): string {
  return text.replace(/\$([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (whole, path: string) => {
    const value = lookup(data, path);
    return value === undefined ? whole : asText(value);
  });
}

/** Label Studio's storage URIs: objects the browser loads only through the server's data proxy. */
const storageUri = /^(?:(?:s3|gs|azure-blob):\/\/[^/]+\/.|\/data\/local-files\/\?d=.)/;

/** resolveUrl is the data proxy's URL for a storage URI named by a task. */
export function resolveUrl(taskId: string, uri: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(uri)) binary += String.fromCharCode(byte);
  const fileuri = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `/api/tasks/${encodeURIComponent(taskId)}/resolve?fileuri=${fileuri}`;
}

/**
 * safeImageUrl returns the URL when an <img> may load it: http(s), a
 * data:image/ URL, a file uploaded to Gloss (/api/uploads/<name>, served
 * by the app itself), or, given the task, the data proxy's URL for a
 * storage URI (s3://bucket/key and the like). Anything else (javascript:,
 * other relative paths, other data) gives null.
 */
export function safeImageUrl(value: JsonValue | undefined, taskId?: string | undefined): string | null {
  if (typeof value !== "string") return null;
  if (taskId && storageUri.test(value)) return resolveUrl(taskId, value);
  const url = value.trim();
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(url)) return url;
  if (/^\/api\/uploads\/[0-9a-f]{32}\.[a-z0-9]{2,5}$/.test(url)) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * safeMediaUrl is safeImageUrl's rule for audio: http(s), a data:audio/ URL,
 * or a file uploaded to Gloss; anything else gives null.
 */
export function safeMediaUrl(value: JsonValue | undefined, taskId?: string | undefined): string | null {
  if (typeof value !== "string") return null;
  const url = value.trim();
  if (/^data:audio\/[a-z0-9.+-]+[;,]/i.test(url)) return url;
  if (/^data:/i.test(url)) return null;
  return safeImageUrl(url, taskId);
}

/** flexLayout reports whether a View's style asks for a row layout, the one style rule the editor honours. */
export function flexLayout(node: ConfigNode): boolean {
  return /(^|;)\s*display\s*:\s*(inline-)?flex\s*(;|$)/i.test(attr(node, "style"));
}

/** tagsUsed lists the distinct tags of a config, for describing templates. */
export function tagsUsed(config: LabelConfig): string[] {
  const seen: string[] = [];
  walk(config.root, (node) => {
    if ((objectTags.has(node.tag) || controlTags.has(node.tag)) && !seen.includes(node.tag)) seen.push(node.tag);
    return true;
  });
  return seen;
}
