package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Draft is an annotator's unsubmitted work on a task, saved as they label
// (Label Studio's drafts) and restored when they come back. There is at
// most one per task and user; submitting or updating the annotation
// removes it, and it goes with its task or its user.
type Draft struct {
	ent.Schema
}

// Mixin of the Draft.
func (Draft) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Draft.
func (Draft) Fields() []ent.Field {
	return []ent.Field{
		field.Int("task_id").Immutable(),
		field.Int("user_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.JSON("result", json.RawMessage{}),
	}
}

// Edges of the Draft: the database removes a draft with its task or user.
func (Draft) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("task", Task.Type).Field("task_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip()),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip()),
	}
}

// Indexes of the Draft: one per task and user.
func (Draft) Indexes() []ent.Index {
	return []ent.Index{index.Fields("task_id", "user_id").Unique()}
}

// Policy of the Draft: only its own user reads or writes it.
func (Draft) Policy() ent.Policy {
	return rule.DraftPolicy()
}
