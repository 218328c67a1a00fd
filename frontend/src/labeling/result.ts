// Annotation results in Label Studio's format: a list of items, each either
// a region or answer made with one control ("from_name") on one object
// ("to_name"), or a relation between two regions. The editor keeps the list
// exactly as it will be sent, so what an annotator sees is what is saved.
import type { JsonValue } from "../api.ts";
import { attr, controlLabel, isRegionTag, isTrue, type ConfigNode, type ControlInfo, type LabelConfig, type OptionInfo } from "./config.ts";

type JsonObject = { [key: string]: JsonValue };

/** RegionItem is an answer or region made with one control. */
export type RegionItem = {
  id: string;
  from_name: string;
  to_name: string;
  /** The control's tag in lower case, such as "choices" or "rectanglelabels". */
  type: string;
  value: JsonObject;
  origin?: string;
  original_width?: number;
  original_height?: number;
  image_rotation?: number;
};

/** RelationItem links two regions of the same result. */
export type RelationItem = {
  id: string;
  type: "relation";
  from_id: string;
  to_id: string;
  direction: "right" | "left" | "bi";
  labels: string[];
};

export type ResultItem = RegionItem | RelationItem;

/** isRelation tells relations from regions. */
export function isRelation(item: ResultItem): item is RelationItem {
  return item.type === "relation";
}

const regionTypes: ReadonlySet<string> = new Set([
  "labels",
  "rectanglelabels",
  "polygonlabels",
  "keypointlabels",
  "ellipselabels",
  "paragraphlabels",
  "hypertextlabels",
  "brushlabels",
]);

/** isRegion reports whether an item is a region (span, box, polygon or point) that relations can link. */
export function isRegion(item: ResultItem): item is RegionItem {
  return regionTypes.has(item.type);
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** newId returns a random ten-character id, as Label Studio's editor makes them. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = "";
  for (const byte of bytes) id += idAlphabet[byte % idAlphabet.length];
  return id;
}

/** strings reads a list of strings from a result value, ignoring anything else. */
export function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * least and greatest are Math.min and Math.max of a list of any length:
 * spread into arguments, a list past about 125,000 numbers (a polygon of a
 * crafted result) overflows the call stack. Infinity and -Infinity for none.
 */
