package labeling

import (
	"context"
	stdsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/draft"
	"gloss/ent/project"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/importer"
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

// MaxPerTask is the most annotations a task holds, skipped ones included:
// as many as an import may bring it (importer.MaxPerTask) and
// Task.annotations lists. Owners, admins and managers annotate past the
// overlap, and without a bound a script made a task whose annotations
// every read of it and every export held in memory at once.
const MaxPerTask = importer.MaxPerTask

func checkLeadTime(lt *float64) error {
	if lt != nil && (math.IsNaN(*lt) || math.IsInf(*lt, 0) || *lt < 0 || *lt > 1e7) {
		return fault.Invalid("leadTime must be a number of seconds between 0 and 10000000")
	}
	return nil
}

// CreateAnnotation stores the viewer's annotation of a task, after checking
// it against the project's configuration and that the task has room for it
// (hasRoom), releases the viewer's lock and removes their draft of the task.
//
// It opens its own transaction (GraphQL's createAnnotation runs outside the
// per-mutation one) and does everything that needs no write lock before it:
// reading the task and its project as the viewer, and parsing and checking
// the result against the configuration, which depend only on the task's
// data (immutable) and the configuration the request arrived under. What
// decides whether the annotation may be stored is read again inside the
// transaction, with the task row locked: the task's annotations, lock and
// overlap (submitState), and the viewer's right to label the task (the
// annotation policy). The transaction itself is a few index seeks and
// writes.
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
	// Of the project, what checking the result needs: a webhook that
	// hears the submit reads the rest (see below).
	t, labelConfig, err := s.taskToLabel(ctx, taskID)
	if err != nil {
		return nil, err
	}
	result, err := projects.CheckResult(&ent.Project{ID: t.ProjectID, OrganizationID: t.OrganizationID, LabelConfig: labelConfig}, t.Data, in.Result)
	if err != nil {
		return nil, err
	}
	cancelled := in.WasCancelled != nil && *in.WasCancelled
	var a *ent.Annotation
	err = s.inTx(ctx, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		st, err := s.submitState(ctx, client, t, v.UserID)
		if err != nil {
			return err
		}
		if st.Mine != nil && !rule.AnnotatesFreely(v) {
			return fault.Invalid("you already annotated this task (annotation %d): change it with updateAnnotation", *st.Mine)
		}
		if st.Total+st.Cancelled >= MaxPerTask {
			return fault.Invalid("task %d already holds %d annotations, the most one task may (skips included)", t.ID, MaxPerTask)
		}
		if !cancelled {
			if err := hasRoom(v, t.ID, st, s.clock.Now()); err != nil {
				return err
			}
		}
		a, err = client.Annotation.Create().
			SetTaskID(t.ID).
			SetProjectID(t.ProjectID).
			SetOrganizationID(t.OrganizationID).
			SetCompletedByID(v.UserID).
			SetResult(result).
			SetWasCancelled(cancelled).
			SetNillableLeadTime(in.LeadTime).
			Save(ctx)
		if err != nil {
			return err
		}
		// The counters, the lock and the draft follow from the annotation,
		// whose creation the audit log already keeps: one event per submit.
		quiet := audit.Quiet(ctx)
		u := client.Task.Update().Where(task.ID(t.ID))
		if cancelled {
			u.AddCancelledAnnotations(1)
			t.CancelledAnnotations = st.Cancelled + 1
		} else {
			u.AddTotalAnnotations(1)
			t.TotalAnnotations = st.Total + 1
		}
		t.LockedByID, t.LockedUntil = st.LockedBy, st.LockedUntil
		if st.LockedBy != nil && *st.LockedBy == v.UserID {
			u.ClearLockedByID().ClearLockedUntil()
			t.LockedByID, t.LockedUntil = nil, nil
		}
		// Bookkeeping that follows the annotation, which the annotation
		// policy has just admitted: past the task policy, as the counters.
		if _, err := u.Save(projects.Bookkeeping(ctx)); err != nil {
			return err
		}
		if st.Draft {
			if _, err := s.drafts.Delete(quiet, t.ID); err != nil {
				return err
			}
		}
		if st.Heard {
			// The payload carries the whole project.
			p, err := client.Project.Get(ctx, t.ProjectID)
			if err != nil {
				return err
			}
			if err := webhook.Emit(ctx, client, webhook.AnnotationCreated, p, map[string]any{"annotation": webhook.Annotation(a), "task": webhook.Task(t)}); err != nil {
				return err
			}
		}
		if cancelled {
			return nil
		}
		// Last: every submit to the project updates its row, which stays
		// locked (PostgreSQL) until the commit. For a submit that must fit
		// the overlap, the update is its last word on it (see noRoom).
		fit := !rule.AnnotatesFreely(v)
		return noRoom(t.ID, projects.AnnotationsChanged(ctx, client, t.ProjectID, st.Total, 1, fit))
	})
	if err != nil {
		return nil, err
	}
	if ent.TxFromContext(ctx) == nil {
		// The transaction was this call's own and has ended: what the
		// caller reads through the annotation (its author, its task) is
		// read through the client.
		a = a.Unwrap()
	}
	return a, nil
}

