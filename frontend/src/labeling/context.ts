// What the parts of the editor share: the config, the task data, the result
// being edited and the annotator's current choices (labels, selection).
import { createContext, useContext } from "react";

import type { JsonValue } from "../api.ts";
import type { ControlInfo, LabelConfig, RegionTag } from "./config.ts";
import type { RegionItem, ResultItem } from "./result.ts";

export interface EditorApi {
  config: LabelConfig;
  data: JsonValue;
  /** The task's id, when the data is a task's: storage URIs load through its data proxy. */
  taskId?: string | undefined;
  result: readonly ResultItem[];
  readOnly: boolean;
  /** A prefix for element ids, so two editors on one page do not clash. */
  idPrefix: string;
  /** update edits the result; edits with one mergeKey in quick succession (typing, dragging) are one undo step. */
  update(change: (result: readonly ResultItem[]) => ResultItem[], mergeKey?: string): void;
  /** The labels chosen in each labels control, by control name. */
  active: Readonly<Record<string, readonly string[]>>;
  /** chooseLabel toggles a label, or relabels the selected region when it belongs to that control. */
  chooseLabel(control: ControlInfo, value: string): void;
  /** activeControl is the labels control of one of tags with chosen labels that labels the object. */
  activeControl(objectName: string, tags: readonly RegionTag[]): ControlInfo | null;
  /**
   * addRegion adds a region with the chosen labels of the object's active
   * control of one of tags. It says why when nothing is chosen and returns
   * whether a region was added.
   */
  addRegion(
    objectName: string,
    tags: readonly RegionTag[],
    value: { [key: string]: JsonValue },
    extra?: Partial<Pick<RegionItem, "original_width" | "original_height" | "image_rotation">>,
  ): boolean;
  /** The selected region's id. */
  selected: string | null;
  select(id: string | null): void;
  /** notify shows a short hint, such as "Choose a label first." */
  notify(message: string): void;
  /** colorOf is the color of a label of a control. */
  colorOf(controlName: string, label: string): string;
  /** Regions hidden in this view: not drawn and not clickable. View state, never saved. */
  hidden: ReadonlySet<string>;
  /** Regions locked in this view: they cannot be moved, resized or deleted. View state, never saved. */
  locked: ReadonlySet<string>;
  setHidden(ids: readonly string[], on: boolean): void;
  setLocked(ids: readonly string[], on: boolean): void;
  /** The region a relation is being made from, while the annotator picks its target. */
  linkingFrom: string | null;
  /** startRelation begins a relation from a region; selecting another region ends it there. */
  startRelation(from: string | null): void;
}

export const EditorContext = createContext<EditorApi | null>(null);

/** useEditor returns the editor the component is rendered in. */
export function useEditor(): EditorApi {
  const editor = useContext(EditorContext);
  if (editor === null) throw new Error("useEditor outside the labeling editor");
  return editor;
}
