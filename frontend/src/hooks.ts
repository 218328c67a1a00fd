// Small hooks around request(): a query that loads when its variables change
// and a mutation that tracks whether it is pending. On signed-in pages an
// UNAUTHENTICATED answer ends the session in the app too.
import { useCallback, useEffect, useRef, useState } from "react";

import { isApiError, request, type Operation } from "./api.ts";
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
export function useQuery<TVariables, TResult>(
  op: Operation<TVariables, TResult>,
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
export function useMutation<TVariables, TResult>(
  op: Operation<TVariables, TResult>,
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
