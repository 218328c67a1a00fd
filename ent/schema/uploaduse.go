package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// UploadUse records a task, other than the upload's own, whose data names
// an uploaded file of the same organization (a task exported and imported
// again into another project): whoever may read it may read the file. An
// import records the uses its tasks make, so that serving a file finds
// them by its name in an index, never by searching task data.
type UploadUse struct {
	ent.Schema
}

// Annotations of the UploadUse: never part of the GraphQL schema.
func (UploadUse) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Fields of the UploadUse.
func (UploadUse) Fields() []ent.Field {
	return []ent.Field{
		// The file's name; usesRecorded ("-", no file's) marks that the
		// uses of tasks imported before uses were recorded have been.
		field.String("name").Immutable().NotEmpty().MaxLen(64),
		// Not a foreign key: a task's deletion leaves the row (task ids are
		// never reused), and the task serves nothing any more.
		field.Int("task_id").Immutable(),
	}
}

// Indexes of the UploadUse: by the file's name, as it is served, and by
// the task, as a deletion of tasks forgets their uses.
func (UploadUse) Indexes() []ent.Index {
	return []ent.Index{index.Fields("name", "task_id").Unique(), index.Fields("task_id")}
}

// Policy of the UploadUse: the server's bookkeeping only; who may read the
// file is the task policy's decision.
func (UploadUse) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
