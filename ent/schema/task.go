package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
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
		// GraphQL calls it innerId (entgql would say innerID), so that field
		// collection selects only the columns a page asks for.
		field.Int("inner_id").Immutable().Annotations(entgql.MapsTo("innerId")),
		// Data and meta are JSON columns read as the raw JSON they hold:
		// ent's JSON fields would decode every row's data on every read (and
		// scan it twice) only to keep it as raw bytes. Imports store them as
		// ent's JSON fields do (compact, as json.Marshal writes them).
		field.Bytes("data").GoType(json.RawMessage{}).Immutable().SchemaType(jsonColumn),
		field.Bytes("meta").GoType(json.RawMessage{}).Optional().SchemaType(jsonColumn),
		// Counters kept by the annotation service, for filters and ordering.
		field.Int("total_annotations").Default(0).
			Annotations(entgql.OrderField("ANNOTATION_COUNT")),
		field.Int("cancelled_annotations").Default(0),
		// The label stream's lock: who is labelling this task, until when.
		field.Int("locked_by_id").Optional().Nillable().Annotations(entgql.Skip()),
		field.Time("locked_until").Optional().Nillable().Annotations(entgql.Skip()),
	}
}

// jsonColumn is the column type of ent's JSON fields, for raw JSON kept in
// a bytes field.
var jsonColumn = map[string]string{dialect.SQLite: "json", dialect.Postgres: "jsonb"}

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

// Indexes of the Task: inner ids are unique per project, and each of the
// data manager's sort orders (id, annotation count, created, updated) is
// keyset-paginated on an index of its own. There is no index on
// organization_id: every task query names its project, and with one SQLite
// took the organization's index for the id order, reading every task of
// the organization's other projects to fill a page (the migration drops it
// from older databases, see internal/database).
func (Task) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("project_id", "inner_id").Unique(),
		index.Fields("project_id", "id"),
		index.Fields("project_id", "total_annotations", "id"),
		index.Fields("project_id", "created_at", "id"),
		index.Fields("project_id", "updated_at", "id"),
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
