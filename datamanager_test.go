package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestTaskPagesWithoutTotalCount walks a project by cursor the way the data
// manager and scripts do: pages that ask for pageInfo but not totalCount
// (which then is not counted) still say whether a next page exists and
// hand out cursors that cover every task once; asking for totalCount, under
// an alias or in a fragment too, still gets it.
func TestTaskPagesWithoutTotalCount(t *testing.T) {
	tm := benchTeam(t)
	id := tm.project(t, textClassification, nil)
	var txt strings.Builder
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&txt, "task %d\n", i)
	}
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	for _, q := range []string{
		`query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 100, after: $a) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`,
		`query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 100, after: $a) { ... on TaskConnection { edges { node { id } } } p: pageInfo { endCursor hasNextPage } } }`,
		`query($p: ID!, $a: Cursor) { project(id: $p) { tasks(first: 100, after: $a, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id } } pageInfo { endCursor hasNextPage } } } }`,
	} {
		seen := map[any]bool{}
		var after any
		for page := 1; ; page++ {
			d := tm.owner.ok(q, map[string]any{"p": id, "a": after})
			conn, _ := path(d, "tasks").(map[string]any)
			if conn == nil {
				conn = path(d, "project", "tasks").(map[string]any)
			}
			info, _ := conn["pageInfo"].(map[string]any)
			if info == nil {
				info = conn["p"].(map[string]any)
			}
			for _, e := range conn["edges"].([]any) {
				nid := e.(map[string]any)["node"].(map[string]any)["id"]
				if seen[nid] {
					t.Fatalf("%s: page %d repeats task %v", q, page, nid)
				}
				seen[nid] = true
			}
			if next := info["hasNextPage"] == true; next != (page < 3) {
				t.Fatalf("%s: page %d hasNextPage %v", q, page, info["hasNextPage"])
			}
			if page == 3 {
				break
			}
			after = info["endCursor"]
		}
		if len(seen) != 250 {
			t.Fatalf("%s: walked %d tasks, want 250", q, len(seen))
		}
	}
	for _, q := range []string{
		`query($p: ID!) { tasks(projectId: $p, first: 10) { totalCount pageInfo { hasNextPage } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { n: totalCount } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { ... on TaskConnection { totalCount } pageInfo { hasNextPage } } }`,
	} {
		d := tm.owner.ok(q, map[string]any{"p": id})
		conn := path(d, "tasks").(map[string]any)
		n := conn["totalCount"]
		if n == nil {
			n = conn["n"]
		}
		if n != float64(250) {
			t.Fatalf("%s: totalCount %v, want 250", q, n)
		}
	}
}

