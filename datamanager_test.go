package main

import (
	"fmt"
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
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != 200 {
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
