package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Membership puts a user in an organization with a role.
type Membership struct {
	ent.Schema
}

// Annotations of the Membership: members are listed as a Relay connection.
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").Immutable(),
		field.Int("organization_id").Immutable(),
		field.Enum("role").
			NamedValues(
				"Owner", "OWNER",
				"Admin", "ADMIN",
				"Manager", "MANAGER",
				"Reviewer", "REVIEWER",
				"Annotator", "ANNOTATOR",
			).Default("ANNOTATOR"),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
		edge.From("organization", Organization.Type).Ref("memberships").
			Field("organization_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Membership: one membership per user and organization.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "organization_id").Unique(),
		index.Fields("organization_id"),
	}
}

// Policy of the Membership: members read the memberships of their active
// organization; only the server changes them in this release.
func (Membership) Policy() ent.Policy {
	return rule.MembershipPolicy()
}
