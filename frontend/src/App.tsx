// The app shell: loads the viewer and, for a signed-in one, their
// organization and role; picks the page for the URL and guards the pages
// that need a signed-in user or a role.
import type { ComponentType, ReactNode } from "react";

import type { Role } from "./operations.ts";
import { Button } from "./components/Button.tsx";
import { ErrorAlert, Loading } from "./components/Messages.tsx";
import { NavBar } from "./components/NavBar.tsx";
import { PageHeading } from "./components/PageHeading.tsx";
import { isAdminRole, isManagerRole } from "./format.ts";
import { OrganizationProvider, useOrganization } from "./organization.tsx";
import { AccountPage } from "./pages/AccountPage.tsx";
import { AuditPage } from "./pages/AuditPage.tsx";
import { LabelPage, ReviewPage } from "./pages/LabelPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { MyWorkPage } from "./pages/MyWorkPage.tsx";
import { NewProjectPage } from "./pages/NewProjectPage.tsx";
import { NoAccessPage, NotFoundPage } from "./pages/NotFoundPage.tsx";
import { OrganizationPage } from "./pages/OrganizationPage.tsx";
import { ProjectPage } from "./pages/ProjectPage.tsx";
import { ProjectsPage } from "./pages/ProjectsPage.tsx";
import { SignupPage } from "./pages/SignupPage.tsx";
import { WorkspacesPage } from "./pages/WorkspacesPage.tsx";
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
  /**
   * Pages for some roles only say so to everyone else instead of showing
   * controls that would fail; the server enforces the same rules anyway.
   */
  allow?: (role: Role) => boolean;
}

const routes: Route[] = [
  { path: "/login", page: LoginPage, signedIn: false, auth: true },
  { path: "/signup", page: SignupPage, signedIn: false, auth: true },
  { path: "/account", page: AccountPage, signedIn: true },
  { path: "/organization", page: OrganizationPage, signedIn: true },
  { path: "/projects", page: ProjectsPage, signedIn: true },
  { path: "/projects/new", page: NewProjectPage, signedIn: true, wide: true, allow: isManagerRole },
  { path: "/projects/:projectId", page: ProjectPage, signedIn: true, wide: true },
  { path: "/projects/:projectId/label", page: LabelPage, signedIn: true, wide: true },
  { path: "/projects/:projectId/review", page: ReviewPage, signedIn: true, wide: true },
  { path: "/projects/:projectId/tasks/:taskId", page: LabelPage, signedIn: true, wide: true },
  { path: "/my-work", page: MyWorkPage, signedIn: true, wide: true },
  { path: "/workspaces", page: WorkspacesPage, signedIn: true, allow: isManagerRole },
  { path: "/audit", page: AuditPage, signedIn: true, wide: true, allow: isAdminRole },
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

  if (!viewer) {
    const Page = route?.page;
    return (
      <AuthLayout>
        {Page && match ? <Page key={pathname} params={match.params} /> : <NotFoundPage home="/login" />}
      </AuthLayout>
    );
  }
  return (
    <OrganizationProvider
      // Keyed by user: another account signing in on this tab starts afresh.
      key={viewer.id}
      fallback={({ loading, error, retry }) => (
        <main id="main" className="page">
          {loading ? (
            <div className="card">
              <Loading />
            </div>
          ) : (
            <div className="card">
              <PageHeading title="Gloss is not available" />
              <ErrorAlert error={error} />
              <div className="actions">
                <Button onClick={retry}>Try again</Button>
              </div>
            </div>
          )}
        </main>
      )}
    >
      <SignedInShell pathname={pathname} match={match} />
    </OrganizationProvider>
  );
}

function SignedInShell({
  pathname,
  match,
}: {
  pathname: string;
  match: { route: Route; params: RouteParams } | null;
}) {
  const { organization, role } = useOrganization();
  const route = match?.route;
  const Page = route?.page;
  let page: ReactNode;
  if (!Page || !match) {
    page = <NotFoundPage home="/projects" />;
  } else if (route?.allow && (role === null || !route.allow(role))) {
    page = <NoAccessPage />;
  } else {
    // Keyed by path so that moving between two pages of one route (two
    // projects, two tasks) starts the page afresh, and by organization so
    // that switching to another one reloads everything on the page.
    page = <Page key={`${organization?.id ?? ""}:${pathname}`} params={match.params} />;
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