// TestDataManagerFilters filters on any column: any data key (imported
// keys the config does not use included), labels, annotation counts,
// prediction scores and creation time; the annotators column names who
// worked on a task. Annotators learn nothing of others' work through
// either: the label filter and the column look only at what they may read.
// Bad filters are refused with what is wrong.
func TestDataManagerFilters(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, map[string]any{"overlap": 2})
	choice := func(c string) []any {
		return []any{map[string]any{"id": "r", "from_name": "sentiment", "to_name": "text", "type": "choices",
			"value": map[string]any{"choices": []any{c}}}}
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"data": map[string]any{"text": "one", "source": "Wikipedia", "n": 7},
			"annotations": []any{map[string]any{"result": choice("Positive")}},
			"predictions": []any{map[string]any{"result": []any{}, "score": 0.9}}},
		map[string]any{"data": map[string]any{"text": "two", "source": "news"},
			"predictions": []any{map[string]any{"result": []any{}, "score": 0.2}}},
		map[string]any{"data": map[string]any{"text": "three", "source": ""}},
		map[string]any{"data": map[string]any{"text": "four it's"}},
	}})
	ids := taskIDs(t, tm.owner, id, nil)
	if len(ids) != 4 {
		t.Fatalf("imported %d tasks", len(ids))
	}
	one, two, three, four := ids[0], ids[1], ids[2], ids[3]
	// The annotator labels task one (which already holds the owner's
	// Positive) as Negative: it is the only task they may see. The stream
	// hands out tasks in id order.
	if got := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id"); got != one {
		t.Fatalf("the stream handed out %s first, not %s", got, one)
	}
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": one, "result": choice("Negative")}})

	for _, c := range []struct {
		who    *browser
		filter map[string]any
		want   []string
	}{
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "source", "contains": "WIKI"}}}, []string{one}},
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "source", "empty": true}}}, []string{three, four}},
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "source", "empty": false}}}, []string{one, two}},
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "n", "contains": "7"}}}, []string{one}},
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "text", "contains": "o"}, map[string]any{"key": "source", "contains": "e"}}}, []string{one, two}},
		// A key is a bound value, never SQL.
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "text') OR 1=1 --", "empty": false}}}, nil},
		{tm.owner, map[string]any{"data": []any{map[string]any{"key": "text", "contains": "it's"}}}, []string{four}},
		{tm.owner, map[string]any{"label": "Positive"}, []string{one}},
		{tm.owner, map[string]any{"label": "Negative"}, []string{one}},
		{tm.owner, map[string]any{"label": "Neutral"}, nil},
		{tm.owner, map[string]any{"annotationsMin": 2}, []string{one}},
		{tm.owner, map[string]any{"annotationsMax": 0}, []string{two, three, four}},
		{tm.owner, map[string]any{"predictionScoreMin": 0.5}, []string{one}},
		{tm.owner, map[string]any{"predictionScoreMax": 0.5}, []string{two}},
		{tm.owner, map[string]any{"createdAfter": "2000-01-01T00:00:00Z"}, ids},
		{tm.owner, map[string]any{"createdBefore": "2000-01-01T00:00:00Z"}, nil},
		// The annotator sees task one only, and only their own label on it.
		{tm.annotator, map[string]any{"label": "Negative"}, []string{one}},
		{tm.annotator, map[string]any{"label": "Positive"}, nil},
	} {
		if got := taskIDs(t, c.who, id, c.filter); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("filter %v: got %v, want %v", c.filter, got, c.want)
		}
	}

	for _, bad := range []map[string]any{
		{"data": []any{map[string]any{"key": `te"xt`, "contains": "a"}}},
		{"data": []any{map[string]any{"key": `te\xt`, "contains": "a"}}},
		{"data": []any{map[string]any{"key": "", "contains": "a"}}},
		{"data": []any{map[string]any{"key": "text"}}},
		{"data": []any{map[string]any{"key": "text", "contains": ""}}},
		{"data": []any{map[string]any{"key": "text", "contains": "a\x00"}}},
		{"data": make([]any, 11)},
		{"label": ""},
		{"label": strings.Repeat("x", 201)},
	} {
		if bad["data"] != nil && len(bad["data"].([]any)) == 11 {
			for i := range bad["data"].([]any) {
				bad["data"].([]any)[i] = map[string]any{"key": "text", "contains": "o"}
			}
		}
		tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!, $f: TaskFilter) { tasks(projectId: $p, first: 10, filter: $f) { edges { node { id } } } }`,
			map[string]any{"p": id, "f": bad})
	}

	// The annotators column: the owner sees both authors of task one; the
	// annotator (the project does not reveal annotators) only themself.
	column := func(b *browser) []string {
		d := b.ok(`query($p: ID!, $f: TaskFilter) { tasks(projectId: $p, first: 10, filter: $f) { edges { node { id annotators { id } } } } }`,
			map[string]any{"p": id, "f": map[string]any{"annotationsMin": 1}})
		var out []string
		for _, u := range path(d, "tasks", "edges", 0, "node", "annotators").([]any) {
			out = append(out, str(u, "id"))
		}
		sort.Strings(out)
		return out
	}
	ownerID := str(tm.owner.ok(`{ viewer { id } }`, nil), "viewer", "id")
	annID := str(tm.annotator.ok(`{ viewer { id } }`, nil), "viewer", "id")
	want := []string{ownerID, annID}
	sort.Strings(want)
	if got := column(tm.owner); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("owner's annotators column %v, want %v", got, want)
	}
	if got := column(tm.annotator); fmt.Sprint(got) != fmt.Sprint([]string{annID}) {
		t.Errorf("annotator's annotators column %v, want only themself %s", got, annID)
	}
}

// TestTaskPagesByAnnotationCount walks a project whose tasks have different
// annotation counts, in both directions of the count order, two tasks a
// page: every task comes once, in (count, id) order. A cursor at a task with
// no annotations carries no value (the cursor's encoding leaves a zero out):
// it still means "after count 0 at this id", not "after this id" in any
// count, which used to hand out the counted tasks again and lose others.
func TestTaskPagesByAnnotationCount(t *testing.T) {
	tm := benchTeam(t)
	id := tm.project(t, textClassification, nil)
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": "a\nb\nc\nd\ne\nf\ng\n"}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id } } } }`, map[string]any{"p": id})
	var ids []string
	for _, e := range path(d, "tasks", "edges").([]any) {
		ids = append(ids, str(e, "node", "id"))
	}
	// Counts 0, 2, 0, 1, 0, 2, 0 (owners annotate freely).
	counts := map[string]int{ids[1]: 2, ids[3]: 1, ids[5]: 2}
	for task, n := range counts {
		for range n {
			tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": task, "result": choice("Positive")}})
		}
	}
	for _, dir := range []string{"ASC", "DESC"} {
		want := slices.Clone(ids)
		sort.SliceStable(want, func(i, j int) bool {
			ci, cj := counts[want[i]], counts[want[j]]
			if ci == cj {
				// ids are numbers of the same width here
				return (want[i] < want[j]) == (dir == "ASC")
			}
			return (ci < cj) == (dir == "ASC")
		})
		q := `query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 2, after: $a, orderBy: $o) { edges { node { id totalAnnotations } } pageInfo { endCursor hasNextPage } } }`
		var got []string
		var after any
		for page := 1; page <= 10; page++ {
			d := tm.owner.ok(q, map[string]any{"p": id, "a": after, "o": map[string]any{"field": "ANNOTATION_COUNT", "direction": dir}})
			for _, e := range path(d, "tasks", "edges").([]any) {
				got = append(got, str(e, "node", "id"))
			}
			if path(d, "tasks", "pageInfo", "hasNextPage") != true {
				break
			}
			after = path(d, "tasks", "pageInfo", "endCursor")
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: pages gave %v, want %v", dir, got, want)
		}
	}
}

