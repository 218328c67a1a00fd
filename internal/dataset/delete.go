package dataset

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/storagelink"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/viewer"
	"gloss/internal/webhook"
)

// MaxDeleteIDs bounds the ids one deleteTasks call names; more go through
// a filter and all.
const MaxDeleteIDs = 1000

// deleteBatch is how many tasks a delete of all matching tasks takes at a
// time (one transaction for all of them).
const deleteBatch = 1000

// TaskSelection is what a bulk action acts on: the tasks IDs of a project,
// or (All) every task of it matching Where.
type TaskSelection struct {
	IDs   []int
	All   bool
	Where []predicate.Task
}

func (sel TaskSelection) check() error {
	switch {
	case sel.All && len(sel.IDs) > 0:
		return fault.Invalid("give either ids or all, not both")
	case !sel.All && len(sel.Where) > 0:
		return fault.Invalid("a filter selects tasks only with all: true")
	case !sel.All && len(sel.IDs) == 0:
		return fault.Invalid("give the ids of the tasks (1 to %d), or all: true", MaxDeleteIDs)
	case len(sel.IDs) > MaxDeleteIDs:
		return fault.Invalid("at most %d ids per call; select more with all and a filter", MaxDeleteIDs)
	}
	return nil
}

// DeleteTasks deletes tasks of a project with their annotations,
// predictions, drafts and storage links, all or nothing, keeps the
// project's counters, logs one audit event, and returns how many tasks
// went. Which tasks the viewer may delete is the task policy's decision
// (managers and up of the project): the tasks are found and deleted as the
// viewer, what hangs on them as the server, and a refusal rolls it all back.
// Webhooks hear TASKS_DELETED with the first tasks' ids, as in Label Studio.
func (s *Service) DeleteTasks(ctx context.Context, projectID int, sel TaskSelection) (int, error) {
	return s.bulk(ctx, projectID, sel, bulkAction{audit: "project.tasks_deleted", noun: "tasks",
		event: webhook.TasksDeleted, do: s.deleteTaskBatch, logNone: true})
}

// DeleteAnnotations deletes every annotation of the selected tasks of a
// project (and their storage links), all or nothing, keeps the counters
// of the project and of the tasks, logs one audit event, and returns how
// many annotations went. The annotations are deleted as the viewer: the
// annotation policy lets managers and up of the project do so.
// Webhooks hear ANNOTATIONS_DELETED with the first annotations' ids.
func (s *Service) DeleteAnnotations(ctx context.Context, projectID int, sel TaskSelection) (int, error) {
	return s.bulk(ctx, projectID, sel, bulkAction{audit: "project.annotations_deleted", noun: "annotations",
		event: webhook.AnnotationsDeleted, do: deleteAnnotationBatch, logNone: true})
}

// DeleteProject deletes a project with everything in it: its tasks first,
// in the steps of DeleteTasks with all (each its own transaction, logged
// and heard as a delete of tasks), so that a project of a million tasks
// does not hold the write lock for seconds; then, in one transaction, the
// project itself with what is left (remove: projects.Service.DeleteProject,
// where the project policy decides). Each step first changes nothing of
// the project as the viewer (mayChange), so a viewer who may not delete it
// deletes none of its tasks either. A failure after a step has committed
// says how many tasks went (fault.Partial).
func (s *Service) DeleteProject(ctx context.Context, id int, remove func(ctx context.Context, id int, forget projects.TasksGone) error) error {
	n, err := s.EmptyProject(ctx, id, mayChange)
	if err != nil {
		return err
	}
	if err := remove(ctx, id, s.ForgetTasksUploads); err != nil {
		if n > 0 {
			return &fault.Partial{Err: err, Done: fmt.Sprintf("its %d tasks were deleted before this; run it again for the rest", n)}
		}
		return err
	}
	return nil
}

// EmptyProject deletes every task of a project in the steps of
// DeleteTasks with all, each a transaction of its own that first runs
// check as the viewer (which stops the steps if it refuses), logged and
// heard as a delete of tasks, and returns how many tasks went, also when
// a step failed (after the steps before it).
func (s *Service) EmptyProject(ctx context.Context, id int, check func(ctx context.Context, client *ent.Client, p *ent.Project) error) (int, error) {
	return s.bulk(ctx, id, TaskSelection{All: true}, bulkAction{audit: "project.tasks_deleted", noun: "tasks",
		event: webhook.TasksDeleted, do: s.deleteTaskBatch, check: check})
}

// mayChange refuses, as the project policy would refuse its deletion, a
// viewer who may not delete project p: the policy scopes updates and
// deletes alike (rule.ProjectPolicy, isUpdateOrDelete), so an update that
// changes nothing, made as the viewer, finds the project or not.
func mayChange(ctx context.Context, client *ent.Client, p *ent.Project) error {
	return client.Project.UpdateOneID(p.ID).AddTaskNumber(0).Exec(audit.Quiet(ctx))
}

// batchFunc acts on the tasks ids of a project, as the viewer (ctx, which
// logs nothing) and the server (sys), and returns the ids of the rows it
// removed (tasks or annotations: what the webhook event names).
type batchFunc func(ctx, sys context.Context, client *ent.Client, projectID int, ids []int) ([]int, error)

