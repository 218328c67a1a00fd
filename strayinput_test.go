package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
