package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gloss/internal/export"
)

// seededTask makes a project whose annotators see each other's work, hands
// its one task to the team's annotator and has the owner (who may, being
// above manager) add n annotations to it. A task holds at most 100 made
// so; past that, an insider copies them, as an earlier release could have
// let a task gather. It returns the project and task.
func seededTask(t *testing.T, tm *team, n int) (projectID, taskID string) {
	t.Helper()
	projectID = tm.project(t, textClassification, nil)
	tm.owner.ok(`mutation($p: ID!) { updateProject(id: $p, input: {annotatorsSeeOthers: true}) { id } }`, map[string]any{"p": projectID})
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": []any{map[string]any{"text": "one task, many annotations"}}})
	taskID = handOut(tm.annotator, projectID)
	for i := 0; i < min(n, 100); i++ {
		tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})
	}
	if n > 100 {
		db := insider(t, tm.s)
		rows, err := db.SQL.Query("SELECT * FROM annotations WHERE 1 = 0")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		cols = slices.DeleteFunc(cols, func(c string) bool { return c == "id" })
		list := strings.Join(cols, ", ")
		mustExec(t, db, rebind(db, "INSERT INTO annotations ("+list+") SELECT "+list+" FROM annotations WHERE task_id = $1 LIMIT "+fmt.Sprint(n-100)), taskID)
		mustExec(t, db, rebind(db, "UPDATE tasks SET total_annotations = total_annotations + "+fmt.Sprint(n-100)+" WHERE id = $1"), taskID)
	}
	return projectID, taskID
}

// heapInUse returns the server's (this process's) heap in use after a GC.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestNestedListsAreBounded is finding 1: with 150 annotations on a task,
// an annotator's nested query is refused before it runs (one error), the
// lists that do run are capped, and while the heaviest allowed queries run
// in parallel a colleague's query answers and the heap stays bounded.
func TestNestedListsAreBounded(t *testing.T) {
	tm := MustTeam(t)
	projectID, taskID := seededTask(t, tm, 150)
	vars := map[string]any{"t": taskID}

	nested := `query($t: ID!) { task(id: $t) { annotations { task { annotations { task { annotations { id } } } } } } }`
	for _, q := range []string{
		nested,
		`query($t: ID!) { task(id: $t) { annotations { task { annotations { id } } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 100) { edges { node { annotations { id result } } } } }`,
	} {
		r := tm.annotator.gql(q, map[string]any{"t": taskID, "p": projectID})
		if r.Code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Data != nil {
			t.Fatalf("want one BAD_USER_INPUT and no data, got %d errors: %.500s\nquery: %s", len(r.Errors), r.Raw, q)
		}
		if !strings.Contains(r.Errors[0].Message, "complexity") {
			t.Fatalf("the refusal does not say why: %s", r.Errors[0].Message)
		}
	}

	// One level runs, capped in SQL at 100 of the 150.
	d := tm.annotator.ok(`query($t: ID!) { task(id: $t) { totalAnnotations annotations { id } } }`, vars)
	if n := len(path(d, "task", "annotations").([]any)); n != 100 {
		t.Fatalf("task.annotations has %d items, want the cap of 100", n)
	}
	if path(d, "task", "totalAnnotations").(float64) != 150 {
		t.Fatalf("the seed did not store 150 annotations: %v", d)
	}

	// The heaviest queries the budget allows, several at once, and a
	// colleague's query in the middle of them.
	heavy := `query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id annotations { id result createdAt completedBy { id displayName } task { id } } } } } }`
	before := heapInUse()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				r := tm.annotator.gql(heavy, map[string]any{"p": projectID})
				if len(r.Errors) > 0 {
					errs <- r.Raw
					return
				}
				if n := len(path(r.Data, "tasks", "edges", 0, "node", "annotations").([]any)); n != 100 {
					errs <- fmt.Sprintf("heavy query read %d annotations", n)
				}
				r = tm.annotator.gql(nested, vars)
				if r.Code() != "BAD_USER_INPUT" {
					errs <- r.Raw
				}
			}
		}()
	}
	colleague := tm.s.browser(t)
	colleague.ok(signupMutation, signupVars(uniqueEmail("colleague"), ownerPassword, inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))))
	if id := str(colleague.ok(`{ viewer { id } organization { title } }`, nil), "viewer", "id"); id == "" {
		t.Fatal("the colleague's query did not answer")
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for e := range errs {
		t.Fatalf("a heavy query failed: %.500s", e)
	}
	if p := peak.Load(); p > before && p-before > 300<<20 {
		t.Fatalf("the heap grew by %d MB while the queries ran", (p-before)>>20)
	}
	t.Logf("heap before %d MB, peak %d MB", before>>20, peak.Load()>>20)
}