// bulkAction is one bulk action: its audit action, the noun its count goes
// under, the webhook event it sends and what it does to a batch of tasks;
// whether a call that removes nothing logs an event of none (logNone); and
// what each transaction checks of the project first, as the viewer, if
// anything (check).
type bulkAction struct {
	audit, noun string
	event       webhook.Event
	do          batchFunc
	logNone     bool
	check       func(ctx context.Context, client *ent.Client, p *ent.Project) error
}

// bulk runs a.do on the selected tasks of a project. Named ids (at most
// MaxDeleteIDs) go in one transaction. All matching tasks go in steps of
// stepTasks, each a transaction of its own, so that a million tasks do not
// hold the write lock (on SQLite, every write of the server) for seconds:
// the steps walk the tasks by id, up to the last task the project held
// when the call began (an import meanwhile adds tasks after it, which the
// call leaves). Each transaction that removes something queues its
// webhook event (the first removed ids) and logs its audit event (the
// count under a.noun and the first task ids), so what a step did is
// recorded with it (a call that removes nothing logs one event of none);
// a failed step leaves the steps before it done, and the call's error
// says how many went (fault.Partial), as does the count returned with it.
func (s *Service) bulk(ctx context.Context, projectID int, sel TaskSelection, a bulkAction) (int, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return 0, err
	}
	if err := sel.check(); err != nil {
		return 0, err
	}
	if !sel.All {
		done := 0
		err := database.InTx(ctx, s.client, func(ctx context.Context) error {
			client := database.ClientFrom(ctx, s.client)
			p, err := client.Project.Get(ctx, projectID)
			if err != nil {
				return err
			}
			ids := unique(sel.IDs)
			found, err := client.Task.Query().Where(task.ProjectID(p.ID), task.IDIn(ids...)).IDs(ctx)
			if err != nil {
				return err
			}
			if len(found) != len(ids) {
				return fault.New(fault.NotFound, "some of the tasks are not in this project")
			}
			gone, err := a.do(audit.Quiet(ctx), audit.Quiet(viewer.NewSystemContext(ctx)), client, p.ID, ids)
			if err != nil {
				return err
			}
			done = len(gone)
			return s.record(ctx, client, p, a, len(gone), gone, ids)
		})
		if err != nil {
			return 0, err
		}
		return done, nil
	}
	last, err := database.ClientFrom(ctx, s.client).Task.Query().Where(task.ProjectID(projectID)).
		Order(ent.Desc(task.FieldID)).FirstID(ctx)
	if ent.IsNotFound(err) {
		// No task the viewer sees: whether the project is theirs to act
		// on is the first step's to say.
		last, err = 0, nil
	}
	if err != nil {
		return 0, err
	}
	done := 0
	// A failed step leaves the steps before it done: the error says so.
	failed := func(err error) (int, error) {
		if done > 0 {
			return done, &fault.Partial{Err: err, Done: fmt.Sprintf("%d %s were deleted before this; run it again for the rest", done, a.noun)}
		}
		return 0, err
	}
	for after := 0; ; {
		// The step's tasks are found beside the writer (on SQLite, on a
		// reader): a filter that matches few tasks may read many to find
		// them, and inside the transaction every write of the server
		// waited for that. The transaction locks them and judges the
		// filter again (stillMatching).
		ids, err := database.ClientFrom(ctx, s.client).Task.Query().
			Where(task.ProjectID(projectID), task.IDGT(after), task.IDLTE(last)).Where(sel.Where...).
			Order(ent.Asc(task.FieldID)).Limit(stepTasks).IDs(ctx)
		if err != nil {
			return failed(err)
		}
		if len(ids) == 0 && done > 0 {
			break
		}
		final := len(ids) < stepTasks
		n := 0
		err = database.InTx(ctx, s.client, func(ctx context.Context) error {
			n = 0
			client := database.ClientFrom(ctx, s.client)
			p, err := client.Project.Get(ctx, projectID)
			if err != nil {
				return err
			}
			// Every task of the step is locked before its first batch
			// touches the project's row: locking a batch's tasks while
			// holding the project row (taken by the batch before) would
			// wait for a submit that holds one of them and waits for the
			// project row, a deadlock PostgreSQL ends by aborting one of
			// the two.
			var selected []int
			for chunk := range slices.Chunk(ids, deleteBatch) {
				still, err := stillMatching(ctx, client, p.ID, chunk, sel.Where)
				if err != nil {
					return err
				}
				selected = append(selected, still...)
			}
			// After the tasks' rows, as the batches take the project's.
			if a.check != nil {
				if err := a.check(ctx, client, p); err != nil {
					return err
				}
			}
			var gone, first []int
			for ids := range slices.Chunk(selected, deleteBatch) {
				g, err := a.do(audit.Quiet(ctx), audit.Quiet(viewer.NewSystemContext(ctx)), client, p.ID, ids)
				if err != nil {
					return err
				}
				n += len(g)
				gone = append(gone, g[:min(len(g), webhook.MaxPayloadItems-len(gone))]...)
				if len(first) < 10 {
					first = append(first, ids...)
				}
			}
			// A step that removed nothing records nothing, unless it is
			// the last of a call that removed nothing: that call's one
			// event.
			if n == 0 && (done > 0 || !final || !a.logNone) {
				return nil
			}
			return s.record(ctx, client, p, a, n, gone, first)
		})
		if err != nil {
			return failed(err)
		}
		done += n
		if final {
			break
		}
		after = ids[len(ids)-1]
	}
	return done, nil
}

