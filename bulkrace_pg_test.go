//go:build pg

package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
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