// TestEveryListIsCappedOverHTTP checks the caps that a member reaches
// through plain lists, and that an out-of-range `first` anywhere is
// refused before anything runs (one error, no data).
func TestEveryListIsCappedOverHTTP(t *testing.T) {
	tm := MustTeam(t)
	for _, q := range []string{
		`{ viewer { id } members(first: 101) { totalCount } }`,
		`{ viewer { id } projects(first: 0) { totalCount } }`,
		`{ viewer { id } projects(first: -100000) { totalCount } a: members(first: 100) { edges { node { user { id } } } } }`,
		`query($n: Int) { viewer { id } myAnnotations(first: $n) { totalCount } }`,
	} {
		r := tm.annotator.gql(q, map[string]any{"n": 1000})
		if r.Code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Data != nil || !strings.Contains(r.Errors[0].Message, "first") {
			t.Fatalf("want one BAD_USER_INPUT about first and no data: %s\nquery: %s", r.Raw, q)
		}
	}
	// A cursor is untrusted input too: garbage, or a well-formed one whose
	// order key is not a scalar (what FuzzTaskCursor found), is the
	// caller's error, not an internal one.
	projectID := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	mapValue := base64.RawStdEncoding.EncodeToString([]byte{0x82, 0xa1, 'i', 0x01, 0xa1, 'v', 0x81, 0xa1, 'a', 0x01})
	for _, cursor := range []string{"garbage!", mapValue} {
		for _, q := range []string{
			`query($c: Cursor, $p: ID!) { tasks(projectId: $p, first: 5, after: $c, orderBy: {field: CREATED_AT, direction: ASC}) { totalCount } }`,
			`query($c: Cursor) { projects(first: 5, after: $c) { totalCount } }`,
			`query($c: Cursor) { members(first: 5, after: $c) { totalCount } }`,
		} {
			r := tm.owner.gql(q, map[string]any{"c": cursor, "p": projectID})
			if r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("cursor %q: want BAD_USER_INPUT, got %s\nquery: %s", cursor, r.Raw, q)
			}
		}
	}
	if log := tm.s.log(t); strings.Contains(log, "internal error") {
		t.Fatalf("a bad cursor was logged as an internal error:\n%s", log)
	}
}

// TestDirectiveFlood is finding 11: many directives, unknown or repeated,
// answer with one error, not one per directive.
func TestDirectiveFlood(t *testing.T) {
	s, owner := MustOwner(t, nil)
	unknown := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " @d%d", i)
		}
		return b.String()
	}
	for _, tc := range []struct{ name, query string }{
		{"50 unknown directives", "{ viewer" + unknown(50) + " { id } }"},
		{"50 repeated directives", "{ viewer" + strings.Repeat(" @include(if: true)", 50) + " { id } }"},
		{"15 unknown directives (under the limit)", "{ viewer" + unknown(15) + " { id } }"},
		{"unknown directives in a fragment", "query { ...F } fragment F on Query { viewer" + unknown(30) + " { id } }"},
		{"many unknown fields", "{ viewer { " + strings.Repeat("nope ", 40) + "} }"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := owner.gql(tc.query, nil)
			if len(r.Errors) != 1 || r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("want exactly one BAD_USER_INPUT, got %d: %.600s", len(r.Errors), r.Raw)
			}
			if len(r.Raw) > 1024 {
				t.Fatalf("the answer is %d bytes", len(r.Raw))
			}
		})
	}
	if log := s.log(t); strings.Contains(log, "internal error") {
		t.Fatalf("the flood was logged as an internal error:\n%s", log)
	}
}

