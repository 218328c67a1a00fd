package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// overlapTasks is how many tasks each project of the overlap tests has.
const overlapTasks = 60

// overlapCrew is the people of an overlap test: annotators racing through
// the label stream and a reviewer who may annotate any task of the project
// without the stream handing it to them.
type overlapCrew struct {
	annotators []string // API tokens
	ids        map[string]string
	reviewer   string
}

// newOverlapCrew signs up n annotators and a reviewer on s through the
// owner's invite link and gives each an API token.
func newOverlapCrew(t testing.TB, s *testServer, owner *browser, n int) *overlapCrew {
	t.Helper()
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	crew := &overlapCrew{ids: map[string]string{}}
	member := func() (string, string) {
		b := s.browser(t)
		b.ok(signupMutation, signupVars(uniqueEmail("overlap"), ownerPassword, invite))
		return idOf(t, b), str(b.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	}
	for range n {
		id, token := member()
		crew.annotators = append(crew.annotators, token)
		crew.ids[token] = id
	}
	id, token := member()
	owner.ok(roleMutation, map[string]any{"u": id, "r": "REVIEWER"})
	crew.reviewer = token
	crew.ids[token] = id
	return crew
}

// overlapProject creates a project with overlap and overlapTasks tasks and
// makes the crew its members.
func overlapProject(t testing.TB, owner *browser, crew *overlapCrew, overlap int) string {
	t.Helper()
	in := map[string]any{"title": "Overlap " + uniqueEmail("p"), "labelConfig": textClassification, "overlap": overlap}
	id := str(owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	var tasks []any
	for i := range overlapTasks {
		tasks = append(tasks, map[string]any{"text": fmt.Sprintf("text %d", i)})
	}
	owner.ok(importTasks, map[string]any{"p": id, "t": tasks})
	for _, token := range append([]string{crew.reviewer}, crew.annotators...) {
		owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
			map[string]any{"p": id, "u": crew.ids[token]})
	}
	return id
}

const overlapTasksQuery = `query($p: ID!, $after: Cursor) { tasks(projectId: $p, first: 20, after: $after) {
	edges { node { id totalAnnotations cancelledAnnotations annotations { id wasCancelled completedBy { id } } } }
	pageInfo { hasNextPage endCursor } } }`

// overlapTaskList returns every task of project with its annotations, in
// pages the complexity budget admits.
func overlapTaskList(owner *browser, project string) []any {
	var all []any
	var after any
	for {
		d := owner.ok(overlapTasksQuery, map[string]any{"p": project, "after": after})
		edges, _ := path(d, "tasks", "edges").([]any)
		all = append(all, edges...)
		if path(d, "tasks", "pageInfo", "hasNextPage") != true {
			return all
		}
		after = path(d, "tasks", "pageInfo", "endCursor")
	}
}

// raceOverlap has the crew's annotators race through the label stream of
// project (nextTask, then createAnnotation) from servers, until every task
// is labeled. The first two annotators work in two tabs each (two workers
// with one token, on different servers when there are two); the last
// skips one task first and then every third task it is handed. It then checks that every task has
// exactly overlap non-skipped annotations and no two by one person.
func raceOverlap(t *testing.T, servers []*testServer, owner *browser, crew *overlapCrew, project string, overlap int) {
	t.Helper()
	type worker struct {
		token   string
		skips   bool
		twoTabs bool
		tab     int
	}
	var workers []worker
	for i, token := range crew.annotators {
		workers = append(workers, worker{token: token, skips: i == len(crew.annotators)-1, twoTabs: i < 2, tab: 1})
		if i < 2 {
			workers = append(workers, worker{token: token, twoTabs: true, tab: 2})
		}
	}
	labeled := func() bool {
		d := owner.ok(`query($p: ID!) { project(id: $p) { labeledCount taskCount } }`, map[string]any{"p": project})
		return path(d, "project", "labeledCount") == path(d, "project", "taskCount")
	}
	// The skipper skips one task before the race, so there is always a
	// skip to count (under load its worker may get no task at all).
	skipper := servers[0].tokenClient(t, crew.annotators[len(crew.annotators)-1])
	skipper.ok(createAnn, map[string]any{"i": map[string]any{"taskId": handOut(skipper, project), "result": []any{}, "wasCancelled": true}})
	deadline := time.Now().Add(3 * time.Minute)
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := servers[i%len(servers)].tokenClient(t, w.token)
			handed := 0
			for time.Now().Before(deadline) {
				r := c.gql(nextTaskQuery, map[string]any{"p": project})
				if len(r.Errors) > 0 {
					t.Errorf("worker %d: nextTask: %s", i, r.Raw)
					return
				}
				taskID := str(r.Data, "nextTask", "id")
				if taskID == "" {
					// Nothing free for this worker now: the rest may be
					// held by others, who submit or give them back.
					if labeled() {
						return
					}
					time.Sleep(20 * time.Millisecond)
					continue
				}
				handed++
				in := map[string]any{"taskId": taskID, "result": choice("Positive")}
				if w.skips && handed%3 == 0 {
					in = map[string]any{"taskId": taskID, "result": []any{}, "wasCancelled": true}
				}
				r = c.gql(createAnn, map[string]any{"i": in})
				switch {
				case len(r.Errors) == 0:
				case w.twoTabs && r.Code() == "BAD_USER_INPUT" && strings.Contains(r.Errors[0].Message, "already annotated"):
					// The other tab of this annotator submitted it first.
				default:
					t.Errorf("worker %d (tab %d): createAnnotation of task %s: %s", i, w.tab, taskID, r.Raw)
					return
				}
			}
			t.Errorf("worker %d: the project was not labeled in time", i)
		}()
	}
	wg.Wait()
	checkOverlap(t, owner, project, overlap)
}

