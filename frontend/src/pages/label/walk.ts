// A "Label selected" walk: the data manager's selection, labeled one task
// after another on the task page (as Label Studio's Label selected does).
// The walk is kept in sessionStorage, per viewer and project, so a reload
// keeps it and no other project (or tab) sees it. An explicit selection is
// stored as its ids, in the data manager's order; "all matching" stores the
// filter, the order and the cursor after the last page read, and reads the
// next page of ids only when the walk gets there, so a selection of 100,000
// tasks is never read at once.
import { useCallback, useEffect, useState } from "react";

import { request } from "../../api.ts";
import { WalkTasksQuery, type TaskFilter, type TaskOrder } from "../../operations.ts";
import { navigate } from "../../router.tsx";
import { useViewer } from "../../session.tsx";

/** How many task ids an all-matching walk reads at a time. */
export const walkPageSize = 50;

/** Where the rest of an all-matching walk comes from: its query and the cursor its next page starts after. */
interface WalkMore {
  filter: TaskFilter | null;
  orderBy: TaskOrder;
  after: string;
}

export interface Walk {
  projectId: string;
  /** The tasks read so far, in order, each once. */
  ids: string[];
  /** How many tasks the selection held when the walk started. */
  total: number;
  /** Where the walk is in ids. */
  index: number;
  /** The pages still to read (all matching), or null. */
  more: WalkMore | null;
  /** The walk last moved backwards: a task that cannot be opened is passed in that direction. */
  back: boolean;
  /** Which tasks the last move passed by because they could not be opened. */
  passed: string[];
}