// TestMalformedBodies is finding 12: every malformed JSON body is a clear
// BAD_USER_INPUT, never a panic or INTERNAL, and the log stays clean.
func TestMalformedBodies(t *testing.T) {
	s, owner := MustOwner(t, nil)
	before := len(s.Out.String())
	for _, body := range []string{
		`{`,
		`}`,
		``,
		`null`,
		`"x"`,
		`1`,
		`true`,
		`{}`,
		`{"query":1}`,
		`{"query":null}`,
		`{"query":["{viewer{id}}"]}`,
		`{"query":{"a":1}}`,
		`{"query":"{viewer{id}}","variables":[]}`,
		`{"query":"{viewer{id}}","variables":"{}"}`,
		`{"query":"{viewer{id}}","variables":1}`,
		`{"query":"{viewer{id}}","operationName":5}`,
		`{"query":"{viewer{id}}","operationName":{}}`,
		`{"query":"{viewer{id}}","extensions":[]}`,
		`{"query":"{viewer{id}}"} {"query":"{viewer{id}}"}`,
		`{"query":"{viewer{id}}"}garbage`,
		`{"query":"{viewer{id}}",}`,
		`{"query":"{viewer{id}}"`,
		"{\"query\":\"{viewer{id}}\xff\"}",
		"\xff\xfe{}",
		`{"query":"{viewer{id}}","variables":{"a":}}`,
		`{"query":"\u0000"}`,
		`{"query":""}`,
		`{"query":"{viewer{id}}","operationName":"Nope"}`,
		`{"query":"query A{viewer{id}} query B{viewer{id}}"}`,
		`{"query":"{viewer{id}","variables":null}`,
	} {
		r := owner.raw(http.MethodPost, "application/json", []byte(body))
		if r.Code() != "BAD_USER_INPUT" || len(r.Errors) != 1 {
			t.Errorf("body %q: want one BAD_USER_INPUT, got %d %s", body, r.Status, r.Raw)
			continue
		}
		if msg := r.Errors[0].Message; msg == "" || strings.Contains(msg, "panic") || strings.Contains(msg, "internal") {
			t.Errorf("body %q: unclear message %q", body, msg)
		}
		if len(body) > 8 && strings.Contains(r.Raw, body) {
			t.Errorf("body %q is echoed back: %s", body, r.Raw)
		}
	}
	// The server still serves, and logged no panic or internal error.
	owner.ok(`{ viewer { id } }`, nil)
	if log := s.log(t)[before:]; strings.Contains(log, "panic") || strings.Contains(log, "internal error") {
		t.Fatalf("malformed bodies reached the log as faults:\n%s", log)
	}
}

// TestCancelledRequestsAreNotInternalErrors is finding 1's log flood:
// requests whose client goes away mid-way are at most one quiet line each,
// never "internal error".
func TestCancelledRequestsAreNotInternalErrors(t *testing.T) {
	tm := MustTeam(t)
	projectID, _ := seededTask(t, tm, 100)
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": func() []any {
		var ts []any
		for i := 0; i < 200; i++ {
			ts = append(ts, map[string]any{"text": fmt.Sprintf("task %d", i)})
		}
		return ts
	}()})
	heavy, _ := json.Marshal(map[string]any{
		"query":     `query($p: ID!) { tasks(projectId: $p, first: 4) { edges { node { id data annotations { id result createdAt completedBy { id displayName } task { id data } } } } } }`,
		"variables": map[string]any{"p": projectID},
	})
	token := str(tm.owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	const requests = 30
	for i := 0; i < requests; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(1+i%10)*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tm.s.URL+"/graphql", bytes.NewReader(heavy))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Token "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		cancel()
	}
	// Let the server notice the last ones, then read its log.
	tm.owner.ok(`{ viewer { id } }`, nil)
	time.Sleep(200 * time.Millisecond)
	log := tm.s.log(t)
	if strings.Contains(log, "internal error") || strings.Contains(log, "panic") {
		t.Fatalf("a cancelled request was logged as a fault:\n%.3000s", log)
	}
	if n := strings.Count(log, "graphql request cancelled"); n > requests {
		t.Fatalf("%d cancellation lines for %d requests", n, requests)
	}
	t.Logf("%d of %d requests were cancelled mid-way", strings.Count(log, "graphql request cancelled"), requests)
}

