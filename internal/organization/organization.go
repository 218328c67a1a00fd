// Package organization runs teams: creating and switching organizations,
// changing members' roles, removing and deactivating members. The privacy
// policies scope every change to the viewer's active organization; this
// package adds the rules about owners (only owners make or unmake owners,
// and an organization always keeps one).
package organization

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/apitoken"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/prediction"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/session"
	"gloss/ent/task"
	"gloss/ent/workspace"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// Service holds what the organization service needs.
type Service struct {
	client *ent.Client
	audit  *audit.Log
}

// NewService returns a Service over client that records its security
// events in log.
func NewService(client *ent.Client, log *audit.Log) *Service {
	return &Service{client: client, audit: log}
}

var (
	errAdmins = fault.New(fault.Forbidden, "only owners and admins manage members")
	errOwners = fault.New(fault.Forbidden, "only owners make, change or remove owners")
)

func admin(ctx context.Context) (*viewer.Viewer, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !v.IsOrgAdmin() {
		return nil, errAdmins
	}
	return v, nil
}

// Create makes an organization whose owner is the viewer. The viewer's
// active organization does not change until they switch.
func (s *Service) Create(ctx context.Context, title string) (*ent.Organization, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n < 1 || n > 200 {
		return nil, fault.Invalid("title must be 1 to 200 characters")
	}
	client := database.ClientFrom(ctx, s.client)
	org, err := client.Organization.Create().SetTitle(title).Save(ctx)
	if err != nil {
		return nil, err
	}
	// System context: the new organization has no owner yet who could
	// authorize its first membership; the creator becomes that owner.
	err = client.Membership.Create().SetUserID(v.UserID).SetOrganizationID(org.ID).
		SetRole(membership.RoleOwner).Exec(viewer.NewSystemContext(ctx))
	if err != nil {
		return nil, err
	}
	return org, s.audit.Record(ctx, audit.Event{Action: "organization.created", OrgID: &org.ID, TargetType: "Organization", TargetID: strconv.Itoa(org.ID)})
}

// Switch makes org the viewer's active organization. An organization the
// viewer is not a member of is not found.
func (s *Service) Switch(ctx context.Context, id int) (*ent.Organization, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	org, err := client.Organization.Get(ctx, id) // the policy shows only the viewer's organizations
	if err != nil {
		return nil, err
	}
	if err := client.User.UpdateOneID(v.UserID).SetActiveOrganizationID(org.ID).Exec(ctx); err != nil {
		return nil, err
	}
	return org, s.audit.Record(ctx, audit.Event{Action: "organization.switched", OrgID: &org.ID, TargetType: "Organization", TargetID: strconv.Itoa(org.ID)})
}

// member returns the membership of userID in the viewer's organization.
func (s *Service) member(ctx context.Context, v *viewer.Viewer, userID int) (*ent.Membership, error) {
	return database.ClientFrom(ctx, s.client).Membership.Query().
		Where(membership.UserID(userID), membership.OrganizationID(v.OrgID)).Only(ctx)
}

func (s *Service) ownerCount(ctx context.Context, orgID int) (int, error) {
	return database.ClientFrom(ctx, s.client).Membership.Query().
		Where(membership.OrganizationID(orgID), membership.RoleEQ(membership.RoleOwner)).Count(ctx)
}

// keepsAnOwner refuses a change that would take away m's owner role when m
// is the organization's last owner.
func (s *Service) keepsAnOwner(ctx context.Context, m *ent.Membership) error {
	if m.Role != membership.RoleOwner {
		return nil
	}
	n, err := s.ownerCount(ctx, m.OrganizationID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return fault.Invalid("an organization needs an owner: make someone else an owner first")
	}
	return nil
}

// UpdateRole gives a member a new role. Owners and admins change roles;
// only owners give or take the owner role (which is how ownership is
// transferred), and the last owner keeps it.
func (s *Service) UpdateRole(ctx context.Context, userID int, role membership.Role) (*ent.Membership, error) {
	v, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := membership.RoleValidator(role); err != nil {
		return nil, fault.Invalid("%q is not a role", role)
	}
	m, err := s.member(ctx, v, userID)
	if err != nil {
		return nil, err
	}
	if (role == membership.RoleOwner || m.Role == membership.RoleOwner) && v.Role != membership.RoleOwner {
		return nil, errOwners
	}
	if role != membership.RoleOwner {
		if err := s.keepsAnOwner(ctx, m); err != nil {
			return nil, err
		}
	}
	out, err := database.ClientFrom(ctx, s.client).Membership.UpdateOne(m).SetRole(role).Save(ctx)
	if err != nil {
		return nil, err
	}
	return out, s.audit.Record(ctx, audit.Event{Action: "member.role_changed", TargetType: "User", TargetID: strconv.Itoa(userID),
		Details: map[string]any{"from": string(m.Role), "to": string(role)}})
}

