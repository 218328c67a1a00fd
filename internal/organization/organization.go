// Package organization runs teams: creating and switching organizations,
// changing members' roles, removing and deactivating members. Who may do
// which of these is decided by the ent privacy policies (internal/rule),
// owner-only grants included; this package makes no role decision. It adds
// the rules that are not about roles: an organization always keeps an
// owner, and nobody deactivates themself.
package organization

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/apitoken"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/prediction"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/session"
	"gloss/ent/storage"
	"gloss/ent/storagelink"
	"gloss/ent/storagesync"
	"gloss/ent/task"
	"gloss/ent/user"
	"gloss/ent/webhook"
	"gloss/ent/webhookdelivery"
	"gloss/ent/workspace"
	"gloss/internal/accounts"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// Service holds what the organization service needs.
type Service struct {
	client  *ent.Client
	audit   *audit.Log
	dataset Dataset
}

// Dataset deletes what a deleted organization's projects hold
// (dataset.Service).
type Dataset interface {
	// EmptyProject deletes every task of a project in steps, each a
	// transaction of its own that first runs check as the viewer, and
	// returns how many went, also with an error.
	EmptyProject(ctx context.Context, id int, check func(ctx context.Context, client *ent.Client, p *ent.Project) error) (int, error)
	// ForgetOrganization deletes the record of the organization's uploads
	// in the transaction of ctx and returns what removes their files
	// after it commits.
	ForgetOrganization(ctx context.Context, orgID int) (remove func(), err error)
}

// NewService returns a Service over client that records its security
// events in log and deletes a deleted organization's tasks and uploads
// through dataset.
func NewService(client *ent.Client, log *audit.Log, dataset Dataset) *Service {
	return &Service{client: client, audit: log, dataset: dataset}
}

// MaxPerUser is how many organizations an account belongs to at most (the
// organizations query lists them all).
const MaxPerUser = 50

// Create makes an organization whose owner is the viewer, unless they
// belong to MaxPerUser already. The viewer's active organization does not
// change until they switch.
func (s *Service) Create(ctx context.Context, title string) (*ent.Organization, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	// Creates by one user take turns on their row, so two at once cannot
	// both take the last place.
	if err := lockUser(ctx, client, v.UserID); err != nil {
		return nil, err
	}
	n, err := client.Membership.Query().Where(membership.UserID(v.UserID)).Count(viewer.NewSystemContext(ctx))
	if err != nil {
		return nil, err
	}
	if n >= MaxPerUser {
		return nil, fault.Invalid("you belong to %d organizations, the most one account may: leave one before you create another", n)
	}
	org, err := client.Organization.Create().SetTitle(strings.TrimSpace(title)).Save(ctx)
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
	// A switch and the user's removal take turns on the user's row
	// (PostgreSQL): a removal that commits first leaves nothing to switch
	// to, and one that commits after finds the switch done and points the
	// user elsewhere (accounts.ActWhereTheyBelong).
	if err := lockUser(ctx, client, v.UserID); err != nil {
		return nil, err
	}
	org, err := client.Organization.Get(ctx, id) // the policy shows only the viewer's organizations
	if err != nil {
		return nil, err
	}
	if err := client.User.UpdateOneID(v.UserID).SetActiveOrganizationID(org.ID).Exec(ctx); err != nil {
		return nil, err
	}
	return org, s.audit.Record(ctx, audit.Event{Action: "organization.switched", OrgID: &org.ID, TargetType: "Organization", TargetID: strconv.Itoa(org.ID)})
}

// lockUser locks user id's row until the transaction of ctx ends
// (PostgreSQL; SQLite's writer already serializes writes).
func lockUser(ctx context.Context, client *ent.Client, id int) error {
	_, err := client.User.Query().Where(user.ID(id)).Modify(database.ForUpdate).IDs(viewer.NewSystemContext(ctx))
	return err
}

// member returns the membership of userID in the viewer's organization.
func (s *Service) member(ctx context.Context, v *viewer.Viewer, userID int) (*ent.Membership, error) {
	return database.ClientFrom(ctx, s.client).Membership.Query().
		Where(membership.UserID(userID), membership.OrganizationID(v.OrgID)).Only(ctx)
}

// lockOwners takes the organization's row until the transaction ends,
// before a change that may take an owner away, so that such changes run
// one after the other and each counts (keepsAnOwner) the owners the one
// before it left. Without it, on PostgreSQL, two owners who demoted each
// other, or both left, at once each counted the other still an owner, both
// committed, and the organization had none: its annotator invite link then
// read as the one-time setup link and made its next user the owner. The
// lock is FOR NO KEY UPDATE, so sign-ups into the organization (which
// only reference the row) are not held up. SQLite's transaction holds the
// write lock already.
func (s *Service) lockOwners(ctx context.Context, orgID int) error {
	_, err := database.ClientFrom(ctx, s.client).Organization.Query().
		Where(organization.ID(orgID)).
		Modify(func(sel *sql.Selector) {
			if sel.Dialect() == dialect.Postgres {
				sel.For(sql.LockNoKeyUpdate)
			}
		}).
		Only(ctx)
	return err
}

