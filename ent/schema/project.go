package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Project is a labeling project of an organization: a Label Studio labeling
// configuration and the tasks labelled with it.
type Project struct {
	ent.Schema
}

// Annotations of the Project: listed as a Relay connection.
func (Project) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Mixin of the Project.
func (Project) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Project.
func (Project) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.Int("created_by_id").Immutable(),
		field.String("title").Validate(required(200)),
		field.String("description").Default("").Validate(maxRunes(10000)),
		field.Text("instructions").Default("").Validate(maxRunes(100000)),
		field.Text("label_config").Validate(labelConfig(256 * 1024)),
		field.Int("overlap").Default(1).Validate(between(1, 100)),
		field.Bool("show_skip").Default(true),
		field.Enum("sampling").NamedValues("Sequential", "SEQUENTIAL", "Random", "RANDOM").Default("SEQUENTIAL"),
		field.Int("workspace_id").Optional().Nillable(),
		// Whether annotators see each other's annotations, and who made them.
		field.Bool("annotators_see_others").Default(false),
		field.Bool("reveal_annotators").Default(false),
		// task_number is the last inner id handed out; imports add to it.
		field.Int("task_number").Default(0).Annotations(entgql.Skip()),
		// Counters of the project's tasks and of those labeled (at least
		// overlap non-skipped annotations), kept by internal/projects
		// (counters.go) in the transaction that changes them. NULL (no
		// default) marks a project from before the counters, which
		// projects.FillCounters counts once at start; new projects start
		// at 0.
		field.Int("task_count").Optional().Annotations(entgql.Skip()),
		field.Int("labeled_count").Optional().Annotations(entgql.Skip()),
		// task_data_keys are the top-level data keys the project's tasks hold
		// (task data never changes after import), so that a CSV export
		// writes its header without reading every task first: each import
		// adds its keys on the locked project row (internal/dataset). At
		// most MaxDataKeys+1 are kept, one more than an export takes. NULL
		// marks a project from before, which projects.FillDataKeys reads
		// once at start; new projects start empty.
		field.Strings("task_data_keys").Optional().Annotations(entgql.Skip()),
	}
}

// Edges of the Project.
func (Project) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tasks", Task.Type).Annotations(entgql.Skip()),
		edge.To("members", ProjectMember.Type).Annotations(entgql.Skip()),
		edge.From("workspace", Workspace.Type).Ref("projects").Field("workspace_id").Unique(),
	}
}

// Indexes of the Project.
func (Project) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}

// Policy of the Project: members of its organization read it; owners,
// admins and managers create, change and delete it.
func (Project) Policy() ent.Policy {
	return rule.ProjectPolicy()
}
