package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"gloss/internal/rule"
)

// Upload records a media file uploaded through an import: its generated
// name and the task the import made for it. The file is served to whoever
// may read that task (and only while the task still names it), found by
// its name in one indexed read, never by searching task data.
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
		// Not a foreign key: a task's deletion leaves the row, which then
		// serves nobody (task ids are never reused).
		field.Int("task_id").Immutable(),
	}
}

// Policy of the Upload: the server's bookkeeping only; who may read the
// file is the task policy's decision.
func (Upload) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