// TestTaskPagesOfProjectsOutOfSight: a page of tasks is read without the
// project when it has tasks (every task the viewer sees is of a project
// they see), so what tells "not found" from "no tasks" is checked here for
// every shape of the query: a project of another organization, one outside
// a manager's scope and one that does not exist are NOT_FOUND whatever is
// asked for; an empty page of a project the viewer sees is an empty list.
func TestTaskPagesOfProjectsOutOfSight(t *testing.T) {
	tm := MustTeam(t)
	full := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": full, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	empty := tm.project(t, textClassification, nil)
	outsider := tm.joinAs(t, "MANAGER")
	outsider.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	stranger := tm.joinAs(t, "MANAGER") // same organization, not in the projects' scope
	shapes := []string{
		`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id data } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { pageInfo { hasNextPage } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { __typename } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { totalCount } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10, orderBy: {field: ANNOTATION_COUNT, direction: DESC}) { edges { node { id } } } }`,
	}
	for _, q := range shapes {
		for _, p := range []string{full, empty} {
			outsider.wantCode("NOT_FOUND", q, map[string]any{"p": p})
			stranger.wantCode("NOT_FOUND", q, map[string]any{"p": p})
		}
		tm.owner.wantCode("NOT_FOUND", q, map[string]any{"p": "999999"})
	}
	// The annotator is a member of both and holds no task: empty pages.
	for _, p := range []string{full, empty} {
		d := tm.annotator.ok(shapes[0], map[string]any{"p": p})
		if n := len(path(d, "tasks", "edges").([]any)); n != 0 {
			t.Fatalf("annotator sees %d tasks they were not handed", n)
		}
	}
	d := tm.owner.ok(shapes[0], map[string]any{"p": empty})
	if n := len(path(d, "tasks", "edges").([]any)); n != 0 {
		t.Fatalf("empty project lists %d tasks", n)
	}
	d = tm.owner.ok(shapes[0], map[string]any{"p": full})
	if n := len(path(d, "tasks", "edges").([]any)); n != 2 {
		t.Fatalf("owner sees %d of 2 tasks", n)
	}
}