// RemoveMember takes a user out of the viewer's organization. Members may
// also remove themselves (leave), except the last owner.
func (s *Service) RemoveMember(ctx context.Context, userID int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	m, err := s.member(ctx, v, userID)
	if err != nil {
		return err
	}
	switch {
	case userID == v.UserID:
	case !v.IsOrgAdmin():
		return errAdmins
	case m.Role == membership.RoleOwner && v.Role != membership.RoleOwner:
		return errOwners
	}
	if err := s.keepsAnOwner(ctx, m); err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	del := ctx
	if userID == v.UserID {
		// Leaving: the policy lets admins remove memberships; everyone may
		// remove their own, which is what this system context allows.
		del = viewer.NewSystemContext(ctx)
	}
	if err := client.Membership.DeleteOne(m).Exec(del); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Action: "member.removed", TargetType: "User", TargetID: strconv.Itoa(userID)})
}

// Deactivate stops a member from signing in anywhere: their sessions and
// API token end at once. Only owners deactivate owners; nobody deactivates
// themself.
func (s *Service) Deactivate(ctx context.Context, userID int) (*ent.User, error) {
	v, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if userID == v.UserID {
		return nil, fault.Invalid("you cannot deactivate yourself")
	}
	m, err := s.member(ctx, v, userID)
	if err != nil {
		return nil, err
	}
	if m.Role == membership.RoleOwner && v.Role != membership.RoleOwner {
		return nil, errOwners
	}
	client := database.ClientFrom(ctx, s.client)
	u, err := client.User.UpdateOneID(userID).SetActive(false).Save(ctx)
	if err != nil {
		return nil, err
	}
	// System context: ending another user's sessions and token is not
	// something their policies let an admin do row by row; the checks above
	// are what authorize it.
	sys := viewer.NewSystemContext(ctx)
	if _, err := client.Session.Delete().Where(session.UserID(userID)).Exec(sys); err != nil {
		return nil, err
	}
	if _, err := client.APIToken.Delete().Where(apitoken.UserID(userID)).Exec(sys); err != nil {
		return nil, err
	}
	return u, s.audit.Record(ctx, audit.Event{Action: "user.deactivated", TargetType: "User", TargetID: strconv.Itoa(userID)})
}

// Delete removes the viewer's active organization with everything in it:
// projects, tasks, annotations, predictions, workspaces, invites and
// memberships. Owners only; the instance's default organization stays.
// Audit events are kept (unreadable through the API once nobody belongs to
// the organization) so the chain still verifies.
func (s *Service) Delete(ctx context.Context, id int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	org, err := client.Organization.Get(ctx, id)
	if err != nil {
		return err
	}
	if org.ID != v.OrgID {
		return fault.Invalid("switch to the organization before deleting it")
	}
	if v.Role != membership.RoleOwner {
		return errOwners
	}
	if org.IsDefault {
		return fault.Invalid("the instance's default organization cannot be deleted")
	}
	if err := s.audit.Record(ctx, audit.Event{Action: "organization.deleted", TargetType: "Organization", TargetID: strconv.Itoa(org.ID),
		Details: map[string]any{"title": org.Title}}); err != nil {
		return err
	}
	// System context: the owner's authority over everything in the
	// organization was checked above; several of these rows (others'
	// annotations, memberships) are not theirs row by row.
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	steps := []func() (int, error){
		func() (int, error) {
			return client.Annotation.Delete().Where(annotation.OrganizationID(org.ID)).Exec(sys)
		},
		func() (int, error) {
			return client.Prediction.Delete().Where(prediction.OrganizationID(org.ID)).Exec(sys)
		},
		func() (int, error) { return client.Task.Delete().Where(task.OrganizationID(org.ID)).Exec(sys) },
		func() (int, error) {
			return client.ProjectMember.Delete().Where(projectmember.OrganizationID(org.ID)).Exec(sys)
		},
		func() (int, error) { return client.Project.Delete().Where(project.OrganizationID(org.ID)).Exec(sys) },
		func() (int, error) {
			return client.Workspace.Delete().Where(workspace.OrganizationID(org.ID)).Exec(sys)
		},
		func() (int, error) { return client.Invite.Delete().Where(invite.OrganizationID(org.ID)).Exec(sys) },
		func() (int, error) {
			return client.Membership.Delete().Where(membership.OrganizationID(org.ID)).Exec(sys)
		},
	}
	for _, step := range steps {
		if _, err := step(); err != nil {
			return err
		}
	}
	return client.Organization.DeleteOneID(org.ID).Exec(sys)
}
