package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Upload records a media file uploaded through an import: its generated
// name, the task the import made for it and that task's organization. The
// file is served to whoever may read a task of that organization that
// names it, looked up by its name in one indexed read: its own task first,
// and only when the viewer may not read that one, the tasks recorded as
// using it (UploadUse).
type Upload struct {
	ent.Schema
}

// Annotations of the Upload: never part of the GraphQL schema.
func (Upload) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Fields of the Upload.
func (Upload) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Unique().Immutable().NotEmpty().MaxLen(64),
		// Not a foreign key: a task's deletion leaves the row (task ids are
		// never reused). 0 for a file of an earlier release no task named.
		field.Int("task_id").Immutable(),
		// The organization of that task, whose other tasks that name the
		// file (one exported and imported again) serve it too; 0 for none.
		field.Int("organization_id").Immutable(),
	}
}

// Indexes of the Upload: by its task, as a deletion of tasks finds the
// files it leaves unreachable.
func (Upload) Indexes() []ent.Index {
	return []ent.Index{index.Fields("task_id")}
}

// Policy of the Upload: the server's bookkeeping only; who may read the
// file is the task policy's decision.
func (Upload) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
