// Package labeling serves the labeling itself: the label stream that hands
// each annotator the next task (nextTask, with its lock), opening a task, and
// annotations, created, updated and deleted against the project's labeling
// configuration, and reviewed. Who may do what is the ent privacy policies'
// decision (internal/rule), and the length and shape of every stored field
// the ent schema's; this package makes no role decision of its own.
package labeling

import (
	entdialect "entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/draft"
)

// Service holds what the labeling service needs.
type Service struct {
	client   *ent.Client
	audit    *audit.Log
	drafts   *draft.Service // a submit removes the draft it replaces
	postgres bool           // row locks are taken (see lockRow)
	dialect  string
	// shapes are the stream's and the submit's statements, which run
	// past the privacy policies, built by ent once each.
	shapes database.Shapes
	// clock times the stream's locks: the database's, so that processes
	// on machines whose clocks differ agree on when a lock lapses.
	clock *database.Clock
}

// NewService returns a Service over client, of the dialect
// (database.DB.Dialect), that records task views and reviews in log,
// removes the drafts that submits replace through drafts and times the
// stream's locks by clock (database.DB.Clock).
func NewService(client *ent.Client, log *audit.Log, drafts *draft.Service, dialect string, clock *database.Clock) *Service {
	return &Service{client: client, audit: log, drafts: drafts, postgres: dialect == entdialect.Postgres, dialect: dialect, clock: clock}
}
