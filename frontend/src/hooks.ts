// Small hooks around request(): a query that loads when its variables change,
// a list read page by page along its keyset cursors, and a mutation that
// tracks whether it is pending. On signed-in pages an UNAUTHENTICATED answer
// ends the session in the app too.
import { useCallback, useEffect, useRef, useState } from "react";

import { isApiError, request } from "./api.ts";
import type { TypedDocumentString } from "./gql/graphql.ts";
import { useSession } from "./session.tsx";

export interface QueryState<TResult> {
  data: TResult | null;
  error: unknown;
  loading: boolean;
  /** reload fetches again, keeping the current data on screen meanwhile. */
  reload(): void;
  /** setData updates the data locally, for example after a mutation. */
  setData(update: (data: TResult) => TResult): void;
}

/** useQuery sends op for a signed-in page whenever variables change (compared as JSON). */
export function useQuery<TResult, TVariables>(
  op: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TResult> {
  const { sessionEnded } = useSession();
  const key = JSON.stringify(variables);
  const skip = options.skip ?? false;
  const [data, setDataState] = useState<TResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(!skip);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (skip) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    request(op, JSON.parse(key) as TVariables, controller.signal).then(
      (result) => {
        setDataState(result);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err, "UNAUTHENTICATED")) {
          sessionEnded();
          return;
        }
        setError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [op, key, skip, attempt, sessionEnded]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const setData = useCallback((update: (data: TResult) => TResult) => {
    setDataState((current) => (current === null ? current : update(current)));
  }, []);

  return { data, error, loading, reload, setData };
}

/** A connection as a paged list reads it: its nodes, where it ends and how many there are in all. */
export interface Connection<TNode> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: readonly { node: TNode }[];
}

export interface PagedQueryOptions<TResult, TNode> {
  /** connection picks the paged list out of a result. */
  connection(result: TResult): Connection<TNode>;
  pageSize: number;
  /**
   * "more" (the default) keeps every page read, so next() adds to the list
   * (Load more); "pages" shows one page at a time (Previous and Next page).
   */
  mode?: "more" | "pages";
}

export interface PagedQueryState<TResult, TNode> {
  /** The latest result read, or null before the first. */
  data: TResult | null;
  /** The nodes to show: in "more" mode every page's, each id once; in "pages" mode the page's. */
  nodes: TNode[];
  /** The latest page read (totalCount, pageInfo), or null before the first. */
  page: Connection<TNode> | null;
  /** How many pages come before the current one ("pages" mode). */
  pageIndex: number;
  /** A page is being read. */
  loading: boolean;
  /** Why the latest read failed, or null. */
  error: unknown;
  /** next reads the page after the latest, or reads again the one that failed. */
  next(): void;
  /** previous goes back one page ("pages" mode). */
  previous(): void;
  /** reload reads the current page again, keeping what is on screen meanwhile. */
  reload(): void;
  /** restart goes back to the first page and reads it again. */
  restart(): void;
}

/**
 * usePagedQuery reads a keyset-paged list for a signed-in page: op is sent
 * with variables plus first (the page size) and after (the cursor where the
 * page starts). A change of variables (compared as JSON) starts again from
 * the first page.
 */
export function usePagedQuery<
  TResult,
  TVariables extends { first?: number | null | undefined; after?: string | null | undefined },
  TNode extends { id: string },
