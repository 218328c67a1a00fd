package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Session is a signed-in browser. The cookie carries a random token; the row
// keeps only its keyed hash (secret.TokenHasher), so a leaked database does
// not leak sessions.
type Session struct {
	ent.Schema
}

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Unique().Sensitive().Immutable().Annotations(entgql.Skip()),
		field.Int("user_id").Immutable(),
		field.Time("last_seen_at"),
		field.Time("expires_at").Annotations(entgql.Skip()),
		field.String("user_agent").MaxLen(512).Default(""),
		field.String("client_address").MaxLen(64).Default(""),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("sessions").Field("user_id").
			Unique().Required().Immutable(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Policy of the Session: a user reads and revokes only their own sessions.
func (Session) Policy() ent.Policy {
	return rule.SessionPolicy()
}
