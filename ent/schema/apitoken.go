package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"gloss/internal/rule"
)

// APIToken is a user's one API token. Only its keyed hash is kept
// (secret.TokenHasher); the token itself is shown once, when it is made.
type APIToken struct {
	ent.Schema
}

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Unique().Sensitive().Immutable().Annotations(entgql.Skip()),
		field.Int("user_id").Unique().Immutable(),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("api_token").Field("user_id").
			Unique().Required().Immutable(),
	}
}

// Policy of the APIToken: only its owner (and the server) touch it.
func (APIToken) Policy() ent.Policy {
	return rule.APITokenPolicy()
}
