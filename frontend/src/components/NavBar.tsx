// The top bar for signed-in users: the app name, the main links and sign-out.
import { useState } from "react";

import { LogoutMutation } from "../api.ts";
import { useMutation } from "../hooks.ts";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session.tsx";
import { Button } from "./Button.tsx";
import { ErrorAlert } from "./Messages.tsx";

export function NavBar() {
  const session = useSession();
  const logout = useMutation(LogoutMutation, { signedIn: false });
  const [error, setError] = useState<unknown>(null);

  async function handleSignOut() {
    if (logout.pending) return;
    setError(null);
    try {
      await logout.run({});
    } catch (err) {
      // The cookie may still be valid; say so instead of pretending.
      setError(err);
      return;
    }
    navigate("/login");
    session.signedOut();
  }

  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link to="/projects" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Gloss
        </Link>
        <nav aria-label="Main" className="topnav">
          <ul>
            <li>
              <Link to="/projects" current={(path) => path === "/projects" || path.startsWith("/projects/")}>
                Projects
              </Link>
            </li>
            <li>
              <Link to="/account">Account</Link>
            </li>
            <li>
              <Link to="/organization">Organization</Link>
            </li>
          </ul>
        </nav>
        <Button className="signout" pending={logout.pending} onClick={handleSignOut}>
          Sign out
        </Button>
      </div>
      {error ? (
        <div className="topbar-error">
          <ErrorAlert error={error} />
        </div>
      ) : null}
    </header>
  );
}
