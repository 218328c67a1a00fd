package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A request reads at most 64 MiB from the database: fifteen aliased pages
// of 100 tasks of 1 MiB each made one request read 1.5 GB and the server
// peak at 7.9 GB. Past the limit the request is refused with a message
// that says what to change; within it, a page of big tasks is read whole.
func TestARequestReadsAtMost64MiB(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	const n, size = 70, 1000 * 1000
	big := strings.Repeat("a", size)
	tasks := make([]any, n)
	for i := range tasks {
		tasks[i] = map[string]any{"text": fmt.Sprintf("%d%s", i, big[len(fmt.Sprint(i)):])}
	}
	body, _ := json.Marshal(tasks)
	if r := upload(t, tm.owner, id, map[string]string{"big.json": string(body)}); r.Status != http.StatusCreated {
		t.Fatalf("import: status %d: %s", r.Status, r.Raw)
	}

	// refused wants BAD_USER_INPUT, and says no more than 300 bytes of
	// the answer when it is not.
	refused := func(query string) *gqlResponse {
		t.Helper()
		r := tm.owner.gql(query, map[string]any{"p": id})
		if r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("want BAD_USER_INPUT, got %q (%d bytes): %.300s", r.Code(), len(r.Raw), r.Raw)
		}
		return r
	}
	page := func(alias string, first int) string {
		return fmt.Sprintf(`%s: tasks(projectId: $p, first: %d) { edges { node { id data } } }`, alias, first)
	}
	// Two pages of 40 tasks: 80 MB.
	r := refused(`query($p: ID!) { ` + page("a", 40) + " " + page("b", 40) + " }")
	if !strings.Contains(r.Raw, "reads more than 64 MiB") || !strings.Contains(r.Raw, "fewer items per page") {
		t.Fatalf("the refusal does not say what is wrong: %.300s", r.Raw)
	}
	if len(r.Raw) > 1<<20 {
		t.Fatalf("a refused request answered %d bytes", len(r.Raw))
	}
	// Fifteen pages of every task: refused, and the answer is small.
	var all []string
	for i := range 15 {
		all = append(all, page(fmt.Sprint("p", i), 100))
	}
	r = refused(`query($p: ID!) { ` + strings.Join(all, " ") + " }")
	if len(r.Raw) > 1<<20 {
		t.Fatalf("a refused request answered %d bytes", len(r.Raw))
	}

	// One page of 60 tasks (60 MB) is read whole, and so is every task
	// without its data.
	got := tm.owner.ok(`query($p: ID!) { `+page("a", 60)+" }", map[string]any{"p": id})
	edges, _ := path(got, "a", "edges").([]any)
	if len(edges) != 60 {
		t.Fatalf("a page of 60 big tasks has %d", len(edges))
	}
	if d := str(edges[59], "node", "data", "text"); len(d) != size || !strings.HasPrefix(d, "59a") {
		t.Fatalf("task 60's data is %d bytes, starting %.10q", len(d), d)
	}
	got = tm.owner.ok(`query($p: ID!) { p0: tasks(projectId: $p, first: 100) { edges { node { id } } } p1: tasks(projectId: $p, first: 100) { edges { node { id } } } }`, map[string]any{"p": id})
	if e, _ := path(got, "p1", "edges").([]any); len(e) != n {
		t.Fatalf("a page of ids has %d tasks, want %d", len(e), n)
	}

	// What is read once but answered many times counts each time: a
	// task's data under aliases (20 MB read, 100 MB answered), and a
	// project's 256 KB configuration under every task of a page.
	var datas []string
	for i := range 5 {
		datas = append(datas, fmt.Sprintf("d%d: data", i))
	}
	r = refused(`query($p: ID!) { tasks(projectId: $p, first: 20) { edges { node { id ` + strings.Join(datas, " ") + ` } } } }`)
	if !strings.Contains(r.Raw, "answers more than 64 MiB") || len(r.Raw) > 1<<20 {
		t.Fatalf("five aliases of 20 big tasks' data: %.300s", r.Raw)
	}
	padded := strings.Replace(textClassification, "<View>", "<View><!-- "+strings.Repeat("x", 250<<10)+" -->", 1)
	tm.owner.ok(`mutation($p: ID!, $i: UpdateProjectInput!) { updateProject(id: $p, input: $i) { id } }`,
		map[string]any{"p": id, "i": map[string]any{"labelConfig": padded}})
	configs := func(aliases int) string {
		var q []string
		for i := range aliases {
			q = append(q, fmt.Sprintf("c%d: tasks(projectId: $p, first: 70) { edges { node { project { labelConfig } } } }", i))
		}
		return `query($p: ID!) { ` + strings.Join(q, " ") + " }"
	}
	r = refused(configs(4))
	if !strings.Contains(r.Raw, "answers more than 64 MiB") || len(r.Raw) > 1<<20 {
		t.Fatalf("a 256 KB configuration under 280 tasks: %.300s", r.Raw)
	}
	got = tm.owner.ok(configs(3), map[string]any{"p": id})
	if c := str(path(got, "c2", "edges").([]any)[69], "node", "project", "labelConfig"); c != padded {
		t.Fatalf("the configuration under the last task is %d bytes", len(c))
	}

	// Text counts as written: a configuration of newlines is twice its
	// length in JSON (each is "\n"), so the three aliases that passed
	// above answer 108 MB.
	lines := strings.Replace(textClassification, "<View>", "<View><!-- "+strings.Repeat("\n", 250<<10)+" -->", 1)
	tm.owner.ok(`mutation($p: ID!, $i: UpdateProjectInput!) { updateProject(id: $p, input: $i) { id } }`,
		map[string]any{"p": id, "i": map[string]any{"labelConfig": lines}})
	r = refused(configs(3))
	if !strings.Contains(r.Raw, "answers more than 64 MiB") || len(r.Raw) > 1<<20 {
		t.Fatalf("a 256 KB configuration of newlines under 210 tasks: %.300s", r.Raw)
	}
}

// TestAnAnswerWithErrorsIsWrittenAsCounted: beside an error, the data is
// written as gqlgen wrote it, not HTML-escaped (each <, > and & six bytes,
// beyond what the answer budget counted).
func TestAnAnswerWithErrorsIsWrittenAsCounted(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	r := tm.owner.gql(`query($p: ID!) { project(id: $p) { labelConfig } nextTask(projectId: "999999") { id } }`, map[string]any{"p": id})
	if r.Code() != "NOT_FOUND" {
		t.Fatalf("want NOT_FOUND beside the data, got %q: %.300s", r.Code(), r.Raw)
	}
	if !strings.Contains(r.Raw, `"labelConfig":"<View>`) || strings.Contains(r.Raw, `\u003c`) {
		t.Fatalf("the data beside an error is escaped: %.300s", r.Raw)
	}
}