// labelConfigColumn is the name taskToLabel selects the project's
// labeling configuration as.
const labelConfigColumn = "gloss_project_label_config"

// taskToLabel reads task id as the viewer may see it, and its project's
// labeling configuration, in one statement. A task the viewer may see is
// of a project they may see (the task policy scopes tasks by the projects
// the project policy lets them see, in their organization), so the
// configuration is read beside the task, past the project policy: a second
// statement through it, as an eager load, would decide the same.
func (s *Service) taskToLabel(ctx context.Context, id int) (*ent.Task, string, error) {
	t, err := database.ClientFrom(ctx, s.client).Task.Query().Where(task.ID(id)).
		Modify(func(sel *sql.Selector) {
			p := sql.Table(project.Table)
			sel.Join(p).On(sel.C(task.FieldProjectID), p.C(project.FieldID))
			sel.AppendSelectAs(p.C(project.FieldLabelConfig), labelConfigColumn)
		}).TaskQuery.Only(ctx)
	if err != nil {
		return nil, "", err
	}
	v, err := t.Value(labelConfigColumn)
	if err != nil {
		return nil, "", err
	}
	switch lc := v.(type) {
	case string:
		return t, lc, nil
	case []byte:
		return t, string(lc), nil
	}
	return nil, "", fmt.Errorf("task %d: the labeling configuration of its project reads as %T", id, v)
}

// submitState is what a submit decides on: the task's annotations and
// lock, its project's overlap, and the viewer's own annotation of it; and
// what it then has to do besides storing the annotation: whether the
// viewer has a draft of the task to remove, and whether a webhook hears
// the project's submits (ANNOTATION_CREATED). Read with the rest, these
// cost no statement of their own when, as on most submits, there is
// neither.
type submitState struct {
	Total       int
	Cancelled   int
	LockedBy    *int
	LockedUntil *time.Time
	Overlap     int
	Mine        *int // the id of userID's annotation of the task, if any
	Draft       bool // userID has a draft of the task
	Heard       bool // a webhook hears the project's ANNOTATION_CREATED (webhook.Listening)
}

// submitState locks task t's row until the transaction ends (lockRow)
// and reads the state that a submit by userID decides on, in one later
// statement: a statement after the lock sees what a transaction that held
// the row before committed (a locking read's own subqueries would judge by
// the snapshot taken before it waited). It reads past the privacy policy:
// the state is bookkeeping, returned to nobody, and the annotation policy
// decides, inside the same transaction, whether the viewer may label the
// task. A task that no longer exists is not found.
func (s *Service) submitState(ctx context.Context, client *ent.Client, t *ent.Task, userID int) (*submitState, error) {
	if err := s.lockRow(ctx, client, t.ID); err != nil {
		return nil, err
	}
	values := []any{t.ID, userID, t.OrganizationID, t.ProjectID}
	query, args, err := s.shapes.Statement(s.dialect, "submitState", values, func(ctx context.Context, c *ent.Client, v []any) error {
		taskID, userID, orgID, projectID := v[0].(int), v[1].(int), v[2].(int), v[3].(int)
		return c.Task.Query().Where(task.ID(taskID)).Modify(func(sel *sql.Selector) {
			p := sql.Table(project.Table)
			a := sql.Table(annotation.Table)
			mine := sql.Select(a.C(annotation.FieldID)).From(a).Where(sql.And(
				sql.ColumnsEQ(a.C(annotation.FieldTaskID), sel.C(task.FieldID)),
				sql.EQ(a.C(annotation.FieldCompletedByID), userID),
			)).Limit(1)
			d := sql.Table(draft.Table)
			drafts := sql.Select(d.C(draft.FieldID)).From(d).Where(sql.And(
				sql.ColumnsEQ(d.C(draft.FieldTaskID), sel.C(task.FieldID)),
				sql.EQ(d.C(draft.FieldUserID), userID),
			))
			sel.Join(p).On(sel.C(task.FieldProjectID), p.C(project.FieldID))
			sel.Select(sel.C(task.FieldTotalAnnotations), sel.C(task.FieldCancelledAnnotations),
				sel.C(task.FieldLockedByID), sel.C(task.FieldLockedUntil), p.C(project.FieldOverlap))
			sel.AppendSelectExprAs(mine, "mine")
			sel.AppendSelectExprAs(sql.Exists(drafts), "draft")
			sel.AppendSelectExprAs(webhook.Listening(orgID, projectID, webhook.AnnotationCreated), "heard")
		}).Scan(ctx, &[]struct{}{})
	})
	if err != nil {
		return nil, err
	}
	rows, err := client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fault.New(fault.NotFound, "task %d not found", t.ID)
	}
	var st submitState
	var lockedBy, mine stdsql.NullInt64
	var lockedUntil stdsql.NullTime
	if err := rows.Scan(&st.Total, &st.Cancelled, &lockedBy, &lockedUntil, &st.Overlap, &mine, &st.Draft, &st.Heard); err != nil {
		return nil, err
	}
	if lockedBy.Valid {
		id := int(lockedBy.Int64)
		st.LockedBy = &id
	}
	if lockedUntil.Valid {
		st.LockedUntil = &lockedUntil.Time
	}
	if mine.Valid {
		id := int(mine.Int64)
		st.Mine = &id
	}
	return &st, rows.Close()
}

