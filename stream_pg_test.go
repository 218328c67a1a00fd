//go:build pg

package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStreamSearchReadsFewRows: on PostgreSQL the label stream's search
// reads a few index entries per call however many tasks have been
// annotated before it. Its plan used to walk the primary key from the
// first task, reading
// each task already done: the cost of a submit grew with the work done.
// PostgreSQL's statistics of the tasks table count the rows read.
func TestStreamSearchReadsFewRows(t *testing.T) {
	tm := benchTeam(t)
	url := tm.s.env["DATABASE_URL"]
	if url == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	crew := newOverlapCrew(t, tm.s, tm.owner, 1)
	in := map[string]any{"title": "Stream", "labelConfig": textClassification}
	id := str(tm.owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	var txt strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&txt, "task %d\n", i)
	}
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	token := crew.annotators[0]
	tm.owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
		map[string]any{"p": id, "u": crew.ids[token]})
	c := tm.s.tokenClient(t, token)
	submit := func(n int) {
		t.Helper()
		for range n {
			r := c.gql(nextTaskQuery, map[string]any{"p": id})
			taskID := str(r.Data, "nextTask", "id")
			if len(r.Errors) > 0 || taskID == "" {
				t.Fatalf("nextTask: %s", r.Raw)
			}
			if r = c.gql(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}}); len(r.Errors) > 0 {
				t.Fatalf("createAnnotation: %s", r.Raw)
			}
		}
	}
	// Rows of tasks read so far, by index or by scan. A server's
	// connections report their statistics once idle for a second: wait
	// until two readings agree.
	read := func() int {
		t.Helper()
		const q = `SELECT (SELECT COALESCE(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'tasks')
			+ (SELECT COALESCE(sum(seq_tup_read), 0) FROM pg_stat_user_tables WHERE relname = 'tasks')`
		last := -1
		for range 20 {
			time.Sleep(700 * time.Millisecond)
			n := countRows(t, url, q)
			if n == last {
				return n
			}
			last = n
		}
		t.Fatal("the statistics of tasks did not settle")
		return 0
	}
	submit(600)
	// Statistics as autovacuum leaves them, which made the planner choose
	// the walk: most tasks have no annotation.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := conn.Exec(t.Context(), `ANALYZE tasks`); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	conn.Close(t.Context())
	before := read()
	const cycles = 20
	submit(cycles)
	perCycle := (read() - before) / cycles
	t.Logf("%d rows of tasks read per nextTask + createAnnotation after 600 submits", perCycle)
	// A cycle reads a few index entries for each of the search's eight
	// candidates (18 to 82 rows in runs so far); the walk read over a
	// thousand after 600 submits, and more with every submit.
	if perCycle > 250 {
		t.Fatalf("a nextTask + createAnnotation read %d rows of tasks after 600 submits; its search should seek, not walk the tasks done", perCycle)
	}
}

// TestTabsOfOneAnnotatorAreNotAnsweredNullWhileTasksAreFree: one annotator in several tabs skips through
// the label stream of small projects (fewer tasks than a batch and a
// half). A tab that is answered null stops; the others finish the task in
// hand and stop too. Then no task may be left that the annotator has not
// skipped: a null means none was free for them (the others' tasks in hand
// are free for them, and were finished).
func TestTabsOfOneAnnotatorAreNotAnsweredNullWhileTasksAreFree(t *testing.T) {
	const tabs, tasks, rounds = 4, 10, 60
	s, owner := MustOwner(t, nil)
	crew := newOverlapCrew(t, s, owner, 1)
	tok := crew.annotators[0]
	bad := 0
	for round := range rounds {
		in := map[string]any{"title": "Tabs " + uniqueEmail("p"), "labelConfig": textClassification, "overlap": 2}
		project := str(owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
		var list []any
		for i := range tasks {
			list = append(list, map[string]any{"text": fmt.Sprintf("t %d", i)})
		}
		owner.ok(importTasks, map[string]any{"p": project, "t": list})
		owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`, map[string]any{"p": project, "u": crew.ids[tok]})
		var stop sync.Once
		stopped := make(chan struct{})
		var wg sync.WaitGroup
		for range tabs {
			c := s.tokenClient(t, tok)
			wg.Go(func() {
				for {
					select {
					case <-stopped:
						return
					default:
					}
					r := c.gql(nextTaskQuery, map[string]any{"p": project})
					id := str(r.Data, "nextTask", "id")
					if id == "" {
						stop.Do(func() { close(stopped) })
						return
					}
					r = c.gql(createAnn, map[string]any{"i": map[string]any{"taskId": id, "result": []any{}, "wasCancelled": true}})
					if len(r.Errors) > 0 && r.Code() != "BAD_USER_INPUT" {
						t.Errorf("skip: %s", r.Raw)
					}
				}
			})
		}
		wg.Wait()
		left := 0
		for _, e := range overlapTaskList(owner, project) {
			if path(e, "node", "cancelledAnnotations").(float64) == 0 {
				left++
			}
		}
		if left > 0 {
			bad++
			t.Logf("round %d: null answered with %d of %d tasks never skipped", round, left, tasks)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rounds answered null while tasks were free", bad, rounds)
	}
}
