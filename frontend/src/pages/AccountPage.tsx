// /account: who you are, your API token, your password and your sessions.
import { SessionsQuery } from "../operations.ts";
import { PageHeading } from "../components/PageHeading.tsx";
import { formatDate } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { useViewer } from "../session.tsx";
import { ApiTokenSection } from "./account/ApiTokenSection.tsx";
import { ChangePasswordSection } from "./account/ChangePasswordSection.tsx";
import { SessionsSection } from "./account/SessionsSection.tsx";

export function AccountPage() {
  const viewer = useViewer();
  const sessions = useQuery(SessionsQuery, {});
  return (
    <>
      <div className="page-header">
        <PageHeading title="Account" />
        <p className="page-meta">Your sign-in details, API token and signed-in browsers.</p>
      </div>
      <section className="card">
        <h2>Profile</h2>
        <dl className="details">
          <div>
            <dt>Email</dt>
            <dd>{viewer.email}</dd>
          </div>
          <div>
            <dt>Display name</dt>
            <dd>{viewer.displayName}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>
              <time dateTime={viewer.createdAt}>{formatDate(viewer.createdAt)}</time>
            </dd>
          </div>
        </dl>
      </section>
      <ApiTokenSection />
      <ChangePasswordSection email={viewer.email ?? ""} onChanged={sessions.reload} />
      <SessionsSection sessions={sessions} />
    </>
  );
}
