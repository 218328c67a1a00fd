package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Workspace groups projects of an organization; its members are members of
// all its projects.
type Workspace struct {
	ent.Schema
}

// Mixin of the Workspace.
func (Workspace) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Workspace.
func (Workspace) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("created_by_id").Immutable(),
		field.String("title").Validate(required(200)),
	}
}

// Edges of the Workspace.
func (Workspace) Edges() []ent.Edge {
	return []ent.Edge{
		// Not collected by entgql: GraphQL lists them capped per workspace
		// through graph's batch loader (see graph/cost.go).
		edge.To("projects", Project.Type).Annotations(entgql.Skip(entgql.SkipType)),
		edge.To("members", ProjectMember.Type).Annotations(entgql.Skip()),
	}
}

// Indexes of the Workspace.
func (Workspace) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}

// Policy of the Workspace: members of the organization read workspaces;
// owners, admins and managers change them.
func (Workspace) Policy() ent.Policy {
	return rule.WorkspacePolicy()
}
