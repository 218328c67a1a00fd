package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// checkCounters asserts that a project's counters (taskCount, labeledCount)
// equal the tasks counted one by one (a filtered connection's totalCount).
func checkCounters(t *testing.T, b *browser, projectID, when string) (tasks, labeled int) {
	t.Helper()
	d := b.ok(`query($p: ID!) { project(id: $p) { taskCount labeledCount }
		all: tasks(projectId: $p, first: 1) { totalCount }
		labeled: tasks(projectId: $p, first: 1, filter: {labeled: true}) { totalCount }
		unlabeled: tasks(projectId: $p, first: 1, filter: {labeled: false}) { totalCount } }`, map[string]any{"p": projectID})
	tasks, labeled = int(path(d, "project", "taskCount").(float64)), int(path(d, "project", "labeledCount").(float64))
	// Filtered, totalCount counts the tasks; unfiltered, it is the counter.
	realLabeled := int(path(d, "labeled", "totalCount").(float64))
	realTasks := realLabeled + int(path(d, "unlabeled", "totalCount").(float64))
	if n := int(path(d, "all", "totalCount").(float64)); n != tasks {
		t.Fatalf("%s: the unfiltered totalCount is %d, the counter %d", when, n, tasks)
	}
	if tasks != realTasks || labeled != realLabeled {
		t.Fatalf("%s: counters say %d tasks, %d labeled; the tasks are %d, %d labeled", when, tasks, labeled, realTasks, realLabeled)
	}
	return tasks, labeled
}

// TestProjectCountersHoldUnderConcurrency imports, annotates, skips,
// unskips and deletes annotations from many clients at once, then checks
// that the counters on the project row equal the real counts; after
// overlap changes; and after a restart that fills counters missing from
// projects made before there were any (the migration).
func TestProjectCountersHoldUnderConcurrency(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, map[string]any{"overlap": 2})
	invite := inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	users := []*browser{tm.owner, tm.annotator}
	for i := 0; i < 2; i++ {
		b := tm.s.browser(t)
		b.ok(signupMutation, signupVars(uniqueEmail("counter"), ownerPassword, invite))
		tm.addMember(t, id, b)
		users = append(users, b)
	}
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}

	importBatch := func(n, from int) error {
		var ts []any
		for i := 0; i < n; i++ {
			ts = append(ts, map[string]any{"text": fmt.Sprintf("task %d", from+i)})
		}
		if r := tm.owner.gql(importTasks, map[string]any{"p": id, "t": ts}); len(r.Errors) > 0 {
			return fmt.Errorf("import: %s", r.Raw)
		}
		return nil
	}
	parallel := func(n int, f func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); errs <- f(i) }(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("%v\nserver log:\n%s", err, tm.s.Out.String())
			}
		}
	}
	// Imports at once.
	parallel(4, func(i int) error { return importBatch(30, i*30) })
	checkCounters(t, tm.owner, id, "after concurrent imports")

	var taskIDs []string
	d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 100) { edges { node { id } } } }`, map[string]any{"p": id})
	for _, e := range path(d, "tasks", "edges").([]any) {
		taskIDs = append(taskIDs, str(e, "node", "id"))
	}
	// Every user annotates (every fifth a skip) at once, while another
	// import runs: the owner every task in turn (past the overlap), the
	// annotators what the label stream hands them until it has nothing.
	anns := make([][]string, len(users))
	parallel(len(users)+1, func(u int) error {
		if u == len(users) {
			return importBatch(40, 1000)
		}
		next := func(i int) (string, error) { // the owner's pick; the annotators' stream
			if u == 0 {
				if i < len(taskIDs) {
					return taskIDs[i], nil
				}
				return "", nil
			}
			r := users[u].gql(nextTaskQuery, map[string]any{"p": id})
			if len(r.Errors) > 0 {
				return "", fmt.Errorf("next task: %s", r.Raw)
			}
			return str(r.Data, "nextTask", "id"), nil
		}
		for i := 0; ; i++ {
			tid, err := next(i)
			if tid == "" || err != nil {
				return err
			}
			r := users[u].gql(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": choice, "wasCancelled": i%5 == u}})
			switch {
			case len(r.Errors) == 0:
				anns[u] = append(anns[u], str(r.Data, "createAnnotation", "id"))
			case r.Code() != "BAD_USER_INPUT":
				return fmt.Errorf("annotate: %s", r.Raw)
			}
		}
	})
	tasks, labeled := checkCounters(t, tm.owner, id, "after concurrent annotations")
	if tasks != 160 || labeled == 0 {
		t.Fatalf("%d tasks, %d labeled: the test did not do what it means to", tasks, labeled)
	}
	// Each user at once: deletes every third annotation, turns every
	// fourth into a skip and back, every seventh into a skip.
	parallel(len(users), func(u int) error {
		for i, a := range anns[u] {
			var q string
			var vars = map[string]any{"a": a}
			switch {
			case i%3 == 0:
				q = `mutation($a: ID!) { deleteAnnotation(id: $a) }`
			case i%7 == 0:
				q = `mutation($a: ID!) { updateAnnotation(id: $a, input: {wasCancelled: true, confirmSkip: true}) { id } }`
			case i%4 == 0:
				q = `mutation($a: ID!) { updateAnnotation(id: $a, input: {wasCancelled: true, confirmSkip: true}) { id } }`
				if r := users[u].gql(q, vars); len(r.Errors) > 0 {
					return fmt.Errorf("skip: %s", r.Raw)
				}
				q = `mutation($a: ID!) { updateAnnotation(id: $a, input: {wasCancelled: false}) { id } }`
			default:
				continue
			}
			if r := users[u].gql(q, vars); len(r.Errors) > 0 && r.Code() != "BAD_USER_INPUT" {
				return fmt.Errorf("change: %s", r.Raw)
			}
		}
		return nil
	})
	checkCounters(t, tm.owner, id, "after concurrent deletes and skips")

	for _, overlap := range []int{1, 3, 1} {
		tm.owner.ok(`mutation($p: ID!, $o: Int!) { updateProject(id: $p, input: {overlap: $o}) { id } }`, map[string]any{"p": id, "o": overlap})
		checkCounters(t, tm.owner, id, fmt.Sprintf("after overlap %d", overlap))
	}

	// An annotator counts only the tasks they see: theirs, not the counter.
	d = tm.annotator.ok(`query($p: ID!) { project(id: $p) { taskCount } tasks(projectId: $p, first: 1) { totalCount } }`, map[string]any{"p": id})
	if mine, all := path(d, "project", "taskCount"), path(d, "tasks", "totalCount"); mine != all || mine == float64(160) {
		t.Fatalf("an annotator counts %v tasks, %v in the data manager (the project has 160)", mine, all)
	}

	// A project from before the counters has none (NULL); the next start
	// counts it.
	token := str(tm.owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	tm.s.stop()
	db := openTestDB(t, tm.s)
	if _, err := db.Exec(`UPDATE projects SET task_count = NULL, labeled_count = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s2 := mustStartIn(t, tm.s.DataDir, tm.s.env)
	if tasks2, labeled2 := checkCounters(t, s2.tokenClient(t, token), id, "after the migration"); tasks2 != 160 || labeled2 == 0 {
		t.Fatalf("the migration counted %d tasks, %d labeled", tasks2, labeled2)
	}
}

