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
	if r := upload(t, tm.owner, id, map[string]string{"big.json": string(body)}); r.Status != http.StatusOK {
		t.Fatalf("import: status %d: %s", r.Status, r.Raw)
	}

	page := func(alias string, first int) string {
		return fmt.Sprintf(`%s: tasks(projectId: $p, first: %d) { edges { node { id data } } }`, alias, first)
	}
	// Two pages of 40 tasks: 80 MB.
	r := tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!) { `+page("a", 40)+" "+page("b", 40)+" }", map[string]any{"p": id})
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
	r = tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!) { `+strings.Join(all, " ")+" }", map[string]any{"p": id})
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
}
