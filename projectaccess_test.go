package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const (
	addMember    = `mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`
	removeMember = `mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { id } }`
	projectByID  = `query($p: ID!) { project(id: $p) { id } }`
	reviewMut    = `mutation($a: ID!, $ok: Boolean!, $c: String) { reviewAnnotation(id: $a, accepted: $ok, comment: $c) { reviewState reviewComment } }`
)

// joinAs signs a new user up in tm's organization with role.
func (tm *team) joinAs(t *testing.T, role string) *browser {
	t.Helper()
	link := str(tm.owner.ok(`mutation($i: CreateInviteInput!) { createInvite(input: $i) { url } }`,
		map[string]any{"i": map[string]any{"role": role}}), "createInvite", "url")
	b := tm.s.browser(t)
	b.ok(signupMutation, signupVars(uniqueEmail(strings.ToLower(role)), ownerPassword, inviteToken(link)))
	if got := roleOf(t, b); got != role {
		t.Fatalf("joined as %s, want %s", got, role)
	}
	return b
}

func visible(t *testing.T, b *browser, projectID string) bool {
	t.Helper()
	return path(b.ok(projectByID, map[string]any{"p": projectID}), "project") != nil
}

func TestProjectMembership(t *testing.T) {
	tm := MustTeam(t)
	other := &team{s: tm.s, owner: tm.owner}
	id := other.project(t, textClassification, nil) // the annotator is not a member
	ann := idOf(t, tm.annotator)
	if visible(t, tm.annotator, id) {
		t.Fatal("an annotator sees a project they are not a member of")
	}
	tm.annotator.wantCode("NOT_FOUND", nextTaskQuery, map[string]any{"p": id})
	tm.annotator.wantCode("FORBIDDEN", addMember, map[string]any{"p": id, "u": ann})
	if visible(t, tm.annotator, id) {
		t.Fatal("a refused addProjectMember took effect")
	}
	tm.owner.ok(addMember, map[string]any{"p": id, "u": ann})
	if !visible(t, tm.annotator, id) {
		t.Fatal("a member does not see the project")
	}
	tm.owner.ok(removeMember, map[string]any{"p": id, "u": ann})
	if visible(t, tm.annotator, id) {
		t.Fatal("a removed member still sees the project")
	}

	// Workspaces grant membership of all their projects. Below admin, a
	// workspace is seen by its members and those who work on its projects
	// (and its creator): its title and members are not everyone's.
	ws := str(tm.owner.ok(`mutation { createWorkspace(title: "Vision") { id } }`, nil), "createWorkspace", "id")
	workspaces := func(b *browser) string {
		raw, _ := json.Marshal(path(b.ok(`{ workspaces { id title members { id } } }`, nil), "workspaces"))
		return string(raw)
	}
	if got := workspaces(tm.annotator); got != "[]" {
		t.Fatalf("an annotator outside the workspace lists %s", got)
	}
	outsider := tm.joinAs(t, "MANAGER")
	if got := workspaces(outsider); got != "[]" {
		t.Fatalf("a manager outside the workspace lists %s", got)
	}
	outsider.wantCode("NOT_FOUND", `mutation($p: ID!, $w: ID!) { updateProject(id: $p, input: {workspaceId: $w}) { id } }`,
		map[string]any{"p": str(outsider.ok(createProject, map[string]any{"i": map[string]any{"title": "Outsider's", "labelConfig": textClassification}}), "createProject", "id"), "w": ws})
	tm.owner.ok(`mutation($p: ID!, $w: ID!) { updateProject(id: $p, input: {workspaceId: $w}) { id } }`, map[string]any{"p": id, "w": ws})
	tm.owner.ok(`mutation($w: ID!, $u: ID!) { addWorkspaceMember(workspaceId: $w, userId: $u) { id } }`, map[string]any{"w": ws, "u": ann})
	if !visible(t, tm.annotator, id) {
		t.Fatal("a workspace member does not see its project")
	}
	if got, want := workspaces(tm.annotator), `[{"id":"`+ws+`","members":[{"id":"`+ann+`"}],"title":"Vision"}]`; got != want {
		t.Fatalf("a workspace member lists %s, want %s", got, want)
	}
	if m := tm.owner.ok(`{ workspaces { members { id } } }`, nil); str(m, "workspaces", 0, "members", 0, "id") != ann {
		t.Fatalf("workspace members: %v", m)
	}

	// Managers see the projects they made or are members of, and change only those.
	mgr := tm.joinAs(t, "MANAGER")
	if visible(t, mgr, id) {
		t.Fatal("a manager sees another's project")
	}
	mgr.wantCode("NOT_FOUND", `mutation($p: ID!) { updateProject(id: $p, input: {title: "mine now"}) { id } }`, map[string]any{"p": id})
	mine := str(mgr.ok(createProject, map[string]any{"i": map[string]any{"title": "Manager's", "labelConfig": textClassification}}), "createProject", "id")
	mgr.ok(addMember, map[string]any{"p": mine, "u": ann})
	if !visible(t, tm.annotator, mine) || !visible(t, tm.owner, mine) {
		t.Fatal("manager's project not visible to its member and the owner")
	}
}

