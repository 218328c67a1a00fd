package labeling

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/privacy"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/rule"
	"gloss/internal/viewer"
	"gloss/internal/webhook"
)

// AnnotationInput is what a caller may set on an annotation. The author,
// task's project and organization, and timestamps are the server's.
type AnnotationInput struct {
	Result       json.RawMessage // nil: unchanged (on update)
	LeadTime     *float64
	WasCancelled *bool
	// ConfirmSkip allows a skip (WasCancelled true, on update) to throw
	// away an annotation that has results.
	ConfirmSkip bool
}

func checkLeadTime(lt *float64) error {
	if lt != nil && (math.IsNaN(*lt) || math.IsInf(*lt, 0) || *lt < 0 || *lt > 1e7) {
		return fault.Invalid("leadTime must be a number of seconds between 0 and 10000000")
	}
	return nil
}

// CreateAnnotation stores the viewer's annotation of a task, after checking
// it against the project's configuration and that the task has room for it
// (hasRoom), and releases the viewer's lock.
func (s *Service) CreateAnnotation(ctx context.Context, taskID int, in AnnotationInput) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkLeadTime(in.LeadTime); err != nil {
		return nil, err
	}
	if in.Result == nil {
		return nil, fault.Invalid("result is required")
	}
	client := database.ClientFrom(ctx, s.client)
	// Lock the task row for the rest of the transaction (PostgreSQL;
	// SQLite's transactions hold the write lock from BEGIN on), so two
	// concurrent creates by one annotator are decided one after the other.
	// The lock is taken past the privacy policy, on the id alone, and
	// returns nothing: the visible read below is a later statement, so it
	// sees what a create that held the lock before committed (a locking
	// read through the policy would re-check the row against its older
	// snapshot and could lose sight of the task).
	if _, err := s.lockRow(ctx, client, taskID, false); err != nil {
		return nil, err
	}
	t, err := client.Task.Query().Where(task.ID(taskID)).WithProject().Only(ctx)
	if err != nil {
		return nil, err
	}
	if !rule.AnnotatesFreely(v) {
		held, err := client.Annotation.Query().
			Where(annotation.TaskID(t.ID), annotation.CompletedByID(v.UserID)).FirstID(ctx)
		if err == nil {
			return nil, fault.Invalid("you already annotated this task (annotation %d): change it with updateAnnotation", held)
		} else if !ent.IsNotFound(err) {
			return nil, err
		}
	}
	cancelled := in.WasCancelled != nil && *in.WasCancelled
	if !cancelled {
		if err := hasRoom(v, t, time.Now()); err != nil {
			return nil, err
		}
	}
	result, err := projects.CheckResult(t.Edges.Project, t.Data, in.Result)
	if err != nil {
		return nil, err
	}
	if !cancelled {
		if err := projects.AnnotationsChanging(ctx, client, t.ID, 1); err != nil {
			return nil, err
		}
	}
	a, err := client.Annotation.Create().
		SetTaskID(t.ID).
		SetProjectID(t.ProjectID).
		SetOrganizationID(t.OrganizationID).
		SetCompletedByID(v.UserID).
		SetResult(result).
		SetWasCancelled(cancelled).
		SetNillableLeadTime(in.LeadTime).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	u := client.Task.UpdateOneID(t.ID)
	if cancelled {
		u.AddCancelledAnnotations(1)
	} else {
		u.AddTotalAnnotations(1)
	}
	if t.LockedByID != nil && *t.LockedByID == v.UserID {
		u.ClearLockedByID().ClearLockedUntil()
	}
	// The counters and the lock follow from the annotation, whose creation
	// the audit log already keeps: one event per submit, as the audit
	// chain's lock serializes every audited write across processes.
	if err := u.Exec(audit.Quiet(ctx)); err != nil {
		return nil, err
	}
	return a, webhook.Emit(ctx, client, webhook.AnnotationCreated, t.Edges.Project, map[string]any{"annotation": webhook.Annotation(a), "task": webhook.Task(t)})
}

// hasRoom decides, with the task row locked (so two concurrent submits are
// decided one after the other), whether the viewer may add a non-skipped
// annotation to t. A submit for a task the label stream holds for the
// viewer always has room: the stream handed it out only while it needed
// an annotation, and held it for them alone. Any other submit needs a free
// place: fewer non-skipped annotations than the overlap, counting a live
// lock of another annotator as a place taken. Owners, admins and managers
// may go beyond the overlap (rule.AnnotatesFreely). Skips take no place
// (they do not count toward the overlap), so they are not checked.
func hasRoom(v *viewer.Viewer, t *ent.Task, now time.Time) error {
	if rule.AnnotatesFreely(v) {
		return nil
	}
	live := t.LockedByID != nil && t.LockedUntil != nil && !t.LockedUntil.Before(now)
	if live && *t.LockedByID == v.UserID {
		return nil
	}
	overlap := t.Edges.Project.Overlap
	taken := t.TotalAnnotations
	if live {
		taken++
	}
	if taken < overlap {
		return nil
	}
	if t.TotalAnnotations >= overlap {
		return fault.Invalid("task %d already has the %d annotations its project asks for (overlap %d) and the label stream does not hold it for you: ask nextTask for another task",
			t.ID, t.TotalAnnotations, overlap)
	}
	return fault.Invalid("the last annotation task %d needs (overlap %d) is held by another annotator and the label stream does not hold it for you: ask nextTask for another task",
		t.ID, overlap)
}

