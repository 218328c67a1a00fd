// /organization: the active organization, switching to another or creating
// one, its members and, for owners and admins, its invite links and member
// management; everyone may leave.
import { useEffect, useState } from "react";

import { PageHeading } from "../components/PageHeading.tsx";
import { StatusMessage } from "../components/Messages.tsx";
import { formatDate, isAdminRole, roleName } from "../format.ts";
import { useOrganization } from "../organization.tsx";
import { useViewer } from "../session.tsx";
import { InviteLinkSection } from "./organization/InviteLinkSection.tsx";
import { LeaveSection } from "./organization/LeaveSection.tsx";
import { MembersSection } from "./organization/MembersSection.tsx";
import { OrganizationsSection } from "./organization/OrganizationsSection.tsx";
import { RoleInvitesSection } from "./organization/RoleInvitesSection.tsx";
import { WebhooksSection } from "./webhook/WebhooksSection.tsx";

export function OrganizationPage() {
  const viewer = useViewer();
  const { organization, switchedTo, clearSwitched } = useOrganization();
  // Say once that a switch happened; the page is new for the new organization.
  const [switched] = useState(() => organization !== null && switchedTo === organization.id);
  useEffect(() => {
    if (switched) clearSwitched();
  }, [switched, clearSwitched]);

  if (organization === null) {
    return (
      <>
        <PageHeading title="Organization" />
        <div className="card">
          <p className="empty">You are not a member of an organization yet. Ask an owner or admin for an invite link.</p>
        </div>
        <OrganizationsSection />
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
      {switched ? <StatusMessage>You are now working in {organization.title}.</StatusMessage> : null}
      <OrganizationsSection />
      {isAdmin ? <InviteLinkSection organizationTitle={organization.title} /> : null}
      {isAdmin ? <RoleInvitesSection viewerRole={organization.viewerRole} /> : null}
      <MembersSection viewerRole={organization.viewerRole} viewerId={viewer.id} />
      {isAdmin ? <WebhooksSection canReadLog /> : null}
      <LeaveSection viewerId={viewer.id} title={organization.title} />
    </>
  );
}
