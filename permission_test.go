package main

// The permission matrix: testdata/permissions.tsv says, for every operation
// of the API and every kind of target (the caller's own, another of their
// organization's, another organization's), what each role gets. This file
// runs every cell through real GraphQL and HTTP requests against a fresh
// server per operation, and checks that a refused request changed nothing.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"gloss/internal/fault"
)

const (
	permissionsFile = "testdata/permissions.tsv"
	allow           = "allow"
	anonymous       = "ANONYMOUS"
)

// matrixRoles are the table's role columns, in order.
var matrixRoles = []string{"OWNER", "ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR", anonymous}

var (
	matrixScopes   = []string{"own", "org", "other"}
	matrixOutcomes = []string{allow, "-", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"}
)

// httpOperations are the table's names for the routes that are not GraphQL.
var httpOperations = map[string]string{
	"http:import":        "POST /api/projects/{id}/import",
	"http:export":        "GET /api/projects/{id}/export",
	"http:auditDownload": "GET /api/audit-events.jsonl",
	"http:upload":        "GET /api/uploads/{name}",
	"http:resolve":       "GET /api/tasks/{id}/resolve",
}

// matrixRow is one line of the table: an operation against one kind of
// target, and the outcome each role gets.
type matrixRow struct {
	line      int
	operation string // a schema field or http:name, optionally with a (variant)
	scope     string
	want      map[string]string // role -> allow, an error code, or -
}

// loadMatrix parses the permission table. Lines starting with # are
// comments; the first other line is the header.
func loadMatrix(r io.Reader) ([]matrixRow, error) {
	header := strings.Join(append([]string{"operation", "scope"}, matrixRoles...), "\t")
	var rows []matrixRow
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	n, headerSeen := 0, false
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !headerSeen {
			if line != header {
				return nil, fmt.Errorf("line %d: header is %q, want %q", n, line, header)
			}
			headerSeen = true
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 2+len(matrixRoles) {
			return nil, fmt.Errorf("line %d: %d tab-separated fields, want %d", n, len(f), 2+len(matrixRoles))
		}
		row := matrixRow{line: n, operation: f[0], scope: f[1], want: map[string]string{}}
		if !slices.Contains(matrixScopes, row.scope) {
			return nil, fmt.Errorf("line %d: scope %q is not one of %v", n, row.scope, matrixScopes)
		}
		key := row.operation + " " + row.scope
		if first, dup := seen[key]; dup {
			return nil, fmt.Errorf("line %d: %s repeats line %d", n, key, first)
		}
		seen[key] = n
		for i, role := range matrixRoles {
			if !slices.Contains(matrixOutcomes, f[2+i]) {
				return nil, fmt.Errorf("line %d: %s cell %q is not one of %v", n, role, f[2+i], matrixOutcomes)
			}
			row.want[role] = f[2+i]
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !headerSeen {
		return nil, fmt.Errorf("no header line")
	}
	return rows, nil
}

// MustLoadMatrix loads testdata/permissions.tsv or fails the test.
func MustLoadMatrix(t *testing.T) []matrixRow {
	t.Helper()
	f, err := os.Open(permissionsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := loadMatrix(f)
	if err != nil {
		t.Fatalf("%s: %v", permissionsFile, err)
	}
	return rows
}

// baseOperation strips a (variant) from a table operation name.
func baseOperation(name string) string {
	base, _, _ := strings.Cut(name, "(")
	return base
}

// TestPermissionMatrix runs every cell of testdata/permissions.tsv: one
// fresh server per operation, a fresh target per cell.
func TestPermissionMatrix(t *testing.T) {
	rows := MustLoadMatrix(t)
	ops := matrixOperations()
	var order []string
	byOp := map[string][]matrixRow{}
	for _, r := range rows {
		if _, ok := byOp[r.operation]; !ok {
			order = append(order, r.operation)
		}
		byOp[r.operation] = append(byOp[r.operation], r)
	}
	for _, name := range order {
		op, ok := ops[name]
		if !ok {
			t.Errorf("%s (line %d) has no implementation in matrixOperations", name, byOp[name][0].line)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := MustWorld(t, op.env)
			for _, row := range byOp[name] {
				for _, role := range matrixRoles {
					if want := row.want[role]; want != "-" {
						t.Run(row.scope+"/"+role, func(t *testing.T) { runCell(t, w, name, op, row, role) })
					}
				}
			}
		})
	}
}

// runCell runs one cell: it builds the target, takes the state, runs the
// operation as the role, compares the outcome and takes the state again.
func runCell(t *testing.T, w *world, name string, op operation, row matrixRow, role string) {
	want := row.want[role]
	c := &cell{t: t, w: w, role: role, scope: row.scope}
	c.owner = c.ownerA()
	if role == anonymous {
		c.caller = w.s.browser(t)
	} else {
		c.caller = w.a[role].on(t)
	}
	op.setup(c)
	before := op.state(c)
	r := op.run(c)
	got := outcome(name, r)
	after := op.state(c)

	where := fmt.Sprintf("%s against the %s target as %s (%s:%d)", name, row.scope, role, permissionsFile, row.line)
	if got != want {
		t.Errorf("%s: want %s, got %s\nresponse (HTTP %d): %.600s", where, want, got, r.Status, r.Raw)
	}
	if want != allow {
		if after != before {
			t.Errorf("%s: a refused request changed the state\nbefore: %.400s\nafter:  %.400s", where, before, after)
		}
		if c.marker != "" && strings.Contains(r.Raw, c.marker) {
			t.Errorf("%s: the refusal shows the target's data %q: %.600s", where, c.marker, r.Raw)
		}
		return
	}
	if got != allow {
		return
	}
	changes := op.changes != nil && op.changes(c)
	switch {
	case changes && after == before:
		t.Errorf("%s: allowed, but the state check saw no change: %.400s", where, before)
	case !changes && after != before:
		t.Errorf("%s: changed the state\nbefore: %.400s\nafter:  %.400s", where, before, after)
	}
	if op.leak != nil {
		if err := op.leak(c, r); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
}

// outcome reads a response as the table writes it: allow, or the error
// code. A by-id query's null answer is NOT_FOUND; an error that still
// carries data, or an HTTP status that does not match its code, shows as
// such so that it never equals a cell.
func outcome(name string, r *gqlResponse) string {
	if strings.HasPrefix(name, "http:") {
		if r.Status == http.StatusOK || r.Status == http.StatusCreated && name == "http:import" {
			return allow
		}
		code := r.Code()
		if code == "" || fault.Status(fault.Code(code)) != r.Status {
			return fmt.Sprintf("%s with HTTP %d", code, r.Status)
		}
		return code
	}
	field := baseOperation(name)
	if len(r.Errors) > 0 {
		code := r.Code()
		if code == "" {
			code = "an error without a code"
		}
		if path(r.Data, field) != nil {
			return code + " with data"
		}
		return code
	}
	if r.Status != http.StatusOK {
		return fmt.Sprintf("HTTP %d without errors", r.Status)
	}
	if path(r.Data, field) == nil {
		return "NOT_FOUND"
	}
	return allow
}

// world is one server with two organizations. A has one member per role
// (its owner is its only owner) and a second annotator; B has only its
// owner, who is not a member of A. Cells add what they need.
type world struct {
	s       *testServer
	a       map[string]*browser // the standing members of A, by role
	peer    *browser            // another annotator of A: the author of others' annotations
	bOwner  *browser
	bOrg    string
	aOrg    string
	files   string        // a task file server for importTasksFromUrl
	fetches *atomic.Int64 // requests it served
}

// MustWorld starts a server with env and builds organizations A and B on it.
func MustWorld(t *testing.T, env map[string]string) *world {
	t.Helper()
	fetches := new(atomic.Int64)
	files := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"text": "fetched by the matrix"}]`)
	}))
	e := map[string]string{}
	for k, v := range env {
		e[k] = v
	}
	s, owner := MustOwner(t, e)
	tm := &team{s: s, owner: owner}
	w := &world{s: s, a: map[string]*browser{"OWNER": owner}, files: files, fetches: fetches}
	for _, role := range []string{"ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR"} {
		w.a[role] = tm.joinAs(t, role)
	}
	w.peer = tm.joinAs(t, "ANNOTATOR")
	w.aOrg = str(owner.ok(orgQuery, nil), "organization", "id")
	// B's owner joins A, makes B, moves there, and is removed from A.
	b := tm.joinAs(t, "ANNOTATOR")
	w.bOrg = str(b.ok(`mutation { createOrganization(title: "Organization B") { id } }`, nil), "createOrganization", "id")
	b.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": w.bOrg})
	b.ok(`mutation { resetInviteLink { id } }`, nil) // a new organization's invite link is unreadable until reset
	owner.ok(removeMutation, map[string]any{"u": idOf(t, b)})
	if roleOf(t, b) != "OWNER" || memberCount(t, b) != 1 {
		t.Fatal("organization B is not set up")
	}
	w.bOwner = b
	return w
}

// on returns a copy of b that reports failures to t, so a cell's helpers
// fail the cell and not the operation around it.
func (b *browser) on(t testing.TB) *browser {
	c := *b
	c.t = t
	return &c
}

// cell is one run of an operation: the caller, the target the setup built,
// and the owner of the target's organization, who checks its state.
type cell struct {
	t           *testing.T
	w           *world
	role, scope string
	caller      *browser
	owner       *browser // the owner of the target's organization
	target      string   // the id (or token, or email) the operation is aimed at
	user        string   // a user id argument
	project     string   // the project the target lives in
	task        string   // the task the target lives in
	token       string
	password    string
	watch       *browser // a session whose state the check follows
	marker      string   // the target's data, which no refusal may show
}

func (c *cell) signedIn() bool { return c.role != anonymous }

func (c *cell) member(role string) *browser { return c.w.a[role].on(c.t) }

func (c *cell) ownerA() *browser { return c.w.a["OWNER"].on(c.t) }

func (c *cell) ownerB() *browser { return c.w.bOwner.on(c.t) }

// join signs a new user up into owner's organization with role.
func (c *cell) join(owner *browser, role string) *browser {
	return (&team{s: c.w.s, owner: owner}).joinAs(c.t, role)
}

// freshCaller replaces the caller with a new member of A with the same role,
// for operations that change the caller themself. The owner stays the
// standing one, A's only owner, so its cells show the last-owner rule.
func (c *cell) freshCaller() {
	if c.signedIn() && c.role != "OWNER" {
		c.caller = c.join(c.ownerA(), c.role)
	}
}

// newCaller replaces the caller with a new member of A with the same role,
// owners included.
func (c *cell) newCaller() {
	if c.signedIn() {
		c.caller = c.join(c.ownerA(), c.role)
	}
}

// session returns a new browser signed in as b's user: a second session.
func (c *cell) session(b *browser) *browser {
	s := c.w.s.browser(c.t)
	s.ok(loginMutation, map[string]any{"i": map[string]any{"email": emailOf(b), "password": ownerPassword}})
	return s
}

// callerSession gives the caller a session of its own, for operations that
// replace or end the request's session; anonymous callers get a new browser.
func (c *cell) callerSession() {
	if c.signedIn() {
		c.caller = c.session(c.caller)
	} else {
		c.caller = c.w.s.browser(c.t)
	}
}

// orgOwner returns the owner of the scope's organization.
func (c *cell) orgOwner(scope string) *browser {
	if scope == "other" {
		return c.ownerB()
	}
	return c.ownerA()
}

// projectFor makes a project of the scope and sets c.owner: own, a project
// of A the caller is a member of; org, one of A someone else made, without
// the caller; other, one of B.
func (c *cell) projectFor(scope string) string {
	c.owner = c.orgOwner(scope)
	maker := c.owner
	if scope == "org" && c.role == "OWNER" {
		maker = c.member("ADMIN")
	}
	id := (&team{s: c.w.s, owner: maker}).project(c.t, textClassification, nil)
	if scope == "own" && c.signedIn() {
		c.addToProject(id, c.caller)
	}
	return id
}

// addToProject makes b a member of project id, as its organization's owner.
func (c *cell) addToProject(id string, b *browser) {
	(&team{s: c.w.s, owner: c.owner}).addMember(c.t, id, b)
}

// importTexts imports one task per text into project id, as c.owner.
func (c *cell) importTexts(id string, texts ...string) {
	var tasks []any
	for _, text := range texts {
		tasks = append(tasks, map[string]any{"text": text})
	}
	c.owner.ok(importTasks, map[string]any{"p": id, "t": tasks})
}

// firstTask returns the id of project id's first task, as c.owner sees it.
func (c *cell) firstTask(id string) string {
	d := c.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1, orderBy: {field: ID, direction: ASC}) { edges { node { id } } } }`, map[string]any{"p": id})
	return str(d, "tasks", "edges", 0, "node", "id")
}

// handOut returns the task the label stream hands b in project id.
func handOut(b *browser, id string) string {
	return str(b.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
}

// annotate has b take the next task of project id and label it.
func annotate(b *browser, id string) (taskID, annotationID string) {
	taskID = handOut(b, id)
	d := b.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})
	return taskID, str(d, "createAnnotation", "id")
}

