// Package rule holds Gloss's ent privacy rules and the policy of each entity.
// Every policy lets the system viewer through, refuses anonymous callers,
// applies the entity's own rules and ends in deny. Row scoping is a query
// filter, so a row outside the viewer's reach is simply not found.
package rule

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/entql"

	gen "gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/apitoken"
	"gloss/ent/auditevent"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/session"
	"gloss/ent/task"
	"gloss/ent/user"
	"gloss/ent/workspace"
	"gloss/internal/viewer"
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
// any signed-in user create one (they become its owner), and owners and
// admins change their active organization.
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
			}
			return privacy.Skip
		})},
	)
}

// UserPolicy lets a user read themself and the members of their active
// organization and change only themself; owners and admins may also
// deactivate or reactivate members of their active organization, and change
// nothing else about them.
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
			if fields := m.Fields(); v.IsOrgAdmin() && len(fields) == 1 && fields[0] == user.FieldActive {
				m.Where(user.HasMembershipsWith(membership.OrganizationID(v.OrgID)))
				return privacy.Allow
			}
			m.Where(user.ID(v.UserID))
			return privacy.Allow
		})},
	)
}

// MembershipPolicy lets members read the memberships of their active
// organization and their own memberships elsewhere, and lets owners and
// admins change and remove the memberships of their active organization
// (the organization service adds the owner-only rules). New memberships are
// made by the server: signup, bootstrap and organization creation.
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
			if v := viewer.User(ctx); v != nil && v.IsOrgAdmin() && isUpdateOrDelete(m.Op()) {
				m.Where(membership.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
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
			// Managers change only the projects in their scope.
			if v := viewer.User(ctx); v != nil && isUpdateOrDelete(m.Op()) {
				if scope := ProjectScope(v); scope != nil {
					m.Where(scope)
				}
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
			if scope := ProjectScope(v); scope != nil {
				q.Where(task.HasProjectWith(scope))
			}
			if v.Role == membership.RoleAnnotator {
				q.Where(task.Or(task.LockedByID(v.UserID), task.HasAnnotationsWith(annotation.CompletedByID(v.UserID))))
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.TaskMutationRuleFunc(func(ctx context.Context, m *gen.TaskMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpCreate):
				if org, ok := m.OrganizationID(); ok && org == v.OrgID && v.CanManageProjects() {
					return privacy.Allow
				}
				return privacy.Denyf("only managers import tasks into their organization")
			case isUpdateOrDelete(m.Op()):
				if !v.CanManageProjects() {
					if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
						return privacy.Denyf("only managers delete tasks")
					}
					if !onlyFields(append(m.Fields(), m.AddedFields()...), taskBookkeeping) {
						return privacy.Denyf("only a task's lock and counters are the viewer's to change")
					}
				}
				m.Where(task.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// reviewFields are the annotation fields a reviewer sets.
var reviewFields = map[string]bool{
	annotation.FieldReviewState:   true,
	annotation.FieldReviewedByID:  true,
	annotation.FieldReviewComment: true,
	annotation.FieldReviewedAt:    true,
	annotation.FieldUpdatedAt:     true,
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
			if scope := ProjectScope(v); scope != nil {
				q.Where(annotation.HasTaskWith(task.HasProjectWith(scope)))
			}
			if v.Role == membership.RoleAnnotator {
				q.Where(annotation.Or(
					annotation.CompletedByID(v.UserID),
					annotation.HasTaskWith(task.HasProjectWith(project.AnnotatorsSeeOthers(true))),
				))
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{privacy.AnnotationMutationRuleFunc(func(ctx context.Context, m *gen.AnnotationMutation) error {
			v := viewer.User(ctx)
			switch {
			case v == nil:
				return privacy.Skip
			case m.Op().Is(ent.OpUpdateOne) && v.Role != membership.RoleAnnotator && onlyFields(m.Fields(), reviewFields):
				m.Where(annotation.OrganizationID(v.OrgID), annotation.CompletedByIDNEQ(v.UserID))
				if scope := ProjectScope(v); scope != nil {
					m.Where(annotation.HasTaskWith(task.HasProjectWith(scope)))
				}
				return privacy.Allow
			case m.Op().Is(ent.OpCreate):
				author, ok1 := m.CompletedByID()
				org, ok2 := m.OrganizationID()
				if ok1 && ok2 && author == v.UserID && org == v.OrgID {
					return privacy.Allow
				}
				return privacy.Denyf("an annotation is authored by the viewer in their organization")
			case isUpdateOrDelete(m.Op()):
				// An author may send their annotation back to review but
				// never review it themselves.
				if state, ok := m.ReviewState(); (ok && state != annotation.ReviewStatePending) || hasReviewer(m) {
					return privacy.Denyf("authors do not review their own annotations")
				}
				m.Where(annotation.CompletedByID(v.UserID), annotation.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
}

// PredictionPolicy lets viewers read the predictions of the projects in
// their scope; managers and up import and delete them.
func PredictionPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.PredictionQueryRuleFunc(func(ctx context.Context, q *gen.PredictionQuery) error {
			if v := viewer.User(ctx); v != nil {
				if scope := ProjectScope(v); scope != nil {
					q.Where(prediction.HasTaskWith(task.HasProjectWith(scope)))
				}
			}
			return privacy.Skip
		}), orgScoped()},
		[]privacy.MutationRule{managedInOrg()},
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

// ProjectScope is the predicate of the projects a viewer works on, or nil
// when they see every project of their organization (owners and admins).
// Managers see the projects they created or are members of; reviewers and
// annotators only those they are members of, directly or through a
// workspace.
func ProjectScope(v *viewer.Viewer) predicate.Project {
	if v.IsOrgAdmin() {
		return nil
	}
	member := project.Or(
		project.HasMembersWith(projectmember.UserID(v.UserID)),
		project.HasWorkspaceWith(workspace.HasMembersWith(projectmember.UserID(v.UserID))),
	)
	if v.Role == membership.RoleManager {
		return project.Or(project.CreatedByID(v.UserID), member)
	}
	return member
}

// WorkspacePolicy lets members read their organization's workspaces,
// owners, admins and managers create them, and managers change only their
// own (membership of a workspace grants its projects).
func WorkspacePolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{orgScoped()},
		[]privacy.MutationRule{privacy.WorkspaceMutationRuleFunc(func(ctx context.Context, m *gen.WorkspaceMutation) error {
			// Managers change only the workspaces they created.
			if v := viewer.User(ctx); v != nil && !v.IsOrgAdmin() && isUpdateOrDelete(m.Op()) {
				m.Where(workspace.CreatedByID(v.UserID))
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// ProjectMemberPolicy lets members read their organization's project
// memberships and owners, admins and managers change them (the project
// service checks a manager's own projects).
func ProjectMemberPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{orgScoped()},
		[]privacy.MutationRule{managedInOrg()},
	)
}

// InvitePolicy lets owners and admins read, create and revoke the role
// invites of their active organization.
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
				if ok1 && ok2 && org == v.OrgID && by == v.UserID {
					return privacy.Allow
				}
				return privacy.Denyf("an invite belongs to the viewer's organization")
			case isUpdateOrDelete(m.Op()):
				m.Where(invite.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
	)
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

// hasReviewer reports whether m sets a reviewer.
func hasReviewer(m *gen.AnnotationMutation) bool {
	_, ok := m.ReviewedByID()
	return ok
}

// OneAnnotationPerTask reports whether the viewer may hold at most one
// annotation per task: annotators and reviewers change theirs with
// updateAnnotation; owners, admins and managers may add more, as in Label
// Studio. The labeling service enforces it inside the write transaction,
// with the task row locked.
func OneAnnotationPerTask(v *viewer.Viewer) bool {
	return v == nil || !v.CanManageProjects()
}