// checkOverlap checks that every task of project has exactly overlap
// non-skipped annotations, counters that agree, and no two annotations by
// one person.
func checkOverlap(t *testing.T, owner *browser, project string, overlap int) {
	t.Helper()
	checkOverlapOf(t, owner, project, overlap, overlapTasks)
}

// checkOverlapOf is checkOverlap for a project of n tasks.
func checkOverlapOf(t *testing.T, owner *browser, project string, overlap, n int) {
	t.Helper()
	edges := overlapTaskList(owner, project)
	if len(edges) != n {
		t.Fatalf("%d tasks, want %d", len(edges), n)
	}
	over, under, twice, skipped := 0, 0, 0, 0
	for _, e := range edges {
		node := path(e, "node")
		done, cancelled := 0, 0
		authors := map[string]bool{}
		for _, a := range path(node, "annotations").([]any) {
			if path(a, "wasCancelled") == true {
				cancelled++
			} else {
				done++
			}
			who := str(a, "completedBy", "id")
			if authors[who] {
				twice++
				t.Errorf("task %s has two annotations by user %s", str(node, "id"), who)
			}
			authors[who] = true
		}
		skipped += cancelled
		switch {
		case done > overlap:
			over++
			t.Errorf("task %s has %d non-skipped annotations, overlap is %d", str(node, "id"), done, overlap)
		case done < overlap:
			under++
			t.Errorf("task %s has %d non-skipped annotations, overlap is %d", str(node, "id"), done, overlap)
		}
		if int(path(node, "totalAnnotations").(float64)) != done || int(path(node, "cancelledAnnotations").(float64)) != cancelled {
			t.Errorf("task %s: counters %v/%v, annotations %d/%d", str(node, "id"), path(node, "totalAnnotations"), path(node, "cancelledAnnotations"), done, cancelled)
		}
	}
	t.Logf("overlap %d: %d tasks over, %d under, %d with a person twice; %d skips", overlap, over, under, twice, skipped)
}

