// The signed-in user, as the server sees it. The app asks once at start
// (query viewer) and then keeps the answer in sync with sign-in, sign-up and
// sign-out; any UNAUTHENTICATED answer on a signed-in page means the session
// has ended (revoked elsewhere or expired) and sends the user to sign in.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";

import { errorMessage, isApiError, request } from "./api.ts";
import { ViewerQuery, type Viewer } from "./operations.ts";

type State =
  | { status: "loading" }
  | { status: "failed"; message: string }
  | { status: "ready"; viewer: Viewer | null };

export interface SessionContextValue {
  state: State;
  /** A message for the sign-in page, such as why the user was signed out. */
  notice: string | null;
  /** signedIn records the user returned by login or signup. */
  signedIn(viewer: Viewer): void;
  /** signedOut forgets the user after logout. */
  signedOut(): void;
  /** sessionEnded forgets the user after the server said the session is gone. */
  sessionEnded(): void;
  /** reload asks the server for the viewer again. */
  reload(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [notice, setNotice] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    request(ViewerQuery, {}, controller.signal).then(
      (data) => setState({ status: "ready", viewer: data.viewer }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err, "UNAUTHENTICATED")) {
          // A stale or revoked cookie: the user is simply anonymous.
          setState({ status: "ready", viewer: null });
          return;
        }
        setState({ status: "failed", message: errorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  const signedIn = useCallback((viewer: Viewer) => {
    setNotice(null);
    setState({ status: "ready", viewer });
  }, []);
  const signedOut = useCallback(() => {
    setNotice(null);
    setState({ status: "ready", viewer: null });
  }, []);
  const sessionEnded = useCallback(() => {
    setNotice("Your session has ended. Please sign in again.");
    setState({ status: "ready", viewer: null });
  }, []);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  const value = useMemo(
    () => ({ state, notice, signedIn, signedOut, sessionEnded, reload }),
    [state, notice, signedIn, signedOut, sessionEnded, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** useSession returns the session context; it must be used under SessionProvider. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === null) {
    throw new Error("useSession outside SessionProvider");
  }
  return value;
}

/** useViewer returns the signed-in user on pages that are only rendered for one. */
export function useViewer(): Viewer {
  const { state } = useSession();
  if (state.status !== "ready" || state.viewer === null) {
    throw new Error("useViewer on a page for anonymous users");
  }
  return state.viewer;
}