// hasRoom decides, with the task row locked (so two concurrent submits are
// decided one after the other), whether the viewer may add a non-skipped
// annotation to task id, whose state is st. It needs a free place: fewer
// non-skipped annotations than the overlap, counting a live lock of another
// annotator as a place taken. A task the label stream holds for the viewer
// had one when the stream handed it out and kept it for them alone, but a
// manager may since have lowered the overlap to what the task already has,
// or filled it themselves: then holding it makes no room, and the submit is
// refused as any other to a full task. Owners, admins and
// managers may go beyond the overlap (rule.AnnotatesFreely). Skips take no
// place (they do not count toward the overlap), so they are not checked.
func hasRoom(v *viewer.Viewer, id int, st *submitState, now time.Time) error {
	if rule.AnnotatesFreely(v) {
		return nil
	}
	live := st.LockedBy != nil && st.LockedUntil != nil && !st.LockedUntil.Before(now)
	mine := live && *st.LockedBy == v.UserID
	if st.Total >= st.Overlap {
		held := "the label stream does not hold it for you"
		if mine {
			held = "it became full while the label stream held it for you (its overlap was lowered, or a manager annotated it)"
		}
		return fault.Invalid("task %d already has the %d annotations its project asks for (overlap %d) and %s: ask nextTask for another task",
			id, st.Total, st.Overlap, held)
	}
	if mine || !live || st.Total+1 < st.Overlap {
		return nil
	}
	return fault.Invalid("the last annotation task %d needs (overlap %d) is held by another annotator and the label stream does not hold it for you: ask nextTask for another task",
		id, st.Overlap)
}

// noRoom is err of a counter update that had to fit the overlap, in the
// client's terms when it did not: the overlap hasRoom decided on was read
// beside a project update that had not committed, and the counter update,
// which waited for that update's lock on the project row, found the task
// full under the overlap it committed (a manager lowered it from 2 to 1 as
// an annotator submitted the last place of a task with one annotation).
func noRoom(taskID int, err error) error {
	if errors.Is(err, projects.ErrNoRoom) {
		return fault.Invalid("task %d has no room left for your annotation: its project's overlap was lowered as you submitted; ask nextTask for another task", taskID)
	}
	return err
}

// unskipHasRoom locks task t's row and applies hasRoom to it.
func (s *Service) unskipHasRoom(ctx context.Context, client *ent.Client, t *ent.Task) error {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return err
	}
	st, err := s.submitState(ctx, client, t, v.UserID)
	if err != nil {
		return err
	}
	return hasRoom(v, t.ID, st, s.clock.Now())
}