// annotationFor makes an annotation of the scope: own, the caller's in a
// project they are a member of; org, another annotator's in a project the
// caller is a member of (elsewhere: one they are not; seeOthers: whose
// annotators see each other's work); other, one of B's.
func (c *cell) annotationFor(variant string) {
	author := c.ownerB()
	switch c.scope {
	case "own":
		c.project = c.projectFor("own")
		author = c.caller
		if !c.signedIn() {
			author = c.w.peer.on(c.t)
			c.addToProject(c.project, author)
		}
	case "org":
		if variant == "elsewhere" {
			c.project = c.projectFor("org")
		} else {
			c.project = c.projectFor("own")
		}
		if variant == "seeOthers" {
			c.owner.ok(`mutation($p: ID!) { updateProject(id: $p, input: {annotatorsSeeOthers: true}) { id } }`, map[string]any{"p": c.project})
		}
		author = c.w.peer.on(c.t)
		c.addToProject(c.project, author)
	default:
		c.project = c.projectFor("other")
	}
	c.marker = "annotated text " + c.scope
	c.importTexts(c.project, c.marker)
	c.task, c.target = annotate(author, c.project)
}

func choice(v string) []any {
	return []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{v}}}}
}

func emailOf(b *browser) string {
	return str(b.ok(`{ viewer { email } }`, nil), "viewer", "email")
}

