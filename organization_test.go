package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	roleMutation   = `mutation($u: ID!, $r: Role!) { updateMemberRole(userId: $u, role: $r) { role } }`
	removeMutation = `mutation($u: ID!) { removeMember(userId: $u) }`
	deactivate     = `mutation($u: ID!) { deactivateUser(userId: $u) { active } }`
	viewerID       = `{ viewer { id } }`
)

func roleOf(t *testing.T, b *browser) string {
	t.Helper()
	return str(b.ok(`{ organization { viewerRole } }`, nil), "organization", "viewerRole")
}

func idOf(t testing.TB, b *browser) string {
	t.Helper()
	return str(b.ok(viewerID, nil), "viewer", "id")
}

func TestRoles(t *testing.T) {
	tm := MustTeam(t)
	ann := idOf(t, tm.annotator)
	owner := idOf(t, tm.owner)

	// An annotator changes no roles, their own included.
	tm.annotator.wantCode("FORBIDDEN", roleMutation, map[string]any{"u": ann, "r": "OWNER"})
	if roleOf(t, tm.annotator) != "ANNOTATOR" {
		t.Fatal("a refused role change took effect")
	}
	// The owner makes the annotator an admin; an admin cannot make owners.
	tm.owner.ok(roleMutation, map[string]any{"u": ann, "r": "ADMIN"})
	admin := tm.annotator
	if roleOf(t, admin) != "ADMIN" {
		t.Fatal("role change did not take effect")
	}
	admin.wantCode("FORBIDDEN", roleMutation, map[string]any{"u": ann, "r": "OWNER"})
	admin.wantCode("FORBIDDEN", roleMutation, map[string]any{"u": owner, "r": "ANNOTATOR"})
	if roleOf(t, tm.owner) != "OWNER" || roleOf(t, admin) != "ADMIN" {
		t.Fatal("a refused role change took effect")
	}
	// The last owner keeps the role; ownership moves by making another owner.
	tm.owner.wantCode("BAD_USER_INPUT", roleMutation, map[string]any{"u": owner, "r": "ADMIN"})
	tm.owner.ok(roleMutation, map[string]any{"u": ann, "r": "OWNER"})
	tm.owner.ok(roleMutation, map[string]any{"u": owner, "r": "ADMIN"})
	if roleOf(t, tm.owner) != "ADMIN" || roleOf(t, admin) != "OWNER" {
		t.Fatal("ownership was not transferred")
	}
	// The former owner, now an admin, cannot touch the new owner.
	tm.owner.wantCode("FORBIDDEN", roleMutation, map[string]any{"u": ann, "r": "ANNOTATOR"})
	if roleOf(t, admin) != "OWNER" {
		t.Fatal("a refused role change took effect")
	}
}

