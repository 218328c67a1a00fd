package main

import (
	"bytes"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gloss/ent"
)

// TestNULsAreRefusedWithAClearError: a NUL (GraphQL carries one as
// "\u0000") in a name, a review comment, a webhook URL or an audit filter
// is refused as bad input on either database, where PostgreSQL answered an
// internal error, and nothing is written; a NUL in a sign-in's email is a
// failed sign-in that the audit log keeps.
func TestNULsAreRefusedWithAClearError(t *testing.T) {
	tm := benchTeam(t)
	owner := tm.owner
	countProjects := func() int {
		return int(path(owner.ok(`{ projects(first: 50) { totalCount } }`, nil), "projects", "totalCount").(float64))
	}
	before := countProjects()
	owner.wantCode("BAD_USER_INPUT", createProject, map[string]any{"i": map[string]any{"title": "a\x00b", "labelConfig": textClassification}})
	owner.wantCode("BAD_USER_INPUT", createProject, map[string]any{"i": map[string]any{"title": "fine", "description": "x\x00", "labelConfig": textClassification}})
	if n := countProjects(); n != before {
		t.Fatalf("%d projects after refused creations, want %d", n, before)
	}
	owner.wantCode("BAD_USER_INPUT", `mutation { createWorkspace(title: "w\u0000") { id } }`, nil)
	owner.wantCode("BAD_USER_INPUT", `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"url": "https://hooks.example.com/#\x00", "events": []string{"ANNOTATION_CREATED"}}})
	if n := len(path(owner.ok(`{ organization { webhooks { id } } }`, nil), "organization", "webhooks").([]any)); n != 0 {
		t.Fatalf("%d webhooks after a refused creation", n)
	}
	for _, f := range []string{"action", "targetType", "targetId"} {
		owner.wantCode("BAD_USER_INPUT", `query($f: AuditFilter) { auditEvents(first: 5, filter: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{f: "a\x00"}})
	}

	// A failure for no account belongs to no organization: read the rows.
	tm.s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars("ann\x00@example.com", "some password"))
	driver, dsn := "sqlite3", "file:"+filepath.Join(tm.s.DataDir, "gloss.db")+"?_busy_timeout=5000"
	if u := tm.s.env["DATABASE_URL"]; u != "" {
		driver, dsn = "pgx", u
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'login.failed'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d login.failed events after a sign-in with a NUL in its email, want 1", n)
	}
}

// TestObjectsWithNamesThatAreNotTextArePassedOver: a source storage holding
// an object whose name is not UTF-8 text syncs the others and says how many
// it passed over (on PostgreSQL the whole sync failed, for good, with the
// database's own error text).
func TestObjectsWithNamesThatAreNotTextArePassedOver(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ok.txt", "bad\xff.txt", "tab\tname.txt"} {
		if err := os.WriteFile(filepath.Join(root, "data", name), []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT", "kind": "LOCAL",
		"useBlobUrls": true, "local": map[string]any{"path": "data"}}}), "createStorage", "id")
	done := syncAndWait(t, owner, project, id)
	if str(done, "status") != "COMPLETED" || !strings.Contains(str(done, "message"), "2 objects were passed over") {
		t.Fatalf("sync: %v", done)
	}
	if tasks := projectTasks(t, owner, project); len(tasks) != 1 {
		t.Fatalf("the sync made %d tasks, want 1 (ok.txt)", len(tasks))
	}
}