// checkLateSubmits checks, on a labeled project, that a submit for a full
// task the stream does not hold for the submitter is refused with a clear
// error and changes nothing; that a skip, which takes no place, is still
// accepted; and that the owner may deliberately go beyond the overlap.
func checkLateSubmits(t *testing.T, s *testServer, owner *browser, crew *overlapCrew, project string, overlap int) {
	t.Helper()
	edges := overlapTaskList(owner, project)
	taskID := str(edges[0], "node", "id")
	state := func() string {
		d := owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations annotations { id wasCancelled result completedBy { id } } } }`, map[string]any{"t": taskID})
		b, _ := json.Marshal(d)
		return string(b)
	}
	was := state()
	reviewer := s.tokenClient(t, crew.reviewer)
	r := reviewer.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Negative")}})
	if msg := r.Errors[0].Message; !strings.Contains(msg, fmt.Sprintf("overlap %d", overlap)) || !strings.Contains(msg, "nextTask") {
		t.Errorf("the refusal does not say why: %q", msg)
	}
	if now := state(); now != was {
		t.Fatalf("a refused late submit changed the task:\n%s\n%s", was, now)
	}
	// Two late submits at once: both refused, nothing stored.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := reviewer.gql(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Neutral")}}); r.Code() != "BAD_USER_INPUT" {
				t.Errorf("a concurrent late submit: %s", r.Raw)
			}
		}()
	}
	wg.Wait()
	if now := state(); now != was {
		t.Fatalf("refused concurrent late submits changed the task:\n%s\n%s", was, now)
	}
	// A skip takes no place: the task stays at its overlap.
	reviewer.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": []any{}, "wasCancelled": true}})
	// The owner may go beyond the overlap deliberately.
	owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Neutral")}})
	d := owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations } }`, map[string]any{"t": taskID})
	was2 := map[string]any{}
	_ = json.Unmarshal([]byte(was), &was2)
	if got, want := path(d, "task", "totalAnnotations").(float64), float64(overlap+1); got != want {
		t.Errorf("after the owner's deliberate annotation totalAnnotations = %v, want %v", got, want)
	}
	if got, want := path(d, "task", "cancelledAnnotations").(float64), path(was2, "task", "cancelledAnnotations").(float64)+1; got != want {
		t.Errorf("after the reviewer's skip cancelledAnnotations = %v, want %v", got, want)
	}
}

