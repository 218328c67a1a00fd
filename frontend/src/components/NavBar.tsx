// The top bar for signed-in users: the app name, the main links the viewer's
// role may use, a compact organization switcher for members of several, and
// sign-out.
import { useState, type FormEvent } from "react";

import { LogoutMutation } from "../operations.ts";
import { isAdminRole, isManagerRole } from "../format.ts";
import { useMutation } from "../hooks.ts";
import { useOrganization } from "../organization.tsx";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session.tsx";
import { Button } from "./Button.tsx";
import { ErrorAlert } from "./Messages.tsx";

export function NavBar() {
  const session = useSession();
  const { role } = useOrganization();
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
              <Link to="/my-work">My work</Link>
            </li>
            {isManagerRole(role) ? (
              <li>
                <Link to="/workspaces">Workspaces</Link>
              </li>
            ) : null}
            {role !== null && isAdminRole(role) ? (
              <li>
                <Link to="/audit">Audit log</Link>
              </li>
            ) : null}
            <li>
              <Link to="/account">Account</Link>
            </li>
            <li>
              <Link to="/organization">Organization</Link>
            </li>
          </ul>
        </nav>
        <div className="topbar-end">
          <OrganizationSwitcher onError={setError} />
          <Button className="signout" pending={logout.pending} onClick={handleSignOut}>
            Sign out
          </Button>
        </div>
      </div>
      {error ? (
        <div className="topbar-error">
          <ErrorAlert error={error} />
        </div>
      ) : null}
    </header>
  );
}

/** OrganizationSwitcher is shown only to members of more than one organization. */
function OrganizationSwitcher({ onError }: { onError(error: unknown): void }) {
  const { organization, organizations, switchTo, switching } = useOrganization();
  const [chosen, setChosen] = useState(organization?.id ?? "");

  if (organizations.length < 2) return null;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (switching || chosen === "" || chosen === organization?.id) return;
    onError(null);
    try {
      await switchTo(chosen);
      navigate("/projects");
    } catch (err) {
      onError(err);
    }
  }

  return (
    <form className="org-switcher" onSubmit={handleSubmit} aria-label="Switch organization">
      <label htmlFor="nav-organization" className="visually-hidden">
        Current organization
      </label>
      <select id="nav-organization" value={chosen} onChange={(event) => setChosen(event.target.value)}>
        {organization === null ? <option value="">Choose…</option> : null}
        {organizations.map((org) => (
          <option key={org.id} value={org.id}>
            {org.title}
          </option>
        ))}
      </select>
      <Button
        type="submit"
        className="button-small"
        pending={switching}
        disabled={chosen === "" || chosen === organization?.id}
      >
        Switch<span className="visually-hidden"> organization</span>
      </Button>
    </form>
  );
}
