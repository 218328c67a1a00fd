// Any path the app does not know.
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
