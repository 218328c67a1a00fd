package projects

import (
	"context"
	"errors"
	"fmt"

	"entgo.io/ent/dialect/sql"
	"gloss/internal/database"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/task"
	"gloss/internal/audit"
)

// A project keeps two counters on its row, so that the project list and the
// data manager read totals instead of counting tasks: task_count, and
// labeled_count (tasks with at least overlap non-skipped annotations). They
// change here only, in the transaction that changes what they count, by
// statements that add to them on the locked project row, so concurrent
// imports and annotations on any number of processes add up. Each is one
// UPDATE of the project row that reads the tasks it needs by index.
//
// They are the server's bookkeeping: they run past the project policy
// (an annotator's submit changes labeled_count of a project they may not
// edit) and log no audit event of their own (the change they follow does).

// TasksAdded counts the tasks an import just added to a project: inner ids
// after, up to through, some of them perhaps labeled already (imported with
// annotations). Call it in the import's transaction, with the project row
// locked.
func TasksAdded(ctx context.Context, client *ent.Client, projectID, after, through int) error {
	return counterUpdate(ctx, client, project.ID(projectID), func(u *sql.UpdateBuilder) {
		u.Set(project.FieldTaskCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldTaskCount).WriteString(", 0) + ").Arg(through - after)
		}))
		u.Set(project.FieldLabeledCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldLabeledCount).WriteString(", 0) + (SELECT COUNT(*) FROM ").
				Ident(task.Table).WriteString(" WHERE ").Ident(task.FieldProjectID).WriteString(" = ").Arg(projectID).
				WriteString(" AND ").Ident(task.FieldInnerID).WriteString(" > ").Arg(after).
				WriteString(" AND ").Ident(task.FieldInnerID).WriteString(" <= ").Arg(through).
				WriteString(" AND ").Ident(task.FieldTotalAnnotations).WriteString(" >= ").Ident(project.Table).WriteString(".").Ident(project.FieldOverlap).
				WriteString(")")
		}))
	})
}

// AnnotationsChanging follows a change by d of a task's non-skipped
// annotations (total_annotations), which the caller is about to make in
// the same transaction. It locks the task row (so its total stays what it
// read until the transaction ends) and adds to labeled_count when the task
// crosses its project's overlap (AnnotationsChanged). The locks are then
// always taken in one order, task row, project row, audit chain (which a
// transaction takes as it commits, database.TxQueue), so concurrent
// transactions never wait on each other in a circle on PostgreSQL. A change
// of skips only (d = 0) takes the lock.
func AnnotationsChanging(ctx context.Context, client *ent.Client, taskID, d int, fit bool) error {
	t, err := client.Task.Query().Where(task.ID(taskID)).
		Modify(database.ForUpdate).
		Select(task.FieldProjectID, task.FieldTotalAnnotations).
		Only(privacy.DecisionContext(ctx, privacy.Allow)) // bookkeeping: see the top of this file
	if err != nil {
		return fmt.Errorf("count annotations: %w", err)
	}
	return AnnotationsChanged(ctx, client, t.ProjectID, t.TotalAnnotations, d, fit)
}

// ErrNoRoom is AnnotationsChanged's answer when an annotation that had to
// fit its project's overlap does not, under the overlap the project row
// holds.
var ErrNoRoom = errors.New("no room left under the project's overlap")

