package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"gloss/internal/audit"
)

const auditQuery = `query($f: AuditFilter) { auditEvents(first: 100, filter: $f) { totalCount edges { node { action actorId targetType targetId clientAddress userAgent requestId details } } } }`

func actions(t *testing.T, b *browser, filter map[string]any) []string {
	t.Helper()
	d := b.ok(auditQuery, map[string]any{"f": filter})
	var out []string
	for _, e := range path(d, "auditEvents", "edges").([]any) {
		out = append(out, str(e, "node", "action"))
	}
	return out
}

func TestAuditLog(t *testing.T) {
	tm := MustTeam(t)
	s := tm.s
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": "not it at all"}})
	tm.owner.ok(`mutation { resetApiToken { token } }`, nil)
	tm.owner.ok(`mutation { resetInviteLink { id } }`, nil)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	ann := idOf(t, tm.annotator)
	tm.owner.ok(roleMutation, map[string]any{"u": ann, "r": "MANAGER"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/projects/"+id+"/export?format=CSV", nil)
	tm.owner.do(req)
	tid := str(tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { id } } } }`, map[string]any{"p": id}), "tasks", "edges", 0, "node", "id")
	tm.owner.ok(`query($t: ID!) { task(id: $t) { data } }`, map[string]any{"t": tid})

	got := strings.Join(actions(t, tm.owner, nil), " ")
	for _, want := range []string{"login.failed", "api_token.reset", "invite.reset", "project.create", "project.tasks_imported", "member.role_changed", "membership.update", "project.exported", "signup", "membership.create", "task.viewed"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %s: %s", want, got)
		}
	}
	if strings.Contains(got, "task.create") {
		t.Errorf("imports log one event, not one per task: %s", got)
	}
	// Events carry actor, address, user agent and request id.
	d := tm.owner.ok(auditQuery, map[string]any{"f": map[string]any{"action": "member.role_changed"}})
	e := path(d, "auditEvents", "edges", 0, "node")
	if str(e, "actorId") != idOf(t, tm.owner) || str(e, "targetId") != ann || str(e, "clientAddress") != "127.0.0.1" ||
		str(e, "requestId") == "" || str(e, "userAgent") == "" || path(e, "details", "to") != "MANAGER" {
		t.Fatalf("role change event: %v", e)
	}
	if n := len(actions(t, tm.owner, map[string]any{"action": "login."})); n < 1 {
		t.Fatal("prefix filter found no login events")
	}
	// Secrets never reach the log.
	raw := tm.owner.gql(auditQuery, nil).Raw
	if strings.Contains(raw, ownerPassword) || strings.Contains(raw, "gls_") {
		t.Fatal("a secret is in the audit log")
	}

	// Managers and annotators cannot read it; nor the download.
	tm.annotator.wantCode("FORBIDDEN", auditQuery, nil)
	dl := func(b *browser) *gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/audit-events.jsonl", nil)
		return b.do(req)
	}
	if r := dl(tm.annotator); r.Status != http.StatusForbidden {
		t.Fatalf("manager download: %d", r.Status)
	}
	r := dl(tm.owner)
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(r.Raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line["hash"] == nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		lines++
	}
	if r.Status != 200 || lines < 10 {
		t.Fatalf("download: %d, %d lines", r.Status, lines)
	}

	// Another organization's owner sees none of it.
	tm.annotator.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	orgs := tm.annotator.ok(`{ organizations { id title } }`, nil)["organizations"].([]any)
	for _, o := range orgs {
		if str(o, "title") == "Elsewhere" {
			tm.annotator.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": str(o, "id")})
		}
	}
	if got := strings.Join(actions(t, tm.annotator, nil), " "); strings.Contains(got, "project.create") || strings.Contains(got, "invite.reset") {
		t.Fatalf("another organization's events leaked: %s", got)
	}
}

func TestAuditVerify(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"DATABASE_URL": ""})
	owner.ok(`mutation { resetApiToken { token } }`, nil)
	owner.ok(`mutation { resetInviteLink { id } }`, nil)
	s.stop()

	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), []string{"audit", "verify", "--data-dir", s.DataDir}, func(string) string { return "" }, &out)
		return out.String(), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify on an intact log: %q, %v", out, err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(s.DataDir, "gloss.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// An edited row breaks the chain...
	if _, err := db.Exec(`UPDATE audit_events SET action = 'nothing.happened' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "edited") {
		t.Fatalf("verify after an edit: %v", err)
	}
	// ...and so does a removed one, even with the edit undone.
	if _, err := db.Exec(`DELETE FROM audit_events WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "removed") {
		t.Fatalf("verify after a removal: %v", err)
	}
}