// identity returns who b's session or token is: a user id, anonymous, or
// the code a refused token gets.
func identity(b *browser) string {
	r := b.gql(viewerID, nil)
	if len(r.Errors) > 0 {
		return "refused: " + r.Code()
	}
	if id := str(r.Data, "viewer", "id"); id != "" {
		return id
	}
	return anonymous
}

// snapshot is a query's raw answer as b: the state a check compares.
func snapshot(b *browser, query string, vars map[string]any) string {
	return b.gql(query, vars).Raw
}

// memberState is user id's role and activity in owner's organization.
func memberState(owner *browser, id string) string {
	d := owner.ok(`{ members(first: 100) { edges { node { role user { id active } } } } }`, nil)
	edges, _ := path(d, "members", "edges").([]any)
	for _, e := range edges {
		if str(e, "node", "user", "id") == id {
			return fmt.Sprintf("%s active=%v", str(e, "node", "role"), path(e, "node", "user", "active"))
		}
	}
	return "not a member"
}

// orgState is what an organization's owner sees of it at a glance: for
// operations that only read, nothing in it may change.
func orgState(owner *browser) string {
	return snapshot(owner, `{ members(first: 100) { totalCount } projects(first: 100) { totalCount edges { node { id title taskCount } } } roleInvites { id revoked } workspaces { id } }`, nil)
}

func projectState(owner *browser, id, fields string) string {
	return snapshot(owner, `query($p: ID!) { project(id: $p) { `+fields+` } }`, map[string]any{"p": id})
}

func taskState(owner *browser, id string) string {
	return snapshot(owner, `query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations annotations { id result reviewState reviewComment } } }`, map[string]any{"t": id})
}

// operation says how to run one table operation.
type operation struct {
	env   map[string]string // the server's environment
	setup func(c *cell)     // builds the target for c.scope (and may replace the caller)
	run   func(c *cell) *gqlResponse
	// state is what the operation would change, as the owner of the
	// target's organization sees it (or the session concerned).
	state func(c *cell) string
	// changes reports whether an allowed run changes the state; nil: never.
	changes func(c *cell) bool
	// leak checks an allowed answer for what the caller must not see.
	leak func(c *cell, r *gqlResponse) error
}

func always(*cell) bool { return true }

// gqlRun runs query as the caller with the variables vars builds.
func gqlRun(query string, vars func(c *cell) map[string]any) func(c *cell) *gqlResponse {
	return func(c *cell) *gqlResponse {
		var v map[string]any
		if vars != nil {
			v = vars(c)
		}
		return c.caller.gql(query, v)
	}
}

func userVars(c *cell) map[string]any { return map[string]any{"u": c.user} }

func projectVars(c *cell) map[string]any { return map[string]any{"p": c.project} }

func targetVars(c *cell) map[string]any { return map[string]any{"a": c.target} }

// projectOp is an operation on a project of the scope, with one task whose
// text no refusal may show.
func projectOp(run func(c *cell) *gqlResponse, state func(c *cell) string, changes func(c *cell) bool) operation {
	return operation{
		setup: func(c *cell) {
			c.project = c.projectFor(c.scope)
			c.marker = "task text of the " + c.scope + " project"
			c.importTexts(c.project, c.marker)
		},
		run: run, state: state, changes: changes,
	}
}

// webhookState is a project's webhooks as its organization's owner sees them.
func webhookState(c *cell) string {
	return projectState(c.owner, c.project, "webhooks { id url events active }")
}

// webhookOp is an operation on a webhook of a project of the scope, made
// by the owner of its organization.
func webhookOp(run func(c *cell) *gqlResponse) operation {
	op := projectOp(run, webhookState, always)
	setup := op.setup
	op.setup = func(c *cell) {
		setup(c)
		c.target = str(c.owner.ok(createWebhook, map[string]any{"i": map[string]any{
			"projectId": c.project, "url": "https://hooks.example.com/" + c.scope, "events": []string{"TASKS_CREATED"}}}), "createWebhook", "webhook", "id")
	}
	return op
}

func taskCountState(c *cell) string { return projectState(c.owner, c.project, "taskCount") }

// memberOp is an operation on a member: own, the caller themself; org, a
// new member of A with targetRole; other, a member of B with targetRole.
func memberOp(query string, vars map[string]any, targetRole string) operation {
	return operation{
		setup: func(c *cell) {
			switch c.scope {
			case "own":
				c.freshCaller()
				subject := c.caller
				if !c.signedIn() {
					subject = c.join(c.ownerA(), "ANNOTATOR")
				}
				c.user = idOf(c.t, subject)
			case "org":
				c.user = idOf(c.t, c.join(c.ownerA(), targetRole))
			default:
				c.owner = c.ownerB()
				if targetRole == "OWNER" {
					c.user = idOf(c.t, c.owner)
				} else {
					c.user = idOf(c.t, c.join(c.owner, targetRole))
				}
			}
		},
		run: gqlRun(query, func(c *cell) map[string]any {
			v := map[string]any{"u": c.user}
			for k, x := range vars {
				v[k] = x
			}
			return v
		}),
		state:   func(c *cell) string { return memberState(c.owner, c.user) },
		changes: always,
	}
}

// projectMemberOp adds or removes a user of the project's organization on
// a project of the scope.
func projectMemberOp(query string, remove bool) operation {
	return operation{
		setup: func(c *cell) {
			c.project = c.projectFor(c.scope)
			c.user = idOf(c.t, c.join(c.owner, "ANNOTATOR"))
			if remove {
				c.owner.ok(addMember, map[string]any{"p": c.project, "u": c.user})
			}
		},
		run:     gqlRun(query, func(c *cell) map[string]any { return map[string]any{"p": c.project, "u": c.user} }),
		state:   func(c *cell) string { return projectState(c.owner, c.project, "members { id }") },
		changes: always,
	}
}

