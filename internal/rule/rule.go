// Package rule holds Gloss's ent privacy rules and the policy of each entity.
// Every policy lets the system viewer through, refuses anonymous callers,
// applies the entity's own rules and ends in deny. Row scoping is a query
// filter, so a row outside the viewer's reach is simply not found.
package rule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/entql"

	gen "gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/apitoken"
	"gloss/ent/auditevent"
	"gloss/ent/draft"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/session"
	"gloss/ent/storage"
	"gloss/ent/storagesync"
	"gloss/ent/task"
	"gloss/ent/user"
	"gloss/ent/workspace"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// forbid returns a privacy denial that the client sees as FORBIDDEN with
// msg: the rule knows why it refuses, so the person asking should too.
func forbid(msg string) error {
	return fmt.Errorf("%w: %w", privacy.Deny, fault.New(fault.Forbidden, "%s", msg))
}

// The denials of rules that several policies share.
var (
	errOwnersOnly    = forbid("only owners make, change or remove owners")
	errAdminsOnly    = forbid("only owners and admins manage members")
	errElsewhere     = forbid("this member belongs to other organizations too, whose access a deactivation would end: remove them from this organization instead")
	errOwnWorkspaces = forbid("managers manage only the workspaces they created")
	errOwnAnnotation = forbid("you cannot review your own annotation")
	errOwnerDeletes  = forbid("only owners delete an organization")
	errInviteOwners  = forbid("only owners invite owners")
	errInviteAdmins  = forbid("only owners and admins invite admins")
	errOrgWebhooks   = forbid("only owners and admins manage the organization's webhooks")
	errReviewersOnly = forbid("only reviewers, managers, admins and owners review annotations")
)

// DenyIfNoViewer is a rule that refuses callers with no viewer in the context.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("viewer-context is missing")
		}
		return privacy.Skip
	})
}

