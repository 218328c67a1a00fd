//go:build pg

package main

import (
	"fmt"
	"strings"
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
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != 200 {
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
	if perCycle > 100 {
		t.Fatalf("a nextTask + createAnnotation read %d rows of tasks after 600 submits; its search should seek, not walk the tasks done", perCycle)
	}
}
