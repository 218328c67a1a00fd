package main

import (
	"fmt"
	"strings"
	"testing"
)

// Benchmarks measure; no test asserts on time. Run with
//   go test -run '^$' -bench . -benchtime 5x .

// BenchmarkImportCSV uploads a 10,000-row CSV through the import route:
// multipart spooling, streaming parse and batched inserts in one transaction.
func BenchmarkImportCSV(b *testing.B) {
	tm := benchTeam(b)
	id := tm.project(b, textClassification, nil)
	var csv strings.Builder
	csv.WriteString("text,source\n")
	for i := 0; i < 10_000; i++ {
		fmt.Fprintf(&csv, "task number %d with some words to label,bench\n", i)
	}
	body := csv.String()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := upload(b, tm.owner, id, map[string]string{"tasks.csv": body}); r.Status != 200 {
			b.Fatalf("import: %d %s", r.Status, r.Raw)
		}
	}
}

// BenchmarkTaskPage reads keyset pages of 100 tasks from a 20,000-task
// project, ordered by annotation count, as the data manager does.
func BenchmarkTaskPage(b *testing.B) {
	tm := benchTeam(b)
	id := tm.project(b, textClassification, nil)
	var txt strings.Builder
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&txt, "task %d\n", i)
	}
	if r := upload(b, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != 200 {
		b.Fatalf("import: %s", r.Raw)
	}
	q := `query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 100, after: $a, orderBy: {field: ANNOTATION_COUNT, direction: DESC}) { edges { node { id innerId data totalAnnotations } } pageInfo { endCursor hasNextPage } } }`
	b.ResetTimer()
	var after any
	for i := 0; i < b.N; i++ {
		d := tm.owner.ok(q, map[string]any{"p": id, "a": after})
		after = path(d, "tasks", "pageInfo", "endCursor")
		if path(d, "tasks", "pageInfo", "hasNextPage") != true {
			after = nil
		}
	}
}

func benchTeam(b testing.TB) *team {
	b.Helper()
	s, owner := MustOwner(b, nil)
	return &team{s: s, owner: owner}
}
