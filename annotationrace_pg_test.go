//go:build pg

package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdRow locks the row id of table from a connection of the test's own
// (as a slow transaction of another process would), and returns a release
// function and a function that waits until n other transactions wait for
// a lock. On SQLite nothing of this applies: a writing transaction holds
// the one write lock from its start.
func holdRow(t *testing.T, url, table, id string) (waiting func(n int), release func()) {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT id FROM `+table+` WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Commit(ctx)
			conn.Close(ctx)
		})
	}
	t.Cleanup(release)
	waiting = func(n int) { t.Helper(); waitForLockWaits(t, url, n) }
	return waiting, release
}

// waitForLockWaits waits until n transactions of the database at url wait
// for a lock (a row's, or an advisory lock).
func waitForLockWaits(t *testing.T, url string, n int) {
	t.Helper()
	ctx := context.Background()
	watch := pgConnect(t, url)
	defer watch.Close(ctx)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var got int
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions wait for a lock, want %d", got, n)
		}
	}
}

// realCounts reads what the counters stand for, counted row by row: the
// task's non-skipped and skipped annotations, and the counters kept for
// them on the task and its project.
type realCounts struct {
	total, cancelled, labeled        int // counted
	taskTotal, taskCancelled, pLabel int // kept
}

func countsOf(t *testing.T, url, taskID string) realCounts {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	defer conn.Close(ctx)
	var c realCounts
	err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM annotations a WHERE a.task_id = t.id AND NOT a.was_cancelled),
		(SELECT count(*) FROM annotations a WHERE a.task_id = t.id AND a.was_cancelled),
		(SELECT count(*) FROM tasks t2 WHERE t2.project_id = p.id AND
			(SELECT count(*) FROM annotations a WHERE a.task_id = t2.id AND NOT a.was_cancelled) >= p.overlap),
		t.total_annotations, t.cancelled_annotations, p.labeled_count
		FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = $1`, taskID).
		Scan(&c.total, &c.cancelled, &c.labeled, &c.taskTotal, &c.taskCancelled, &c.pLabel)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c realCounts) check(t *testing.T, when string) {
	t.Helper()
	if c.taskTotal != c.total || c.taskCancelled != c.cancelled || c.pLabel != c.labeled {
		t.Errorf("%s: the task counts %d annotations and %d skips, its project %d labeled tasks; there are %d, %d and %d",
			when, c.taskTotal, c.taskCancelled, c.pLabel, c.total, c.cancelled, c.labeled)
	}
}

// TestChangesOfOneAnnotationAtOnceCountOnce: an annotator sends two changes
// of the same annotation at once (two tabs, a retried request, a script),
// which reach the task's row one after the other. Each is decided on the
// annotation as it is once the row is locked, not as it was read before:
// two skips of one annotation take it off the counts once, and a delete
// beside a skip takes off what the annotation was at the end. Before, both
// changes applied what they had read before waiting, and the task counted
// -1 annotations; the label stream then handed the task, which had its
// annotation, to a second annotator of an overlap-1 project.
func TestChangesOfOneAnnotationAtOnceCountOnce(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	project := tm.project(t, textClassification, nil) // overlap 1
	var tasks []any
	for i := range 3 {
		tasks = append(tasks, map[string]any{"text": fmt.Sprintf("text %d", i)})
	}
	tm.owner.ok(importTasks, map[string]any{"p": project, "t": tasks})
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}
	annotate := func() (taskID, annID string) {
		taskID = str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": project}), "nextTask", "id")
		annID = str(tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice}}), "createAnnotation", "id")
		return taskID, annID
	}
	const skip = `mutation($a: ID!) { updateAnnotation(id: $a, input: {wasCancelled: true, confirmSkip: true}) { id } }`
	const unskip = `mutation($a: ID!) { updateAnnotation(id: $a, input: {wasCancelled: false}) { id } }`
	const del = `mutation($a: ID!) { deleteAnnotation(id: $a) }`
	// together sends the mutations at once while the task's row is held,
	// and lets them go once each waits for it.
	together := func(taskID, annID string, mutations ...string) {
		t.Helper()
		waiting, release := holdRow(t, url, "tasks", taskID)
		var wg sync.WaitGroup
		for _, m := range mutations {
			wg.Go(func() {
				if r := tm.annotator.gql(m, map[string]any{"a": annID}); len(r.Errors) > 0 && r.Code() != "NOT_FOUND" {
					t.Errorf("%s: %s", m, r.Raw)
				}
			})
		}
		waiting(len(mutations))
		release()
		wg.Wait()
	}

	taskID, annID := annotate()
	countsOf(t, url, taskID).check(t, "after the submit")
	together(taskID, annID, skip, skip)
	countsOf(t, url, taskID).check(t, "after two skips at once")
	tm.annotator.ok(unskip, map[string]any{"a": annID})
	countsOf(t, url, taskID).check(t, "after the unskip")
	// The task has its one annotation: the stream hands it to nobody else.
	other := tm.s.browser(t)
	other.ok(signupMutation, signupVars(uniqueEmail("second"), ownerPassword, inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))))
	tm.addMember(t, project, other)
	if next := str(other.ok(nextTaskQuery, map[string]any{"p": project}), "nextTask", "id"); next == taskID {
		t.Errorf("the stream hands task %s, which has its one annotation, to a second annotator", taskID)
	}

	taskID, annID = annotate()
	together(taskID, annID, skip, del)
	countsOf(t, url, taskID).check(t, "after a skip and a delete at once")
}

// TestAnOverlapLoweredDuringASubmitHolds: a manager lowers a project's
// overlap from 2 to 1 while an annotator submits the last place of a task
// that has one annotation. The submit decided on the overlap it read as it
// locked the task, and the manager's change, not yet committed, still said
// 2: the task ended with two annotations under an overlap of 1. The
// submit's update of the project's counters, which waits for the change,
// now judges the overlap it committed, and refuses.
func TestAnOverlapLoweredDuringASubmitHolds(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	p := tm.project(t, textClassification, map[string]any{"overlap": 2})
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	first := str(overlapTaskList(tm.owner, p)[0], "node", "id")
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": choice("Neutral")}})
	if got := handOut(tm.annotator, p); got != first {
		t.Fatalf("the stream handed task %s, want %s", got, first)
	}
	// The manager's change holds the project row until it commits, which
	// waits for the audit chain, held here.
	release := holdAuditChain(t, url)
	var wg sync.WaitGroup
	var update, submit *gqlResponse
	wg.Go(func() {
		update = tm.owner.gql(`mutation($p: ID!) { updateProject(id: $p, input: {overlap: 1}) { id overlap } }`, map[string]any{"p": p})
	})
	waitForLockWaits(t, url, 1)
	wg.Go(func() {
		submit = tm.annotator.gql(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": choice("Positive")}})
	})
	waitForLockWaits(t, url, 2)
	release()
	wg.Wait()
	if len(update.Errors) > 0 {
		t.Fatalf("updateProject: %s", update.Raw)
	}
	if submit.Code() != "BAD_USER_INPUT" || !strings.Contains(submit.Raw, "its project's overlap was lowered as you submitted") {
		t.Errorf("the submit to a task the lowered overlap filled: %s, want BAD_USER_INPUT saying the overlap was lowered", submit.Raw)
	}
	c := countsOf(t, url, first)
	c.check(t, "after the race")
	if c.total != 1 {
		t.Errorf("task %s has %d annotations that were not skipped; its project's overlap is 1", first, c.total)
	}
}

// TestASubmitDuringAProjectsLastDeletionStep: a task imported while a
// project's deletion ran its steps is left to the last transaction, and an
// annotator submits it while that transaction deletes the project's
// annotations. The deletion failed on the annotations' foreign key (the
// submit's annotation committed between the deletion of the annotations
// and that of the tasks), or, with the project locked first, the two
// deadlocked. The last transaction now locks the tasks first: the submit
// waits for it, and finds its task gone.
func TestASubmitDuringAProjectsLastDeletionStep(t *testing.T) {
	tm := MustTeam(t)
	url := tm.s.env["DATABASE_URL"]
	p := tm.project(t, textClassification, map[string]any{"overlap": 2})
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "first"}}})
	first := str(overlapTaskList(tm.owner, p)[0], "node", "id")

	// The deletion's step waits for the first task, held here.
	stepWaits, releaseFirst := holdRow(t, url, "tasks", first)
	var wg sync.WaitGroup
	var deletion, submit *gqlResponse
	wg.Go(func() { deletion = tm.owner.gql(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": p}) })
	stepWaits(1)
	// Meanwhile a task comes in, the owner annotates it, and the stream
	// hands it to the annotator.
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "second"}}})
	var second string
	for _, e := range overlapTaskList(tm.owner, p) {
		if id := str(e, "node", "id"); id != first {
			second = id
		}
	}
	ownerAnn := str(tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": second, "result": choice("Neutral")}}), "createAnnotation", "id")
	if got := handOut(tm.annotator, p); got != second {
		t.Fatalf("the stream handed task %s, want %s", got, second)
	}
	// The last transaction waits for the owner's annotation, held here,
	// as the annotator submits.
	lastWaits, releaseAnn := holdRow(t, url, "annotations", ownerAnn)
	releaseFirst()
	lastWaits(1)
	wg.Go(func() {
		submit = tm.annotator.gql(createAnn, map[string]any{"i": map[string]any{"taskId": second, "result": choice("Positive")}})
	})
	lastWaits(2)
	releaseAnn()
	wg.Wait()
	if len(deletion.Errors) > 0 {
		t.Fatalf("deleteProject: %s", deletion.Raw)
	}
	if submit.Code() != "NOT_FOUND" {
		t.Errorf("the submit to a task its project's deletion took: %s, want NOT_FOUND", submit.Raw)
	}
	if visible(t, tm.owner, p) {
		t.Error("the project is still there")
	}
}