// keepsAnOwner refuses a change that left the organization with no owner
// who can sign in. A deactivated owner does not count: nobody but an owner
// may reactivate one, so an organization whose only owners are deactivated
// has nobody to run it. It runs after the change, inside the change's
// transaction (which took lockOwners first), so the privacy policy has
// already decided whether the viewer may make it at all.
func (s *Service) keepsAnOwner(ctx context.Context, orgID int) error {
	n, err := database.ClientFrom(ctx, s.client).Membership.Query().
		Where(membership.OrganizationID(orgID), membership.RoleEQ(membership.RoleOwner),
			membership.HasUserWith(user.Active(true))).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.Invalid("an organization needs an owner: make someone else an owner first")
	}
	return nil
}

// UpdateRole gives a member a new role. The membership policy decides who
// may (owners and admins; only owners give or take the owner role, which is
// how ownership is transferred); the last owner keeps the role.
func (s *Service) UpdateRole(ctx context.Context, userID int, role membership.Role) (*ent.Membership, error) {
	v, err := fault.SignedIn(ctx)
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
	var out *ent.Membership
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		if err := s.lockOwners(ctx, m.OrganizationID); err != nil {
			return err
		}
		out, err = database.ClientFrom(ctx, s.client).Membership.UpdateOne(m).SetRole(role).Save(ctx)
		if err != nil {
			return err
		}
		return s.keepsAnOwner(ctx, m.OrganizationID)
	})
	if err != nil {
		return nil, err
	}
	return out, s.audit.Record(ctx, audit.Event{Action: "member.role_changed", TargetType: "User", TargetID: strconv.Itoa(userID),
		Details: map[string]any{"from": string(m.Role), "to": string(role)}})
}

// RemoveMember takes a user out of the viewer's organization. The
// membership policy lets owners and admins remove others (only owners an
// owner) and every member leave; the last owner stays.
func (s *Service) RemoveMember(ctx context.Context, userID int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	m, err := s.member(ctx, v, userID)
	if err != nil {
		return err
	}
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		if err := s.lockOwners(ctx, m.OrganizationID); err != nil {
			return err
		}
		client := database.ClientFrom(ctx, s.client)
		if err := lockUser(ctx, client, userID); err != nil { // turns with their switch (Switch)
			return err
		}
		if err := client.Membership.DeleteOne(m).Exec(ctx); err != nil {
			return err
		}
		if err := accounts.ActWhereTheyBelong(ctx, client, userID); err != nil {
			return err
		}
		return s.keepsAnOwner(ctx, m.OrganizationID)
	})
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Action: "member.removed", TargetType: "User", TargetID: strconv.Itoa(userID)})
}