// lockRow locks task id's row until the transaction ends, on PostgreSQL,
// past the privacy policy, and returns nothing of it. SQLite has no row
// locks and needs none: a transaction there holds the database's write
// lock from BEGIN IMMEDIATE on, so it runs no statement.
func (s *Service) lockRow(ctx context.Context, client *ent.Client, id int) error {
	if !s.postgres {
		return nil
	}
	query, args, err := s.shapes.Statement(s.dialect, "lockRow", []any{id}, func(ctx context.Context, c *ent.Client, v []any) error {
		_, err := c.Task.Query().Where(task.ID(v[0].(int))).
			Modify(func(s *sql.Selector) { s.ForUpdate() }).
			Select(task.FieldID).Ints(ctx)
		return err
	})
	if err != nil {
		return err
	}
	rows, err := client.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
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

// ownLocked is own for a change that moves the task's counters (a skip,
// an unskip, a delete): on PostgreSQL it locks the task's row and reads
// the annotation again, so the change is decided on the annotation as the
// transaction that held the row before left it. Read before waiting, two
// skips of one annotation at once (two tabs, a retried request) each took
// it off the counts: the task counted -1 annotations and the label stream
// handed it, annotated, to another annotator. On SQLite the transaction
// holds the write lock from its start, so the first read is current.
func (s *Service) ownLocked(ctx context.Context, id int) (*ent.Annotation, error) {
	a, err := s.own(ctx, id)
	if err != nil || !s.postgres {
		return a, err
	}
	if err := s.lockRow(ctx, database.ClientFrom(ctx, s.client), a.TaskID); err != nil {
		return nil, err
	}
	return s.own(ctx, id)
}

// UpdateAnnotation changes the viewer's own annotation and removes their
// draft of its task, in one transaction: a skip or unskip is decided, and
// the task's counters follow, under the task's row lock.
func (s *Service) UpdateAnnotation(ctx context.Context, id int, in AnnotationInput) (*ent.Annotation, error) {
	var a *ent.Annotation
	err := s.inTx(ctx, func(ctx context.Context) (err error) {
		a, err = s.updateAnnotation(ctx, id, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	if ent.TxFromContext(ctx) == nil {
		a = a.Unwrap() // the transaction was this call's own and has ended
	}
	return a, nil
}

func (s *Service) updateAnnotation(ctx context.Context, id int, in AnnotationInput) (*ent.Annotation, error) {
	if in.Result == nil && in.LeadTime == nil && in.WasCancelled == nil {
		return nil, fault.Invalid("give result, leadTime or wasCancelled: an update without them changes nothing")
	}
	own := s.own
	if in.WasCancelled != nil {
		own = s.ownLocked
	}
	a, err := own(ctx, id)
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
	u := client.Annotation.UpdateOne(a).SetNillableLeadTime(in.LeadTime)
	// A changed result or skip sends the annotation back to review: this
	// is how an annotator fixes and resubmits rejected work. The same
	// result again, or only a lead time, leaves the review as it is (it
	// cleared a rejection with nothing fixed).
	changed := in.WasCancelled != nil && *in.WasCancelled != a.WasCancelled
	if in.Result != nil {
		result, err := projects.CheckResult(a.Edges.Task.Edges.Project, a.Edges.Task.Data, in.Result)
		if err != nil {
			return nil, err
		}
		changed = changed || !sameJSON(result, a.Result)
		u.SetResult(result)
	}
	if changed {
		u.SetReviewState(annotation.ReviewStatePending).ClearReviewedByID().ClearReviewedAt()
	}
	if in.WasCancelled != nil && *in.WasCancelled != a.WasCancelled {
		if !*in.WasCancelled {
			// Turning a skip into an annotation takes a place, as a
			// submit does: decided the same way, under the row lock.
			if err := s.unskipHasRoom(ctx, client, a.Edges.Task); err != nil {
				return nil, err
			}
		}
		u.SetWasCancelled(*in.WasCancelled)
		d := 1
		if *in.WasCancelled {
			d = -1
		}
		fit := d > 0 && !rule.AnnotatesFreely(viewer.User(ctx))
		if err := noRoom(a.TaskID, projects.AnnotationsChanging(ctx, client, a.TaskID, d, fit)); err != nil {
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
	// The annotation now holds the work the draft kept; its change is the
	// event the audit log keeps.
	if _, err := s.drafts.Delete(audit.Quiet(ctx), a.TaskID); err != nil {
		return nil, err
	}
	return a, webhook.Emit(ctx, client, webhook.AnnotationUpdated, t.Edges.Project, map[string]any{"annotation": webhook.Annotation(a), "task": webhook.Task(t)})
}

// sameJSON reports whether two JSON texts hold the same value, however
// they are spaced or their keys ordered (PostgreSQL's jsonb gives back its
// own spelling).
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// hasItems reports whether a stored result has at least one item.
func hasItems(raw json.RawMessage) bool {
	var items []json.RawMessage
	return json.Unmarshal(raw, &items) == nil && len(items) > 0
}

// DeleteAnnotation deletes the viewer's own annotation, and counts it out
// of its task, in one transaction.
func (s *Service) DeleteAnnotation(ctx context.Context, id int) error {
	return s.inTx(ctx, func(ctx context.Context) error { return s.deleteAnnotation(ctx, id) })
}

func (s *Service) deleteAnnotation(ctx context.Context, id int) error {
	a, err := s.ownLocked(ctx, id)
	if err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	d := -1
	if a.WasCancelled {
		d = 0
	}
	if err := projects.AnnotationsChanging(ctx, client, a.TaskID, d, false); err != nil {
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