// checkUnskip checks, on a labeled project, that the annotator who skipped
// tasks cannot turn a skip of a full task into an annotation (that would
// take a place the task no longer has), and that the refusal changes
// nothing.
func checkUnskip(t *testing.T, s *testServer, owner *browser, crew *overlapCrew, project string, overlap int) {
	t.Helper()
	skipper := crew.annotators[len(crew.annotators)-1]
	for _, e := range overlapTaskList(owner, project) {
		for _, a := range path(e, "node", "annotations").([]any) {
			if path(a, "wasCancelled") != true || str(a, "completedBy", "id") != crew.ids[skipper] {
				continue
			}
			taskID := str(e, "node", "id")
			state := func() string {
				d := owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations annotations { id wasCancelled result } } }`, map[string]any{"t": taskID})
				b, _ := json.Marshal(d)
				return string(b)
			}
			was := state()
			r := s.tokenClient(t, skipper).wantCode("BAD_USER_INPUT", `mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r, wasCancelled: false}) { id } }`,
				map[string]any{"a": str(a, "id"), "r": choice("Positive")})
			if !strings.Contains(r.Errors[0].Message, fmt.Sprintf("overlap %d", overlap)) {
				t.Errorf("the refusal does not say why: %q", r.Errors[0].Message)
			}
			if now := state(); now != was {
				t.Fatalf("a refused un-skip changed the task:\n%s\n%s", was, now)
			}
			return
		}
	}
	t.Fatal("the skipper skipped nothing")
}

// TestOverlapUnderConcurrency: ten annotators, two of them in two tabs and
// one who skips, race through the label stream of an overlap-1 and an
// overlap-2 project of 60 tasks on one server (SQLite, or PostgreSQL when
// DATABASE_URL is set). Every task ends with exactly its overlap of
// non-skipped annotations and no person twice; a late submit to a full
// task is refused and stores nothing.
func TestOverlapUnderConcurrency(t *testing.T) {
	s, owner := MustOwner(t, nil)
	crew := newOverlapCrew(t, s, owner, 10)
	for _, overlap := range []int{1, 2} {
		t.Run(fmt.Sprintf("overlap %d", overlap), func(t *testing.T) {
			owner := owner.in(t)
			project := overlapProject(t, owner, crew, overlap)
			raceOverlap(t, []*testServer{s}, owner, crew, project, overlap)
			checkUnskip(t, s, owner, crew, project, overlap)
			checkLateSubmits(t, s, owner, crew, project, overlap)
		})
	}
}

// TestOverlapLoweredWhileHeld: the label stream held a task for an
// annotator while it needed one more annotation; a manager then lowered the
// overlap to what the task already has. The annotator's submit is refused,
// saying why, and stores nothing: holding the task no longer makes room in
// it. The stream hands them the next task instead; when the owner fills
// that one while they hold it, their submit is refused the same way.
func TestOverlapLoweredWhileHeld(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, map[string]any{"overlap": 2})
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	first := str(overlapTaskList(tm.owner, p)[0], "node", "id")
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": choice("Neutral")}})
	if got := handOut(tm.annotator, p); got != first {
		t.Fatalf("the stream handed out task %s, want %s (the one that still needs an annotation)", got, first)
	}
	tm.owner.ok(`mutation($p: ID!) { updateProject(id: $p, input: {overlap: 1}) { id } }`, map[string]any{"p": p})

	before := taskState(tm.owner, first)
	r := tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": choice("Positive")}})
	if msg := r.Errors[0].Message; !strings.Contains(msg, "overlap 1") || !strings.Contains(msg, "nextTask") {
		t.Errorf("the refusal does not say why: %q", msg)
	}
	if after := taskState(tm.owner, first); after != before {
		t.Fatalf("a refused submit changed the task:\n%s\n%s", before, after)
	}
	second := handOut(tm.annotator, p)
	if second == first {
		t.Fatalf("the stream handed out the full task %s again", second)
	}
	// The owner fills the task the annotator now holds: the same.
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": second, "result": choice("Neutral")}})
	before = taskState(tm.owner, second)
	r = tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": second, "result": choice("Positive")}})
	if msg := r.Errors[0].Message; !strings.Contains(msg, "became full") {
		t.Errorf("the refusal does not say why: %q", msg)
	}
	if after := taskState(tm.owner, second); after != before {
		t.Fatalf("a refused submit changed the task:\n%s\n%s", before, after)
	}
}

// in returns a copy of b that fails t (not the test that made b).
func (b *browser) in(t testing.TB) *browser {
	c := *b
	c.t = t
	return &c
}

// TestStreamAnswersWhileTasksAreFree races eight annotators through the
// sequential label stream of an overlap-1 project, all wanting the same
// first free task each time, and checks that nextTask never answers null
// while more tasks are free than the others can hold: losing a race for a
// task means getting the next one, not nothing. At the end every task has
// exactly one annotation.
func TestStreamAnswersWhileTasksAreFree(t *testing.T) {
	const workers, tasks = 8, 240
	s, owner := MustOwner(t, nil)
	crew := newOverlapCrew(t, s, owner, workers)
	in := map[string]any{"title": "Race " + uniqueEmail("p"), "labelConfig": textClassification}
	project := str(owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	var list []any
	for i := range tasks {
		list = append(list, map[string]any{"text": fmt.Sprintf("text %d", i)})
	}
	owner.ok(importTasks, map[string]any{"p": project, "t": list})
	for _, token := range crew.annotators {
		owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
			map[string]any{"p": project, "u": crew.ids[token]})
	}
	var submitted atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		c := s.tokenClient(t, crew.annotators[w])
		wg.Go(func() {
			for {
				r := c.gql(nextTaskQuery, map[string]any{"p": project})
				if len(r.Errors) > 0 {
					t.Errorf("worker %d: nextTask: %s", w, r.Raw)
					return
				}
				id := str(r.Data, "nextTask", "id")
				if id == "" {
					// The others hold at most one task each, and at most
					// one submit each is in flight uncounted.
					if left := tasks - submitted.Load(); left > 2*workers {
						t.Errorf("worker %d: nextTask answered null with %d tasks not yet submitted", w, left)
					}
					return
				}
				if r := c.gql(createAnn, map[string]any{"i": map[string]any{"taskId": id, "result": choice("Positive")}}); len(r.Errors) > 0 {
					t.Errorf("worker %d: createAnnotation of task %s: %s", w, id, r.Raw)
					return
				}
				submitted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := submitted.Load(); n != tasks {
		t.Errorf("%d submits for %d tasks", n, tasks)
	}
	checkOverlapOf(t, owner, project, 1, tasks)
}

// TestAnAnnotatorHoldsOneTaskAtATime: many nextTask at once by one
// annotator (aliases of one query, which gqlgen resolves concurrently)
// hand out one task, the one the annotator then holds, not one each: on
// PostgreSQL the row lock of a hand-out not yet committed made the others
// skip its task and lock the next, so one query of fifteen aliases held
// fifteen tasks for fifteen minutes, away from the annotator's colleagues.
func TestAnAnnotatorHoldsOneTaskAtATime(t *testing.T) {
	s, owner := MustOwner(t, nil)
	crew := newOverlapCrew(t, s, owner, 2)
	hoarder, colleague := s.tokenClient(t, crew.annotators[0]), s.tokenClient(t, crew.annotators[1])
	db := insider(t, s)
	var aliases []string
	for i := range 15 {
		aliases = append(aliases, fmt.Sprintf("a%d: nextTask(projectId: $p) { id }", i))
	}
	query := `query($p: ID!) { ` + strings.Join(aliases, " ") + ` }`
	for round := range 5 {
		in := map[string]any{"title": "Hoard " + uniqueEmail("p"), "labelConfig": textClassification}
		project := str(owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
		var list []any
		for i := range 20 {
			list = append(list, map[string]any{"text": fmt.Sprintf("t %d", i)})
		}
		owner.ok(importTasks, map[string]any{"p": project, "t": list})
		for _, tok := range crew.annotators {
			owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`, map[string]any{"p": project, "u": crew.ids[tok]})
		}
		r := hoarder.gql(query, map[string]any{"p": project})
		if len(r.Errors) > 0 {
			t.Fatalf("round %d: %s", round, r.Raw)
		}
		got := map[string]bool{}
		for i := range 15 {
			got[str(r.Data, fmt.Sprintf("a%d", i), "id")] = true
		}
		var held int
		if err := db.SQL.QueryRow(rebind(db, "SELECT COUNT(*) FROM tasks WHERE project_id = $1 AND locked_by_id = $2"), project, crew.ids[crew.annotators[0]]).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || held != 1 {
			t.Fatalf("round %d: fifteen nextTask at once handed out %d tasks (%v); the annotator holds %d", round, len(got), got, held)
		}
		if id := str(colleague.gql(nextTaskQuery, map[string]any{"p": project}).Data, "nextTask", "id"); id == "" || got[id] {
			t.Fatalf("round %d: the colleague got %q beside the hoarder's %v", round, id, got)
		}
	}
}