func TestRemoveAndDeactivate(t *testing.T) {
	tm := MustTeam(t)
	invite := inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	second := tm.s.browser(t)
	second.ok(signupMutation, signupVars(uniqueEmail("second"), ownerPassword, invite))
	token := str(second.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	secondID := idOf(t, second)

	// Annotators cannot remove or deactivate anyone.
	tm.annotator.wantCode("FORBIDDEN", removeMutation, map[string]any{"u": secondID})
	tm.annotator.wantCode("FORBIDDEN", deactivate, map[string]any{"u": secondID})
	if path(second.ok(viewerID, nil), "viewer") == nil || memberCount(t, tm.owner) != 3 {
		t.Fatal("a refused removal took effect")
	}

	// Deactivation ends the sessions and the token at once.
	if d := tm.owner.ok(deactivate, map[string]any{"u": secondID}); path(d, "deactivateUser", "active") != false {
		t.Fatalf("%v", d)
	}
	if path(second.ok(viewerID, nil), "viewer") != nil {
		t.Fatal("a deactivated user's session still works")
	}
	if r := s2token(t, tm.s, token); r.Status != http.StatusUnauthorized {
		t.Fatalf("a deactivated user's token still works: %d", r.Status)
	}
	tm.owner.wantCode("BAD_USER_INPUT", deactivate, map[string]any{"u": idOf(t, tm.owner)})

	// Removal: the member no longer sees the organization.
	annID := idOf(t, tm.annotator)
	tm.owner.ok(removeMutation, map[string]any{"u": annID})
	// With no organization left, the removed member is nobody.
	if path(tm.annotator.ok(viewerID, nil), "viewer") != nil {
		t.Fatal("a removed member still has a viewer")
	}
	if memberCount(t, tm.owner) != 2 {
		t.Fatal("member not removed")
	}
	// The last owner cannot leave.
	tm.owner.wantCode("BAD_USER_INPUT", removeMutation, map[string]any{"u": idOf(t, tm.owner)})
}

func s2token(t *testing.T, s *testServer, token string) *gqlResponse {
	t.Helper()
	return s.tokenClient(t, token).gql(viewerID, nil)
}

func TestOrganizationsAreIsolated(t *testing.T) {
	tm := MustTeam(t)
	projectA := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": projectA, "t": []any{map[string]any{"text": "secret of A"}}})
	taskA := str(tm.owner.ok(`query($p: ID!) { tasks(projectId: $p) { edges { node { id } } } }`, map[string]any{"p": projectA}), "tasks", "edges", 0, "node", "id")
	annID := idOf(t, tm.annotator)

	// The annotator creates an organization of their own and switches to it.
	orgB := str(tm.annotator.ok(`mutation { createOrganization(title: "Team B") { id viewerRole } }`, nil), "createOrganization", "id")
	if n := len(tm.annotator.ok(`{ organizations { id } }`, nil)["organizations"].([]any)); n != 2 {
		t.Fatalf("organizations = %d", n)
	}
	tm.annotator.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	if roleOf(t, tm.annotator) != "OWNER" || str(tm.annotator.ok(`{ organization { title } }`, nil), "organization", "title") != "Team B" {
		t.Fatal("switch did not take effect")
	}
	if u := str(tm.annotator.ok(`{ organization { inviteUrl } }`, nil), "organization", "inviteUrl"); !strings.Contains(u, "/signup?invite=") {
		t.Fatalf("a new organization has no invite link: %q", u)
	}
	// Nothing of A is visible or changeable from B.
	b := tm.annotator
	for _, q := range []string{
		`query($id: ID!) { project(id: $id) { id } }`,
		`query($id: ID!) { task(id: $id) { id } }`,
	} {
		id := projectA
		if q[14:18] == "task" {
			id = taskA
		}
		if d := b.ok(q, map[string]any{"id": id}); len(d) != 1 || path(d, "project") != nil || path(d, "task") != nil {
			t.Fatalf("%s: %v", q, d)
		}
	}
	b.wantCode("NOT_FOUND", `query($p: ID!) { tasks(projectId: $p) { totalCount } }`, map[string]any{"p": projectA})
	b.wantCode("NOT_FOUND", `query($p: ID!) { nextTask(projectId: $p) { id } }`, map[string]any{"p": projectA})
	b.wantCode("NOT_FOUND", createAnn, map[string]any{"i": map[string]any{"taskId": taskA, "result": []any{}}})
	b.wantCode("NOT_FOUND", `mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": projectA})
	b.wantCode("NOT_FOUND", roleMutation, map[string]any{"u": idOf(t, tm.owner), "r": "ANNOTATOR"})
	if r := upload(t, b, projectA, map[string]string{"x.txt": "x\n"}); r.Status != http.StatusNotFound {
		t.Fatalf("import into a foreign project: %d", r.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+projectA+"/export?format=JSON", nil)
	if r := b.do(req); r.Status != http.StatusNotFound {
		t.Fatalf("export of a foreign project: %d", r.Status)
	}
	if n := memberCount(t, b); n != 1 {
		t.Fatalf("B shows %d members", n)
	}
	// Switching to an organization one is not in is not found.
	tm.owner.wantCode("NOT_FOUND", `mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	if roleOf(t, tm.owner) != "OWNER" || taskCount(t, tm.owner, projectA) != 1 {
		t.Fatal("A changed")
	}
	_ = annID
}

func TestDeleteOrganization(t *testing.T) {
	tm := MustTeam(t)
	del := `mutation($o: ID!) { deleteOrganization(id: $o) }`
	defaultOrg := str(tm.owner.ok(orgQuery, nil), "organization", "id")
	tm.owner.wantCode("BAD_USER_INPUT", del, map[string]any{"o": defaultOrg})

	// The annotator founds B, fills it, and invites the first owner as admin.
	b := tm.annotator
	orgB := str(b.ok(`mutation { createOrganization(title: "Short-lived") { id } }`, nil), "createOrganization", "id")
	b.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	pid := str(b.ok(createProject, map[string]any{"i": map[string]any{"title": "B's", "labelConfig": textClassification}}), "createProject", "id")
	b.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "x"}}})
	link := str(b.ok(`mutation { createInvite(input: {role: ADMIN}) { url } }`, nil), "createInvite", "url")
	adminB := tm.s.browser(t)
	adminB.ok(signupMutation, signupVars(uniqueEmail("adminb"), ownerPassword, inviteToken(link)))

	// Not from another organization, and not by an admin.
	tm.owner.wantCode("NOT_FOUND", del, map[string]any{"o": orgB})
	adminB.wantCode("FORBIDDEN", del, map[string]any{"o": orgB})
	if !visible(t, b, pid) {
		t.Fatal("a refused deletion removed the project")
	}
	b.ok(del, map[string]any{"o": orgB})
	// B is gone for its members; the founder falls back to the default organization.
	if str(b.ok(`{ organization { id } }`, nil), "organization", "id") != defaultOrg {
		t.Fatal("the founder was not moved back to their other organization")
	}
	if path(adminB.ok(viewerID, nil), "viewer") != nil {
		t.Fatal("a member of a deleted organization is still someone")
	}
	if visible(t, b, pid) || taskCount(t, tm.owner, tm.project(t, textClassification, nil)) != 0 {
		t.Fatal("the deleted organization's project is still visible")
	}
}

