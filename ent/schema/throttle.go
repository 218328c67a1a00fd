package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"gloss/internal/rule"
)

// Throttle counts attempts at a password per key (an account or a client
// address at sign-in, a user at changePassword) in a fixed window: each
// attempt is reserved before the password is compared, and given back when
// it was right. It lives in the database so that every Gloss process behind
// a load balancer shares one count.
type Throttle struct {
	ent.Schema
}

// Annotations of the Throttle: never part of the GraphQL schema.
func (Throttle) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Fields of the Throttle.
func (Throttle) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().NotEmpty().MaxLen(128),
		field.Int("failures").Default(0),
		field.Time("window_start"),
		// refused_window is the window_start of the window whose first
		// refusal was recorded in the audit log. Later refusals in that
		// window are not recorded again: an attacker hammering a locked
		// account wrote one event per request into its organization's log.
		// In the row, so that every process sees who recorded it.
		field.Time("refused_window").Optional().Nillable(),
	}
}

// Policy of the Throttle: server only.
func (Throttle) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