// workspaceMemberOp adds or removes a member of a workspace that holds a
// project: own, a workspace the caller created (a manager) or is a member
// of (other roles); org, one they neither created nor belong to; other,
// one of B. The state is whether the user sees the project.
func workspaceMemberOp(query string, remove bool) operation {
	return operation{
		setup: func(c *cell) {
			c.owner = c.orgOwner(c.scope)
			creator := c.owner
			if c.scope == "own" && c.role == "MANAGER" {
				creator = c.caller
			}
			ws := str(creator.ok(`mutation { createWorkspace(title: "Matrix workspace") { id } }`, nil), "createWorkspace", "id")
			c.project = (&team{s: c.w.s, owner: c.owner}).project(c.t, textClassification, nil)
			c.owner.ok(`mutation($p: ID!, $w: ID!) { updateProject(id: $p, input: {workspaceId: $w}) { id } }`, map[string]any{"p": c.project, "w": ws})
			addWS := `mutation($w: ID!, $u: ID!) { addWorkspaceMember(workspaceId: $w, userId: $u) { id } }`
			if c.scope == "own" && c.signedIn() && creator != c.caller {
				c.owner.ok(addWS, map[string]any{"w": ws, "u": idOf(c.t, c.caller)})
			}
			c.watch = c.join(c.owner, "ANNOTATOR")
			c.user = idOf(c.t, c.watch)
			if remove {
				c.owner.ok(addWS, map[string]any{"w": ws, "u": c.user})
			}
			c.target = ws
		},
		run: gqlRun(query, func(c *cell) map[string]any { return map[string]any{"w": c.target, "u": c.user} }),
		state: func(c *cell) string {
			return fmt.Sprintf("user %s sees the workspace's project: %v", c.user, visible(c.t, c.watch, c.project))
		},
		changes: always,
	}
}

// annotationOp is an operation on an annotation of the scope.
func annotationOp(query string, vars func(c *cell) map[string]any, variant string) operation {
	return operation{
		setup:   func(c *cell) { c.annotationFor(variant) },
		run:     gqlRun(query, vars),
		state:   func(c *cell) string { return taskState(c.owner, c.task) },
		changes: always,
	}
}

// createAnnotationOp labels a task of the scope: own, one the label stream
// handed the caller (unless unassigned) in a project they are a member of.
func createAnnotationOp(unassigned bool) operation {
	return operation{
		setup: func(c *cell) {
			c.project = c.projectFor(c.scope)
			c.marker = "task text of the " + c.scope + " project"
			c.importTexts(c.project, c.marker)
			if c.scope == "own" && c.signedIn() && !unassigned {
				c.task = handOut(c.caller, c.project)
			} else {
				c.task = c.firstTask(c.project)
			}
		},
		run: gqlRun(createAnn, func(c *cell) map[string]any {
			return map[string]any{"i": map[string]any{"taskId": c.task, "result": choice("Negative")}}
		}),
		state:   func(c *cell) string { return taskState(c.owner, c.task) },
		changes: always,
	}
}

const (
	saveDraftMut   = `mutation($t: ID!, $r: JSON!) { saveDraft(taskId: $t, result: $r) { id } }`
	deleteDraftMut = `mutation($t: ID!) { deleteDraft(taskId: $t) }`
	myDraftQuery   = `query($t: ID!) { task(id: $t) { myDraft { id result } } }`
)

// draftState is b's own draft of task id, as b sees it: a draft is its
// user's alone, so nobody else can look.
func draftState(b *browser, id string) string {
	if b == nil {
		return "no session"
	}
	return snapshot(b, myDraftQuery, map[string]any{"t": id})
}

// saveDraftOp saves the caller's draft of a task of the scope (see
// createAnnotationOp); the state is the caller's draft of it.
func saveDraftOp() operation {
	op := createAnnotationOp(false)
	op.run = gqlRun(saveDraftMut, func(c *cell) map[string]any {
		return map[string]any{"t": c.task, "r": choice("Negative")}
	})
	op.state = func(c *cell) string {
		if !c.signedIn() {
			return "anonymous has no drafts"
		}
		return draftState(c.caller, c.task)
	}
	return op
}

// deleteDraftOp removes the caller's draft of a task: own, a task of the
// caller's project with their draft; org, a task of the caller's project
// with another annotator's draft (deleteDraft removes only the caller's,
// so that one stays); other, a task of B with its owner's draft.
func deleteDraftOp() operation {
	return operation{
		setup: func(c *cell) {
			var author *browser
			switch {
			case c.scope == "own" && c.signedIn():
				c.project = c.projectFor("own")
				author = c.caller
			case c.scope == "other":
				c.project = c.projectFor("other")
				author = c.owner
			default:
				c.project = c.projectFor("own")
				author = c.w.peer.on(c.t)
				c.addToProject(c.project, author)
			}
			c.importTexts(c.project, "draft text "+c.scope)
			c.task = handOut(author, c.project)
			author.ok(saveDraftMut, map[string]any{"t": c.task, "r": choice("Positive")})
			c.watch = author
		},
		run:     gqlRun(deleteDraftMut, func(c *cell) map[string]any { return map[string]any{"t": c.task} }),
		state:   func(c *cell) string { return draftState(c.watch, c.task) },
		changes: func(c *cell) bool { return c.scope == "own" && c.signedIn() },
	}
}

// taskReadOp reads a task of the scope (see createAnnotationOp).
func taskReadOp(unassigned bool) operation {
	op := createAnnotationOp(unassigned)
	op.run = gqlRun(`query($t: ID!) { task(id: $t) { id data } }`, func(c *cell) map[string]any { return map[string]any{"t": c.task} })
	op.changes = nil
	return op
}

// inviteOp creates a role invite, into a project of the scope unless the
// role is OWNER.
func inviteOp(role string) operation {
	return operation{
		setup: func(c *cell) {
			if role != "OWNER" {
				c.project = c.projectFor(c.scope)
			}
		},
		run: gqlRun(`mutation($i: CreateInviteInput!) { createInvite(input: $i) { url } }`, func(c *cell) map[string]any {
			i := map[string]any{"role": role}
			if c.project != "" {
				i["projectId"] = c.project
			}
			return map[string]any{"i": i}
		}),
		state: func(c *cell) string {
			return "A: " + snapshot(c.ownerA(), `{ roleInvites { id } }`, nil) + " B: " + snapshot(c.ownerB(), `{ roleInvites { id } }`, nil)
		},
		changes: always,
	}
}

const inviteLookup = `query($t: String!) { invite(token: $t) { organizationTitle role } }`

