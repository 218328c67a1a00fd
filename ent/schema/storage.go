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

// Storage is a project's connection to a bucket, container, folder or Redis
// database, in Label Studio's terms: an IMPORT ("source") storage makes
// tasks from its objects, an EXPORT ("target") storage receives one JSON
// object per annotation. Settings that are not secret are kept as given;
// credentials are sealed with a key derived from the server secret and are
// never read back through the API (secretSet says whether any are set).
type Storage struct {
	ent.Schema
}

// Mixin of the Storage.
func (Storage) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Storage.
func (Storage) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("project_id").Immutable(),
		field.Enum("direction").Values("IMPORT", "EXPORT").Immutable(),
		field.Enum("kind").Values("LOCAL", "S3", "GCS", "AZURE", "REDIS").Immutable(),
		field.String("title").Default("").Validate(maxRunes(200)),
		field.String("description").Default("").Validate(maxRunes(2000)),
		// bucket is the S3 or GCS bucket, the Azure container, the local
		// folder or the Redis host: what task URIs name after the scheme.
		field.String("bucket").Default("").Validate(maxRunes(1024)),
		field.String("prefix").Default("").Validate(maxRunes(1024)),
		field.String("regex_filter").Default("").Validate(maxRunes(500)),
		field.Bool("use_blob_urls").Default(false),
		field.Bool("recursive_scan").Default(true),
		field.Bool("presign").Default(true),
		field.Int("presign_ttl_minutes").Default(15).Range(1, 7*24*60),
		field.Bool("can_delete_objects").Default(false),
		// settings are the kind's non-secret settings (region, endpoint,
		// account name, port, database...), as strings.
		field.JSON("settings", map[string]string{}).Optional().Annotations(entgql.Skip()),
		// secrets are the kind's credentials as JSON, sealed (AES-GCM).
		field.Bytes("secrets").Optional().Sensitive().Annotations(entgql.Skip()),
		// sync_lease_until is held by the process running a sync of this
		// storage, so that two processes never sync it at once; a crashed
		// process's lease runs out.
		field.Time("sync_lease_until").Optional().Nillable().Annotations(entgql.Skip()),
		// Whoever made the storage, or last pointed it somewhere else: a
		// target storage is written to while they may manage it. Nil for
		// a storage of an earlier release, which kept none.
		field.Int("created_by_id").Optional().Nillable().Annotations(entgql.Skip()),
	}
}

// Edges of the Storage.
func (Storage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("project", Project.Type).Field("project_id").Unique().Required().Immutable(),
		edge.To("syncs", StorageSync.Type).Annotations(entgql.Skip()),
	}
}

// Indexes of the Storage.
func (Storage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("project_id"), index.Fields("organization_id")}
}

// Policy of the Storage: owners, admins and managers of the project's
// organization (managers within their projects) see and change storages.
func (Storage) Policy() ent.Policy {
	return rule.StoragePolicy()
}

// StorageSync is one run of a storage's sync: listing a source's objects
// into tasks, or writing a target's annotations. It is a row, not process
// memory, so progress survives a reload and any process can report it.
type StorageSync struct {
	ent.Schema
}

// Fields of the StorageSync.
func (StorageSync) Fields() []ent.Field {
	return []ent.Field{
		field.Int("storage_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Enum("status").Values("QUEUED", "RUNNING", "COMPLETED", "FAILED").Default("QUEUED"),
		field.Int("total").Optional().Nillable(),
		field.Int("done").Default(0),
		field.String("message").Optional().Nillable().Validate(maxRunes(500)),
		field.Time("started_at").Immutable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Edges of the StorageSync.
func (StorageSync) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("storage", Storage.Type).Ref("syncs").Field("storage_id").Unique().Required().Immutable(),
	}
}

// Indexes of the StorageSync.
func (StorageSync) Indexes() []ent.Index {
	return []ent.Index{index.Fields("storage_id")}
}

// Policy of the StorageSync: read with its storage; only the server writes.
func (StorageSync) Policy() ent.Policy {
	return rule.StorageSyncPolicy()
}

// StorageLink ties a storage object to what Gloss made of it: for a source,
// the task made from the object (so a re-sync adds only new objects); for
// a target, the annotation written as the object (so a sync writes only
// what changed since). Only the server reads and writes links.
type StorageLink struct {
	ent.Schema
}

// Annotations of the StorageLink: never part of the GraphQL schema.
func (StorageLink) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Fields of the StorageLink.
func (StorageLink) Fields() []ent.Field {
	return []ent.Field{
		field.Int("storage_id").Immutable(),
		field.String("key").Immutable().Validate(maxRunes(1024)),
		field.Int("task_id").Optional().Nillable().Immutable(),
		field.Int("annotation_id").Optional().Nillable().Immutable(),
		// A target's link: the updated_at of the annotation version the
		// object holds (an earlier release stored the time it was written).
		field.Time("written_at").Optional().Nillable(),
	}
}

// Indexes of the StorageLink.
func (StorageLink) Indexes() []ent.Index {
	return []ent.Index{index.Fields("storage_id", "key"), index.Fields("annotation_id")}
}

// Policy of the StorageLink: the server's bookkeeping only.
func (StorageLink) Policy() ent.Policy {
	return rule.SystemOnlyPolicy()
}