// TestTaskPagesAfterAccessEnds extends TestTaskPagesOfProjectsOutOfSight:
// a viewer who saw a project's tasks and loses the project (removed from it
// or its workspace, the project moved out of the workspace, demoted, an
// organization switch, the project deleted) gets NOT_FOUND for every shape,
// never a page; invalid arguments answer alike for projects out of sight
// and projects that do not exist.
func TestTaskPagesAfterAccessEnds(t *testing.T) {
	tm := MustTeam(t)
	shapes := []string{
		`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id data } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { pageInfo { hasNextPage } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10) { __typename } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10, orderBy: {field: ANNOTATION_COUNT, direction: DESC}) { edges { node { id } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 10, orderBy: {field: CREATED_AT, direction: ASC}) { edges { cursor node { id project { id } } } } }`,
	}
	sees := func(b *browser, p string, want int) {
		t.Helper()
		d := b.ok(shapes[0], map[string]any{"p": p})
		if n := len(path(d, "tasks", "edges").([]any)); n != want {
			t.Fatalf("sees %d tasks, want %d", n, want)
		}
	}
	gone := func(b *browser, p string) {
		t.Helper()
		for _, q := range shapes {
			b.wantCode("NOT_FOUND", q, map[string]any{"p": p})
		}
	}
	uid := func(b *browser) string { return str(b.ok(`{ viewer { id } }`, nil), "viewer", "id") }
	two := []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}
	newProject := func() string {
		p := str(tm.owner.ok(createProject, map[string]any{"i": map[string]any{"title": "P " + uniqueEmail("p"), "labelConfig": textClassification}}), "createProject", "id")
		tm.owner.ok(importTasks, map[string]any{"p": p, "t": two})
		return p
	}

	// A reviewer removed from the project.
	p1 := newProject()
	rev := tm.joinAs(t, "REVIEWER")
	tm.owner.ok(addMember, map[string]any{"p": p1, "u": uid(rev)})
	sees(rev, p1, 2)
	tm.owner.ok(removeMember, map[string]any{"p": p1, "u": uid(rev)})
	gone(rev, p1)

	// An annotator holding a task, removed from the project.
	p2 := newProject()
	ann := tm.joinAs(t, "ANNOTATOR")
	tm.owner.ok(addMember, map[string]any{"p": p2, "u": uid(ann)})
	if ann.ok(nextTaskQuery, map[string]any{"p": p2})["nextTask"] == nil {
		t.Fatal("no task handed")
	}
	sees(ann, p2, 1)
	tm.owner.ok(removeMember, map[string]any{"p": p2, "u": uid(ann)})
	gone(ann, p2)

	// A workspace member: the project moved out, and the member removed.
	p3 := newProject()
	ws := str(tm.owner.ok(`mutation { createWorkspace(title: "W") { id } }`, nil), "createWorkspace", "id")
	wrev := tm.joinAs(t, "REVIEWER")
	tm.owner.ok(`mutation($w: ID!, $u: ID!) { addWorkspaceMember(workspaceId: $w, userId: $u) { id } }`, map[string]any{"w": ws, "u": uid(wrev)})
	move := `mutation($p: ID!, $w: ID!) { updateProject(id: $p, input: {workspaceId: $w}) { id } }`
	tm.owner.ok(move, map[string]any{"p": p3, "w": ws})
	sees(wrev, p3, 2)
	tm.owner.ok(move, map[string]any{"p": p3, "w": "0"})
	gone(wrev, p3)
	tm.owner.ok(move, map[string]any{"p": p3, "w": ws})
	sees(wrev, p3, 2)
	tm.owner.ok(`mutation($w: ID!, $u: ID!) { removeWorkspaceMember(workspaceId: $w, userId: $u) { id } }`, map[string]any{"w": ws, "u": uid(wrev)})
	gone(wrev, p3)

	// A manager's own project, the manager demoted to reviewer.
	mgr := tm.joinAs(t, "MANAGER")
	p4 := str(mgr.ok(createProject, map[string]any{"i": map[string]any{"title": "Mine", "labelConfig": textClassification}}), "createProject", "id")
	mgr.ok(importTasks, map[string]any{"p": p4, "t": two})
	sees(mgr, p4, 2)
	tm.owner.ok(`mutation($u: ID!) { updateMemberRole(userId: $u, role: REVIEWER) { role } }`, map[string]any{"u": uid(mgr)})
	gone(mgr, p4)
	tm.owner.ok(`mutation($u: ID!) { updateMemberRole(userId: $u, role: MANAGER) { role } }`, map[string]any{"u": uid(mgr)})
	sees(mgr, p4, 2)

	// An organization switch.
	other := str(mgr.ok(`mutation { createOrganization(title: "Other") { id } }`, nil), "createOrganization", "id")
	mgr.ok(`mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": other})
	gone(mgr, p4)

	// A deleted project.
	p5 := newProject()
	sees(tm.owner, p5, 2)
	tm.owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": p5})
	gone(tm.owner, p5)

	// Invalid arguments: the same answer for a project out of sight, one
	// that does not exist, and one the viewer sees.
	bad := []string{
		`query($p: ID!) { tasks(projectId: $p, first: 0) { edges { node { id } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 1000) { edges { node { id } } } }`,
		`query($p: ID!) { tasks(projectId: $p, first: 5, after: "bogus") { edges { node { id } } } }`,
	}
	for _, q := range bad {
		a := rev.gql(q, map[string]any{"p": p1}).Code()
		b := rev.gql(q, map[string]any{"p": "999999"}).Code()
		if a != b {
			t.Errorf("%s: out of sight %s, nonexistent %s", q, a, b)
		}
		t.Logf("%s: %s (before the change: NOT_FOUND)", q, a)
	}
}

// TestAMutationsResultHoldsNoFilteredPage: a mutation's result is read in
// its transaction, which on SQLite holds the server's one writer, so a
// filtered page of tasks there (up to four of 30 s each) stalled every
// write on the server. It is refused, and the mutation with it.
func TestAMutationsResultHoldsNoFilteredPage(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "alpha"}}})
	r := tm.owner.gql(`mutation($p: ID!) { updateProject(id: $p, input: {title: "renamed"}) {
		id tasks(first: 1, filter: {search: "alpha"}) { totalCount } } }`, map[string]any{"p": p})
	if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Raw, "not answered in a mutation's result: ask for them in a query") {
		t.Fatalf("a filtered page in a mutation's result: %s", r.Raw)
	}
	if got := str(tm.owner.ok(`query($p: ID!) { project(id: $p) { title } }`, map[string]any{"p": p}), "project", "title"); got == "renamed" || got == "" {
		t.Errorf("after the refused mutation the project is titled %q", got)
	}
	// The same page, asked for in a query.
	d := tm.owner.ok(`query($p: ID!) { project(id: $p) { tasks(first: 1, filter: {search: "alpha"}) { totalCount } } }`, map[string]any{"p": p})
	if n := path(d, "project", "tasks", "totalCount"); n != 1.0 {
		t.Errorf("the filtered page in a query: %v", n)
	}
}
