// The undo history of an annotation's result: immutable snapshots of the
// whole list, so every kind of edit (regions drawn, moved, relabeled or
// deleted, choices, texts, relations) undoes the same way. Edits that come
// in a stream (typing in a text, dragging a handle) carry a merge key and
// fold into one step while they keep coming.
import { useCallback, useMemo, useState } from "react";

import type { ResultItem } from "./result.ts";

/** How many steps the history keeps. */
const depth = 200;
/** How long, in milliseconds, edits with one merge key keep folding into one step. */
const mergeWindow = 1000;

type Result = readonly ResultItem[];

interface State {
  past: readonly Result[];
  present: Result;
  future: readonly Result[];
  mergeKey: string | null;
  at: number;
  /** Counts the edits, undos and redos, so savers can tell a change happened. */
  version: number;
}

export interface ResultHistory {
  result: Result;
  /** change applies an edit; edits with the same mergeKey within a second are one step. */
  change(edit: (result: Result) => ResultItem[], mergeKey?: string): void;
  undo(): void;
  redo(): void;
  /** reset starts over from result with no history (a new task, a restored draft); it is not an edit. */
  reset(result: Result): void;
  canUndo: boolean;
  canRedo: boolean;
  version: number;
}

/** useResultHistory holds a result with its undo and redo stacks. */
export function useResultHistory(initial: Result): ResultHistory {
  const [state, setState] = useState<State>(() => ({
    past: [],
    present: initial,
    future: [],
    mergeKey: null,
    at: 0,
    version: 0,
  }));

  const change = useCallback((edit: (result: Result) => ResultItem[], mergeKey?: string) => {
    const now = Date.now();
    setState((s) => {
      const next = edit(s.present);
      if (next === s.present) return s;
      const merge = mergeKey !== undefined && s.mergeKey === mergeKey && now - s.at < mergeWindow;
      return {
        past: merge ? s.past : [...s.past, s.present].slice(-depth),
        present: next,
        future: [],
        mergeKey: mergeKey ?? null,
        at: now,
        version: s.version + 1,
      };
    });
  }, []);

  const undo = useCallback(() => {
    setState((s) => {
      const previous = s.past[s.past.length - 1];
      if (previous === undefined) return s;
      return {
        past: s.past.slice(0, -1),
        present: previous,
        future: [s.present, ...s.future],
        mergeKey: null,
        at: 0,
        version: s.version + 1,
      };
    });
  }, []);

  const redo = useCallback(() => {
    setState((s) => {
      const next = s.future[0];
      if (next === undefined) return s;
      return {
        past: [...s.past, s.present],
        present: next,
        future: s.future.slice(1),
        mergeKey: null,
        at: 0,
        version: s.version + 1,
      };
    });
  }, []);

  const reset = useCallback((result: Result) => {
    setState((s) => ({ past: [], present: result, future: [], mergeKey: null, at: 0, version: s.version }));
  }, []);

  return useMemo(
    () => ({
      result: state.present,
      change,
      undo,
      redo,
      reset,
      canUndo: state.past.length > 0,
      canRedo: state.future.length > 0,
      version: state.version,
    }),
    [state, change, undo, redo, reset],
  );
}
