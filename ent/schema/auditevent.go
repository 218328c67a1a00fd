package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// AuditEvent is one entry of the audit log: who did what to which object,
// from where, and when. Each row carries its place in the chain (seq) and an
// HMAC of its content and the previous row's MAC under a key derived from
// the server secret, so a removed, reordered or edited row breaks the chain
// (`gloss audit verify`). Rows of earlier releases carry an unkeyed SHA-256
// chain instead, sealed by the first keyed row (see internal/audit).
type AuditEvent struct {
	ent.Schema
}

// Annotations of the AuditEvent: listed as a Relay connection.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Fields of the AuditEvent. All are immutable: the log is append-only.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Int("actor_id").Optional().Nillable().Immutable(),
		field.Int("organization_id").Optional().Nillable().Immutable(),
		field.String("action").NotEmpty().MaxLen(100).Immutable(),
		field.String("target_type").Default("").MaxLen(100).Immutable(),
		field.String("target_id").Default("").MaxLen(100).Immutable(),
		field.String("client_address").Default("").MaxLen(64).Immutable(),
		field.String("user_agent").Default("").MaxLen(512).Immutable(),
		field.String("request_id").Default("").MaxLen(64).Immutable(),
		field.JSON("details", map[string]any{}).Optional().Immutable(),
		// seq numbers the chain from 1 without gaps; nil only on rows of an
		// earlier release that the server has not sealed yet.
		field.Int64("seq").Optional().Nillable().Immutable().Annotations(entgql.Skip()),
		field.Bytes("prev_hash").Immutable().Annotations(entgql.Skip()),
		field.Bytes("hash").Immutable().Annotations(entgql.Skip()),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "id"),
		index.Fields("created_at"),
		// One row per place: two writers can never fork the chain.
		index.Fields("seq").Unique(),
	}
}

// Policy of the AuditEvent: owners and admins read their organization's
// events; only the server writes them.
func (AuditEvent) Policy() ent.Policy {
	return rule.AuditEventPolicy()
}