// TestATaskHoldsAtMostAHundredAnnotations: owners, admins and managers
// annotate past the overlap, but a task holds at most 100 annotations,
// skips included: what an import may bring it and Task.annotations lists.
// A script's unbounded submits made a task whose annotations every read
// of it and every export held at once.
func TestATaskHoldsAtMostAHundredAnnotations(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	task := str(overlapTaskList(tm.owner, p)[0], "node", "id")
	submit := func(skip bool) *gqlResponse {
		in := map[string]any{"taskId": task, "result": choice("Neutral")}
		if skip {
			in["wasCancelled"] = true
		}
		return tm.owner.gql(createAnn, map[string]any{"i": in})
	}
	for i := range 100 {
		if r := submit(i%10 == 0); len(r.Errors) > 0 {
			t.Fatalf("annotation %d: %s", i+1, r.Raw)
		}
	}
	for _, skip := range []bool{false, true} {
		if r := submit(skip); r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Raw, "already holds 100 annotations, the most one task may") {
			t.Errorf("the 101st annotation (skip %v): %s", skip, r.Raw)
		}
	}
	d := tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations cancelledAnnotations } }`, map[string]any{"t": task})
	if path(d, "task", "totalAnnotations") != 90.0 || path(d, "task", "cancelledAnnotations") != 10.0 {
		t.Errorf("after the refusals: %v", d)
	}
}
