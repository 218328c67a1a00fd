package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Annotation is one person's labels on a task, in Label Studio's result
// format. Its author is always the viewer who created it.
type Annotation struct {
	ent.Schema
}

// Mixin of the Annotation.
func (Annotation) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Annotation.
func (Annotation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("task_id").Immutable(),
		field.Int("project_id").Immutable().Annotations(entgql.Skip()),
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("completed_by_id").Immutable(),
		field.JSON("result", json.RawMessage{}),
		field.Bool("was_cancelled").Default(false),
		field.Bool("ground_truth").Default(false),
		field.Float("lead_time").Default(0).Min(0),
		// Review: a reviewer accepts or rejects; resubmitting resets it.
		field.Enum("review_state").NamedValues("Pending", "PENDING", "Accepted", "ACCEPTED", "Rejected", "REJECTED").
			Default("PENDING"),
		field.Int("reviewed_by_id").Optional().Nillable(),
		field.String("review_comment").Default("").Validate(maxRunes(2000)),
		field.Time("reviewed_at").Optional().Nillable(),
	}
}

// Edges of the Annotation.
func (Annotation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("task", Task.Type).Ref("annotations").Field("task_id").Unique().Required().Immutable(),
		edge.To("completed_by", User.Type).Field("completed_by_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Annotation.
func (Annotation) Indexes() []ent.Index {
	return []ent.Index{
		// A task's annotations, and whether one of them is a given
		// person's (the label stream's and the task policy's NOT EXISTS /
		// EXISTS per task): both columns, so that SQLite's planner, which
		// has no statistics, never prefers (completed_by_id, id) below and
		// reads all of that person's annotations for every task it tests.
		index.Fields("task_id", "completed_by_id"),
		index.Fields("project_id", "completed_by_id"),
		// A person's own annotations (myAnnotations), newest first and
		// counted, whatever the organization or project: without it an
		// owner's list read every annotation of the instance.
		index.Fields("completed_by_id", "id"),
		// The review stream: a project's annotations waiting for review.
		index.Fields("project_id", "review_state"),
	}
}

// Policy of the Annotation: members of the organization read annotations;
// only the author changes or deletes theirs.
func (Annotation) Policy() ent.Policy {
	return rule.AnnotationPolicy()
}
