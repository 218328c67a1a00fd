// The app shell: loads the viewer, picks the page for the URL and guards the
// pages that need a signed-in user.
import type { ComponentType, ReactNode } from "react";

import { Button } from "./components/Button.tsx";
import { ErrorAlert, Loading } from "./components/Messages.tsx";
import { NavBar } from "./components/NavBar.tsx";
import { AccountPage } from "./pages/AccountPage.tsx";
import { LabelPage } from "./pages/LabelPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { NewProjectPage } from "./pages/NewProjectPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { OrganizationPage } from "./pages/OrganizationPage.tsx";
import { ProjectPage } from "./pages/ProjectPage.tsx";
import { ProjectsPage } from "./pages/ProjectsPage.tsx";
import { SignupPage } from "./pages/SignupPage.tsx";
import { Redirect, useLocation, type RouteParams } from "./router.tsx";
import { SessionProvider, useSession } from "./session.tsx";

interface Route {
  /** A path; segments starting with ":" match any one segment. */
  path: string;
  page: ComponentType<{ params: RouteParams }>;
  /** Pages for signed-in users send anonymous visitors to /login. */
  signedIn: boolean;
  /** Pages for signing in use the narrow, centred layout. */
  auth?: boolean;
  /** Pages with wide content (tables, the labeling editor) use more of the screen. */
  wide?: boolean;
}

const routes: Route[] = [
  { path: "/login", page: LoginPage, signedIn: false, auth: true },
  { path: "/signup", page: SignupPage, signedIn: false, auth: true },
  { path: "/account", page: AccountPage, signedIn: true },
  { path: "/organization", page: OrganizationPage, signedIn: true },
  { path: "/projects", page: ProjectsPage, signedIn: true },
  { path: "/projects/new", page: NewProjectPage, signedIn: true, wide: true },
  { path: "/projects/:projectId", page: ProjectPage, signedIn: true, wide: true },
  { path: "/projects/:projectId/label", page: LabelPage, signedIn: true, wide: true },
  { path: "/projects/:projectId/tasks/:taskId", page: LabelPage, signedIn: true, wide: true },
];

/** matchRoute finds the route for a path; literal routes are listed before patterns that could shadow them. */
function matchRoute(pathname: string): { route: Route; params: RouteParams } | null {
  const segments = pathname.split("/");
  for (const route of routes) {
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const segment = segments[i] ?? "";
      if (part.startsWith(":")) {
        if (segment === "") return false;
        try {
          params[part.slice(1)] = decodeURIComponent(segment);
        } catch {
          return false;
        }
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return null;
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const session = useSession();
  const { pathname: rawPath } = useLocation();
  const pathname = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;

  if (session.state.status === "loading") {
    return (
      <main id="main" className="auth-layout">
        <Loading />
      </main>
    );
  }
  if (session.state.status === "failed") {
    return (
      <AuthLayout>
        <div className="card auth-card">
          <h1 className="page-heading">Gloss is not available</h1>
          <ErrorAlert error={session.state.message} />
          <Button variant="primary" onClick={session.reload}>
            Try again
          </Button>
        </div>
      </AuthLayout>
    );
  }

  const viewer = session.state.viewer;
  if (pathname === "/") {
    return <Redirect to={viewer ? "/projects" : "/login"} />;
  }
  const match = matchRoute(pathname);
  const route = match?.route;
  if (route?.signedIn && !viewer) {
    return <Redirect to="/login" />;
  }
  const Page = route?.page;
  // Keyed by path so that moving between two pages of one route (two
  // projects, two tasks) starts the page afresh.
  const page = Page && match ? (
    <Page key={pathname} params={match.params} />
  ) : (
    <NotFoundPage home={viewer ? "/projects" : "/login"} />
  );

  if (!viewer) {
    return <AuthLayout>{page}</AuthLayout>;
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <NavBar />
      <main id="main" className={route?.auth ? "page page-auth" : route?.wide ? "page page-wide" : "page"}>
        {page}
      </main>
    </>
  );
}

function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="auth-layout">
      <p className="auth-brand">
        <span className="brand-mark" aria-hidden="true" />
        Gloss
      </p>
      {children}
    </main>
  );
}