// Deactivate stops a member from signing in anywhere: their sessions and
// API token end at once. The user policy decides who may (owners and
// admins; only owners deactivate owners); nobody deactivates themself.
func (s *Service) Deactivate(ctx context.Context, userID int) (*ent.User, error) {
	v, err := fault.SignedIn(ctx)
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
	var u *ent.User
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		// A deactivated owner is no owner the organization keeps: two
		// owners who deactivated each other at once must not both succeed.
		if err := s.lockOwners(ctx, m.OrganizationID); err != nil {
			return err
		}
		client := database.ClientFrom(ctx, s.client)
		if u, err = client.User.UpdateOneID(userID).SetActive(false).Save(ctx); err != nil {
			return err
		}
		if err := s.keepsAnOwner(ctx, m.OrganizationID); err != nil {
			return err
		}
		// System context: ending another user's sessions and token is not
		// something their policies let an admin do row by row; the user
		// policy authorized the deactivation just above, and this follows
		// from it.
		sys := viewer.NewSystemContext(ctx)
		if _, err := client.Session.Delete().Where(session.UserID(userID)).Exec(sys); err != nil {
			return err
		}
		if _, err := client.APIToken.Delete().Where(apitoken.UserID(userID)).Exec(sys); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "user.deactivated", TargetType: "User", TargetID: strconv.Itoa(userID)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Delete removes the viewer's active organization with everything in it:
// projects, tasks, annotations, predictions, storages, webhooks (its own
// and its projects') with their queued deliveries, uploaded media (their
// files once the deletion has committed), workspaces, invites and
// memberships. The organization policy decides who may (owners; the
// instance's default organization stays). Audit events are kept
// (unreadable through the API once nobody belongs to the organization) so
// the chain still verifies.
//
// The tasks of its projects go first, in the steps of deleteProject (each
// a transaction of its own, logged and heard as a delete of tasks), so
// that an organization of a million tasks does not hold the write lock
// for seconds; each step first asks the policy's rule with the viewer's
// role read again (rule.StillDeletesOrganization), as the call does
// before anything and the last transaction does first, so a viewer who may
// not delete the organization, or no longer may, deletes none of its
// tasks (or none after that).
// The rest goes in one transaction. A failure after a step has committed
// says how many tasks went (fault.Partial).
func (s *Service) Delete(ctx context.Context, id int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	org, err := database.ClientFrom(ctx, s.client).Organization.Get(ctx, id)
	if err != nil {
		return err
	}
	if org.ID != v.OrgID {
		return fault.Invalid("switch to the organization before deleting it")
	}
	if err := rule.StillDeletesOrganization(ctx, database.ClientFrom(ctx, s.client), org.ID); err != nil {
		return err
	}
	emptied, err := s.emptyProjects(ctx, org.ID)
	if err != nil {
		return err
	}
	var removeUploads func()
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		// As before each step, while the memberships are still there; the
		// policy decides again at the end.
		if err := rule.StillDeletesOrganization(ctx, client, org.ID); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "organization.deleted", TargetType: "Organization", TargetID: strconv.Itoa(org.ID),
			Details: map[string]any{"title": org.Title}}); err != nil {
			return err
		}
		// System context for what the organization holds: several of these
		// rows (others' annotations, memberships) are no viewer's row by
		// row. Deleting the organization itself, last and as the viewer, is
		// what the policy authorizes; if it refuses, the transaction rolls
		// all of it back.
		sys := audit.Quiet(viewer.NewSystemContext(ctx))
		steps := []func() (int, error){
			// The uses of uploads by its tasks are found through them.
			func() (n int, err error) {
				removeUploads, err = s.dataset.ForgetOrganization(sys, org.ID)
				return 0, err
			},
			// Deliveries carry its tasks and annotations in their payloads.
			func() (int, error) {
				return client.WebhookDelivery.Delete().Where(webhookdelivery.OrganizationID(org.ID)).Exec(sys)
			},
			func() (int, error) {
				return client.Webhook.Delete().Where(webhook.OrganizationID(org.ID)).Exec(sys)
			},
			// Its tasks left, locked before their annotations go: see
			// projects.LockTasksWhere.
			func() (int, error) {
				_, err := projects.LockTasksWhere(sys, client, task.OrganizationID(org.ID))
				return 0, err
			},
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
			func() (int, error) {
				return client.StorageSync.Delete().Where(storagesync.OrganizationID(org.ID)).Exec(sys)
			},
			func() (int, error) {
				ids, err := client.Storage.Query().Where(storage.OrganizationID(org.ID)).IDs(sys)
				if err != nil {
					return 0, err
				}
				return client.StorageLink.Delete().Where(storagelink.StorageIDIn(ids...)).Exec(sys)
			},
			func() (int, error) { return client.Storage.Delete().Where(storage.OrganizationID(org.ID)).Exec(sys) },
			func() (int, error) { return client.Project.Delete().Where(project.OrganizationID(org.ID)).Exec(sys) },
			func() (int, error) {
				return client.Workspace.Delete().Where(workspace.OrganizationID(org.ID)).Exec(sys)
			},
			func() (int, error) { return client.Invite.Delete().Where(invite.OrganizationID(org.ID)).Exec(sys) },
			func() (int, error) {
				return client.Membership.Delete().Where(membership.OrganizationID(org.ID)).Exec(sys)
			},
			func() (int, error) { return 0, accounts.ActWhereTheyBelong(ctx, client) },
		}
		for _, step := range steps {
			if _, err := step(); err != nil {
				return err
			}
		}
		return client.Organization.DeleteOneID(org.ID).Exec(audit.Quiet(ctx))
	})
	if err != nil {
		return tasksDeleted(err, emptied)
	}
	// The files go once the deletion has committed (deleteOrganization
	// runs in no transaction of the request's: its steps are their own).
	database.AfterCommit(ctx, removeUploads)
	return nil
}

// emptyProjects deletes the tasks of every project of organization orgID
// in steps (dataset.EmptyProject), each first asking the organization
// policy's rule, and returns how many went.
func (s *Service) emptyProjects(ctx context.Context, orgID int) (int, error) {
	projects, err := database.ClientFrom(ctx, s.client).Project.Query().Where(project.OrganizationID(orgID)).
		Order(ent.Asc(project.FieldID)).IDs(viewer.NewSystemContext(ctx))
	if err != nil {
		return 0, err
	}
	mayDelete := func(ctx context.Context, client *ent.Client, _ *ent.Project) error {
		return rule.StillDeletesOrganization(ctx, client, orgID)
	}
	done := 0
	for _, p := range projects {
		n, err := s.dataset.EmptyProject(ctx, p, mayDelete)
		done += n
		if ent.IsNotFound(err) && n == 0 {
			continue // deleted meanwhile
		}
		if err != nil {
			return done, tasksDeleted(err, done)
		}
	}
	return done, nil
}

// tasksDeleted is err of a deletion that had deleted n tasks of the
// organization's projects before it failed: it says so when n > 0.
func tasksDeleted(err error, n int) error {
	if n == 0 {
		return err
	}
	var p *fault.Partial
	if errors.As(err, &p) {
		err = p.Err
	}
	return &fault.Partial{Err: err, Done: fmt.Sprintf("%d tasks of its projects were deleted before this; run it again for the rest", n)}
}