func TestAnnotatorsSeeOnlyTheirWork(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	other := tm.joinAs(t, "ANNOTATOR")
	tm.addMember(t, id, other)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}, map[string]any{"text": "three"}}})
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Neutral"}}}}
	mine := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": mine, "result": choice}})

	// Only tasks handed to them: one annotated; the others are hidden.
	if n := path(tm.annotator.ok(`query($p: ID!) { tasks(projectId: $p) { totalCount } }`, map[string]any{"p": id}), "tasks", "totalCount"); n.(float64) != 1 {
		t.Fatalf("annotator lists %v tasks", n)
	}
	// Annotators cannot probe who annotated what through the filter.
	ownerID := idOf(t, tm.owner)
	tm.annotator.wantCode("FORBIDDEN", `query($p: ID!, $u: ID!) { tasks(projectId: $p, filter: {annotator: $u}) { totalCount } }`, map[string]any{"p": id, "u": ownerID})
	me := idOf(t, tm.annotator)
	if n := path(tm.annotator.ok(`query($p: ID!, $u: ID!) { tasks(projectId: $p, filter: {annotator: $u}) { totalCount } }`, map[string]any{"p": id, "u": me}), "tasks", "totalCount"); n.(float64) != 1 {
		t.Fatalf("own annotator filter: %v", n)
	}
	// The other annotator neither sees the task nor the annotation.
	theirs := str(other.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	if theirs == mine {
		t.Fatal("same task handed out twice")
	}
	if path(other.ok(`query($t: ID!) { task(id: $t) { id } }`, map[string]any{"t": mine}), "task") != nil {
		t.Fatal("another annotator's task is visible")
	}
	// With annotatorsSeeOthers they see the annotation, but not who made it
	// until the project reveals annotators.
	tm.owner.ok(`mutation($p: ID!) { updateProject(id: $p, input: {annotatorsSeeOthers: true}) { id } }`, map[string]any{"p": id})
	other.ok(createAnn, map[string]any{"i": map[string]any{"taskId": theirs, "result": choice}})
	q := `{ myAnnotations(first: 10) { totalCount } }`
	if n := path(other.ok(q, nil), "myAnnotations", "totalCount"); n.(float64) != 1 {
		t.Fatalf("myAnnotations = %v", n)
	}
	d := other.ok(`query($t: ID!) { task(id: $t) { annotations { id completedBy { id } } } }`, map[string]any{"t": theirs})
	if anns := path(d, "task", "annotations").([]any); len(anns) != 1 {
		t.Fatalf("annotations %v", anns)
	}
	tm.owner.ok(`query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": id})
	ownerView := tm.owner.ok(`query($t: ID!) { task(id: $t) { annotations { completedBy { id } } } }`, map[string]any{"t": mine})
	if str(ownerView, "task", "annotations", 0, "completedBy", "id") == "" {
		t.Fatal("the owner does not see who annotated")
	}
}

func TestReview(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, id, reviewer)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "review me"}}})
	tid := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	choice := func(v string) []any {
		return []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{v}}}}
	}
	aid := str(tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": choice("Negative")}}), "createAnnotation", "id")

	// Annotators do not review; nobody reviews their own work.
	tm.annotator.wantCode("FORBIDDEN", reviewMut, map[string]any{"a": aid, "ok": true})
	tm.annotator.wantCode("BAD_USER_INPUT", `mutation($a: ID!) { updateAnnotation(id: $a, input: {reviewState: ACCEPTED}) { id } }`, map[string]any{"a": aid})
	state := func() string {
		return str(tm.owner.ok(`query($t: ID!) { task(id: $t) { annotations { reviewState } } }`, map[string]any{"t": tid}), "task", "annotations", 0, "reviewState")
	}
	if state() != "PENDING" {
		t.Fatal("a refused review took effect")
	}
	// The reviewer rejects with a comment; the annotator sees it, fixes and resubmits.
	d := reviewer.ok(reviewMut, map[string]any{"a": aid, "ok": false, "c": "It reads positive."})
	if str(d, "reviewAnnotation", "reviewState") != "REJECTED" {
		t.Fatalf("%v", d)
	}
	rej := tm.annotator.ok(`{ myAnnotations(reviewState: REJECTED) { edges { node { id reviewComment } } } }`, nil)
	if str(rej, "myAnnotations", "edges", 0, "node", "reviewComment") != "It reads positive." {
		t.Fatalf("rejected work: %v", rej)
	}
	// An update that changes nothing does not clear the rejection: one
	// with no field is refused, the same result again or a new lead time
	// keep the review.
	tm.annotator.wantCode("BAD_USER_INPUT", `mutation($a: ID!) { updateAnnotation(id: $a, input: {}) { id } }`, map[string]any{"a": aid})
	tm.annotator.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r, leadTime: 12}) { id } }`, map[string]any{"a": aid, "r": choice("Negative")})
	if state() != "REJECTED" {
		t.Fatalf("an update that changed no result cleared the rejection: %s", state())
	}
	tm.annotator.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": aid, "r": choice("Positive")})
	if state() != "PENDING" {
		t.Fatal("resubmitting did not send the annotation back to review")
	}
	reviewer.ok(reviewMut, map[string]any{"a": aid, "ok": true})
	if n := path(tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, filter: {reviewState: ACCEPTED}) { totalCount } }`, map[string]any{"p": id}), "tasks", "totalCount"); n.(float64) != 1 {
		t.Fatalf("review filter: %v", n)
	}
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format=JSON", nil)
	if r := tm.owner.do(req); !strings.Contains(r.Raw, `"reviewed": true`) {
		t.Fatalf("export does not mark the reviewed annotation: %s", r.Raw)
	}
}

func TestRoleInvites(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	create := `mutation($i: CreateInviteInput!) { createInvite(input: $i) { url invite { id role } } }`
	tm.annotator.wantCode("FORBIDDEN", create, map[string]any{"i": map[string]any{"role": "ADMIN"}})
	admin := tm.joinAs(t, "ADMIN")
	admin.wantCode("FORBIDDEN", create, map[string]any{"i": map[string]any{"role": "OWNER"}})
	d := admin.ok(create, map[string]any{"i": map[string]any{"role": "REVIEWER", "projectId": id, "expiresInHours": 24}})
	link := str(d, "createInvite", "url")
	inv := tm.s.browser(t).ok(`query($t: String!) { invite(token: $t) { role setup } }`, map[string]any{"t": inviteToken(link)})
	if str(inv, "invite", "role") != "REVIEWER" {
		t.Fatalf("invite: %v", inv)
	}
	r := tm.s.browser(t)
	r.ok(signupMutation, signupVars(uniqueEmail("rev"), ownerPassword, inviteToken(link)))
	if roleOf(t, r) != "REVIEWER" || !visible(t, r, id) {
		t.Fatal("the invite's role or project was not applied")
	}
	// Revoked links die at once; the list never shows links.
	admin.ok(`mutation($i: ID!) { revokeInvite(id: $i) { revoked } }`, map[string]any{"i": str(d, "createInvite", "invite", "id")})
	tm.s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("late"), ownerPassword, inviteToken(link)))
	list := admin.gql(`{ roleInvites { id role revoked } }`, nil)
	if strings.Contains(list.Raw, inviteToken(link)) || len(path(list.Data, "roleInvites").([]any)) != 2 || path(list.Data, "roleInvites", 0, "revoked") != true {
		t.Fatalf("roleInvites: %s", list.Raw)
	}
	tm.annotator.wantCode("FORBIDDEN", `{ roleInvites { id } }`, nil)
	tm.s.browser(t).wantCode("BAD_USER_INPUT", create+"", map[string]any{"i": map[string]any{"role": "BOSS"}})
}

// TestAManagerSavesTheirProjectInAnothersWorkspace: the settings form
// sends the project's workspace with every save. A manager may place
// projects only in workspaces they created, but a workspace left as it is
// is no placement: their project, put in the owner's workspace by the
// owner, saves; moving it to another of the owner's does not.
func TestAManagerSavesTheirProjectInAnothersWorkspace(t *testing.T) {
	tm := MustTeam(t)
	mgr := tm.joinAs(t, "MANAGER")
	p := str(mgr.ok(createProject, map[string]any{"i": map[string]any{"title": "Manager's", "labelConfig": textClassification}}), "createProject", "id")
	ws := func(title string) string {
		return str(tm.owner.ok(`mutation($t: String!) { createWorkspace(title: $t) { id } }`, map[string]any{"t": title}), "createWorkspace", "id")
	}
	first, second := ws("Owner's"), ws("Owner's other")
	const save = `mutation($p: ID!, $w: ID!, $t: String!) { updateProject(id: $p, input: {title: $t, workspaceId: $w}) { title workspace { id } } }`
	tm.owner.ok(save, map[string]any{"p": p, "w": first, "t": "Manager's"})
	d := mgr.ok(save, map[string]any{"p": p, "w": first, "t": "Renamed"})
	if str(d, "updateProject", "title") != "Renamed" || str(d, "updateProject", "workspace", "id") != first {
		t.Fatalf("the manager's save: %v", d)
	}
	mgr.wantCode("NOT_FOUND", save, map[string]any{"p": p, "w": second, "t": "Moved"})
	if d := mgr.ok(`query($p: ID!) { project(id: $p) { title workspace { id } } }`, map[string]any{"p": p}); str(d, "project", "title") != "Renamed" || str(d, "project", "workspace", "id") != first {
		t.Fatalf("after the refused move: %v", d)
	}
}
