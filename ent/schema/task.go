package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Task is one item to label, in Label Studio's shape: a data object, an
// optional meta object, and the annotations and predictions made on it.
// The organization is copied onto the task so that row scoping needs no
// join even at a million tasks.
type Task struct {
	ent.Schema
}

// Annotations of the Task: listed as a Relay connection.
func (Task) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Mixin of the Task.
func (Task) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Task.
func (Task) Fields() []ent.Field {
	return []ent.Field{
		field.Int("project_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("inner_id").Immutable(),
		field.JSON("data", json.RawMessage{}).Immutable(),
		field.JSON("meta", json.RawMessage{}).Optional(),
		// Counters kept by the annotation service, for filters and ordering.
		field.Int("total_annotations").Default(0).
			Annotations(entgql.OrderField("ANNOTATION_COUNT")),
		field.Int("cancelled_annotations").Default(0),
		// The label stream's lock: who is labelling this task, until when.
		field.Int("locked_by_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Time("locked_until").Optional().Nillable().Annotations(entgql.Skip()),
	}
}

// Edges of the Task.
func (Task) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("project", Project.Type).Ref("tasks").Field("project_id").Unique().Required().Immutable(),
		// Not collected by entgql: GraphQL lists them capped per task
		// through graph's batch loader (see graph/cost.go).
		edge.To("annotations", Annotation.Type).Annotations(entgql.Skip(entgql.SkipType)),
		edge.To("predictions", Prediction.Type).Annotations(entgql.Skip(entgql.SkipType)),
	}
}

// Indexes of the Task: inner ids are unique per project, and the data
// manager's sort orders are keyset-paginated on indexes.
func (Task) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "inner_id").Unique(),
		index.Fields("project_id", "total_annotations", "id"),
		index.Fields("project_id", "created_at", "id"),
		index.Fields("project_id", "updated_at", "id"),
		index.Fields("organization_id"),
		// The label stream's "the task I hold": only held tasks are indexed.
		index.Fields("locked_by_id", "project_id").
			Annotations(entsql.IndexWhere("locked_by_id IS NOT NULL")),
	}
}

// Policy of the Task: members of its organization read it; managers and up
// import; annotators may only touch the lock and counters.
func (Task) Policy() ent.Policy {
	return rule.TaskPolicy()
}
