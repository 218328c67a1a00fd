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

// Prediction is a model's proposed result for a task, loaded into the
// labeling page as a starting point.
type Prediction struct {
	ent.Schema
}

// Mixin of the Prediction.
func (Prediction) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Prediction.
func (Prediction) Fields() []ent.Field {
	return []ent.Field{
		field.Int("task_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.JSON("result", json.RawMessage{}),
		field.Float("score").Optional().Nillable(),
		field.String("model_version").Default("").Validate(maxRunes(200)),
	}
}

// Edges of the Prediction.
func (Prediction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("task", Task.Type).Ref("predictions").Field("task_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Prediction.
func (Prediction) Indexes() []ent.Index {
	return []ent.Index{index.Fields("task_id")}
}

// Policy of the Prediction: members read; managers and up import.
func (Prediction) Policy() ent.Policy {
	return rule.PredictionPolicy()
}