func matrixOperations() map[string]operation {
	ops := map[string]operation{
		// Accounts.
		"signup": {
			setup: func(c *cell) {
				c.callerSession() // signing up replaces the request's session
				c.owner = c.orgOwner(c.scope)
				c.token = inviteToken(str(c.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
			},
			run: gqlRun(signupMutation, func(c *cell) map[string]any {
				return signupVars(uniqueEmail("matrix"), ownerPassword, c.token)
			}),
			state:   func(c *cell) string { return fmt.Sprint(memberCount(c.t, c.owner)) },
			changes: always,
		},
		"login": {
			setup: func(c *cell) {
				c.callerSession()
				c.watch = c.caller
				c.password = "not the password at all"
				switch c.scope {
				case "own":
					c.password = ownerPassword
					if c.signedIn() {
						c.target = emailOf(c.caller)
					} else {
						c.target = emailOf(c.join(c.ownerA(), "ANNOTATOR"))
					}
				default:
					c.target = emailOf(c.join(c.orgOwner(c.scope), "ANNOTATOR"))
				}
			},
			run: gqlRun(loginMutation, func(c *cell) map[string]any {
				return map[string]any{"i": map[string]any{"email": c.target, "password": c.password}}
			}),
			state:   func(c *cell) string { return identity(c.watch) },
			changes: func(c *cell) bool { return !c.signedIn() },
		},
		"logout": {
			setup:   func(c *cell) { c.callerSession(); c.watch = c.caller },
			run:     gqlRun(`mutation { logout }`, nil),
			state:   func(c *cell) string { return identity(c.watch) },
			changes: (*cell).signedIn,
		},
		"changePassword": {
			setup: func(c *cell) {
				c.newCaller()
				subject := c.caller
				if !c.signedIn() {
					subject = c.join(c.ownerA(), "ANNOTATOR")
				}
				c.watch = c.session(subject) // changing the password ends the other sessions
			},
			run: gqlRun(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`, func(c *cell) map[string]any {
				return map[string]any{"i": map[string]any{"currentPassword": ownerPassword, "newPassword": "a new owl at a quiet dawn"}}
			}),
			state:   func(c *cell) string { return identity(c.watch) },
			changes: (*cell).signedIn,
		},
		"resetApiToken": {
			setup: func(c *cell) {
				subject := c.caller
				if !c.signedIn() {
					subject = c.member("ANNOTATOR")
				}
				c.token = str(subject.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
			},
			run:     gqlRun(`mutation { resetApiToken { token } }`, nil),
			state:   func(c *cell) string { return identity(c.w.s.tokenClient(c.t, c.token)) },
			changes: always,
		},
		"revokeSession": {
			setup: func(c *cell) {
				subject := c.w.peer.on(c.t)
				switch {
				case c.scope == "own" && c.signedIn():
					subject = c.caller
				case c.scope == "other":
					subject = c.ownerB()
				}
				c.watch = c.session(subject)
				for _, s := range path(c.watch.ok(`{ sessions { id current } }`, nil), "sessions").([]any) {
					if path(s, "current") == true {
						c.target = str(s, "id")
					}
				}
			},
			run:     gqlRun(`mutation($s: ID!) { revokeSession(id: $s) }`, func(c *cell) map[string]any { return map[string]any{"s": c.target} }),
			state:   func(c *cell) string { return identity(c.watch) },
			changes: always,
		},

		// Organizations and members.
		"resetInviteLink": {
			setup:   func(*cell) {},
			run:     gqlRun(`mutation { resetInviteLink { id } }`, nil),
			state:   func(c *cell) string { return str(c.owner.ok(orgQuery, nil), "organization", "inviteUrl") },
			changes: always,
		},
		"createOrganization": {
			setup: func(c *cell) {
				c.watch = c.caller
				if !c.signedIn() {
					c.watch = c.member("ANNOTATOR")
				}
			},
			run:     gqlRun(`mutation { createOrganization(title: "Matrix organization") { id } }`, nil),
			state:   func(c *cell) string { return snapshot(c.watch, `{ organizations { id } }`, nil) },
			changes: always,
		},
		"switchOrganization": {
			setup: func(c *cell) {
				if c.scope == "other" {
					c.target = c.w.bOrg
					c.watch = c.caller
					if !c.signedIn() {
						c.watch = c.member("ANNOTATOR")
					}
					return
				}
				c.newCaller() // the caller moves to another organization
				c.watch = c.caller
				if !c.signedIn() {
					c.watch = c.join(c.ownerA(), "ANNOTATOR")
				}
				c.target = str(c.watch.ok(`mutation { createOrganization(title: "Another organization") { id } }`, nil), "createOrganization", "id")
			},
			run:     gqlRun(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, func(c *cell) map[string]any { return map[string]any{"o": c.target} }),
			state:   func(c *cell) string { return str(c.watch.ok(`{ organization { id } }`, nil), "organization", "id") },
			changes: always,
		},
		"deleteOrganization": {
			setup: func(c *cell) {
				if c.scope == "other" {
					c.target, c.owner = c.w.bOrg, c.ownerB()
					c.watch = c.owner
					return
				}
				// A new organization, the caller's active one, in which the
				// caller has their role; its founder is its only owner.
				founder := c.join(c.ownerA(), "ANNOTATOR")
				c.target = str(founder.ok(`mutation { createOrganization(title: "Doomed organization") { id } }`, nil), "createOrganization", "id")
				founder.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": c.target})
				switch {
				case c.role == "OWNER":
					c.caller = founder
				case c.signedIn():
					c.caller = c.join(founder, c.role)
				}
				c.owner, c.watch = founder, founder
			},
			run:     gqlRun(`mutation($o: ID!) { deleteOrganization(id: $o) }`, func(c *cell) map[string]any { return map[string]any{"o": c.target} }),
			state:   func(c *cell) string { return snapshot(c.watch, `{ organizations { id } }`, nil) },
			changes: always,
		},
		"deleteOrganization(default)": {
			setup:   func(c *cell) { c.target = c.w.aOrg },
			run:     gqlRun(`mutation($o: ID!) { deleteOrganization(id: $o) }`, func(c *cell) map[string]any { return map[string]any{"o": c.target} }),
			state:   func(c *cell) string { return orgState(c.owner) },
			changes: always,
		},
		"updateMemberRole":          memberOp(roleMutation, map[string]any{"r": "REVIEWER"}, "ANNOTATOR"),
		"updateMemberRole(toOwner)": memberOp(roleMutation, map[string]any{"r": "OWNER"}, "ANNOTATOR"),
		"updateMemberRole(ofOwner)": memberOp(roleMutation, map[string]any{"r": "ADMIN"}, "OWNER"),
		"removeMember":              memberOp(removeMutation, nil, "ANNOTATOR"),
		"removeMember(owner)":       memberOp(removeMutation, nil, "OWNER"),
		"deactivateUser":            memberOp(deactivate, nil, "ANNOTATOR"),
		"deactivateUser(owner)":     memberOp(deactivate, nil, "OWNER"),
		"createInvite":              inviteOp("ANNOTATOR"),
		"createInvite(owner)":       inviteOp("OWNER"),
		"revokeInvite": {
			setup: func(c *cell) {
				maker := c.caller
				switch c.scope {
				case "org":
					maker = c.ownerA()
					if c.role == "OWNER" {
						maker = c.member("ADMIN")
					}
				case "other":
					maker = c.ownerB()
				}
				d := maker.ok(`mutation { createInvite(input: {role: ANNOTATOR}) { url invite { id } } }`, nil)
				c.target = str(d, "createInvite", "invite", "id")
				c.token = inviteToken(str(d, "createInvite", "url"))
			},
			run: gqlRun(`mutation($a: ID!) { revokeInvite(id: $a) { revoked } }`, targetVars),
			state: func(c *cell) string {
				return snapshot(c.w.s.browser(c.t), inviteLookup, map[string]any{"t": c.token})
			},
			changes: always,
		},

		// Projects, their tasks and their members.
		"createProject": {
			setup: func(*cell) {},
			run: gqlRun(createProject, func(*cell) map[string]any {
				return map[string]any{"i": map[string]any{"title": "Matrix project", "labelConfig": textClassification}}
			}),
			state:   func(c *cell) string { return snapshot(c.owner, `{ projects(first: 1) { totalCount } }`, nil) },
			changes: always,
		},
		"updateProject": projectOp(
			gqlRun(`mutation($p: ID!) { updateProject(id: $p, input: {title: "Renamed by the matrix"}) { id } }`, projectVars),
			func(c *cell) string { return projectState(c.owner, c.project, "title") }, always),
		"updateProject(workspace)": {
			setup: func(c *cell) {
				c.project = c.projectFor("own")
				c.target = str(c.orgOwner(c.scope).ok(`mutation { createWorkspace(title: "Matrix workspace") { id } }`, nil), "createWorkspace", "id")
			},
			run: gqlRun(`mutation($p: ID!, $w: ID!) { updateProject(id: $p, input: {workspaceId: $w}) { id } }`, func(c *cell) map[string]any {
				return map[string]any{"p": c.project, "w": c.target}
			}),
			state:   func(c *cell) string { return projectState(c.owner, c.project, "workspace { id }") },
			changes: always,
		},
		"deleteProject": {
			// A project with work in it: a task someone else labelled.
			setup: func(c *cell) {
				c.project = c.projectFor(c.scope)
				c.marker = "task text of the " + c.scope + " project"
				c.importTexts(c.project, c.marker)
				author := c.owner
				if c.scope != "other" {
					author = c.w.peer.on(c.t)
					c.addToProject(c.project, author)
				}
				annotate(author, c.project)
			},
			run:     gqlRun(`mutation($p: ID!) { deleteProject(id: $p) }`, projectVars),
			state:   func(c *cell) string { return projectState(c.owner, c.project, "id taskCount labeledCount") },
			changes: always,
		},
		"deleteTasks": {
			// Every task of a project with work in it: a task someone else labelled.
			setup: func(c *cell) {
				c.project = c.projectFor(c.scope)
				c.importTexts(c.project, "task text of the "+c.scope+" project")
				author := c.owner
				if c.scope != "other" {
					author = c.w.peer.on(c.t)
					c.addToProject(c.project, author)
				}
				annotate(author, c.project)
			},
			run:     gqlRun(`mutation($p: ID!) { deleteTasks(projectId: $p, all: true) }`, projectVars),
			state:   func(c *cell) string { return projectState(c.owner, c.project, "taskCount labeledCount") },
			changes: always,
		},
		"deleteAnnotations": {
			// Every annotation of a project: one of a task another member labelled.
			setup: func(c *cell) {
				c.project = c.projectFor(c.scope)
				c.importTexts(c.project, "task text of the "+c.scope+" project")
				author := c.owner
				if c.scope != "other" {
					author = c.w.peer.on(c.t)
					c.addToProject(c.project, author)
				}
				annotate(author, c.project)
			},
			run:     gqlRun(`mutation($p: ID!) { deleteAnnotations(projectId: $p, all: true) }`, projectVars),
			state:   func(c *cell) string { return projectState(c.owner, c.project, "taskCount labeledCount") },
			changes: always,
		},
		"importTasks": projectOp(
			gqlRun(importTasks, func(c *cell) map[string]any {
				return map[string]any{"p": c.project, "t": []any{map[string]any{"text": "imported by the matrix"}}}
			}), taskCountState, always),
		"importTasksFromUrl": func() operation {
			op := projectOp(
				gqlRun(`mutation($p: ID!, $u: String!) { importTasksFromUrl(projectId: $p, url: $u) { taskCount } }`, func(c *cell) map[string]any {
					return map[string]any{"p": c.project, "u": c.w.files + "/tasks.json"}
				}),
				// A refused import must not fetch: a refusal is no way to probe URLs.
				func(c *cell) string { return fmt.Sprintf("%s fetches=%d", taskCountState(c), c.w.fetches.Load()) }, always)
			op.env = map[string]string{"SSRF_PROTECTION_ENABLED": "false"} // the task file server is on loopback
			return op
		}(),
		"http:import": projectOp(func(c *cell) *gqlResponse {
			return upload(c.t, c.caller, c.project, map[string]string{"matrix.txt": "uploaded by the matrix\n"})
		}, taskCountState, always),
		"http:export": projectOp(func(c *cell) *gqlResponse {
			req, _ := http.NewRequest(http.MethodGet, c.w.s.URL+"/api/projects/"+c.project+"/export?format=JSON", nil)
			return c.caller.do(req)
		}, taskCountState, nil),
		"http:upload": func() operation {
			op := projectOp(func(c *cell) *gqlResponse { return getUpload(c.caller, c.target) }, taskCountState, nil)
			setup := op.setup
			op.setup = func(c *cell) {
				setup(c)
				if r := uploadFiles(c.t, c.owner, c.project, map[string][]byte{"matrix.png": onePixelPNG}); r.Status != http.StatusCreated {
					c.t.Fatalf("upload: %d %s", r.Status, r.Raw)
				}
				d := c.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1, orderBy: {field: ID, direction: DESC}) { edges { node { data } } } }`, map[string]any{"p": c.project})
				c.target = str(d, "tasks", "edges", 0, "node", "data", "text")
			}
			return op
		}(),
		"addProjectMember":    projectMemberOp(addMember, false),
		"removeProjectMember": projectMemberOp(removeMember, true),
		"addProjectMember(user)": {
			setup: func(c *cell) {
				c.project = c.projectFor("own")
				c.user = idOf(c.t, c.join(c.orgOwner(c.scope), "ANNOTATOR"))
			},
			run:     gqlRun(addMember, func(c *cell) map[string]any { return map[string]any{"p": c.project, "u": c.user} }),
			state:   func(c *cell) string { return projectState(c.owner, c.project, "members { id }") },
			changes: always,
		},
		// Webhooks: a project's are managed like the project; the
		// organization's by owners and admins only.
		"createWebhook": projectOp(
			gqlRun(createWebhook, func(c *cell) map[string]any {
				return map[string]any{"i": map[string]any{"projectId": c.project, "url": "https://hooks.example.com/matrix", "events": []string{"TASKS_CREATED"}}}
			}), webhookState, always),
		"createWebhook(organization)": {
			setup: func(c *cell) { c.owner = c.ownerA() },
			run: gqlRun(createWebhook, func(*cell) map[string]any {
				return map[string]any{"i": map[string]any{"url": "https://hooks.example.com/matrix", "events": []string{"PROJECT_CREATED"}}}
			}),
			state:   func(c *cell) string { return snapshot(c.owner, `{ organization { webhooks { id url } } }`, nil) },
			changes: always,
		},
		"updateWebhook": webhookOp(gqlRun(`mutation($a: ID!) { updateWebhook(id: $a, input: {url: "https://hooks.example.com/changed", active: false}) { id } }`, targetVars)),
		"deleteWebhook": webhookOp(gqlRun(`mutation($a: ID!) { deleteWebhook(id: $a) }`, targetVars)),
		"createWorkspace": {
			setup:   func(*cell) {},
			run:     gqlRun(`mutation { createWorkspace(title: "Matrix workspace") { id } }`, nil),
			state:   func(c *cell) string { return snapshot(c.owner, `{ workspaces { id } }`, nil) },
			changes: always,
		},
		"addWorkspaceMember":    workspaceMemberOp(`mutation($w: ID!, $u: ID!) { addWorkspaceMember(workspaceId: $w, userId: $u) { id } }`, false),
		"removeWorkspaceMember": workspaceMemberOp(`mutation($w: ID!, $u: ID!) { removeWorkspaceMember(workspaceId: $w, userId: $u) { id } }`, true),

		// Labelling and review.
		"createAnnotation":             createAnnotationOp(false),
		"createAnnotation(unassigned)": createAnnotationOp(true),
		"saveDraft":                    saveDraftOp(),
		"deleteDraft":                  deleteDraftOp(),
		"updateAnnotation": annotationOp(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`,
			func(c *cell) map[string]any { return map[string]any{"a": c.target, "r": choice("Negative")} }, ""),
		"updateAnnotation(seeOthers)": annotationOp(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`,
			func(c *cell) map[string]any { return map[string]any{"a": c.target, "r": choice("Negative")} }, "seeOthers"),
		"deleteAnnotation":            annotationOp(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, targetVars, ""),
		"deleteAnnotation(seeOthers)": annotationOp(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, targetVars, "seeOthers"),
		"reviewAnnotation": annotationOp(reviewMut,
			func(c *cell) map[string]any {
				return map[string]any{"a": c.target, "ok": false, "c": "Rejected by the matrix"}
			}, ""),
		"reviewAnnotation(elsewhere)": annotationOp(reviewMut,
			func(c *cell) map[string]any {
				return map[string]any{"a": c.target, "ok": false, "c": "Rejected by the matrix"}
			}, "elsewhere"),
		"reviewAnnotation(fix)": annotationOp(`mutation($a: ID!, $r: JSON!) { reviewAnnotation(id: $a, accepted: true, result: $r) { id } }`,
			func(c *cell) map[string]any { return map[string]any{"a": c.target, "r": choice("Positive")} }, ""),
		"nextReview": {
			// own: another annotator's annotation waiting in the caller's
			// project; org: in a project of A they are not a member of;
			// other: in a project of B.
			setup: func(c *cell) {
				scope := c.scope
				switch scope {
				case "own":
					c.scope = "org"
					c.annotationFor("")
				case "org":
					c.annotationFor("elsewhere")
				default:
					c.annotationFor("")
				}
				c.scope = scope
			},
			run:   gqlRun(`query($p: ID!) { nextReview(projectId: $p) { id } }`, projectVars),
			state: func(c *cell) string { return taskState(c.owner, c.task) },
		},

		// Reads.
		"project": projectOp(gqlRun(`query($p: ID!) { project(id: $p) { id title } }`, projectVars),
			func(c *cell) string { return orgState(c.owner) }, nil),
		"task":             taskReadOp(false),
		"task(unassigned)": taskReadOp(true),
		"tasks": {
			// Two tasks: the caller is handed the first; annotators must not
			// see the second.
			setup: func(c *cell) {
				c.project = c.projectFor(c.scope)
				c.marker = "task text nobody handed out in the " + c.scope + " project"
				c.importTexts(c.project, "handed out", c.marker)
				if c.scope == "own" && c.signedIn() {
					handOut(c.caller, c.project)
				}
			},
			run:   gqlRun(`query($p: ID!) { tasks(projectId: $p, first: 100) { totalCount edges { node { id data } } } }`, projectVars),
			state: func(c *cell) string { return orgState(c.owner) },
			leak: func(c *cell, r *gqlResponse) error {
				if c.role == "ANNOTATOR" && (strings.Contains(r.Raw, c.marker) || path(r.Data, "tasks", "totalCount") != 1.0) {
					return fmt.Errorf("an annotator lists a task not handed to them: %s", r.Raw)
				}
				return nil
			},
		},
		"nextTask": projectOp(gqlRun(nextTaskQuery, projectVars), taskCountState, nil),
		"labelStreamStatus": projectOp(gqlRun(`query($p: ID!) { labelStreamStatus(projectId: $p) { left lockedByOthers } }`, projectVars),
			taskCountState, nil),
		"auditEvents": {
			setup: func(c *cell) { c.project = (&team{s: c.w.s, owner: c.ownerB()}).project(c.t, textClassification, nil) },
			run:   gqlRun(`{ auditEvents(first: 100) { edges { node { targetType targetId } } } }`, nil),
			state: func(c *cell) string { return orgState(c.owner) },
			leak: func(c *cell, r *gqlResponse) error {
				edges, _ := path(r.Data, "auditEvents", "edges").([]any)
				for _, e := range edges {
					kind, id := str(e, "node", "targetType"), str(e, "node", "targetId")
					if kind == "Project" && id == c.project {
						return fmt.Errorf("organization A's audit log shows B's %s %s", kind, id)
					}
				}
				if len(edges) == 0 {
					return fmt.Errorf("organization A's audit log is empty")
				}
				return nil
			},
		},
		"http:auditDownload": {
			setup: func(c *cell) { (&team{s: c.w.s, owner: c.ownerB()}).project(c.t, textClassification, nil) },
			run: func(c *cell) *gqlResponse {
				req, _ := http.NewRequest(http.MethodGet, c.w.s.URL+"/api/audit-events.jsonl", nil)
				return c.caller.do(req)
			},
			state: func(c *cell) string { return orgState(c.owner) },
			leak: func(c *cell, r *gqlResponse) error {
				lines := strings.Split(strings.TrimSpace(r.Raw), "\n")
				for _, l := range lines {
					var e struct {
						Organization json.Number `json:"organization_id"`
					}
					if err := json.Unmarshal([]byte(l), &e); err != nil || e.Organization.String() != c.w.aOrg {
						return fmt.Errorf("organization A's audit download holds a line of organization %q (%v): %.200s", e.Organization, err, l)
					}
				}
				return nil
			},
		},
		"roleInvites": {
			setup: func(c *cell) {
				d := c.ownerB().ok(`mutation { createInvite(input: {role: ANNOTATOR}) { invite { id } } }`, nil)
				c.target = str(d, "createInvite", "invite", "id")
			},
			run:   gqlRun(`{ roleInvites { id } }`, nil),
			state: func(c *cell) string { return orgState(c.owner) },
			leak: func(c *cell, r *gqlResponse) error {
				invites, _ := path(r.Data, "roleInvites").([]any)
				for _, i := range invites {
					if str(i, "id") == c.target {
						return fmt.Errorf("organization A's invites show B's invite %s", c.target)
					}
				}
				return nil
			},
		},
		"members": {
			setup: func(c *cell) { c.user = idOf(c.t, c.join(c.ownerB(), "ANNOTATOR")) },
			run:   gqlRun(`{ members(first: 100) { totalCount edges { node { user { id } } } } }`, nil),
			state: func(c *cell) string { return orgState(c.owner) },
			leak: func(c *cell, r *gqlResponse) error {
				edges, _ := path(r.Data, "members", "edges").([]any)
				for _, e := range edges {
					if str(e, "node", "user", "id") == c.user {
						return fmt.Errorf("organization A's members show B's member %s", c.user)
					}
				}
				if len(edges) < 6 {
					return fmt.Errorf("organization A lists %d members, want at least 6", len(edges))
				}
				return nil
			},
		},
		"invite": {
			setup: func(c *cell) {
				c.owner = c.orgOwner(c.scope)
				c.token = inviteToken(str(c.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
			},
			run:   gqlRun(inviteLookup, func(c *cell) map[string]any { return map[string]any{"t": c.token} }),
			state: func(c *cell) string { return orgState(c.owner) },
		},
	}
	for name, op := range storageOperations() {
		ops[name] = op
	}
	return ops
}

// takesTarget reports whether a query field is aimed at one object: it has
// an id, projectId or token argument.
func takesTarget(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		switch a.Name {
		case "id", "projectId", "token":
			return true
		}
	}
	return false
}

// adminLists are list queries the table covers although they take no id:
// their access depends on the role.
var adminLists = []string{"auditEvents", "roleInvites", "members"}

// matrixGaps compares a schema and a route table with the table's
// operations. missing: a Mutation field, a query aimed at one object, an
// admin list, or an /api/ route with no row. unknown: rows naming an
// operation that no longer exists.
func matrixGaps(s *ast.Schema, routes, table []string) (missing, unknown []string) {
	known, need := map[string]bool{}, map[string]bool{}
	if s.Mutation != nil {
		for _, f := range s.Mutation.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				known[f.Name], need[f.Name] = true, true
			}
		}
	}
	if s.Query != nil {
		for _, f := range s.Query.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			known[f.Name] = true
			if takesTarget(f) || slices.Contains(adminLists, f.Name) {
				need[f.Name] = true
			}
		}
	}
	named := map[string]bool{}
	for name, route := range httpOperations {
		named[route] = true
		if slices.Contains(routes, route) {
			known[name], need[name] = true, true
		}
	}
	for _, r := range routes {
		if _, p, _ := strings.Cut(r, " "); strings.HasPrefix(p, "/api/") && !named[r] {
			missing = append(missing, r+" (add it to httpOperations and the table)")
		}
	}
	have := map[string]bool{}
	for _, op := range table {
		have[baseOperation(op)] = true
		if !known[baseOperation(op)] && !slices.Contains(unknown, op) {
			unknown = append(unknown, op)
		}
	}
	for name := range need {
		if !have[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(unknown)
	return missing, unknown
}

var routePattern = regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+ /[^"]*)"`)

// glossRoutes returns the "METHOD /path" patterns of the route table.
func glossRoutes(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("internal", "web", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range routePattern.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("no routes found in internal/web/routes.go")
	}
	return out
}

// glossSchema loads graph/*.graphqls as gqlgen does.
func glossSchema(t *testing.T) *ast.Schema {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("graph", "*.graphqls"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no graph/*.graphqls (%v)", err)
	}
	var sources []*ast.Source
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: p, Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatalf("load schema: %v", err)
	}
	return s
}

// TestPermissionMatrixCoversEveryOperation fails when the API has an
// operation the table does not cover, or the table one the API lost.
func TestPermissionMatrixCoversEveryOperation(t *testing.T) {
	rows := MustLoadMatrix(t)
	var table []string
	for _, r := range rows {
		table = append(table, r.operation)
	}
	missing, unknown := matrixGaps(glossSchema(t), glossRoutes(t), table)
	for _, m := range missing {
		t.Errorf("%s has no row in %s", m, permissionsFile)
	}
	for _, u := range unknown {
		t.Errorf("%s names %s, which is no longer an operation", permissionsFile, u)
	}
	ops := matrixOperations()
	for name := range ops {
		if !slices.Contains(table, name) {
			t.Errorf("matrixOperations implements %s, which has no row in %s", name, permissionsFile)
		}
	}

	t.Run("the check fails on gaps", func(t *testing.T) {
		s, err := gqlparser.LoadSchema(&ast.Source{Name: "fake.graphqls", Input: `
			type Query { project(id: ID!): Int  lookup(token: String!): Int  list: [Int] }
			type Mutation { doIt: Int  alsoThis(x: Int): Int }`})
		if err != nil {
			t.Fatal(err)
		}
		routes := []string{"POST /api/projects/{id}/import", "GET /api/new-thing", "GET /healthz"}
		missing, unknown := matrixGaps(s, routes, []string{"project", "doIt(variant)", "vanished", "http:import", "http:export"})
		wantMissing := []string{"GET /api/new-thing (add it to httpOperations and the table)", "alsoThis", "lookup"}
		if !slices.Equal(missing, wantMissing) || !slices.Equal(unknown, []string{"http:export", "vanished"}) {
			t.Fatalf("missing %q, unknown %q; want %q and [http:export vanished]", missing, unknown, wantMissing)
		}
	})

	t.Run("the table parser refuses malformed rows", func(t *testing.T) {
		header := "operation\tscope\tOWNER\tADMIN\tMANAGER\tREVIEWER\tANNOTATOR\tANONYMOUS\n"
		for name, body := range map[string]string{
			"bad cell":   header + "project\town\tallow\tallow\tallow\tallow\tmaybe\tUNAUTHENTICATED\n",
			"bad scope":  header + "project\tmine\tallow\tallow\tallow\tallow\tallow\tUNAUTHENTICATED\n",
			"short row":  header + "project\town\tallow\n",
			"duplicate":  header + strings.Repeat("project\town\tallow\tallow\tallow\tallow\tallow\tUNAUTHENTICATED\n", 2),
			"bad header": strings.Replace(header, "ADMIN", "ADMINS", 1),
		} {
			if _, err := loadMatrix(strings.NewReader(body)); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}