// AllowIfSystem is a rule that lets the server's own work through: bootstrap,
// sign-in lookups and the auth middleware. Only viewer.NewSystemContext makes
// such a viewer, and each call site says why it needs one.
func AllowIfSystem() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && v.System {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// policy builds the shape every entity shares: system first, anonymous
// refused, then the entity's own rules, and deny for anything left over.
func policy(query []privacy.QueryRule, mutation []privacy.MutationRule) ent.Policy {
	q := privacy.QueryPolicy{AllowIfSystem(), DenyIfNoViewer()}
	q = append(q, query...)
	q = append(q, privacy.AlwaysDenyRule())
	m := privacy.MutationPolicy{AllowIfSystem(), DenyIfNoViewer()}
	m = append(m, mutation...)
	m = append(m, privacy.AlwaysDenyRule())
	return privacy.Policy{Query: q, Mutation: m}
}

// isUpdateOrDelete reports whether op changes or removes existing rows, the
// operations a row filter can scope.
func isUpdateOrDelete(op ent.Op) bool {
	return op.Is(ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne)
}

// OrganizationPolicy lets members read the organizations they belong to,
// any signed-in user create one (they become its owner), owners and admins
// change their active organization, and owners delete it — except the
// instance's default organization, which stays.
func OrganizationPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.OrganizationQueryRuleFunc(func(ctx context.Context, q *gen.OrganizationQuery) error {
			if v := viewer.User(ctx); v != nil {
				q.Where(organization.HasMembershipsWith(membership.UserID(v.UserID)))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.OrganizationMutationRuleFunc(func(ctx context.Context, m *gen.OrganizationMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				if def, _ := m.IsDefault(); def {
					return privacy.Denyf("only the server makes the default organization")
				}
				return privacy.Allow
			case v.IsOrgAdmin() && m.Op().Is(ent.OpUpdateOne):
				m.Where(organization.ID(v.OrgID))
				return privacy.Allow
			case m.Op().Is(ent.OpDeleteOne):
				id, _ := m.ID()
				if err := DeletesOrganization(ctx, m.Client(), id); err != nil {
					return err
				}
				m.Where(organization.ID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// DeletesOrganization refuses the viewer of ctx the deletion of
// organization id unless they are its owner, it is their active
// organization and it is not the instance's default. The organization
// policy decides the deletion by it, at the end of the transaction that
// has emptied the organization (its memberships gone too).
func DeletesOrganization(ctx context.Context, client *gen.Client, id int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	switch {
	case id != v.OrgID:
		return privacy.Denyf("an organization is deleted from within")
	case v.Role != membership.RoleOwner:
		return errOwnerDeletes
	}
	// System context: the rule reads the very row it decides on, which its
	// owner may no longer see once their membership is gone (deleting an
	// organization empties it first).
	def, err := client.Organization.Query().Where(organization.ID(id), organization.IsDefault(true)).
		Exist(viewer.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	if def {
		return fault.Invalid("the instance's default organization cannot be deleted")
	}
	return nil
}

// StillDeletesOrganization is DeletesOrganization with the viewer's role
// read again rather than taken from the viewer, which was read when the
// request began, and their membership locked until the transaction of ctx
// ends (PostgreSQL), so a change of it waits. The service asks it before
// each transaction of a deletion in steps (seconds long), while the
// organization still has its memberships: an owner demoted, removed or
// deactivated meanwhile is refused the steps left.
func StillDeletesOrganization(ctx context.Context, client *gen.Client, id int) error {
	if err := DeletesOrganization(ctx, client, id); err != nil {
		return err
	}
	v := viewer.User(ctx)
	roles, err := client.Membership.Query().
		Where(membership.UserID(v.UserID), membership.OrganizationID(id), membership.HasUserWith(user.Active(true))).
		Modify(func(s *sql.Selector) {
			if s.Dialect() == dialect.Postgres {
				s.ForUpdate()
			}
		}).
		Select(membership.FieldRole).Strings(viewer.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	if len(roles) != 1 || roles[0] != string(membership.RoleOwner) {
		return errOwnerDeletes
	}
	return nil
}

// UserPolicy lets a user read themself and the members of their active
// organization and change only themself; owners and admins may also
// deactivate or reactivate members of their active organization (only
// owners an owner) who belong to no other organization, and change nothing
// else about them. An account is one across organizations: deactivating a
// member of another organization too would lock them out of it, which
// this organization's admins have no say in; they remove the member from
// their organization instead.
func UserPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.UserQueryRuleFunc(func(ctx context.Context, q *gen.UserQuery) error {
			if v := viewer.User(ctx); v != nil {
				q.Where(user.Or(
					user.ID(v.UserID),
					user.HasMembershipsWith(membership.OrganizationID(v.OrgID)),
				))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.UserMutationRuleFunc(func(ctx context.Context, m *gen.UserMutation) error {
			v := viewer.User(ctx)
			if v == nil || !m.Op().Is(ent.OpUpdateOne) {
				return privacy.Skip
			}
			if fields := changedFields(m); v.IsOrgAdmin() && len(fields) == 1 && fields[0] == user.FieldActive {
				m.Where(user.HasMembershipsWith(membership.OrganizationID(v.OrgID)))
				id, _ := m.ID()
				// Past the membership policy, which shows the viewer no
				// membership of another organization; only whether one
				// exists is used.
				elsewhere, err := m.Client().Membership.Query().Where(membership.UserID(id),
					membership.OrganizationIDNEQ(v.OrgID)).Exist(privacy.DecisionContext(ctx, privacy.Allow))
				if err != nil {
					return err
				}
				if elsewhere {
					return errElsewhere
				}
				if v.Role == membership.RoleOwner {
					return privacy.Allow
				}
				owner, err := m.Client().Membership.Query().Where(membership.UserID(id),
					membership.OrganizationID(v.OrgID), membership.RoleEQ(membership.RoleOwner)).Exist(ctx)
				if err != nil {
					return err
				}
				if owner {
					return errOwnersOnly
				}
				return privacy.Allow
			}
			m.Where(user.ID(v.UserID))
			return privacy.Allow
		})},
	)
}

// MembershipPolicy lets members read the memberships of their active
// organization and their own memberships elsewhere. Within their active
// organization, members may remove their own membership (leave), owners and
// admins change and remove the others', and only owners give the owner role
// or change or remove an owner's membership. New memberships are made by the
// server: signup, bootstrap and organization creation. (That an
// organization keeps an owner is the organization service's rule.)
func MembershipPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.MembershipQueryRuleFunc(func(ctx context.Context, q *gen.MembershipQuery) error {
			if v := viewer.User(ctx); v != nil {
				q.Where(membership.Or(
					membership.OrganizationID(v.OrgID),
					membership.UserID(v.UserID),
				))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.MembershipMutationRuleFunc(func(ctx context.Context, m *gen.MembershipMutation) error {
			v := viewer.User(ctx)
			if v == nil || !isUpdateOrDelete(m.Op()) {
				return privacy.Skip
			}
			m.Where(membership.OrganizationID(v.OrgID))
			if role, ok := m.Role(); ok && role == membership.RoleOwner && v.Role != membership.RoleOwner {
				return errOwnersOnly
			}
			var target *gen.Membership
			if id, ok := m.ID(); ok && m.Op().Is(ent.OpUpdateOne|ent.OpDeleteOne) {
				t, err := m.Client().Membership.Query().
					Where(membership.ID(id), membership.OrganizationID(v.OrgID)).Only(ctx)
				switch {
				case gen.IsNotFound(err):
					return privacy.Allow // the filter above leaves nothing: not found
				case err != nil:
					return err
				}
				target = t
			}
			switch {
			case target != nil && target.UserID == v.UserID && m.Op().Is(ent.OpDeleteOne):
				return privacy.Allow // leaving
			case !v.IsOrgAdmin():
				return errAdminsOnly
			case v.Role == membership.RoleOwner:
				return privacy.Allow
			case target != nil && target.Role == membership.RoleOwner:
				return errOwnersOnly
			}
			// Admins' bulk changes never reach an owner.
			m.Where(membership.RoleNEQ(membership.RoleOwner))
			return privacy.Allow
		})},
	)
}

// SessionPolicy lets a user read and revoke only their own sessions. Sessions
// are created and touched by the server (sign-in and the auth middleware).
func SessionPolicy() ent.Policy {
	own := func(ctx context.Context) predicate.Session {
		if v := viewer.User(ctx); v != nil {
			return session.UserID(v.UserID)
		}
		return nil
	}
	return policy(
		[]privacy.QueryRule{privacy.SessionQueryRuleFunc(func(ctx context.Context, q *gen.SessionQuery) error {
			if p := own(ctx); p != nil {
				q.Where(p)
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.SessionMutationRuleFunc(func(ctx context.Context, m *gen.SessionMutation) error {
			if p := own(ctx); p != nil && m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
				m.Where(p)
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// APITokenPolicy lets a user read, replace and remove only their own token.
func APITokenPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.APITokenQueryRuleFunc(func(ctx context.Context, q *gen.APITokenQuery) error {
			if v := viewer.User(ctx); v != nil {
				q.Where(apitoken.UserID(v.UserID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.APITokenMutationRuleFunc(func(ctx context.Context, m *gen.APITokenMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				if id, ok := m.UserID(); ok && id == v.UserID {
					return privacy.Allow
				}
				return privacy.Denyf("an API token belongs to the viewer")
			case isUpdateOrDelete(m.Op()):
				m.Where(apitoken.UserID(v.UserID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// SystemOnlyPolicy is the policy of server-internal entities (login
// throttles): only the system viewer reads or writes them.
func SystemOnlyPolicy() ent.Policy {
	return policy(nil, nil)
}

// orgScoped is the query rule of every entity that carries an
// organization_id: signed-in viewers see the rows of their active
// organization, and nothing else exists for them.
func orgScoped() privacy.QueryRule {
	type orgFilter interface{ WhereOrganizationID(entql.IntP) }
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.User(ctx)
		if v == nil {
			return privacy.Skip
		}
		of, ok := f.(orgFilter)
		if !ok {
			return privacy.Denyf("%T has no organization", f)
		}
		of.WhereOrganizationID(entql.IntEQ(v.OrgID))
		return privacy.Allow
	})
}

// managedInOrg is the mutation rule of rows that owners, admins and
// managers create and change within their active organization (projects,
// predictions, workspaces, project memberships): a new row must name the
// viewer's organization, and updates and deletes reach only its rows.
// Narrower rules for managers run before it and add their own predicates.
func managedInOrg() privacy.MutationRule {
	type wherer interface{ WhereP(...func(*sql.Selector)) }
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.User(ctx)
		switch {
		case v == nil || !v.CanManageProjects():
			return privacy.Skip
		case m.Op().Is(ent.OpCreate):
			if org, ok := m.Field("organization_id"); ok && org == v.OrgID {
				return privacy.Allow
			}
			return privacy.Denyf("a %s belongs to the viewer's organization", m.Type())
		case isUpdateOrDelete(m.Op()):
			w, ok := m.(wherer)
			if !ok {
				return privacy.Denyf("%T cannot be scoped", m)
			}
			w.WhereP(sql.FieldEQ("organization_id", v.OrgID))
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// ProjectPolicy lets viewers read the projects in their ProjectScope, and
// owners, admins and managers create projects; managers change and delete
// the projects in their scope (made by them or that they belong to),
// owners and admins any of the organization's.
func ProjectPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.ProjectQueryRuleFunc(func(ctx context.Context, q *gen.ProjectQuery) error {
			if v := viewer.User(ctx); v != nil {
				if scope := ProjectScope(v); scope != nil {
					q.Where(scope)
				}
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.ProjectMutationRuleFunc(func(ctx context.Context, m *gen.ProjectMutation) error {
			v := viewer.User(ctx)
			if v == nil || !v.CanManageProjects() {
				return privacy.Skip
			}
			// Managers change only the projects in their scope.
			if isUpdateOrDelete(m.Op()) {
				if scope := ProjectScope(v); scope != nil {
					m.Where(scope)
				}
			}
			if id, ok := m.WorkspaceID(); ok {
				return placeable(ctx, m.Client(), v, id)
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// taskBookkeeping are the task fields any member may change while labelling:
// the label stream's lock and the annotation counters.
var taskBookkeeping = map[string]bool{
	task.FieldLockedByID:           true,
	task.FieldLockedUntil:          true,
	task.FieldTotalAnnotations:     true,
	task.FieldCancelledAnnotations: true,
	task.FieldUpdatedAt:            true,
}

// TaskPolicy lets viewers read the tasks of the projects in their scope —
// annotators only the tasks handed to them (locked for them) or that they
// annotated; managers and up import and delete tasks; any member may change
// only a task's lock and counters (labelling does that).
func TaskPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.TaskQueryRuleFunc(func(ctx context.Context, q *gen.TaskQuery) error {
			v := viewer.User(ctx)
			if v == nil {
				return privacy.Skip
			}
			if scope := taskScope(v); scope != nil {
				q.Where(scope)
			}
			if !SeesEveryTask(v) {
				q.Where(HandedTo(v.UserID))
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.TaskMutationRuleFunc(func(ctx context.Context, m *gen.TaskMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				org, ok := m.OrganizationID()
				if !ok || org != v.OrgID || !v.CanManageProjects() {
					return privacy.Denyf("only managers import tasks into their organization")
				}
				id, _ := m.ProjectID()
				return visibleOnce(ctx, project.Table, id, m.Client().Project.Query().Where(project.ID(id)), "a task joins a project the viewer manages")
			case isUpdateOrDelete(m.Op()):
				if !v.CanManageProjects() {
					if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
						return privacy.Denyf("only managers delete tasks")
					}
					if !onlyFields(changedFields(m), taskBookkeeping) {
						return privacy.Denyf("only a task's lock and counters are the viewer's to change")
					}
					// The label stream locks a task for the viewer; it
					// never hands a task to someone else.
					if holder, ok := m.LockedByID(); ok && holder != v.UserID {
						return privacy.Denyf("a task is locked only for the viewer")
					}
				}
				m.Where(task.OrganizationID(v.OrgID))
				if scope := taskScope(v); scope != nil {
					m.Where(scope)
				}
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// HandedTo holds for the tasks an annotator sees: those the label stream
// handed them (their lock, live or lapsed) and those they annotated or
// skipped. Their annotations and predictions follow the same rule.
func HandedTo(userID int) predicate.Task {
	return task.Or(task.LockedByID(userID), AnnotatedBy(userID))
}

// AnnotatedBy holds for the tasks userID annotated or skipped: a correlated
// EXISTS, one seek on the annotations' task index per task read (ent's
// HasAnnotationsWith reads every annotation of the user for each query).
// PostgreSQL may still turn it into a join or a hashed subquery when it
// expects to read many tasks: see AnnotatedByEach.
func AnnotatedBy(userID int) predicate.Task {
	return annotatedBy(userID, false)
}

// AnnotatedByEach is AnnotatedBy kept a per-task subquery on PostgreSQL too
// (OFFSET 0, after the LIMIT 1 that an EXISTS reads anyway and SQLite needs
// before an OFFSET), for a search that stops at its first task. Negated,
// PostgreSQL made an anti-join of it and could merge the whole scan with
// every annotation of the project in task order: the label stream's search
// read all the annotations made so far on each call.
func AnnotatedByEach(userID int) predicate.Task {
	return annotatedBy(userID, true)
}

func annotatedBy(userID int, each bool) predicate.Task {
	return func(s *sql.Selector) {
		a := sql.Table(annotation.Table)
		sub := sql.Select(a.C(annotation.FieldTaskID)).From(a).Where(sql.And(
			sql.ColumnsEQ(a.C(annotation.FieldTaskID), s.C(task.FieldID)),
			sql.EQ(a.C(annotation.FieldCompletedByID), userID)))
		if each {
			sub.Limit(1).Offset(0)
		}
		s.Where(sql.Exists(sub))
	}
}

// annotationInProjects holds for the annotations of the projects p selects,
// by the annotation's own project_id (the annotation policy admits only
// the task's project on create, and both are immutable): going through the
// task would read every task of those projects for each query.
func annotationInProjects(p predicate.Project) predicate.Annotation {
	return func(s *sql.Selector) {
		t := sql.Table(project.Table)
		sub := sql.Select(t.C(project.FieldID)).From(t)
		p(sub)
		s.Where(sql.In(s.C(annotation.FieldProjectID), sub))
	}
}

// reviewFields are the annotation fields a reviewer sets.
var reviewFields = map[string]bool{
	annotation.FieldReviewState:   true,
	annotation.FieldReviewedByID:  true,
	annotation.FieldReviewComment: true,
	annotation.FieldReviewedAt:    true,
	annotation.FieldUpdatedAt:     true,
}

// AnnotationsVisible is the predicate of the annotations v may read, as
// far as the projects and authors go (the organization is orgScoped's):
// those of the projects in v's scope, and for annotators only their own
// unless the project shows others'. The policy applies it to every query;
// filters that look into annotations from another entity's query (the
// data manager's label filter) apply it themselves.
func AnnotationsVisible(v *viewer.Viewer) predicate.Annotation {
	if v == nil {
		return func(s *sql.Selector) { s.Where(sql.False()) }
	}
	var ps []predicate.Annotation
	if scope := ProjectScope(v); scope != nil {
		ps = append(ps, annotationInProjects(scope))
	}
	if !SeesEveryTask(v) {
		// Others' annotations only where the project shows them, and
		// only of the tasks the annotator sees.
		ps = append(ps, annotation.Or(
			annotation.CompletedByID(v.UserID),
			annotation.And(annotationInProjects(project.AnnotatorsSeeOthers(true)), annotation.HasTaskWith(HandedTo(v.UserID))),
		))
	}
	return annotation.And(append(ps, annotation.OrganizationID(v.OrgID))...)
}

// AnnotationPolicy lets viewers read the annotations of the projects in
// their scope — annotators only their own unless the project shows others'
// — create annotations authored by themselves, and change or delete only
// their own; reviewers and up set only the review fields of others'.
func AnnotationPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.AnnotationQueryRuleFunc(func(ctx context.Context, q *gen.AnnotationQuery) error {
			v := viewer.User(ctx)
			if v == nil {
				return privacy.Skip
			}
			q.Where(AnnotationsVisible(v))
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.AnnotationMutationRuleFunc(func(ctx context.Context, m *gen.AnnotationMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpUpdateOne) && v.Role != membership.RoleAnnotator && isReview(m) && !authoredBy(ctx, m, v):
				m.Where(annotation.OrganizationID(v.OrgID), annotation.CompletedByIDNEQ(v.UserID))
				if scope := ProjectScope(v); scope != nil {
					m.Where(annotationInProjects(scope))
				}
				return privacy.Allow
			case m.Op().Is(ent.OpDelete) && v.CanManageProjects():
				// The data manager's bulk delete: managers and up clear the
				// annotations of the projects they manage.
				m.Where(annotation.OrganizationID(v.OrgID))
				if scope := ProjectScope(v); scope != nil {
					m.Where(annotationInProjects(scope))
				}
				return privacy.Allow
			case m.Op().Is(ent.OpCreate):
				author, ok1 := m.CompletedByID()
				org, ok2 := m.OrganizationID()
				if !ok1 || !ok2 || author != v.UserID || org != v.OrgID {
					return privacy.Denyf("an annotation is authored by the viewer in their organization")
				}
				// The task is one the viewer may label: the task policy
				// shows annotators only the tasks handed to them.
				id, _ := m.TaskID()
				pid, _ := m.ProjectID()
				return visible(ctx, m.Client().Task.Query().Where(task.ID(id), task.ProjectID(pid)), "an annotation labels a task the viewer holds")
			case isUpdateOrDelete(m.Op()):
				// An author may send their annotation back to review but
				// never review it themselves.
				if state, ok := m.ReviewState(); (ok && state != annotation.ReviewStatePending) || hasReviewer(m) {
					if v.Role == membership.RoleAnnotator {
						return errReviewersOnly
					}
					return errOwnAnnotation
				}
				// An author changes their work and sends it back to
				// review; a reviewer's comment and time, and ground truth,
				// are not theirs to write.
				if _, at := m.ReviewedAt(); at || m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && !onlyFields(changedFields(m), authorFields) {
					return privacy.Denyf("an author changes only their annotation's result, skip and lead time")
				}
				m.Where(annotation.CompletedByID(v.UserID), annotation.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// DraftPolicy lets a user read, save and remove only their own drafts, in
// their active organization, and save them only on tasks they can see.
// Nobody else reads another's draft, whatever their role: a draft is work
// its author has not handed in.
func DraftPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.DraftQueryRuleFunc(func(ctx context.Context, q *gen.DraftQuery) error {
			v := viewer.User(ctx)
			if v == nil {
				return privacy.Skip
			}
			q.Where(draft.UserID(v.UserID), draft.OrganizationID(v.OrgID))
			return privacy.Allow
		})},
		[]privacy.MutationRule{privacy.DraftMutationRuleFunc(func(ctx context.Context, m *gen.DraftMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				user, ok1 := m.UserID()
				org, ok2 := m.OrganizationID()
				if !ok1 || !ok2 || user != v.UserID || org != v.OrgID {
					return privacy.Denyf("a draft is the viewer's own, in their organization")
				}
				id, _ := m.TaskID()
				return visible(ctx, m.Client().Task.Query().Where(task.ID(id), task.OrganizationID(org)), "a draft is of a task the viewer can see")
			case isUpdateOrDelete(m.Op()):
				m.Where(draft.UserID(v.UserID), draft.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// PredictionPolicy lets viewers read the predictions of the projects in
// their scope; managers and up import, change and delete them there.
func PredictionPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.PredictionQueryRuleFunc(func(ctx context.Context, q *gen.PredictionQuery) error {
			if v := viewer.User(ctx); v != nil {
				if scope := taskScope(v); scope != nil {
					q.Where(prediction.HasTaskWith(scope))
				}
				if !SeesEveryTask(v) {
					q.Where(prediction.HasTaskWith(HandedTo(v.UserID)))
				}
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.PredictionMutationRuleFunc(func(ctx context.Context, m *gen.PredictionMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil || !v.CanManageProjects():
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				id, _ := m.TaskID()
				if err := visible(ctx, m.Client().Task.Query().Where(task.ID(id)), "a prediction belongs to a task the viewer manages"); !errors.Is(err, privacy.Allow) {
					return err
				}
			case isUpdateOrDelete(m.Op()):
				if scope := taskScope(v); scope != nil {
					m.Where(prediction.HasTaskWith(scope))
				}
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// AuditEventPolicy lets owners and admins read the audit events of their
// active organization. Only the server writes events, and nobody changes or
// deletes them except the server's retention job.
func AuditEventPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.AuditEventQueryRuleFunc(func(ctx context.Context, q *gen.AuditEventQuery) error {
			if v := viewer.User(ctx); v != nil && v.IsOrgAdmin() {
				q.Where(auditevent.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		nil,
	)
}

// placeable is the rule of putting something (a project, a member) into a
// workspace: the workspace is one of the viewer's organization, and a
// manager's own, since membership of a workspace grants every project in
// it. It skips when the workspace may be used, so the entity's other rules
// still decide.
func placeable(ctx context.Context, client *gen.Client, v *viewer.Viewer, id int) error {
	w, err := client.Workspace.Query().Where(workspace.ID(id)).Only(ctx) // the policy keeps the organization's
	switch {
	case gen.IsNotFound(err):
		return privacy.Denyf("workspace %d is not one the viewer sees", id)
	case err != nil:
		return err
	case !v.IsOrgAdmin() && w.CreatedByID != v.UserID:
		return errOwnWorkspaces
	}
	return privacy.Skip
}

// SeesEveryTask reports whether a viewer sees every task of the projects
// they see (and so the project's task counters). Annotators see only the
// tasks the label stream holds for them and those they annotated.
func SeesEveryTask(v *viewer.Viewer) bool {
	return v != nil && v.Role != membership.RoleAnnotator
}

// OwnTasksIn holds for the tasks of the project that userID annotated,
// skipped or holds: what an annotator sees of it (TaskPolicy), found from
// their side. The policy's own filter is a test of each task (held, or an
// annotation of theirs beside it), which the database can only apply by
// reading every task of the project: an annotator's page of the data
// manager, or their taskCount, read the whole project to find their few
// tasks. This set is read from the annotations' (project_id,
// completed_by_id) index and the held tasks' partial index, and the tasks
// by their key, so that work follows the annotator's own. It holds only
// for tasks of the project, and takes the place of the project's condition
// (task.ProjectID) in such a query: beside that, SQLite walks the index of
// the page's order on the project and tests each task against the set.
// It adds no access: the policy's filter still applies, and this only
// narrows.
func OwnTasksIn(projectID, userID int) predicate.Task {
	return func(s *sql.Selector) {
		a := sql.Table(annotation.Table)
		held := sql.Table(task.Table).As("held")
		own := sql.Select(a.C(annotation.FieldTaskID)).From(a).Where(sql.And(
			sql.EQ(a.C(annotation.FieldProjectID), projectID),
			sql.EQ(a.C(annotation.FieldCompletedByID), userID))).
			UnionAll(sql.Select(held.C(task.FieldID)).From(held).Where(sql.And(
				sql.EQ(held.C(task.FieldLockedByID), userID),
				sql.EQ(held.C(task.FieldProjectID), projectID))))
		s.Where(sql.In(s.C(task.FieldID), own))
	}
}

// ProjectScope is the predicate of the projects a viewer works on, or nil
// when they see every project of their organization (owners and admins).
// Managers see the projects they created or are members of; reviewers and
// annotators only those they are members of, directly or through a
// workspace.
//
// It is written as one condition of fixed text rather than with ent's
// edge predicates (HasMembersWith, HasWorkspaceWith), which say the same
// but built three nested selectors on every use: some 25 µs and 150
// allocations, on every read and change by every member below admin (a
// submit built it six times).
func ProjectScope(v *viewer.Viewer) predicate.Project {
	scope := scopeOf(v)
	if scope == nil {
		return nil
	}
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			scope(b, func(column string) { b.Ident(s.C(column)) })
		}))
	}
}

// taskScope is ProjectScope for tasks: the tasks of the projects the viewer
// works on, or nil for owners and admins. It is ent's
// task.HasProjectWith(ProjectScope(v)) written as one condition too.
func taskScope(v *viewer.Viewer) predicate.Task {
	scope := scopeOf(v)
	if scope == nil {
		return nil
	}
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("EXISTS (SELECT 1 FROM " + project.Table + " AS scope_p WHERE scope_p." + project.FieldID + " = ").
				Ident(s.C(task.FieldProjectID)).WriteString(" AND ")
			scope(b, func(column string) { b.WriteString("scope_p." + column) })
			b.WriteString(")")
		}))
	}
}

// scopeOf writes ProjectScope's condition for v into b, naming a column of
// the project with col; nil for owners and admins.
func scopeOf(v *viewer.Viewer) func(b *sql.Builder, col func(column string)) {
	if v.IsOrgAdmin() {
		return nil
	}
	userID, manager := v.UserID, v.Role == membership.RoleManager
	return func(b *sql.Builder, col func(string)) {
		b.WriteByte('(')
		if manager {
			col(project.FieldCreatedByID)
			b.WriteString(" = ").Arg(userID).WriteString(" OR ")
		}
		// A member of the project, or of its workspace.
		b.WriteString("EXISTS (SELECT 1 FROM " + projectmember.Table + " AS scope_pm WHERE scope_pm." + projectmember.FieldProjectID + " = ")
		col(project.FieldID)
		b.WriteString(" AND scope_pm." + projectmember.FieldUserID + " = ").Arg(userID).
			WriteString(") OR EXISTS (SELECT 1 FROM " + workspace.Table + " AS scope_ws WHERE scope_ws." + workspace.FieldID + " = ")
		col(project.FieldWorkspaceID)
		b.WriteString(" AND EXISTS (SELECT 1 FROM " + projectmember.Table + " AS scope_wm WHERE scope_wm." + projectmember.FieldWorkspaceID + " = scope_ws." + workspace.FieldID + " AND scope_wm." + projectmember.FieldUserID + " = ").Arg(userID).
			WriteString(")))")
	}
}

// WorkspaceScope is the predicate of the workspaces a viewer may read, or
// nil when they read every workspace of their organization (owners and
// admins): those they are members of or that hold a project they work on,
// and for managers also those they created. A workspace's title and members
// tell what a team works on, which is not every member's to know.
func WorkspaceScope(v *viewer.Viewer) predicate.Workspace {
	scope := ProjectScope(v)
	if scope == nil {
		return nil
	}
	in := workspace.Or(workspace.HasMembersWith(projectmember.UserID(v.UserID)), workspace.HasProjectsWith(scope))
	if v.Role == membership.RoleManager {
		return workspace.Or(workspace.CreatedByID(v.UserID), in)
	}
	return in
}

// WorkspacePolicy lets members read the workspaces of their organization
// in their scope (WorkspaceScope), owners, admins and managers create them,
// and managers change only their own (membership of a workspace grants its
// projects).
func WorkspacePolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.WorkspaceQueryRuleFunc(func(ctx context.Context, q *gen.WorkspaceQuery) error {
			if v := viewer.User(ctx); v != nil {
				if scope := WorkspaceScope(v); scope != nil {
					q.Where(scope)
				}
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.WorkspaceMutationRuleFunc(func(ctx context.Context, m *gen.WorkspaceMutation) error {
			// Managers change only the workspaces they created.
			if v := viewer.User(ctx); v != nil && !v.IsOrgAdmin() && isUpdateOrDelete(m.Op()) {
				m.Where(workspace.CreatedByID(v.UserID))
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// ProjectMemberScope is the predicate of the project and workspace
// memberships a viewer may read, or nil when they read every one of their
// organization (owners and admins): their own, and those of the projects
// and workspaces they see.
func ProjectMemberScope(v *viewer.Viewer) predicate.ProjectMember {
	scope := ProjectScope(v)
	if scope == nil {
		return nil
	}
	return projectmember.Or(
		projectmember.UserID(v.UserID),
		projectmember.HasProjectWith(scope),
		projectmember.HasWorkspaceWith(WorkspaceScope(v)),
	)
}

// ProjectMemberPolicy lets members read the project and workspace
// memberships in their scope (ProjectMemberScope), and owners, admins and
// managers change them: managers only on the projects in their scope and
// in the workspaces they created.
func ProjectMemberPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.ProjectMemberQueryRuleFunc(func(ctx context.Context, q *gen.ProjectMemberQuery) error {
			if v := viewer.User(ctx); v != nil {
				if scope := ProjectMemberScope(v); scope != nil {
					q.Where(scope)
				}
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.ProjectMemberMutationRuleFunc(func(ctx context.Context, m *gen.ProjectMemberMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil || !v.CanManageProjects():
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				if id, ok := m.ProjectID(); ok {
					// The project policy shows a manager only their scope.
					found, err := m.Client().Project.Query().Where(project.ID(id)).Exist(ctx)
					if err != nil {
						return err
					}
					if !found {
						return privacy.Denyf("project %d is not one the viewer manages", id)
					}
				}
				if id, ok := m.WorkspaceID(); ok {
					return placeable(ctx, m.Client(), v, id)
				}
			case v.IsOrgAdmin():
			case m.Op().Is(ent.OpUpdateOne | ent.OpDeleteOne):
				id, _ := m.ID()
				pm, err := m.Client().ProjectMember.Query().Where(projectmember.ID(id)).Only(ctx)
				if err == nil && pm.WorkspaceID != nil {
					if err := placeable(ctx, m.Client(), v, *pm.WorkspaceID); err != nil {
						return err
					}
				}
				fallthrough
			default:
				m.Where(
					projectmember.Or(projectmember.ProjectIDIsNil(), projectmember.HasProjectWith(ProjectScope(v))),
					projectmember.Or(projectmember.WorkspaceIDIsNil(), projectmember.HasWorkspaceWith(workspace.CreatedByID(v.UserID))),
				)
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// InviterRoles are the roles that may make an invite granting role: owners
// for owner invites, owners and admins for the others. The invite policy
// asks it when an invite is made, and sign-up asks it again when an invite
// is used, so an invite is only as good as its creator's current standing.
func InviterRoles(role invite.Role) []membership.Role {
	if role == invite.RoleOwner {
		return []membership.Role{membership.RoleOwner}
	}
	return []membership.Role{membership.RoleOwner, membership.RoleAdmin}
}

// InvitePolicy lets owners and admins read, create and revoke the role
// invites of their active organization; only owners invite owners, and an
// invite into a project leads into one of the organization's.
func InvitePolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.InviteQueryRuleFunc(func(ctx context.Context, q *gen.InviteQuery) error {
			if v := viewer.User(ctx); v != nil && v.IsOrgAdmin() {
				q.Where(invite.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		[]privacy.MutationRule{privacy.InviteMutationRuleFunc(func(ctx context.Context, m *gen.InviteMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil || !v.IsOrgAdmin():
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				org, ok1 := m.OrganizationID()
				by, ok2 := m.CreatedByID()
				if !ok1 || !ok2 || org != v.OrgID || by != v.UserID {
					return privacy.Denyf("an invite belongs to the viewer's organization")
				}
				if role, _ := m.Role(); !slices.Contains(InviterRoles(role), v.Role) {
					if role == invite.RoleOwner {
						return errInviteOwners
					}
					return errInviteAdmins
				}
				if id, ok := m.ProjectID(); ok {
					found, err := m.Client().Project.Query().Where(project.ID(id)).Exist(ctx)
					if err != nil {
						return err
					}
					if !found {
						return privacy.Denyf("project %d is not in the viewer's organization", id)
					}
				}
				return privacy.Allow
			case isUpdateOrDelete(m.Op()):
				m.Where(invite.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// visible allows a new row that refers to a row the viewer can see (q, a
// query under their own policy) and denies it with why otherwise.
func visible[Q interface {
	Exist(context.Context) (bool, error)
}](ctx context.Context, q Q, why string) error {
	found, err := q.Exist(ctx)
	switch {
	case err != nil:
		return err
	case !found:
		return privacy.Denyf("%s", why)
	}
	return privacy.Allow
}

// found remembers, per transaction, the rows a viewer was shown to see by
// visibleOnce, so that an import of many tasks into one project asks about
// the project once, not once per task. An entry lives as long as its
// transaction.
var found sync.Map // *gen.Tx → *sync.Map of foundKey → struct{}

type foundKey struct {
	viewer *viewer.Viewer
	table  string
	id     int
}

// visibleOnce is visible, remembered for the rest of the transaction in
// ctx (outside a transaction it asks every time).
func visibleOnce[Q interface {
	Exist(context.Context) (bool, error)
}](ctx context.Context, table string, id int, q Q, why string) error {
	tx := gen.TxFromContext(ctx)
	if tx == nil {
		return visible(ctx, q, why)
	}
	key := foundKey{viewer.FromContext(ctx), table, id}
	entry, loaded := found.LoadOrStore(tx, &sync.Map{})
	seen := entry.(*sync.Map)
	if !loaded {
		forget := func() { found.Delete(tx) }
		tx.OnCommit(func(next gen.Committer) gen.Committer {
			return gen.CommitFunc(func(ctx context.Context, tx *gen.Tx) error { defer forget(); return next.Commit(ctx, tx) })
		})
		tx.OnRollback(func(next gen.Rollbacker) gen.Rollbacker {
			return gen.RollbackFunc(func(ctx context.Context, tx *gen.Tx) error { defer forget(); return next.Rollback(ctx, tx) })
		})
	}
	if _, ok := seen.Load(key); ok {
		return privacy.Allow
	}
	err := visible(ctx, q, why)
	if errors.Is(err, privacy.Allow) {
		seen.Store(key, struct{}{})
	}
	return err
}

// changedFields are the fields m changes: those it sets, adds to or
// clears (an optional field set to NULL is not among the set ones).
func changedFields(m ent.Mutation) []string {
	return slices.Concat(m.Fields(), m.AddedFields(), m.ClearedFields())
}

// isReview reports whether m is a review: it changes only review fields,
// or it also fixes the result as it accepts it (a reviewer's "fix and
// accept"); a fix without an acceptance is an author's edit.
func isReview(m *gen.AnnotationMutation) bool {
	if onlyFields(changedFields(m), reviewFields) {
		return true
	}
	state, ok := m.ReviewState()
	return ok && state == annotation.ReviewStateAccepted && hasReviewer(m) && onlyFields(changedFields(m), fixFields)
}

// authorFields are the annotation fields its author may change: their
// work, and what sends it back to review (the state back to pending, the
// reviewer and the review's time cleared).
var authorFields = map[string]bool{
	annotation.FieldResult:       true,
	annotation.FieldWasCancelled: true,
	annotation.FieldLeadTime:     true,
	annotation.FieldUpdatedAt:    true,
	annotation.FieldReviewState:  true,
	annotation.FieldReviewedByID: true,
	annotation.FieldReviewedAt:   true,
}

// fixFields are the annotation fields a reviewer sets when fixing and
// accepting an annotation.
var fixFields = map[string]bool{
	annotation.FieldReviewState:   true,
	annotation.FieldReviewedByID:  true,
	annotation.FieldReviewComment: true,
	annotation.FieldReviewedAt:    true,
	annotation.FieldUpdatedAt:     true,
	annotation.FieldResult:        true,
}

// onlyFields reports whether every field is in allowed.
func onlyFields(fields []string, allowed map[string]bool) bool {
	for _, f := range fields {
		if !allowed[f] {
			return false
		}
	}
	return true
}

// authoredBy reports whether the annotation m updates is v's own. An
// annotation v cannot see is not theirs (and the update will not find it).
func authoredBy(ctx context.Context, m *gen.AnnotationMutation, v *viewer.Viewer) bool {
	author, err := m.OldCompletedByID(ctx)
	return err == nil && author == v.UserID
}

// hasReviewer reports whether m sets a reviewer.
func hasReviewer(m *gen.AnnotationMutation) bool {
	_, ok := m.ReviewedByID()
	return ok
}

// AnnotatesFreely reports whether the viewer may annotate past the label
// stream's limits: owners, admins and managers may add several annotations
// to one task and go beyond its overlap, deliberately from the data manager,
// as in Label Studio; annotators and reviewers hold one annotation per task
// (they change it with updateAnnotation) and submit only to tasks with room
// or held for them. The labeling service enforces both inside the write
// transaction, with the task row locked.
func AnnotatesFreely(v *viewer.Viewer) bool {
	return Gate(v, Manager) == nil
}

// errStorageManagers is the denial of storages to roles below manager.
var errStorageManagers = forbid("only owners, admins and managers connect storages")

// StoragePolicy lets owners, admins and managers see the storages of the
// projects in their scope (owners and admins: every project of their
// organization) and create, change and delete them there. Storages hold
// credentials, so reviewers and annotators see none.
func StoragePolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.StorageQueryRuleFunc(func(ctx context.Context, q *gen.StorageQuery) error {
			v := viewer.User(ctx)
			if v == nil {
				return privacy.Skip
			}
			if !v.CanManageProjects() {
				return errStorageManagers
			}
			if scope := ProjectScope(v); scope != nil {
				q.Where(storage.HasProjectWith(scope))
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.StorageMutationRuleFunc(func(ctx context.Context, m *gen.StorageMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case !v.CanManageProjects():
				return errStorageManagers
			case m.Op().Is(ent.OpCreate):
				id, _ := m.ProjectID()
				if err := visible(ctx, m.Client().Project.Query().Where(project.ID(id)), "a storage belongs to a project the viewer manages"); !errors.Is(err, privacy.Allow) {
					return err
				}
			case isUpdateOrDelete(m.Op()):
				if scope := ProjectScope(v); scope != nil {
					m.Where(storage.HasProjectWith(scope))
				}
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// StorageSyncPolicy lets the viewers who see a storage see its syncs; only
// the server (the sync job) writes them.
func StorageSyncPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.StorageSyncQueryRuleFunc(func(ctx context.Context, q *gen.StorageSyncQuery) error {
			v := viewer.User(ctx)
			if v == nil {
				return privacy.Skip
			}
			if !v.CanManageProjects() {
				return errStorageManagers
			}
			if scope := ProjectScope(v); scope != nil {
				q.Where(storagesync.HasStorageWith(storage.HasProjectWith(scope)))
			}
			return privacy.Skip
		}), orgScoped()},
		nil,
	)
}