// AnnotationsChanged is AnnotationsChanging for a caller that has locked
// the task row already and read its total: it adds to the labeled_count of
// the task's project when the change by d crosses the overlap.
//
// With fit, the change (one more non-skipped annotation, by someone who
// may not go beyond the overlap) is made only while total is below the
// overlap as the project row holds it, and is ErrNoRoom otherwise: the
// caller decided on an overlap it read beside a project update that had
// not committed (PostgreSQL), and this UPDATE, which waits for that
// update's lock on the row and then judges the row it committed, is the
// last word. It costs no statement of its own: every submit updates the
// row anyway.
func AnnotationsChanged(ctx context.Context, client *ent.Client, projectID, total, d int, fit bool) error {
	if d == 0 {
		return nil
	}
	labeled := func(b *sql.Builder, total int) {
		b.WriteString("(CASE WHEN ").Arg(total).WriteString(" >= ").Ident(project.FieldOverlap).WriteString(" THEN 1 ELSE 0 END)")
	}
	which := project.ID(projectID)
	if fit {
		which = project.And(which, func(s *sql.Selector) {
			s.Where(sql.P(func(b *sql.Builder) { b.Arg(total).WriteString(" < ").Ident(s.C(project.FieldOverlap)) }))
		})
	}
	n, err := client.Project.Update().Where(which).Modify(func(u *sql.UpdateBuilder) {
		u.Set(project.FieldLabeledCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldLabeledCount).WriteString(", 0) + ")
			labeled(b, total+d)
			b.WriteString(" - ")
			labeled(b, total)
		}))
	}).Save(Bookkeeping(ctx))
	switch {
	case err != nil:
		return fmt.Errorf("update project counters: %w", err)
	case n == 1:
		return nil
	case fit:
		return ErrNoRoom // the project exists: its task's row is locked
	}
	return fmt.Errorf("update project counters: no such project")
}

// RecountLabeled counts a project's labeled tasks again, after its overlap
// changed (which moves the line between labeled and not for every task),
// and returns the new count. Call it in the transaction that changed the
// overlap, after the change.
func RecountLabeled(ctx context.Context, client *ent.Client, projectID int) (int, error) {
	err := counterUpdate(ctx, client, project.ID(projectID), func(u *sql.UpdateBuilder) {
		u.Set(project.FieldLabeledCount, labeledSubquery(projectID))
	})
	if err != nil {
		return 0, err
	}
	p, err := client.Project.Query().Where(project.ID(projectID)).Select(project.FieldLabeledCount).Only(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return 0, err
	}
	return p.LabeledCount, nil
}

// FillCounters counts the tasks of every project that has no counters yet
// (made before there were any): a migration, run at start. Replicas that
// start together count each project once: the WHERE is checked again on
// the locked row.
func FillCounters(ctx context.Context, client *ent.Client) error {
	_, err := client.Project.Update().Where(project.TaskCountIsNil()).
		Modify(func(u *sql.UpdateBuilder) {
			u.Set(project.FieldTaskCount, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("(SELECT COUNT(*) FROM ").Ident(task.Table).WriteString(" WHERE ").
					Ident(task.Table).WriteString(".").Ident(task.FieldProjectID).WriteString(" = ").Ident(project.Table).WriteString(".").Ident(project.FieldID).WriteString(")")
			}))
			u.Set(project.FieldLabeledCount, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("(SELECT COUNT(*) FROM ").Ident(task.Table).WriteString(" WHERE ").
					Ident(task.Table).WriteString(".").Ident(task.FieldProjectID).WriteString(" = ").Ident(project.Table).WriteString(".").Ident(project.FieldID).
					WriteString(" AND ").Ident(task.Table).WriteString(".").Ident(task.FieldTotalAnnotations).WriteString(" >= ").Ident(project.Table).WriteString(".").Ident(project.FieldOverlap).
					WriteString(")")
			}))
		}).
		Save(Bookkeeping(ctx))
	if err != nil {
		return fmt.Errorf("fill project counters: %w", err)
	}
	return nil
}

func labeledSubquery(projectID int) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(SELECT COUNT(*) FROM ").Ident(task.Table).WriteString(" WHERE ").
			Ident(task.FieldProjectID).WriteString(" = ").Arg(projectID).
			WriteString(" AND ").Ident(task.FieldTotalAnnotations).WriteString(" >= ").Ident(project.Table).WriteString(".").Ident(project.FieldOverlap).
			WriteString(")")
	})
}

