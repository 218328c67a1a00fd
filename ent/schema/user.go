package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"gloss/internal/rule"
)

// User is a person who signs in. The password is kept only as an argon2id
// hash; the email is stored lower-cased so that lookups are exact.
type User struct {
	ent.Schema
}

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Validate(required(254)).Unique(),
		field.String("password_hash").Sensitive().Annotations(entgql.Skip()),
		field.Bool("active").Default(true),
		field.Int("active_organization_id").Optional().Nillable().
			Annotations(entgql.Skip()),
		// startup_token_hash is the keyed hash of the API token start-up last
		// set for this account (--user-token): a later start with the same
		// token leaves the account's current one alone, so a reset through
		// the API holds across restarts.
		field.Bytes("startup_token_hash").Optional().Nillable().Sensitive().
			Annotations(entgql.Skip()),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("memberships", Membership.Type).Ref("user").Annotations(entgql.Skip()),
		edge.To("sessions", Session.Type).Annotations(entgql.Skip()),
		edge.To("api_token", APIToken.Type).Unique().Annotations(entgql.Skip()),
		edge.From("project_memberships", ProjectMember.Type).Ref("user").Annotations(entgql.Skip()),
	}
}

// Policy of the User: a user reads themself and the members of their active
// organization, and changes only themself.
func (User) Policy() ent.Policy {
	return rule.UserPolicy()
}
