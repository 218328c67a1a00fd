//go:build pg

package main

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// projectTally reads, row by row, what a project's counters stand for and
// the counters themselves.
type projectTally struct {
	tasks, labeled, annotations, orphans int // counted
	taskCount, labeledCount              int // kept
}

func tallyOf(t *testing.T, url, projectID string) projectTally {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	defer conn.Close(ctx)
	var c projectTally
	err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM tasks t WHERE t.project_id = p.id),
		(SELECT count(*) FROM tasks t WHERE t.project_id = p.id AND
			(SELECT count(*) FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled) >= p.overlap),
		(SELECT count(*) FROM annotations a WHERE a.project_id = p.id),
		(SELECT count(*) FROM annotations a WHERE a.project_id = p.id AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = a.task_id)),
		p.task_count, p.labeled_count
		FROM projects p WHERE p.id = $1`, projectID).
		Scan(&c.tasks, &c.labeled, &c.annotations, &c.orphans, &c.taskCount, &c.labeledCount)
	if err != nil {
		t.Fatal(err)
	}
	if c.taskCount != c.tasks || c.labeledCount != c.labeled || c.orphans != 0 {
		t.Errorf("the project counts %d tasks, %d labeled; there are %d and %d, and %d annotations of deleted tasks",
			c.taskCount, c.labeledCount, c.tasks, c.labeled, c.orphans)
	}
	return c
}

// TestDeleteOfUnlabeledTasksSparesATaskLabeledMeanwhile: a manager deletes
// "all unlabeled tasks" while an annotator submits to one of them. The
// submit commits while the delete waits for that task's row, so when the
// delete goes on the task is labeled and no longer matches the filter: it
// stays, with its annotation, and the annotator's work (acknowledged to
// them) is not destroyed. Before, the filter was judged once, before the
// rows were locked, and the delete removed the task that had just been
// labeled, with the annotation the annotator had been told was saved.
func TestDeleteOfUnlabeledTasksSparesATaskLabeledMeanwhile(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	project := tm.project(t, textClassification, nil) // overlap 1
	tm.owner.ok(importTasks, map[string]any{"p": project, "t": []any{
		map[string]any{"text": "one"}, map[string]any{"text": "two"}, map[string]any{"text": "three"}}})
	held := handOut(tm.annotator, project)

	// The submit takes the task's row and waits to commit (the audit chain
	// is held); the delete reads the task as unlabeled and waits for its row.
	release := holdAuditChain(t, url)
	var wg sync.WaitGroup
	var submitted string
	wg.Go(func() {
		d := tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": held, "result": choice("Positive")}})
		submitted = str(d, "createAnnotation", "id")
	})
	waitForLockWaits(t, url, 1)
	var deleted any
	wg.Go(func() {
		deleted = tm.owner.ok(deleteTasksMut, map[string]any{"p": project, "all": true, "f": map[string]any{"labeled": false}})["deleteTasks"]
	})
	waitForLockWaits(t, url, 2)
	release()
	wg.Wait()

	if deleted != float64(2) {
		t.Errorf("deleteTasks(labeled: false) deleted %v tasks, want the 2 still unlabeled", deleted)
	}
	d := tm.owner.ok(`query($t: ID!) { task(id: $t) { id annotations { id } } }`, map[string]any{"t": held})
	if got := str(d, "task", "annotations", 0, "id"); got != submitted {
		t.Errorf("task %s, labeled while the delete waited, is %v; want it kept with annotation %s", held, d, submitted)
	}
	if c := tallyOf(t, url, project); c.tasks != 1 || c.labeled != 1 || c.annotations != 1 {
		t.Errorf("the project has %d tasks, %d labeled, %d annotations; want 1, 1, 1", c.tasks, c.labeled, c.annotations)
	}
}

// TestReviewDoesNotAcceptAnEditItDidNotRead: a reviewer accepts (or fixes
// and accepts) an annotation while its annotator's edit of it commits
// between the review's read and its write. The review was decided on the
// annotation it read, not on the edit: it is refused, and the edit stays
// waiting for review, with its result and its time. Before, the review
// wrote over it: a plain accept marked the unseen edit ACCEPTED and moved
// its updatedAt back to the time before the edit; a fix threw the edit
// away.
func TestReviewDoesNotAcceptAnEditItDidNotRead(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	project := tm.project(t, textClassification, nil)
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, project, reviewer)
	tm.owner.ok(importTasks, map[string]any{"p": project, "t": []any{
		map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	const state = `query($t: ID!) { task(id: $t) { annotations { id result reviewState reviewedAt updatedAt } } }`
	for _, fix := range []any{nil, choice("Neutral")} {
		taskID, annID := annotate(tm.annotator, project)
		// The annotator's edit, committed by the transaction that holds
		// the annotation's row once the review waits for it.
		done := make(chan *gqlResponse, 1)
		editWhileHeld(t, url, annID, choice("Negative"), 1, func() {
			go func() { done <- reviewer.gql(fixMut, map[string]any{"a": annID, "ok": true, "r": fix}) }()
		})
		if r := <-done; r.Code() != "BAD_USER_INPUT" {
			t.Errorf("fix %v: a review of a version edited meanwhile: %s, want BAD_USER_INPUT", fix, r.Raw)
		}
		after := snapshot(tm.owner, state, map[string]any{"t": taskID})
		if !strings.Contains(after, "Negative") || !strings.Contains(after, "PENDING") || strings.Contains(after, "Neutral") {
			t.Errorf("fix %v: the annotation after the edit and the review: %s; want the edit, waiting for review", fix, after)
		}
		var moved bool
		conn := pgConnect(t, url)
		if err := conn.QueryRow(context.Background(), `SELECT updated_at > created_at FROM annotations WHERE id = $1`, annID).Scan(&moved); err != nil {
			t.Fatal(err)
		}
		conn.Close(context.Background())
		if !moved {
			t.Errorf("fix %v: the edited annotation's updated_at went back to its creation", fix)
		}
	}
}

// editWhileHeld locks an annotation's row from a connection of the test's
// own, waits until n transactions wait for a lock, then changes the
// annotation's result as updateAnnotation does (back to review, a new
// updated_at) and commits: an annotator's edit that lands while those
// transactions wait.
func editWhileHeld(t *testing.T, url, annID string, result []any, n int, start func()) {
	t.Helper()
	ctx := context.Background()
	raw, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	conn := pgConnect(t, url)
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT id FROM annotations WHERE id = $1 FOR UPDATE`, annID); err != nil {
		t.Fatal(err)
	}
	start()
	waitForLockWaits(t, url, n)
	if _, err := tx.Exec(ctx, `UPDATE annotations SET result = $2, review_state = 'PENDING', reviewed_by_id = NULL,
		reviewed_at = NULL, updated_at = now() WHERE id = $1`, annID, string(raw)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteOfManyBatchesBesideASubmit: a delete of every task of a
// project, in more than one batch of 1,000, while a submit to a task of a
// later batch takes that task's row and then the project's. The delete
// locks every selected task before it touches the project row, so the two
// wait for each other at most one way round, and both succeed. Before, the
// delete held the project row from its first batch when it came to lock
// the later ones: with the submit holding one of them and waiting for the
// project row, PostgreSQL aborted one of the two as a deadlock.
func TestDeleteOfManyBatchesBesideASubmit(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	project := tm.project(t, textClassification, nil)
	var tasks []any
	for i := range 1100 {
		tasks = append(tasks, map[string]any{"text": "task " + strings.Repeat("x", i%7)})
	}
	tm.owner.ok(importTasks, map[string]any{"p": project, "t": tasks})
	var ids []int
	for id := range apiTaskRows(t, tm.owner, project) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	blocker, submitted := ids[1010], ids[1050] // both in the second batch

	// Another transaction holds a task of the second batch: the delete
	// waits there (before, holding the project row already).
	ctx := context.Background()
	hold := pgConnect(t, url)
	tx, err := hold.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT id FROM tasks WHERE id = $1 FOR UPDATE", blocker); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var deleted *gqlResponse
	wg.Go(func() {
		deleted = tm.owner.gql(deleteTasksMut, map[string]any{"p": project, "all": true})
	})
	waitForLockWaits(t, url, 1)
	// The submit takes its task's row and then wants the project's.
	submit := make(chan *gqlResponse, 1)
	go func() {
		submit <- tm.owner.gql(createAnn, map[string]any{"i": map[string]any{"taskId": strconv.Itoa(submitted), "result": choice("Positive")}})
	}()
	var sub *gqlResponse
	select {
	case sub = <-submit:
	case <-time.After(2 * time.Second): // it waits: for the project row, before
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if sub == nil {
		sub = <-submit
	}
	if len(sub.Errors) > 0 || len(deleted.Errors) > 0 {
		t.Fatalf("a submit beside a delete of many batches failed:\nsubmit: %s\ndelete: %s", sub.Raw, deleted.Raw)
	}
	if got := path(deleted.Data, "deleteTasks"); got != float64(1100) {
		t.Errorf("deleteTasks deleted %v tasks, want 1100", got)
	}
	if c := tallyOf(t, url, project); c.tasks != 0 || c.annotations != 0 {
		t.Errorf("the project has %d tasks and %d annotations left", c.tasks, c.annotations)
	}
}
