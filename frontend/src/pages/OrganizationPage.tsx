// /organization: the viewer's organization, its members and, for owners and
// admins, its invite link.
import { OrganizationQuery } from "../api.ts";
import { Button } from "../components/Button.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { formatDate, isAdminRole, roleName } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { InviteLinkSection } from "./organization/InviteLinkSection.tsx";
import { MembersSection } from "./organization/MembersSection.tsx";

export function OrganizationPage() {
  const query = useQuery(OrganizationQuery, {});

  if (!query.data) {
    return query.loading ? (
      <div className="card">
        <Loading />
      </div>
    ) : (
      <>
        <PageHeading title="Organization" />
        <div className="card">
          <ErrorAlert error={query.error} />
          <div className="actions">
            <Button onClick={query.reload}>Try again</Button>
          </div>
        </div>
      </>
    );
  }

  const organization = query.data.organization;
  if (organization === null) {
    return (
      <>
        <PageHeading title="Organization" />
        <div className="card">
          <p className="empty">You are not a member of an organization yet. Ask an owner or admin for an invite link.</p>
        </div>
      </>
    );
  }

  const isAdmin = isAdminRole(organization.viewerRole);
  return (
    <>
      <div className="page-header">
        <PageHeading title={organization.title} />
        <p className="page-meta">
          Your role: <strong>{roleName(organization.viewerRole)}</strong>
        </p>
        <p className="page-meta">
          Created <time dateTime={organization.createdAt}>{formatDate(organization.createdAt)}</time>
        </p>
      </div>
      {isAdmin ? <InviteLinkSection organizationTitle={organization.title} /> : null}
      <MembersSection isAdmin={isAdmin} />
    </>
  );
}
