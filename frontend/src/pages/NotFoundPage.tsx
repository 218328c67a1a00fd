// Any path the app does not know, and pages the viewer's role may not use.
import { PageHeading } from "../components/PageHeading.tsx";
import { Link } from "../router.tsx";

export function NotFoundPage({ home }: { home: string }) {
  return (
    <div className="card">
      <PageHeading title="Page not found" />
      <p>There is nothing at this address.</p>
      <p>
        <Link to={home}>Go to the start page</Link>
      </p>
    </div>
  );
}

/**
 * NoAccessPage stands in for a page that the viewer's role in this
 * organization does not allow, such as the audit log for a manager.
 */
export function NoAccessPage() {
  return (
    <div className="card">
      <PageHeading title="You don't have access to this page." />
      <p>
        Your role in this organization does not include it. If you need it, ask an owner or admin of the
        organization.
      </p>
      <p>
        <Link to="/projects">Go to your projects</Link>
      </p>
    </div>
  );
}