// counterUpdate runs one UPDATE of the counters of the project which.
func counterUpdate(ctx context.Context, client *ent.Client, which predicate.Project, set func(*sql.UpdateBuilder)) error {
	n, err := client.Project.Update().Where(which).Modify(set).Save(Bookkeeping(ctx))
	if err != nil {
		return fmt.Errorf("update project counters: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("update project counters: no such project")
	}
	return nil
}

// Bookkeeping lets a counter update past the privacy policies and the
// audit log: see the comment at the top of this file. The task's own
// counters and lock, which follow an annotation the annotation policy
// admitted, are written under it too (labeling).
func Bookkeeping(ctx context.Context) context.Context {
	return audit.Quiet(privacy.DecisionContext(ctx, privacy.Allow))
}

// TasksRemoving follows the deletion of the tasks ids of a project, which
// the caller is about to make in the same transaction. It locks the task
// rows (in id order, before the project row, as AnnotationsChanging does,
// so a concurrent annotation of one of them either lands first and is
// counted or finds the task gone) and takes them and the labeled among
// them off the counters. It returns the ids it locked: the tasks that
// still exist.
func TasksRemoving(ctx context.Context, client *ent.Client, projectID int, ids []int) ([]int, error) {
	locked, err := LockTasks(ctx, client, projectID, ids)
	if err != nil || len(locked) == 0 {
		return nil, err
	}
	err = counterUpdate(ctx, client, project.ID(projectID), func(u *sql.UpdateBuilder) {
		u.Set(project.FieldTaskCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldTaskCount).WriteString(", 0) - ").Arg(len(locked))
		}))
		u.Set(project.FieldLabeledCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldLabeledCount).WriteString(", 0) - ")
			labeledAmong(b, locked)
		}))
	})
	return locked, err
}

// AnnotationsRemoving follows the deletion of every annotation of the
// tasks ids of a project, which the caller is about to make in the same
// transaction: it locks the task rows (in id order, before the project
// row, as AnnotationsChanging does), takes the labeled among them off
// labeled_count and sets their annotation totals to zero. It returns the
// ids it locked: the tasks that still exist.
func AnnotationsRemoving(ctx context.Context, client *ent.Client, projectID int, ids []int) ([]int, error) {
	locked, err := LockTasks(ctx, client, projectID, ids)
	if err != nil || len(locked) == 0 {
		return nil, err
	}
	err = counterUpdate(ctx, client, project.ID(projectID), func(u *sql.UpdateBuilder) {
		u.Set(project.FieldLabeledCount, sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(").Ident(project.FieldLabeledCount).WriteString(", 0) - ")
			labeledAmong(b, locked)
		}))
	})
	if err != nil {
		return nil, err
	}
	_, err = client.Task.Update().Where(task.IDIn(locked...)).
		SetTotalAnnotations(0).SetCancelledAnnotations(0).Save(Bookkeeping(ctx))
	if err != nil {
		return nil, fmt.Errorf("update task counters: %w", err)
	}
	return locked, nil
}

// LockTasks locks the rows of the tasks ids of a project, in id order (the
// order the counters lock them in, before the project row), and returns
// the ids of those that exist.
func LockTasks(ctx context.Context, client *ent.Client, projectID int, ids []int) ([]int, error) {
	return LockTasksWhere(ctx, client, task.ProjectID(projectID), task.IDIn(ids...))
}

// LockTasksWhere locks the rows of the tasks where holds for, in id order,
// and returns their ids. A deletion's last transaction (of a project, of an
// organization) takes them before it deletes their annotations: a submit
// in flight, which holds its task's row, commits first and its annotation
// is deleted with the rest; a later one waits and finds its task gone.
// Unlocked, a submit that committed between the deletion of the
// annotations and that of the tasks failed the deletion on the
// annotations' foreign key; locking the project first instead made a
// deadlock with a submit, which locks its task and then its project.
func LockTasksWhere(ctx context.Context, client *ent.Client, where ...predicate.Task) ([]int, error) {
	locked, err := client.Task.Query().Where(where...).
		Order(ent.Asc(task.FieldID)).
		Modify(database.ForUpdate).
		Select(task.FieldID).
		Ints(privacy.DecisionContext(ctx, privacy.Allow)) // bookkeeping: see the top of this file
	if err != nil {
		return nil, fmt.Errorf("lock tasks: %w", err)
	}
	return locked, nil
}

// labeledAmong writes the count of the labeled among the tasks ids, for an
// UPDATE of their project row.
func labeledAmong(b *sql.Builder, ids []int) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	b.WriteString("(SELECT COUNT(*) FROM ").
		Ident(task.Table).WriteString(" WHERE ").Ident(task.FieldID).WriteString(" IN (").Args(args...).
		WriteString(") AND ").Ident(task.FieldTotalAnnotations).WriteString(" >= ").Ident(project.Table).WriteString(".").Ident(project.FieldOverlap).
		WriteString(")")
}
