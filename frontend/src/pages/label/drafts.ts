// Drafts as Label Studio keeps them: the result being edited is saved to
// the server two seconds after the last edit, and when the annotator leaves
// the task, so that closing the tab or following a link loses nothing.
// Saves go one at a time, in order, and a submit waits for the one in
// flight, so a late draft never outlives the annotation that replaced it.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { isApiError, request } from "../../api.ts";
import { SaveDraftMutation } from "../../operations.ts";
import type { ResultItem } from "../../labeling/result.ts";
import { toJson } from "../../labeling/result.ts";
import { useLeaveGuard } from "../../router.tsx";

/** How long after the last edit the draft is saved. */
const delay = 2000;

export type DraftStatus = "clean" | "pending" | "saving" | "saved" | "failed";

export interface DraftSaver {
  status: DraftStatus;
  /** Why the last save failed. */
  error: string | null;
  /** hold stops saving and waits for the save in flight: call it before submitting. */
  hold(): Promise<void>;
  /** markClean ends a hold after a submit: the result is safe, there is nothing to save. */
  markClean(): void;
  /** resume ends a hold after a failed submit: unsaved work is saved again. */
  resume(): void;
}

export function useDraftSaver(taskId: string, result: readonly ResultItem[], version: number, enabled: boolean): DraftSaver {
  const [savedVersion, setSavedVersion] = useState(version);
  const [status, setStatus] = useState<DraftStatus>("clean");
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ result, version });
  latest.current = { result, version };
  const saved = useRef(version);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const held = useRef(false);
  const dirty = enabled && version !== savedVersion;

  const flush = useCallback((): Promise<void> => {
    chain.current = chain.current.then(async () => {
      const { result: current, version: v } = latest.current;
      if (v === saved.current || held.current) return;
      setStatus("saving");
      try {
        await request(SaveDraftMutation, { taskId, result: toJson(current) });
        saved.current = Math.max(saved.current, v);
        setSavedVersion(saved.current);
        setError(null);
        setStatus(latest.current.version === saved.current ? "saved" : "pending");
      } catch (err) {
        setStatus("failed");
        setError(isApiError(err) ? err.message : "The draft could not be saved.");
      }
    });
    return chain.current;
  }, [taskId]);

  // Save two seconds after the last edit.
  useEffect(() => {
    if (!enabled || version === saved.current) return;
    setStatus("pending");
    const timer = window.setTimeout(() => void flush(), delay);
    return () => window.clearTimeout(timer);
  }, [enabled, version, flush]);

  // Leaving the task (another page of the app, the next task) saves at once.
  const flushRef = useRef(flush);
  flushRef.current = flush;
  const enabledRef = useRef(enabled);
  enabledRef.current = enabled;
  useEffect(
    () => () => {
      if (enabledRef.current && latest.current.version !== saved.current) void flushRef.current();
    },
    [],
  );

  // The browser asks before closing or reloading a page with work not yet
  // on the server; the app asks before following a link away from it.
  useEffect(() => {
    if (!dirty) return;
    function handleBeforeUnload(event: BeforeUnloadEvent) {
      event.preventDefault();
      event.returnValue = "";
    }
    window.addEventListener("beforeunload", handleBeforeUnload);
    return () => window.removeEventListener("beforeunload", handleBeforeUnload);
  }, [dirty]);
  useLeaveGuard(dirty ? "Your latest changes to this task are not saved yet. Leave anyway?" : null);

  const hold = useCallback(async () => {
    held.current = true;
    await chain.current;
  }, []);

  const resume = useCallback(() => {
    held.current = false;
    if (latest.current.version !== saved.current) void flush();
  }, [flush]);

  const markClean = useCallback(() => {
    held.current = false;
    saved.current = latest.current.version;
    setSavedVersion(saved.current);
    setStatus("clean");
    setError(null);
  }, []);

  return useMemo(() => ({ status, error, hold, markClean, resume }), [status, error, hold, markClean, resume]);
}