// TestDeactivatedOwnersDoNotCount: an organization keeps an owner who can
// sign in. With the other owner deactivated (and no way back: nobody can
// reactivate an owner but an owner), the last active owner can neither
// step down nor leave; before, the deactivated owner counted as the one the
// organization kept, and it was left with nobody to run it.
func TestDeactivatedOwnersDoNotCount(t *testing.T) {
	tm := MustTeam(t)
	second := tm.joinAs(t, "OWNER")
	owner := idOf(t, tm.owner)
	tm.owner.ok(deactivate, map[string]any{"u": idOf(t, second)})

	tm.owner.wantCode("BAD_USER_INPUT", roleMutation, map[string]any{"u": owner, "r": "ADMIN"})
	tm.owner.wantCode("BAD_USER_INPUT", removeMutation, map[string]any{"u": owner})
	if roleOf(t, tm.owner) != "OWNER" || memberCount(t, tm.owner) != 3 {
		t.Fatal("a refused change took effect")
	}
}

// TestDeletingAnOrganizationLeavesNothingOfIt: what an organization held
// goes with it, not only its projects and tasks: its webhooks (an
// organization's own, which hang on no project) with their queued
// deliveries, whose payloads carry its tasks; the record of its uploads;
// and the uploaded files themselves.
func TestDeletingAnOrganizationLeavesNothingOfIt(t *testing.T) {
	recv := MustReceiver(t)
	recv.setStatus(http.StatusServiceUnavailable) // deliveries stay queued for their next attempt
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	b := tm.annotator
	orgB := str(b.ok(`mutation { createOrganization(title: "Short-lived") { id } }`, nil), "createOrganization", "id")
	b.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	pid := str(b.ok(createProject, map[string]any{"i": map[string]any{"title": "B's", "labelConfig": uploadImageConfig}}), "createProject", "id")
	b.ok(createWebhook, map[string]any{"i": map[string]any{"url": recv.URL + "/org", "events": []string{"PROJECT_UPDATED", "TASKS_CREATED"}}})
	if r := uploadFiles(t, b, pid, map[string][]byte{"a.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	waitFor(t, "a delivery attempt", func() bool { return len(recv.requests()) > 0 })

	// What the other organization holds stays.
	keep := tm.project(t, uploadImageConfig, nil)
	if r := uploadFiles(t, tm.owner, keep, map[string][]byte{"k.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	db := insider(t, tm.s)
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRow(rebind(db, query), args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	uploads := func(org string) []string {
		t.Helper()
		rows, err := db.SQL.Query(rebind(db, "SELECT name FROM uploads WHERE organization_id = $1"), org)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		return names
	}
	bFiles, keptFiles := uploads(orgB), uploads(str(tm.owner.ok(orgQuery, nil), "organization", "id"))
	if len(bFiles) != 1 || len(keptFiles) != 1 {
		t.Fatalf("uploads recorded: B %v, the other %v", bFiles, keptFiles)
	}
	before := func(table string) int {
		return count("SELECT COUNT(*) FROM "+table+" WHERE organization_id = $1", orgB)
	}
	if before("webhooks") != 1 || before("webhook_deliveries") == 0 {
		t.Fatalf("B has %d webhooks and %d deliveries", before("webhooks"), before("webhook_deliveries"))
	}

	// An admin may not delete it: the refusal comes last, after what the
	// organization holds was deleted in the same transaction, and that
	// rolls back, the files included.
	link := str(b.ok(`mutation { createInvite(input: {role: ADMIN}) { url } }`, nil), "createInvite", "url")
	adminB := tm.s.browser(t)
	adminB.ok(signupMutation, signupVars(uniqueEmail("adminb"), ownerPassword, inviteToken(link)))
	adminB.wantCode("FORBIDDEN", `mutation($o: ID!) { deleteOrganization(id: $o) }`, map[string]any{"o": orgB})
	for _, table := range []string{"webhooks", "uploads", "tasks", "projects"} {
		if n := before(table); n == 0 {
			t.Errorf("a refused deletion deleted the organization's %s", table)
		}
	}
	if _, err := os.Stat(filepath.Join(tm.s.DataDir, "uploads", bFiles[0])); err != nil {
		t.Errorf("a refused deletion removed the uploaded file: %v", err)
	}

	b.ok(`mutation($o: ID!) { deleteOrganization(id: $o) }`, map[string]any{"o": orgB})
	for _, table := range []string{"webhooks", "webhook_deliveries", "uploads", "tasks", "projects"} {
		if n := before(table); n != 0 {
			t.Errorf("%d rows of %s of the deleted organization are left", n, table)
		}
	}
	if n := count("SELECT COUNT(*) FROM upload_uses WHERE name = $1", bFiles[0]); n != 0 {
		t.Errorf("%d uses of the deleted organization's upload are left", n)
	}
	if _, err := os.Stat(filepath.Join(tm.s.DataDir, "uploads", bFiles[0])); !os.IsNotExist(err) {
		t.Errorf("the deleted organization's uploaded file is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(tm.s.DataDir, "uploads", keptFiles[0])); err != nil {
		t.Errorf("the other organization's uploaded file: %v", err)
	}
	if r := getUpload(tm.owner, "/api/uploads/"+keptFiles[0]); r.Status != http.StatusOK {
		t.Errorf("the other organization's upload answers %d", r.Status)
	}

	// A file its removal missed (put back here, old enough to be taken for
	// an earlier release's) is nobody's at the next start, not the other
	// organization's whose task names it.
	tm.owner.ok(importTasks, map[string]any{"p": keep, "t": []any{map[string]any{"image": "/api/uploads/" + bFiles[0]}}})
	left := filepath.Join(tm.s.DataDir, "uploads", bFiles[0])
	if err := os.WriteFile(left, onePixelPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(left, old, old); err != nil {
		t.Fatal(err)
	}
	tm.s.stop()
	s2 := mustStartIn(t, tm.s.DataDir, tm.s.env)
	owner2 := s2.browser(t)
	owner2.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	if r := getUpload(owner2, "/api/uploads/"+bFiles[0]); r.Status != http.StatusNotFound {
		t.Errorf("the deleted organization's leftover file answers %d to the other organization after a restart", r.Status)
	}
	if r := getUpload(owner2, "/api/uploads/"+keptFiles[0]); r.Status != http.StatusOK {
		t.Errorf("the other organization's upload answers %d after a restart", r.Status)
	}
}

// TestAnOrganizationIsDeletedInSteps: the tasks of a deleted
// organization's projects go in the steps of deleteProject (each with its
// project.tasks_deleted event), then the rest in one transaction; an admin,
// who may not delete it, is refused before any task goes; beside another
// field the deletion is refused and nothing runs; and a deletion that fails
// after its steps says how many tasks went.
func TestAnOrganizationIsDeletedInSteps(t *testing.T) {
	tm := MustTeam(t)
	b := tm.annotator
	orgB := str(b.ok(`mutation { createOrganization(title: "Big") { id } }`, nil), "createOrganization", "id")
	b.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	for _, n := range []int{6000, 100} {
		pid := str(b.ok(createProject, map[string]any{"i": map[string]any{"title": fmt.Sprint(n), "labelConfig": textClassification}}), "createProject", "id")
		importMany(t, b, pid, n)
	}
	db := insider(t, tm.s)
	count := func(table string) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRow(rebind(db, "SELECT COUNT(*) FROM "+table+" WHERE organization_id = $1"), orgB).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	steps := func() []int {
		t.Helper()
		rows, err := db.SQL.Query(rebind(db, "SELECT details FROM audit_events WHERE organization_id = $1 AND action = 'project.tasks_deleted' ORDER BY seq"), orgB)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var counts []int
		for rows.Next() {
			var raw string
			var d struct{ Tasks int }
			if err := rows.Scan(&raw); err != nil || json.Unmarshal([]byte(raw), &d) != nil {
				t.Fatalf("details %q: %v", raw, err)
			}
			counts = append(counts, d.Tasks)
		}
		return counts
	}
	unchanged := func(when string) {
		t.Helper()
		if n, s := count("tasks"), steps(); n != 6100 || len(s) != 0 {
			t.Fatalf("%s: %d tasks left of 6100, steps %v", when, n, s)
		}
	}
	del := `mutation($o: ID!) { deleteOrganization(id: $o) }`
	vars := map[string]any{"o": orgB}

	link := str(b.ok(`mutation { createInvite(input: {role: ADMIN}) { url } }`, nil), "createInvite", "url")
	admin := tm.s.browser(t)
	admin.ok(signupMutation, signupVars(uniqueEmail("adminbig"), ownerPassword, inviteToken(link)))
	admin.wantCode("FORBIDDEN", del, vars)
	unchanged("after an admin's refused deletion")

	r := b.wantCode("BAD_USER_INPUT", `mutation($o: ID!) { deleteOrganization(id: $o) switchOrganization(id: $o) { id } }`, vars)
	if !strings.Contains(r.Raw, "deleteOrganization must be the only field of its operation") {
		t.Fatalf("the refusal does not say why: %.300s", r.Raw)
	}
	unchanged("after the refused operation")

	// An owner demoted during the deletion (here by an insider's trigger,
	// as the first step deletes) is refused the steps left.
	var first string
	if err := db.SQL.QueryRow(rebind(db, "SELECT MIN(id) FROM tasks WHERE organization_id = $1"), orgB).Scan(&first); err != nil {
		t.Fatal(err)
	}
	demote := "UPDATE memberships SET role = 'ADMIN' WHERE user_id = " + idOf(t, b) + " AND organization_id = " + orgB
	if db.Dialect == "postgres" {
		mustExec(t, db, `CREATE FUNCTION demote() RETURNS trigger AS $$ BEGIN `+demote+`; RETURN OLD; END $$ LANGUAGE plpgsql`)
		mustExec(t, db, `CREATE TRIGGER demote AFTER DELETE ON tasks FOR EACH ROW WHEN (OLD.id = `+first+`) EXECUTE FUNCTION demote()`)
	} else {
		mustExec(t, db, `CREATE TRIGGER demote AFTER DELETE ON tasks WHEN OLD.id = `+first+` BEGIN `+demote+`; END`)
	}
	r = b.wantCode("FORBIDDEN", del, vars)
	if !strings.Contains(r.Raw, "5000 tasks of its projects were deleted before this") {
		t.Fatalf("the refusal does not say what went before it: %.300s", r.Raw)
	}
	if n := count("tasks"); n != 1100 {
		t.Fatalf("%d tasks left after the demoted owner's refused steps, want 1100", n)
	}
	mustExec(t, db, `DROP TRIGGER demote`+map[bool]string{true: ` ON tasks`}[db.Dialect == "postgres"])
	if db.Dialect == "postgres" {
		mustExec(t, db, `DROP FUNCTION demote()`)
	}
	mustExec(t, db, "UPDATE memberships SET role = 'OWNER' WHERE user_id = "+idOf(t, b)+" AND organization_id = "+orgB)

	// An insider's trigger keeps the organization's row: the deletion fails
	// after its steps, says so, and keeps what its last transaction held.
	if db.Dialect == "postgres" {
		mustExec(t, db, `CREATE FUNCTION keep_org() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'kept'; END $$ LANGUAGE plpgsql`)
		mustExec(t, db, `CREATE TRIGGER keep_org BEFORE DELETE ON organizations FOR EACH ROW WHEN (OLD.id = `+orgB+`) EXECUTE FUNCTION keep_org()`)
	} else {
		mustExec(t, db, `CREATE TRIGGER keep_org BEFORE DELETE ON organizations WHEN OLD.id = `+orgB+` BEGIN SELECT RAISE(ABORT, 'kept'); END`)
	}
	r = b.gql(del, vars)
	if r.Code() != "INTERNAL" || !strings.Contains(r.Raw, "1100 tasks of its projects were deleted before this; run it again for the rest") {
		t.Fatalf("want an internal error that says 1100 tasks went: %.300s", r.Raw)
	}
	if n, p := count("tasks"), count("projects"); n != 0 || p != 2 {
		t.Fatalf("after the failed deletion: %d tasks, %d projects", n, p)
	}
	mustExec(t, db, `DROP TRIGGER keep_org`+map[bool]string{true: ` ON organizations`}[db.Dialect == "postgres"])
	if db.Dialect == "postgres" {
		mustExec(t, db, `DROP FUNCTION keep_org()`)
	}

	b.ok(del, vars)
	if got := steps(); fmt.Sprint(got) != "[5000 1000 100]" {
		t.Fatalf("audit events of the steps: %v", got)
	}
	// The owner acts in the organization they still belong to.
	if got, want := str(b.ok(`{ organization { id } }`, nil), "organization", "id"), str(tm.owner.ok(orgQuery, nil), "organization", "id"); got != want {
		t.Fatalf("after deleting their active organization the owner acts in %s, want %s", got, want)
	}
	var active string
	if err := db.SQL.QueryRow(rebind(db, "SELECT active_organization_id FROM users WHERE id = $1"), idOf(t, b)).Scan(&active); err != nil || active == orgB {
		t.Fatalf("the owner's active organization is still the deleted one (%s, %v)", active, err)
	}
	if n, p, m := count("tasks"), count("projects"), count("memberships"); n != 0 || p != 0 || m != 0 {
		t.Fatalf("after the deletion: %d tasks, %d projects, %d memberships", n, p, m)
	}
}

// TestARemovedMemberIsRecordedNoLonger: a member removed from their active
// organization acts in another they belong to from then on, so their later
// sign-ins (with their address) are not recorded in the organization that
// removed them; the organization that deletes itself likewise stops being
// its owner's.
func TestARemovedMemberIsRecordedNoLonger(t *testing.T) {
	tm := MustTeam(t)
	email := uniqueEmail("leaver")
	invite := inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	leaver := tm.s.browser(t)
	leaver.ok(signupMutation, signupVars(email, ownerPassword, invite))
	id := idOf(t, leaver)
	orgB := str(leaver.ok(`mutation { createOrganization(title: "Own") { id } }`, nil), "createOrganization", "id")
	creds := func(email, pw string) map[string]any {
		return map[string]any{"i": map[string]any{"email": email, "password": pw}}
	}
	signIns := func() int {
		t.Helper()
		d := tm.owner.ok(auditQuery, map[string]any{"f": map[string]any{"actorId": id, "action": "login."}})
		return len(path(d, "auditEvents", "edges").([]any))
	}
	signIn := func() {
		t.Helper()
		tm.s.browser(t).ok(loginMutation, creds(email, ownerPassword))
	}
	signIn()
	if n := signIns(); n != 1 {
		t.Fatalf("the member's sign-in is recorded %d times in their active organization", n)
	}
	tm.owner.ok(removeMutation, map[string]any{"u": id})
	signIn()
	tm.s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, creds(email, "not the password"))
	if n := signIns(); n != 1 {
		t.Fatalf("the removed member's later sign-ins reached the organization that removed them: %d events", n)
	}
	b := tm.s.browser(t)
	b.ok(loginMutation, creds(email, ownerPassword))
	if got := str(b.ok(`{ organization { id } }`, nil), "organization", "id"); got != orgB {
		t.Fatalf("the removed member acts in organization %s, want %s", got, orgB)
	}
	d := b.ok(auditQuery, map[string]any{"f": map[string]any{"action": "login.succeeded"}})
	if n := len(path(d, "auditEvents", "edges").([]any)); n != 2 {
		t.Fatalf("the organization they belong to records %d of their sign-ins since the removal, want 2", n)
	}

	// What an earlier release left, the removed member's active
	// organization as it was, is put right at the next start.
	orgA := str(tm.owner.ok(orgQuery, nil), "organization", "id")
	mustExec(t, insider(t, tm.s), "UPDATE users SET active_organization_id = "+orgA+" WHERE id = "+id)
	tm.s.stop()
	s2 := mustStartIn(t, tm.s.DataDir, tm.s.env)
	s2.browser(t).ok(loginMutation, creds(email, ownerPassword))
	owner2 := s2.browser(t)
	owner2.ok(loginMutation, creds(ownerEmail, ownerPassword))
	d = owner2.ok(auditQuery, map[string]any{"f": map[string]any{"actorId": id, "action": "login."}})
	if n := len(path(d, "auditEvents", "edges").([]any)); n != 1 {
		t.Fatalf("after a restart, the removed member's sign-ins reached the organization that removed them: %d events", n)
	}
}

// TestAnAccountBelongsToAtMostFiftyOrganizations: createOrganization stops
// at 50 organizations an account belongs to (what the organizations query
// lists), also when two creates race for the last place.
func TestAnAccountBelongsToAtMostFiftyOrganizations(t *testing.T) {
	_, owner := MustOwner(t, nil)
	create := `mutation { createOrganization(title: "One more") { id } }`
	for range 48 {
		owner.ok(create, nil)
	}
	codes := burst(t, 2, func(int) *gqlResponse { return owner.gql(create, nil) })
	if codes[""] != 1 || codes["BAD_USER_INPUT"] != 1 {
		t.Fatalf("two creates at once for the last place answered %v; want one made, one refused", codes)
	}
	r := owner.wantCode("BAD_USER_INPUT", create, nil)
	if !strings.Contains(r.Raw, "you belong to 50 organizations, the most one account may") {
		t.Fatalf("the refusal does not say why: %.300s", r.Raw)
	}
	if n := len(owner.ok(`{ organizations { id } }`, nil)["organizations"].([]any)); n != 50 {
		t.Fatalf("the account belongs to %d organizations, want 50", n)
	}
}