// stepTasks is how many tasks one transaction of a bulk action on all
// matching tasks takes: on SQLite a step of deletes held the write lock
// 30-45 ms (another writer waited at most 44 ms while a million tasks went
// in 5.9 s; in one transaction, it waited 7 s).
const stepTasks = 5 * deleteBatch

// record queues a bulk action's webhook event with the first ids of the
// rows it removed (gone) when it removed any (n), and logs its audit event
// with n and the first task ids, in the transaction of ctx.
func (s *Service) record(ctx context.Context, client *ent.Client, p *ent.Project, a bulkAction, n int, gone, first []int) error {
	if n > 0 {
		if err := webhook.Emit(ctx, client, a.event, p, map[string]any{a.noun: webhook.IDs(gone[:min(len(gone), webhook.MaxPayloadItems)]...)}); err != nil {
			return err
		}
	}
	// Appended as the transaction commits, after the task and project
	// rows were locked: the one lock order (see
	// projects.AnnotationsChanging).
	return s.audit.Record(ctx, audit.Event{Action: a.audit, TargetType: "Project",
		TargetID: strconv.Itoa(p.ID), Details: map[string]any{a.noun: n, "first_task_ids": first[:min(len(first), 10)]}})
}

// stillMatching locks the rows of the tasks ids of a project (in id order,
// as the counters do) and returns those that still match the filter where.
// The filter found them before their rows were locked: a submit, skip or
// delete of an annotation that held a row meanwhile (each locks its task's
// row) may have taken a task out of the filter ("unlabeled", "at most N
// annotations"), and a bulk action must not destroy the work that did.
// Read in a statement after the lock, the filter sees what those
// transactions committed. Without a filter nothing can fall out of it.
func stillMatching(ctx context.Context, client *ent.Client, projectID int, ids []int, where []predicate.Task) ([]int, error) {
	locked, err := projects.LockTasks(ctx, client, projectID, ids)
	if err != nil || len(locked) == 0 || len(where) == 0 {
		return locked, err
	}
	return client.Task.Query().Where(task.IDIn(locked...)).Where(where...).
		Order(ent.Asc(task.FieldID)).IDs(ctx)
}

// deleteAnnotationBatch deletes the annotations of the tasks ids of a
// project: counters first (they lock the task rows), storage links as the
// server, the annotations as the viewer.
func deleteAnnotationBatch(ctx, sys context.Context, client *ent.Client, projectID int, ids []int) ([]int, error) {
	ids, err := projects.AnnotationsRemoving(ctx, client, projectID, ids)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	annotations, err := client.Annotation.Query().Where(annotation.TaskIDIn(ids...)).
		Order(ent.Asc(annotation.FieldID)).IDs(sys)
	if err != nil {
		return nil, err
	}
	if _, err := client.StorageLink.Delete().Where(storagelink.AnnotationIDIn(annotations...)).Exec(sys); err != nil {
		return nil, err
	}
	n, err := client.Annotation.Delete().Where(annotation.TaskIDIn(ids...)).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n != len(annotations) {
		return nil, fault.New(fault.Forbidden, "some of the annotations are not yours to delete")
	}
	return annotations, nil
}

// deleteTaskBatch deletes the tasks ids of project p: counters first (they
// lock the task rows), then what hangs on them as the server, then the
// tasks as the viewer, and last the uploaded files only they served
// (ForgetTasksUploads). Drafts go with their task (a foreign key cascade).
func (s *Service) deleteTaskBatch(ctx, sys context.Context, client *ent.Client, projectID int, ids []int) ([]int, error) {
	ids, err := projects.TasksRemoving(ctx, client, projectID, ids)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	annotations, err := client.Annotation.Query().Where(annotation.TaskIDIn(ids...)).IDs(sys)
	if err != nil {
		return nil, err
	}
	if _, err := client.StorageLink.Delete().Where(storagelink.Or(storagelink.TaskIDIn(ids...), storagelink.AnnotationIDIn(annotations...))).Exec(sys); err != nil {
		return nil, err
	}
	if _, err := client.Annotation.Delete().Where(annotation.TaskIDIn(ids...)).Exec(sys); err != nil {
		return nil, err
	}
	if _, err := client.Prediction.Delete().Where(prediction.TaskIDIn(ids...)).Exec(sys); err != nil {
		return nil, err
	}
	n, err := client.Task.Delete().Where(task.ProjectID(projectID), task.IDIn(ids...)).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n != len(ids) {
		return nil, fault.New(fault.NotFound, "some of the tasks are not in this project")
	}
	return ids, s.ForgetTasksUploads(sys, client, ids)
}

func unique(ids []int) []int {
	seen := make(map[int]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
