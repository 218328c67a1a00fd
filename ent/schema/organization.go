package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"gloss/internal/rule"
)

// Organization is a team: it owns members (through memberships) and, later,
// projects. Its invite link's token is kept only as a SHA-256 hash.
type Organization struct {
	ent.Schema
}

// Mixin of the Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").Validate(required(200)),
		field.Bool("is_default").Default(false).Immutable().
			Annotations(entgql.Skip()),
		field.Bytes("invite_token_hash").Optional().Nillable().Unique().Sensitive().
			Annotations(entgql.Skip()),
		// The invite token sealed with the server key, so that owners and
		// admins can be shown the link again; lookups use the hash.
		field.Bytes("invite_token_sealed").Optional().Nillable().Sensitive().
			Annotations(entgql.Skip()),
	}
}

// Edges of the Organization.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type).Annotations(entgql.Skip()),
	}
}

// Policy of the Organization: members read their organizations; owners and
// admins change their active one.
func (Organization) Policy() ent.Policy {
	return rule.OrganizationPolicy()
}