>(
  op: TypedDocumentString<TResult, TVariables>,
  variables: Omit<TVariables, "first" | "after">,
  options: PagedQueryOptions<TResult, TNode>,
): PagedQueryState<TResult, TNode> {
  const { sessionEnded } = useSession();
  const { pageSize, mode = "more" } = options;
  const key = JSON.stringify(variables);
  // The cursor of every page up to the current one (null: the first page),
  // for the variables they were read with; new variables start a new stack.
  const [stack, setStack] = useState<{ key: string; afters: readonly (string | null)[] }>({ key, afters: [null] });
  let afters = stack.afters;
  if (stack.key !== key) {
    afters = [null];
    setStack({ key, afters });
  }
  const after = afters[afters.length - 1] ?? null;
  // The results read for these variables, by cursor, and the latest of all.
  const [read, setRead] = useState<{ key: string; pages: ReadonlyMap<string | null, TResult> }>({
    key,
    pages: new Map(),
  });
  const [latest, setLatest] = useState<TResult | null>(null);
  const [attempt, setAttempt] = useState(0);
  // The read in hand and how the last one to finish ended: loading and error
  // follow from them in the very render that asks for another page.
  const wanted = JSON.stringify([key, after, attempt]);
  const [settled, setSettled] = useState<{ wanted: string; error: unknown } | null>(null);
  const loading = settled?.wanted !== wanted;
  const error = settled?.wanted === wanted ? settled.error : null;

  useEffect(() => {
    const controller = new AbortController();
    const variables = { ...(JSON.parse(key) as object), first: pageSize, after } as TVariables;
    request(op, variables, controller.signal).then(
      (result) => {
        setRead((r) => ({ key, pages: new Map(r.key === key ? r.pages : []).set(after, result) }));
        setLatest(result);
        setSettled({ wanted, error: null });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err, "UNAUTHENTICATED")) {
          sessionEnded();
          return;
        }
        setSettled({ wanted, error: err });
      },
    );
    return () => controller.abort();
  }, [op, key, pageSize, after, wanted, sessionEnded]);

  const pages = read.key === key ? read.pages : new Map<string | null, TResult>();
  // "more": the pages read along the stack (a prefix of it: a page is asked
  // for only once the one before it is there); "pages": what is on screen.
  const shown: TResult[] = [];
  if (mode === "more") {
    for (const a of afters) {
      const result = pages.get(a);
      if (result === undefined) break;
      shown.push(result);
    }
  } else if (latest !== null) {
    shown.push(latest);
  }
  const connections = shown.map((result) => options.connection(result));
  const page = connections[connections.length - 1] ?? null;
  // Keyset pages do not overlap, but a row that moves between two reads
  // must not show twice.
  const byId = new Map<string, TNode>();
  for (const connection of connections) {
    for (const edge of connection.edges) {
      if (!byId.has(edge.node.id)) byId.set(edge.node.id, edge.node);
    }
  }

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  function next() {
    if (loading) return;
    if (error !== null) {
      reload();
      return;
    }
    const end = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    if (end) setStack({ key, afters: [...afters, end] });
  }
  function previous() {
    if (afters.length > 1) setStack({ key, afters: afters.slice(0, -1) });
  }
  function restart() {
    setStack({ key, afters: [null] });
    reload();
  }

  return {
    data: shown[shown.length - 1] ?? null,
    nodes: [...byId.values()],
    page,
    pageIndex: afters.length - 1,
    loading,
    error,
    next,
    previous,
    reload,
    restart,
  };
}

export interface MutationState<TVariables, TResult> {
  /** run sends the mutation; it rejects with an ApiError on failure. */
  run(variables: TVariables): Promise<TResult>;
  pending: boolean;
}

/**
 * useMutation wraps a mutation. With signedIn (the default), UNAUTHENTICATED
 * means the session is gone and the app returns to the sign-in page; the
 * sign-in and sign-up forms pass false, because there it means wrong
 * credentials.
 */
export function useMutation<TResult, TVariables>(
  op: TypedDocumentString<TResult, TVariables>,
  options: { signedIn?: boolean } = {},
): MutationState<TVariables, TResult> {
  const { sessionEnded } = useSession();
  const signedIn = options.signedIn ?? true;
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);

  const run = useCallback(
    async (variables: TVariables): Promise<TResult> => {
      if (inFlight.current) {
        throw new Error("mutation already pending");
      }
      inFlight.current = true;
      setPending(true);
      try {
        return await request(op, variables);
      } catch (err) {
        if (signedIn && isApiError(err, "UNAUTHENTICATED")) {
          sessionEnded();
        }
        throw err;
      } finally {
        inFlight.current = false;
        setPending(false);
      }
    },
    [op, signedIn, sessionEnded],
  );

  return { run, pending };
}