function walkKey(viewerId: string, projectId: string): string {
  return `gloss.walk.${viewerId}.${projectId}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** loadWalk reads the stored walk of a project, or null when there is none (or it does not parse). */
export function loadWalk(viewerId: string, projectId: string): Walk | null {
  let saved: unknown;
  try {
    saved = JSON.parse(window.sessionStorage.getItem(walkKey(viewerId, projectId)) ?? "null");
  } catch {
    return null;
  }
  if (saved === null || typeof saved !== "object") return null;
  const w = saved as Partial<Record<keyof Walk, unknown>>;
  if (w.projectId !== projectId || !isStringArray(w.ids) || w.ids.length === 0) return null;
  if (typeof w.total !== "number" || typeof w.index !== "number" || !Number.isInteger(w.index)) return null;
  if (w.index < 0 || w.index >= w.ids.length) return null;
  const more = w.more as Partial<WalkMore> | null | undefined;
  if (more !== null && (typeof more !== "object" || typeof more.after !== "string" || typeof more.orderBy !== "object")) {
    return null;
  }
  return {
    projectId,
    ids: w.ids,
    total: w.total,
    index: w.index,
    more: more === null ? null : (more as WalkMore),
    back: w.back === true,
    passed: isStringArray(w.passed) ? w.passed : [],
  };
}

/** saveWalk stores a walk; without storage it is lost on reload but still works on this page. */
export function saveWalk(viewerId: string, walk: Walk): void {
  try {
    window.sessionStorage.setItem(walkKey(viewerId, walk.projectId), JSON.stringify(walk));
  } catch {
    // Storage full or disabled.
  }
}

export function clearWalk(viewerId: string, projectId: string): void {
  try {
    window.sessionStorage.removeItem(walkKey(viewerId, projectId));
  } catch {
    // Storage disabled: nothing was stored.
  }
}

/** walkOfIds is a walk over the given tasks, in the order given. */
export function walkOfIds(projectId: string, ids: readonly string[]): Walk {
  const unique = [...new Set(ids)];
  return { projectId, ids: unique, total: unique.length, index: 0, more: null, back: false, passed: [] };
}

/** readPage appends the next page of an all-matching walk to its ids, leaving out tasks already in it. */
async function readPage(walk: Walk, more: WalkMore): Promise<Walk> {
  const data = await request(WalkTasksQuery, {
    projectId: walk.projectId,
    filter: more.filter,
    orderBy: more.orderBy,
    first: walkPageSize,
    after: more.after === "" ? null : more.after,
  });
  const page = data.tasks;
  const have = new Set(walk.ids);
  // A task labeled on the way may move further along the order (by update
  // time or annotation count): it is walked once.
  const ids = [...walk.ids, ...page.edges.map((e) => e.node.id).filter((id) => !have.has(id))];
  const end = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  return {
    ...walk,
    ids,
    total: walk.ids.length === 0 ? page.totalCount : walk.total,
    more: end ? { ...more, after: end } : null,
  };
}

/** walkOfQuery is a walk over every task matching filter, in order; it reads the first page. */
export async function walkOfQuery(projectId: string, filter: TaskFilter | null, orderBy: TaskOrder): Promise<Walk> {
  const empty: Walk = { projectId, ids: [], total: 0, index: 0, more: null, back: false, passed: [] };
  return readPage(empty, { filter, orderBy, after: "" });
}

/** The most pages one move reads looking for a task not walked yet. */
const maxPagesPerMove = 20;

/** step moves a walk by one task, reading the next page when needed; null: there is none that way. */
async function step(walk: Walk, by: 1 | -1): Promise<Walk | null> {
  const to = walk.index + by;
  if (to < 0) return null;
  let w = walk;
  for (let pages = 0; to >= w.ids.length && w.more !== null && pages < maxPagesPerMove; pages++) {
    w = await readPage(w, w.more);
  }
  if (to >= w.ids.length) return null;
  return { ...w, index: to, back: by < 0 };
}

/** taskPath is where a task of the walk opens. */
function taskPath(projectId: string, taskId: string): string {
  return `/projects/${encodeURIComponent(projectId)}/tasks/${encodeURIComponent(taskId)}`;
}

/** openWalk stores a walk and opens its current task; false when the viewer stayed (a leave guard said no). */
export function openWalk(viewerId: string, walk: Walk): boolean {
  const before = loadWalk(viewerId, walk.projectId);
  const to = taskPath(walk.projectId, walk.ids[walk.index] ?? "");
  saveWalk(viewerId, walk);
  navigate(to);
  if (window.location.pathname === to) return true;
  if (before) saveWalk(viewerId, before);
  else clearWalk(viewerId, walk.projectId);
  return false;
}

export interface WalkState {
  /** The walk, while the task shown is part of it; null otherwise. */
  walk: Walk | null;
  /** The selection ended with the last task (its tasks are all visited). */
  finished: boolean;
  /** A move is reading the next page. */
  moving: boolean;
  /** Why the last move failed, or null. */
  error: unknown;
  next(): void;
  previous(): void;
  /** pass moves on from a task that cannot be opened, in the direction the walk was going. */
  pass(): void;
  /** leave ends the walk. */
  leave(): void;
}

/**
 * useWalk is the walk on a task page: the stored walk of the project when
 * taskId is part of it (opening one of its tasks another way moves the walk
 * there), and the moves along it.
 */
export function useWalk(projectId: string, taskId: string): WalkState {
  const viewer = useViewer();
  const [walk, setWalk] = useState<Walk | null>(() => {
    const stored = loadWalk(viewer.id, projectId);
    const at = stored ? stored.ids.indexOf(taskId) : -1;
    if (!stored || at < 0) return null;
    // Opened another way than by the walk's own moves: nothing was passed on the way here.
    return at === stored.index ? stored : { ...stored, index: at, passed: [] };
  });
  const [finished, setFinished] = useState(false);
  const [moving, setMoving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // The walk is where the task is, for a task opened from the data manager
  // or the address bar too.
  useEffect(() => {
    if (walk && !finished) saveWalk(viewer.id, walk);
  }, [viewer.id, walk, finished]);

  const move = useCallback(
    (by: 1 | -1, passing: boolean) => {
      if (!walk || moving || finished) return;
      setMoving(true);
      setError(null);
      step(walk, by).then(
        (next) => {
          setMoving(false);
          const passed = passing ? [...walk.passed, taskId] : [];
          if (next) {
            if (!openWalk(viewer.id, { ...next, passed })) setWalk(walk);
          } else if (by > 0 || passing) {
            clearWalk(viewer.id, projectId);
            setWalk({ ...walk, passed });
            setFinished(true);
          }
        },
        (err: unknown) => {
          setMoving(false);
          setError(err);
        },
      );
    },
    [finished, moving, projectId, taskId, viewer.id, walk],
  );

  const next = useCallback(() => move(1, false), [move]);
  const previous = useCallback(() => move(-1, false), [move]);
  const pass = useCallback(() => {
    if (!walk) return;
    // Going back from the first task, the walk turns forward.
    move(walk.back && walk.index > 0 ? -1 : 1, true);
  }, [move, walk]);
  const leave = useCallback(() => {
    clearWalk(viewer.id, projectId);
    setWalk(null);
  }, [projectId, viewer.id]);

  return { walk, finished, moving, error, next, previous, pass, leave };
}