// openTestDB opens the database of a stopped test server directly.
func openTestDB(t *testing.T, s *testServer) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+filepath.Join(s.DataDir, "gloss.db")
	if u := s.env["DATABASE_URL"]; u != "" {
		driver, dsn = "pgx", u
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestOverlapChangesAtOnceKeepTheCount: two managers change a project's
// overlap at the same moment, one to 3 and one back to 2. Whichever wins,
// labeledCount counts the tasks that have the overlap that stands: each
// update compares the overlap it replaces, read with the row locked, not
// one another update was about to change.
func TestOverlapChangesAtOnceKeepTheCount(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, map[string]any{"overlap": 2})
	other := tm.joinAs(t, "ADMIN")
	var tasks []any
	for i := range 10 {
		tasks = append(tasks, map[string]any{"text": fmt.Sprintf("task %d", i)})
	}
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": tasks})
	for i, id := range taskIDs(t, tm.owner, p, nil) {
		for range 2 + i%2 { // five tasks with 2 annotations, five with 3
			tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": id, "result": choice("Positive")}})
		}
	}
	const update = `mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }`
	want := map[float64]float64{2: 10, 3: 5}
	for round := range 20 {
		var wg sync.WaitGroup
		for _, c := range []struct {
			b       *browser
			overlap int
		}{{tm.owner, 3}, {other, 2}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.b.ok(update, map[string]any{"id": p, "i": map[string]any{"overlap": c.overlap}})
			}()
		}
		wg.Wait()
		d := tm.owner.ok(`query($p: ID!) { project(id: $p) { overlap labeledCount } }`, map[string]any{"p": p})
		overlap, labeled := path(d, "project", "overlap").(float64), path(d, "project", "labeledCount").(float64)
		if labeled != want[overlap] {
			t.Fatalf("round %d: overlap %v with labeledCount %v, want %v", round, overlap, labeled, want[overlap])
		}
		// Back to 2 for the next round.
		tm.owner.ok(update, map[string]any{"id": p, "i": map[string]any{"overlap": 2}})
	}
}
