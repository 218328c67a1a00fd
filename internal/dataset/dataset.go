// Package dataset serves data in and out of projects: task imports (inline
// JSON, uploaded files, and URLs fetched through the SSRF-safe client),
// exports in every format, and the data manager's task filters. Who may do
// what is the ent privacy policies' decision (internal/rule), and the length
// and shape of every stored field the ent schema's; this package makes no
// role decision of its own.
package dataset

import (
	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/internal/audit"
)

// Service holds what the dataset service needs.
type Service struct {
	client  *ent.Client
	limits  Limits
	fetcher Fetcher
	audit   *audit.Log
	dialect string
}

// Limits bound imports; the operator sets them (GLOSS_IMPORT_MAX_BYTES,
// GLOSS_IMPORT_MAX_TASKS, GLOSS_IMPORT_ALLOW_MISSING_KEYS).
type Limits struct {
	MaxImportBytes int64
	MaxImportTasks int
	// UploadDir is where media uploaded through the import page are kept
	// (<data-dir>/uploads); empty stores none.
	UploadDir string
	// AllowMissingKeys admits tasks that lack data keys the labeling config
	// reads; by default such an import is refused, as Label Studio does.
	AllowMissingKeys bool
}

// NewService returns a Service over client that fetches URL imports with
// fetcher and records imports and exports in log.
func NewService(client *ent.Client, limits Limits, fetcher Fetcher, log *audit.Log) *Service {
	return &Service{client: client, limits: limits, fetcher: fetcher, audit: log, dialect: dialect.SQLite}
}

// OnDialect tells the service which database it writes to (dialect.SQLite,
// the default, or dialect.Postgres): imports write raw multi-row inserts.
func (s *Service) OnDialect(d string) *Service {
	s.dialect = d
	return s
}