// TestOneAnnotationPerTask: an annotator's second createAnnotation on a
// task is refused (pointing to updateAnnotation) and changes nothing;
// owners, admins and managers may add more; and two concurrent creates by
// one annotator store one annotation.
func TestOneAnnotationPerTask(t *testing.T) {
	tm := MustTeam(t)
	projectID := tm.project(t, textClassification, nil)
	var texts []any
	for i := 0; i < 6; i++ {
		texts = append(texts, map[string]any{"text": fmt.Sprintf("text %d", i)})
	}
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": texts})
	state := func(taskID string) string {
		d := tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations annotations { id result wasCancelled } } }`, map[string]any{"t": taskID})
		b, _ := json.Marshal(d)
		return string(b)
	}

	taskID := handOut(tm.annotator, projectID)
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})
	was := state(taskID)
	for _, in := range []map[string]any{
		{"taskId": taskID, "result": choice("Negative")},
		{"taskId": taskID, "result": []any{}, "wasCancelled": true},
	} {
		r := tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": in})
		if !strings.Contains(r.Errors[0].Message, "updateAnnotation") {
			t.Fatalf("the refusal does not point to updateAnnotation: %s", r.Errors[0].Message)
		}
	}
	if now := state(taskID); now != was {
		t.Fatalf("a refused create changed the task:\n%s\n%s", was, now)
	}
	// The owner may add more than one.
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Neutral")}})
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Negative")}})
	if n := path(tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations } }`, map[string]any{"t": taskID}), "task", "totalAnnotations"); n.(float64) != 3 {
		t.Fatalf("totalAnnotations = %v, want 3", n)
	}

	// Concurrent pairs, on fresh tasks.
	for round := 0; round < 4; round++ {
		tid := handOut(tm.annotator, projectID)
		var wg sync.WaitGroup
		results := make([]*gqlResponse, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = tm.annotator.gql(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": choice("Positive")}})
			}()
		}
		wg.Wait()
		ok, refused := 0, 0
		for _, r := range results {
			switch {
			case len(r.Errors) == 0:
				ok++
			case r.Code() == "BAD_USER_INPUT" && strings.Contains(r.Errors[0].Message, "updateAnnotation"):
				refused++
			default:
				t.Fatalf("round %d: unexpected answer %s", round, r.Raw)
			}
		}
		d := tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations annotations { id } } }`, map[string]any{"t": tid})
		if ok != 1 || refused != 1 || path(d, "task", "totalAnnotations").(float64) != 1 || len(path(d, "task", "annotations").([]any)) != 1 {
			t.Fatalf("round %d: %d created, %d refused, task now %v", round, ok, refused, d)
		}
	}
}

// TestSearchRefusesNUL is what FuzzTaskFilter found: a search holding a NUL
// matched every task on SQLite (LIKE ends its pattern there) and was an
// internal error on PostgreSQL; it is the caller's error now.
func TestSearchRefusesNUL(t *testing.T) {
	tm := MustTeam(t)
	projectID := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": []any{map[string]any{"text": "alpha"}, map[string]any{"text": "beta"}}})
	q := `query($p: ID!, $s: String) { tasks(projectId: $p, first: 10, filter: {search: $s}) { totalCount } }`
	r := tm.owner.wantCode("BAD_USER_INPUT", q, map[string]any{"p": projectID, "s": "a\x00"})
	if !strings.Contains(r.Errors[0].Message, "NUL") {
		t.Fatalf("the refusal does not say why: %s", r.Errors[0].Message)
	}
	if n := path(tm.owner.ok(q, map[string]any{"p": projectID, "s": "alph"}), "tasks", "totalCount"); n.(float64) != 1 {
		t.Fatalf("a plain search found %v tasks", n)
	}
}

// TestFilteredTaskPagesAreChargedTheirScan: a filtered page of tasks
// reads the project's tasks until the page is full (all of them when few
// match), whatever its `first`, so the complexity budget charges it as
// such. Charged as a field, one request held a filtered page with its
// totalCount for each project of a projects page, or fifteen of them under
// aliases, each reading a whole project; now such a request is refused
// before it runs, while the data manager's own page (50 rows, every
// column, a filter and its count) still fits.
func TestFilteredTaskPagesAreChargedTheirScan(t *testing.T) {
	tm := MustTeam(t)
	projectID := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	var aliases strings.Builder
	aliases.WriteString(`query($p: ID!) {`)
	for i := range 5 {
		fmt.Fprintf(&aliases, ` t%d: tasks(projectId: $p, first: 1, filter: {search: "needle %d"}) { totalCount }`, i, i)
	}
	aliases.WriteString(` }`)
	for _, q := range []string{
		`{ projects(first: 20) { edges { node { tasks(first: 1, filter: {search: "needle"}) { totalCount } } } } }`,
		`{ projects(first: 5) { edges { node { tasks(first: 1, filter: {label: "Positive"}) { totalCount } } } } }`,
		aliases.String(),
	} {
		for _, b := range []*browser{tm.annotator, tm.owner} {
			r := b.gql(q, map[string]any{"p": projectID})
			if r.Code() != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Data != nil || !strings.Contains(r.Errors[0].Message, "complexity") {
				t.Fatalf("want one BAD_USER_INPUT about complexity and no data, got %.500s\nquery: %s", r.Raw, q)
			}
		}
	}
	// The data manager's page, as the app asks for it.
	const page = `query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {
		tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
			totalCount
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { ...TaskRowFields labels reviewStates predictionScore annotators @include(if: $withAnnotators) { id displayName } } }
		}
	}
	fragment TaskRowFields on Task { id innerId data totalAnnotations cancelledAnnotations createdAt updatedAt }`
	d := tm.owner.ok(page, map[string]any{"projectId": projectID, "first": 50, "withAnnotators": true,
		"filter": map[string]any{"search": "a", "label": "Positive", "data": []any{map[string]any{"key": "text", "contains": "a"}}}})
	if n := path(d, "tasks", "totalCount").(float64); n != 0 {
		t.Fatalf("the filtered page counts %v tasks", n)
	}
	d = tm.owner.ok(page, map[string]any{"projectId": projectID, "first": 50, "withAnnotators": true, "filter": map[string]any{"search": "a"}})
	if n := path(d, "tasks", "totalCount").(float64); n != 1 {
		t.Fatalf("the filtered page counts %v tasks, want 1", n)
	}
}

// TestConfigParsesAreCharged: Project.exportFormats and Project.dataKeys
// each parse the project's labeling configuration (10 ms at 256 KiB), so
// each costs as much as a hundred fields: a request makes at most a hundred
// parses. Aliases of them over a page of a hundred projects made 1,100,
// 11 s of a core for one request of 700 bytes.
func TestConfigParsesAreCharged(t *testing.T) {
	_, owner := MustOwner(t, nil)
	var fields strings.Builder
	for i := range 11 {
		fmt.Fprintf(&fields, " f%d: exportFormats { name }", i)
	}
	q := `{ projects(first: 100) { edges { node { id` + fields.String() + ` } } } }`
	r := owner.gql(q, nil)
	if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Raw, "complexity") {
		t.Fatalf("eleven exportFormats on a page of 100 projects: %.300s", r.Raw)
	}
	// What the SPA asks: a project's formats and data keys, once each.
	p := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "P", "labelConfig": textClassification}}), "createProject", "id")
	d := owner.ok(`query($p: ID!) { project(id: $p) { dataKeys exportFormats { name fits } } }`, map[string]any{"p": p})
	if keys := path(d, "project", "dataKeys").([]any); len(keys) != 1 || keys[0] != "text" {
		t.Errorf("dataKeys: %v", keys)
	}
	if n := len(path(d, "project", "exportFormats").([]any)); n != len(export.Formats) {
		t.Errorf("%d export formats, want %d", n, len(export.Formats))
	}
}