export function least(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

export function greatest(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** num reads a finite number from a result value. */
export function num(value: JsonValue | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * labelKey is where a region's value keeps its labels: under its type
 * ("labels", "rectanglelabels", ...), except HyperTextLabels, whose results
 * Label Studio keeps under "htmllabels".
 */
export function labelKey(type: string): string {
  return type === "hypertextlabels" ? "htmllabels" : type;
}

/** labelsOf returns a region's labels. */
export function labelsOf(item: RegionItem): string[] {
  return strings(item.value[labelKey(item.type)]);
}

/**
 * usages counts the regions of result that control labels with option
 * (what its maxUsages bounds), by either of its spellings, as the server
 * counts them: a prediction may carry the value where the editor writes
 * the alias.
 */
export function usages(result: readonly ResultItem[], control: ControlInfo, option: OptionInfo): number {
  let n = 0;
  for (const item of result) {
    if (!isRegion(item) || item.from_name !== control.name) continue;
    const labels = labelsOf(item);
    if (labels.includes(option.value) || labels.includes(option.label)) n++;
  }
  return n;
}

/**
 * usedUp returns the first of labels that control may not put on one more
 * region of result (its maxUsages reached), or null.
 */
export function usedUp(result: readonly ResultItem[], control: ControlInfo, labels: readonly string[]): OptionInfo | null {
  for (const value of labels) {
    const option = control.options.find((o) => o.value === value);
    if (option?.maxUsages != null && usages(result, control, option) >= option.maxUsages) return option;
  }
  return null;
}

/** maxUsagesNotice says that option's maxUsages is reached. */
export function maxUsagesNotice(option: OptionInfo): string {
  const times = option.maxUsages === 1 ? "once" : `${option.maxUsages} times`;
  return `"${option.label}" may be used only ${times} in one annotation.`;
}

/** controlItem finds the item holding a control's answer (choices, text, rating, ...). */
export function controlItem(result: readonly ResultItem[], control: ControlInfo): RegionItem | undefined {
  return result.find((item): item is RegionItem => !isRelation(item) && item.from_name === control.name);
}

/**
 * setControlValue replaces a control's answer with value, or removes it when
 * value is null. The answer is about the control's first object.
 */
export function setControlValue(
  result: readonly ResultItem[],
  control: ControlInfo,
  value: JsonObject | null,
): ResultItem[] {
  const existing = controlItem(result, control);
  if (value === null) {
    return result.filter((item) => item !== existing);
  }
  if (existing) {
    return result.map((item) => (item === existing ? { ...existing, value } : item));
  }
  return [
    ...result,
    {
      id: newId(),
      from_name: control.name,
      to_name: control.toName[0] ?? "",
      type: control.type,
      value,
      origin: "manual",
    },
  ];
}

/** removeRegion deletes a region together with the relations that link it. */
export function removeRegion(result: readonly ResultItem[], id: string): ResultItem[] {
  return result.filter((item) =>
    isRelation(item) ? item.from_id !== id && item.to_id !== id : item.id !== id,
  );
}

export interface Normalized {
  result: ResultItem[];
  /** How many items were left out because they do not fit this configuration. */
  dropped: number;
}

/**
 * normalizeResult reads a stored result (an annotation's or a prediction's)
 * into editor items: every region gets an id, and items for controls the
 * configuration does not have, or relations to regions that are not there,
 * are left out and counted.
 */
export function normalizeResult(raw: JsonValue, config: LabelConfig): Normalized {
  if (!Array.isArray(raw)) return { result: [], dropped: 0 };
  const regions: RegionItem[] = [];
  const relations: RelationItem[] = [];
  let dropped = 0;
  for (const entry of raw) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      dropped++;
      continue;
    }
    if (entry.type === "relation") {
      const { from_id: fromId, to_id: toId, direction } = entry;
      if (typeof fromId !== "string" || typeof toId !== "string") {
        dropped++;
        continue;
      }
      relations.push({
        id: typeof entry.id === "string" && entry.id ? entry.id : newId(),
        type: "relation",
        from_id: fromId,
        to_id: toId,
        direction: direction === "left" || direction === "bi" ? direction : "right",
        labels: strings(entry.labels),
      });
      continue;
    }
    const control = config.controls.find((c) => c.name === entry.from_name);
    const value = entry.value;
    if (
      !control ||
      typeof entry.to_name !== "string" ||
      !control.toName.includes(entry.to_name) ||
      value === null ||
      typeof value !== "object" ||
      Array.isArray(value)
    ) {
      dropped++;
      continue;
    }
    const item: RegionItem = {
      id: typeof entry.id === "string" && entry.id ? entry.id : newId(),
      from_name: control.name,
      to_name: entry.to_name,
      type: control.type,
      value,
      origin: typeof entry.origin === "string" ? entry.origin : "manual",
    };
    const width = num(entry.original_width);
    const height = num(entry.original_height);
    if (width !== null) item.original_width = width;
    if (height !== null) item.original_height = height;
    if (num(entry.image_rotation) !== null) item.image_rotation = num(entry.image_rotation) ?? 0;
    regions.push(item);
  }
  const ids = new Set(regions.map((r) => r.id));
  const linked = relations.filter((r) => ids.has(r.from_id) && ids.has(r.to_id));
  dropped += relations.length - linked.length;
  return { result: [...regions, ...linked], dropped };
}

/** toJson is the result as the API's JSON scalar takes it. */
export function toJson(result: readonly ResultItem[]): JsonValue {
  return result.map((item) => ({ ...item }) as JsonObject);
}

/**
 * missingRequired returns the message of the first control marked
 * required="true" that the result does not answer (or, for a region control,
 * has no region of), or null when nothing required is missing.
 */
export function missingRequired(config: LabelConfig, result: readonly ResultItem[]): string | null {
  for (const control of config.controls) {
    if (!isTrue(attr(control.node, "required"))) continue;
    // Hidden by visibleWhen (or shown only beside a selected region), a
    // control asks nothing, as in Label Studio.
    if (!pathTo(config.root, control.node).every((node) => shown(node, result, null, true))) continue;
    const answered = isRegionTag(control.tag)
      ? result.some((item) => isRegion(item) && item.from_name === control.name)
      : controlItem(result, control) !== undefined;
    if (!answered) {
      return attr(control.node, "requiredMessage") || `${controlLabel(control)} is required.`;
    }
  }
  return null;
}

/**
 * shown reports whether node shows under its visibleWhen, as Label Studio
 * reads it: "choice-selected" (any of whenChoiceValue's comma-separated
 * values, or any choice, picked in the control whenTagName names, or in
 * any), "choice-unselected" (the opposite), "region-selected" (a region is
 * selected, of the control whenTagName names and with the label
 * whenLabelValue names, when given) and "no-region-selected". selected is
 * the selected region; at a submit (submitting true) a control shown only
 * beside a selected region counts as hidden.
 */
export function shown(node: ConfigNode, result: readonly ResultItem[], selected: RegionItem | null, submitting = false): boolean {
  const when = attr(node, "visibleWhen");
  if (!when) return true;
  const tag = attr(node, "whenTagName");
  switch (when) {
    case "choice-selected":
    case "choice-unselected": {
      const values = attr(node, "whenChoiceValue")
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);
      const picked = result.some(
        (item) =>
          !isRelation(item) &&
          item.type === "choices" &&
          (!tag || item.from_name === tag) &&
          strings(item.value.choices).some((c) => values.length === 0 || values.includes(c)),
      );
      return when === "choice-selected" ? picked : !picked;
    }
    case "region-selected": {
      if (submitting || !selected) return false;
      const label = attr(node, "whenLabelValue");
      return (!tag || selected.from_name === tag) && (!label || labelsOf(selected).includes(label));
    }
    case "no-region-selected":
      return submitting || !selected;
  }
  return true; // a condition Gloss does not know shows the node, as Label Studio does
}

/** pathTo returns the nodes from root down to target, both included, or none when target is not in the tree. */
export function pathTo(root: ConfigNode, target: ConfigNode): ConfigNode[] {
  if (root === target) return [root];
  for (const child of root.children) {
    const path = pathTo(child, target);
    if (path.length > 0) return [root, ...path];
  }
  return [];
}
