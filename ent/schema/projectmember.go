package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// ProjectMember makes a user a member of one project, or of every project
// of a workspace. Annotators and reviewers see only the projects they are
// members of.
type ProjectMember struct {
	ent.Schema
}

// Mixin of the ProjectMember.
func (ProjectMember) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the ProjectMember: exactly one of project_id and workspace_id.
func (ProjectMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("user_id").Immutable(),
		field.Int("project_id").Optional().Nillable().Immutable(),
		field.Int("workspace_id").Optional().Nillable().Immutable(),
	}
}

// Edges of the ProjectMember.
func (ProjectMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
		edge.From("project", Project.Type).Ref("members").Field("project_id").Unique().Immutable(),
		edge.From("workspace", Workspace.Type).Ref("members").Field("workspace_id").Unique().Immutable(),
	}
}

// Indexes of the ProjectMember.
func (ProjectMember) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "user_id").Unique(),
		index.Fields("workspace_id", "user_id").Unique(),
		index.Fields("user_id"),
	}
}

// Policy of the ProjectMember: members of the organization read project
// memberships; owners, admins and managers change them.
func (ProjectMember) Policy() ent.Policy {
	return rule.ProjectMemberPolicy()
}
