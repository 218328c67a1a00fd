package labeling

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"gloss/ent/annotation"
	"gloss/ent/task"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// StreamCountCap bounds the stream's counts: past it the answer is "at
// least StreamCountCap", and the read stops there on any project size.
const StreamCountCap = 1000

// StreamStatus is what the label stream can tell the viewer about a project.
type StreamStatus struct {
	// Left counts the tasks still open to the viewer: not annotated or
	// skipped by them and still needing annotations (held by others or not).
	Left int
	// LockedByOthers counts the tasks among them that someone else holds
	// now: work the viewer would get once those locks lapse.
	LockedByOthers int
}

// Status answers how much of the project's stream is left for the viewer
// and how much of it others hold, each counted up to StreamCountCap. It is
// asked for by the page, not by NextTask, so nextTask stays one keyset read.
func (s *Service) Status(ctx context.Context, projectID int) (*StreamStatus, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, projectID) // visible to the viewer, or not found
	if err != nil {
		return nil, err
	}
	// As in NextTask: annotators see only the tasks handed to them, so the
	// counts look further, and say only how many.
	sys := viewer.NewSystemContext(ctx)
	now := s.clock.Now()
	open := client.Task.Query().Where(task.ProjectID(p.ID),
		task.Not(task.HasAnnotationsWith(annotation.CompletedByID(v.UserID))),
		func(s *sql.Selector) { s.Where(sql.LT(s.C(task.FieldTotalAnnotations), p.Overlap)) })
	left, err := open.Clone().Limit(StreamCountCap).IDs(sys)
	if err != nil {
		return nil, err
	}
	held, err := open.Clone().Where(task.LockedByIDNEQ(v.UserID), task.LockedUntilGTE(now)).Limit(StreamCountCap).IDs(sys)
	if err != nil {
		return nil, err
	}
	return &StreamStatus{Left: len(left), LockedByOthers: len(held)}, nil
}
