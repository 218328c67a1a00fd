// The app shell: loads the viewer, picks the page for the URL and guards the
// pages that need a signed-in user.
import type { ComponentType, ReactNode } from "react";

import { Button } from "./components/Button.tsx";
import { ErrorAlert, Loading } from "./components/Messages.tsx";
import { NavBar } from "./components/NavBar.tsx";
import { AccountPage } from "./pages/AccountPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { OrganizationPage } from "./pages/OrganizationPage.tsx";
import { SignupPage } from "./pages/SignupPage.tsx";
import { Redirect, useLocation } from "./router.tsx";
import { SessionProvider, useSession } from "./session.tsx";

interface Route {
  page: ComponentType;
  /** Pages for signed-in users send anonymous visitors to /login. */
  signedIn: boolean;
  /** Pages for signing in use the narrow, centred layout. */
  auth?: boolean;
}

const routes: Record<string, Route> = {
  "/login": { page: LoginPage, signedIn: false, auth: true },
  "/signup": { page: SignupPage, signedIn: false, auth: true },
  "/account": { page: AccountPage, signedIn: true },
  "/organization": { page: OrganizationPage, signedIn: true },
};

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
    return <Redirect to={viewer ? "/account" : "/login"} />;
  }
  const route = routes[pathname];
  if (route?.signedIn && !viewer) {
    return <Redirect to="/login" />;
  }
  const Page = route?.page;
  const page = Page ? <Page /> : <NotFoundPage home={viewer ? "/account" : "/login"} />;

  if (!viewer) {
    return <AuthLayout>{page}</AuthLayout>;
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <NavBar />
      <main id="main" className={route?.auth ? "page page-auth" : "page"}>
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