// TestForgedCursorsAreBadInput: a cursor is base64 msgpack that anyone can
// write; one whose value is not of the list's order (a string, bytes that
// are not UTF-8, a time for a count, a count for a time, any value for a
// list in id order) is refused as bad input on every list, where PostgreSQL
// answered an internal error. A cursor the server gave out still works.
func TestForgedCursorsAreBadInput(t *testing.T) {
	tm := benchTeam(t)
	owner := tm.owner
	project := tm.project(t, textClassification, nil)
	if r := upload(t, owner, project, map[string]string{"tasks.txt": "one\ntwo\nthree\n"}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	forge := func(v any) string {
		var b bytes.Buffer
		ent.Cursor{ID: 1, Value: v}.MarshalGQL(&b)
		return strings.Trim(b.String(), `"`)
	}
	text, bad, when, count := forge("abc"), forge("\xff"), forge(time.Now()), forge(int64(5))
	far, before, overflow := forge(time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)), forge(time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC)),
		forge(time.Unix(1<<62, 0))
	lists := []struct {
		query  string
		vars   map[string]any
		forged []string
	}{
		{`query($c: Cursor) { projects(first: 5, after: $c) { totalCount } }`, nil, []string{text, bad, count, far, before, overflow}},
		{`query($c: Cursor) { members(first: 5, after: $c) { totalCount } }`, nil, []string{text, bad, count, when}},
		{`query($c: Cursor) { auditEvents(first: 5, after: $c) { totalCount } }`, nil, []string{text, bad, count, when}},
		{`query($c: Cursor) { myAnnotations(first: 5, after: $c) { totalCount } }`, nil, []string{text, bad, count, when}},
		{`query($p: ID!, $c: Cursor) { tasks(projectId: $p, first: 1, after: $c) { totalCount } }`,
			map[string]any{"p": project}, []string{text, bad, count, when}},
		{`query($p: ID!, $c: Cursor) { tasks(projectId: $p, first: 1, after: $c, orderBy: {field: ANNOTATION_COUNT, direction: ASC}) { totalCount } }`,
			map[string]any{"p": project}, []string{text, bad, when}},
		{`query($p: ID!, $c: Cursor) { tasks(projectId: $p, first: 1, after: $c, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount } }`,
			map[string]any{"p": project}, []string{text, bad, count, far, before, overflow}},
	}
	for _, l := range lists {
		for _, c := range l.forged {
			vars := map[string]any{"c": c}
			for k, v := range l.vars {
				vars[k] = v
			}
			owner.wantCode("BAD_USER_INPUT", l.query, vars)
		}
	}
	// The server's own cursors, of every list.
	tm.project(t, textClassification, nil) // a second project, a second page
	for _, l := range []struct{ query, field string }{
		{`query($c: Cursor) { projects(first: 1, after: $c) { totalCount pageInfo { endCursor hasNextPage } } }`, "projects"},
		{`query($c: Cursor) { auditEvents(first: 1, after: $c) { totalCount pageInfo { endCursor hasNextPage } } }`, "auditEvents"},
	} {
		page := owner.ok(l.query, map[string]any{"c": nil})
		if path(page, l.field, "pageInfo", "hasNextPage") != true {
			t.Fatalf("%s: one page only: %v", l.field, page)
		}
		owner.ok(l.query, map[string]any{"c": path(page, l.field, "pageInfo", "endCursor")})
	}
	members := `query($c: Cursor) { members(first: 1, after: $c) { pageInfo { endCursor } } }`
	owner.ok(members, map[string]any{"c": path(owner.ok(members, map[string]any{"c": nil}), "members", "pageInfo", "endCursor")})
	mine := `query($c: Cursor) { myAnnotations(first: 1, after: $c) { pageInfo { endCursor } } }`
	owner.ok(mine, map[string]any{"c": path(owner.ok(mine, map[string]any{"c": nil}), "myAnnotations", "pageInfo", "endCursor")})

	// The server's own cursors, of each task order.
	for _, order := range []string{"ID", "ANNOTATION_COUNT", "CREATED_AT"} {
		q := `query($p: ID!, $c: Cursor) { tasks(projectId: $p, first: 1, after: $c, orderBy: {field: ` + order + `, direction: ASC}) {
			edges { node { id } } pageInfo { endCursor } } }`
		page := owner.ok(q, map[string]any{"p": project, "c": nil})
		next := owner.ok(q, map[string]any{"p": project, "c": path(page, "tasks", "pageInfo", "endCursor")})
		if a, b := str(path(page, "tasks", "edges").([]any)[0], "node", "id"), str(path(next, "tasks", "edges").([]any)[0], "node", "id"); a == b {
			t.Fatalf("%s: the second page repeats the first (%s)", order, a)
		}
	}
}
