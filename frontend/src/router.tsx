// A tiny client-side router: the URL is the state, history.pushState changes
// it and popstate reports the browser's back and forward buttons. The server
// answers every unknown non-API path with index.html, so deep links work.
import {
  useEffect,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from "react";

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) {
    listener();
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

function currentHref(): string {
  return window.location.pathname + window.location.search;
}

let navigations = 0;

/** hasNavigated reports whether the app has changed the URL since it loaded. */
export function hasNavigated(): boolean {
  return navigations > 0;
}

/** Questions to ask before the app leaves the page, such as about unsaved work. */
const leaveGuards = new Set<{ message: string | null }>();

/**
 * useLeaveGuard has navigate ask message (with confirm) before leaving the
 * page while message is not null. Redirects (replace) are not asked about.
 */
export function useLeaveGuard(message: string | null): void {
  useEffect(() => {
    if (message === null) return;
    const guard = { message };
    leaveGuards.add(guard);
    return () => {
      leaveGuards.delete(guard);
    };
  }, [message]);
}

/** navigate changes the URL to `to` (a same-origin path) and re-renders the app. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) {
    return;
  }
  if (!options.replace) {
    for (const guard of leaveGuards) {
      if (guard.message !== null && !window.confirm(guard.message)) return;
    }
  }
  if (options.replace) {
    window.history.replaceState(null, "", to);
  } else {
    window.history.pushState(null, "", to);
    window.scrollTo(0, 0);
  }
  navigations++;
  notify();
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", () => {
    navigations++;
  });
}

/** The values of a route's ":name" path segments. */
export type RouteParams = Readonly<Record<string, string>>;

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

/** useLocation returns the current path and query, re-rendering when they change. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref, () => "/");
  return useMemo(() => {
    const url = new URL(href, "http://localhost");
    return { pathname: url.pathname, search: url.searchParams };
  }, [href]);
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
  /** Marks the link current (aria-current="true") on pages under it too, such as one project under /projects. */
  current?: (pathname: string) => boolean;
  children: ReactNode;
}

/** Link is an anchor that navigates without reloading the page on a plain click. */
export function Link({ to, onClick, current: isCurrent, children, ...rest }: LinkProps) {
  const { pathname } = useLocation();
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (rest.target !== undefined && rest.target !== "_self")
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  }
  const current = pathname === to ? "page" : isCurrent?.(pathname) ? "true" : undefined;
  return (
    <a href={to} onClick={handleClick} aria-current={current} {...rest}>
      {children}
    </a>
  );
}

/** Redirect replaces the current URL with `to` once rendered. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => {
    navigate(to, { replace: true });
  }, [to]);
  return null;
}