// unskipHasRoom locks the task row and applies hasRoom to it.
func (s *Service) unskipHasRoom(ctx context.Context, client *ent.Client, taskID int) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	if _, err := s.lockRow(ctx, client, taskID, false); err != nil {
		return err
	}
	t, err := client.Task.Query().Where(task.ID(taskID)).WithProject().Only(ctx)
	if err != nil {
		return err
	}
	return hasRoom(v, t, time.Now())
}

// lockRow locks task id's row until the transaction ends, on PostgreSQL,
// past the privacy policy, and returns nothing of it; with skipLocked it
// does not wait for a row another transaction holds and reports false.
// SQLite has no row locks and needs none: a transaction there holds the
// database's write lock from BEGIN IMMEDIATE on, so it runs no statement.
func (s *Service) lockRow(ctx context.Context, client *ent.Client, id int, skipLocked bool) (bool, error) {
	if !s.postgres {
		return true, nil
	}
	var opts []sql.LockOption
	if skipLocked {
		opts = append(opts, sql.WithLockAction(sql.SkipLocked))
	}
	ids, err := client.Task.Query().Where(task.ID(id)).
		Modify(func(s *sql.Selector) { s.ForUpdate(opts...) }).
		Select(task.FieldID).Ints(privacy.DecisionContext(ctx, privacy.Allow))
	return len(ids) > 0, err
}

// own loads an annotation the viewer may change: a visible annotation of
// someone else is FORBIDDEN, an invisible one NOT_FOUND.
func (s *Service) own(ctx context.Context, id int) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	a, err := database.ClientFrom(ctx, s.client).Annotation.Query().Where(annotation.ID(id)).
		WithTask(func(q *ent.TaskQuery) { q.WithProject() }).Only(ctx)
	if err != nil {
		return nil, err
	}
	if a.CompletedByID != v.UserID {
		return nil, fault.New(fault.Forbidden, "only the author of an annotation can change or delete it")
	}
	return a, nil
}

// UpdateAnnotation changes the viewer's own annotation.
func (s *Service) UpdateAnnotation(ctx context.Context, id int, in AnnotationInput) (*ent.Annotation, error) {
	a, err := s.own(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkLeadTime(in.LeadTime); err != nil {
		return nil, err
	}
	// Skip never destroys work by accident: skipping over labels is asked for.
	if in.WasCancelled != nil && *in.WasCancelled && !a.WasCancelled && !in.ConfirmSkip && hasItems(a.Result) {
		return nil, fault.Invalid("skipping task %d throws away your annotation of it (annotation %d): pass confirmSkip: true to skip it anyway", a.TaskID, a.ID)
	}
	client := database.ClientFrom(ctx, s.client)
	// A changed annotation goes back to review: this is how an annotator
	// fixes and resubmits rejected work.
	u := client.Annotation.UpdateOne(a).SetNillableLeadTime(in.LeadTime).
		SetReviewState(annotation.ReviewStatePending).ClearReviewedByID().ClearReviewedAt()
	if in.Result != nil {
		result, err := projects.CheckResult(a.Edges.Task.Edges.Project, a.Edges.Task.Data, in.Result)
		if err != nil {
			return nil, err
		}
		u.SetResult(result)
	}
	if in.WasCancelled != nil && *in.WasCancelled != a.WasCancelled {
		if !*in.WasCancelled {
			// Turning a skip into an annotation takes a place, as a
			// submit does: decided the same way, under the row lock.
			if err := s.unskipHasRoom(ctx, client, a.TaskID); err != nil {
				return nil, err
			}
		}
		u.SetWasCancelled(*in.WasCancelled)
		d := 1
		if *in.WasCancelled {
			d = -1
		}
		if err := projects.AnnotationsChanging(ctx, client, a.TaskID, d); err != nil {
			return nil, err
		}
		if err := client.Task.UpdateOneID(a.TaskID).AddTotalAnnotations(d).AddCancelledAnnotations(-d).Exec(ctx); err != nil {
			return nil, err
		}
	}
	t := a.Edges.Task
	if a, err = u.Save(ctx); err != nil {
		return nil, err
	}
	return a, webhook.Emit(ctx, client, webhook.AnnotationUpdated, t.Edges.Project, map[string]any{"annotation": webhook.Annotation(a), "task": webhook.Task(t)})
}

// hasItems reports whether a stored result has at least one item.
func hasItems(raw json.RawMessage) bool {
	var items []json.RawMessage
	return json.Unmarshal(raw, &items) == nil && len(items) > 0
}

// DeleteAnnotation deletes the viewer's own annotation.
func (s *Service) DeleteAnnotation(ctx context.Context, id int) error {
	a, err := s.own(ctx, id)
	if err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	d := -1
	if a.WasCancelled {
		d = 0
	}
	if err := projects.AnnotationsChanging(ctx, client, a.TaskID, d); err != nil {
		return err
	}
	if err := client.Annotation.DeleteOne(a).Exec(ctx); err != nil {
		return err
	}
	u := client.Task.UpdateOneID(a.TaskID)
	if a.WasCancelled {
		u.AddCancelledAnnotations(-1)
	} else {
		u.AddTotalAnnotations(-1)
	}
	if err := u.Exec(ctx); err != nil {
		return err
	}
	return webhook.Emit(ctx, client, webhook.AnnotationsDeleted, a.Edges.Task.Edges.Project, map[string]any{"annotations": webhook.IDs(a.ID)})
}
