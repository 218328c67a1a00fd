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

// AuditCheckpoint is a signed statement of the audit chain's length and
// head at one time: an HMAC over (seq, head, created_at) under a key derived
// from the server secret. The server writes each checkpoint here and to an
// append-only file outside the database; `gloss audit verify` refuses a log
// shorter than a checkpoint, so cutting the newest events is noticed.
type AuditCheckpoint struct {
	ent.Schema
}

// Annotations of the AuditCheckpoint: never part of the GraphQL schema.
func (AuditCheckpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Fields of the AuditCheckpoint. All are immutable.
func (AuditCheckpoint) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Int64("seq").Immutable(),
		field.Bytes("head").Immutable(),
		field.Bytes("mac").Immutable(),
	}
}

// Indexes of the AuditCheckpoint.
func (AuditCheckpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("seq")}
}

// Policy of the AuditCheckpoint: server only.
func (AuditCheckpoint) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
