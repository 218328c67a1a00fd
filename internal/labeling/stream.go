package labeling

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// LockTTL is how long nextTask keeps a task for the viewer it handed it to.
const LockTTL = 15 * time.Minute

// NextTask is the label stream: it returns a task of the project that the
// viewer has not annotated or skipped, that still needs annotations, and
// that nobody else holds, and locks it for the viewer for LockTTL. A task
// the viewer already holds comes first. Sequential sampling goes by inner
// id; random sampling starts at a random inner id and wraps around, so it
// stays a keyset read at any project size. Returns nil when nothing is left.
func (s *Service) NextTask(ctx context.Context, projectID int) (*ent.Task, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, projectID) // visible to the viewer, or not found
	if err != nil {
		return nil, err
	}
	// System context for the candidate search: annotators see only tasks
	// already handed to them, so the stream itself must look further. What
	// it hands out is locked for, and then read as, the viewer.
	viewerCtx := ctx
	ctx = viewer.NewSystemContext(ctx)
	now := time.Now()
	notMine := task.Not(task.HasAnnotationsWith(annotation.CompletedByID(v.UserID)))
	needed := func(s *sql.Selector) { // total_annotations < overlap
		s.Where(sql.LT(s.C(task.FieldTotalAnnotations), p.Overlap))
	}
	free := task.Or(task.LockedUntilIsNil(), task.LockedUntilLT(now), task.LockedByID(v.UserID))
	base := []predicate.Task{task.ProjectID(p.ID), notMine, needed}

	// Resume a task the viewer already holds.
	held, err := client.Task.Query().
		Where(append(base, task.LockedByID(v.UserID), task.LockedUntilGTE(now))...).
		Order(ent.Asc(task.FieldInnerID)).First(ctx)
	if err == nil {
		return s.lock(viewerCtx, held, p.Overlap, v.UserID, now)
	}
	if !ent.IsNotFound(err) {
		return nil, err
	}

	// Try a few candidates: another annotator may take one between our read
	// and our conditional lock.
	start := 0
	if p.Sampling == project.SamplingRandom && p.TaskNumber > 0 {
		start = rand.IntN(p.TaskNumber) + 1
	}
	for attempt := 0; attempt < 8; attempt++ {
		q := client.Task.Query().Where(append(base, free)...)
		var t *ent.Task
		if start > 0 {
			t, err = q.Clone().Where(task.InnerIDGTE(start)).Order(ent.Asc(task.FieldInnerID)).First(ctx)
			if ent.IsNotFound(err) {
				t, err = q.Clone().Where(task.InnerIDLT(start)).Order(ent.Asc(task.FieldInnerID)).First(ctx)
			}
		} else {
			t, err = q.Order(ent.Asc(task.FieldInnerID)).First(ctx)
		}
		if ent.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		locked, err := s.lock(viewerCtx, t, p.Overlap, v.UserID, now)
		if err != nil || locked != nil {
			return locked, err
		}
	}
	return nil, nil
}

// lock takes the task for userID if it still needs an annotation (fewer
// than overlap that were not skipped), userID has not annotated or skipped
// it, and nobody else holds it; it returns the task, or nil when any of
// that no longer holds. The whole decision is the UPDATE's condition, so
// two annotators (or two tabs of one) can never both win, and a task that a
// submit filled after we read it as a candidate is not taken again.
//
// The UPDATE runs in its own transaction after a row lock (PostgreSQL;
// SQLite's transaction holds the write lock from BEGIN on): an UPDATE that
// waited for another transaction's row lock re-checks only the row itself,
// against its newer version, but would judge the annotations subquery by
// its older snapshot; as a later statement it sees what that transaction
// committed, annotation included.
func (s *Service) lock(ctx context.Context, t *ent.Task, overlap, userID int, now time.Time) (*ent.Task, error) {
	if ent.TxFromContext(ctx) != nil {
		return s.lockIn(ctx, t.ID, overlap, userID, now)
	}
	tx, err := database.ClientFrom(ctx, s.client).Tx(ctx)
	if err != nil {
		return nil, err
	}
	got, err := s.lockIn(ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client()), t.ID, overlap, userID, now)
	if err != nil || got == nil {
		_ = tx.Rollback()
		return nil, err
	}
	return got, tx.Commit()
}

func (s *Service) lockIn(ctx context.Context, id, overlap, userID int, now time.Time) (*ent.Task, error) {
	client := database.ClientFrom(ctx, s.client)
	// Taking the lock is not a change to the task: its updated_at stays.
	var rows []struct {
		UpdatedAt time.Time `json:"updated_at"`
	}
	if err := client.Task.Query().Where(task.ID(id)).Modify(lockForUpdate).
		Select(task.FieldUpdatedAt).Scan(privacy.DecisionContext(ctx, privacy.Allow), &rows); err != nil || len(rows) == 0 {
		return nil, err
	}
	n, err := client.Task.Update().
		Where(task.ID(id),
			task.TotalAnnotationsLT(overlap),
			task.Not(task.HasAnnotationsWith(annotation.CompletedByID(userID))),
			task.Or(task.LockedUntilIsNil(), task.LockedUntilLT(now), task.LockedByID(userID))).
		SetLockedByID(userID).
		SetLockedUntil(now.Add(LockTTL)).
		SetUpdatedAt(rows[0].UpdatedAt).
		Save(ctx)
	if err != nil || n == 0 {
		return nil, err
	}
	return client.Task.Get(ctx, id)
}

// Task returns a task the viewer may see and records that they opened it:
// reading task data is a data access the audit log keeps.
func (s *Service) Task(ctx context.Context, id int) (*ent.Task, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	t, err := database.ClientFrom(ctx, s.client).Task.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return t, s.audit.Record(ctx, audit.Event{Action: "task.viewed", TargetType: "Task", TargetID: strconv.Itoa(t.ID),
		Details: map[string]any{"project": t.ProjectID}})
}
