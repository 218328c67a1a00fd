package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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
		if r := upload(b, tm.owner, id, map[string]string{"tasks.csv": body}); r.Status != http.StatusCreated {
			b.Fatalf("import: %d %s", r.Status, r.Raw)
		}
	}
}

// BenchmarkExportJSON and BenchmarkExportCSV download a 20,000-task
// project (CSV-imported short texts, as make bench's) through the export
// route; b.N is the number of whole downloads.
func BenchmarkExportJSON(b *testing.B) { benchmarkExport(b, "JSON") }
func BenchmarkExportCSV(b *testing.B)  { benchmarkExport(b, "CSV") }

func benchmarkExport(b *testing.B, format string) {
	tm := benchTeam(b)
	id := tm.project(b, textClassification, nil)
	var csv strings.Builder
	csv.WriteString("text\n")
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&csv, "task number %d with some words to label\n", i)
	}
	if r := upload(b, tm.owner, id, map[string]string{"tasks.csv": csv.String()}); r.Status != http.StatusCreated {
		b.Fatalf("import: %d %s", r.Status, r.Raw)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format="+format, nil)
		if r := tm.owner.do(req); r.Status != 200 || len(r.Raw) < 20_000 {
			b.Fatalf("export: %d %.200s", r.Status, r.Raw)
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
	if r := upload(b, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != http.StatusCreated {
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

// BenchmarkLabelStream runs the label stream of a 20,000-task project
// with overlap 1: eight annotators, each doing nextTask then
// createAnnotation; b.N is the number of submits. Profile it with
//
//	go test -run '^$' -bench LabelStream -benchtime 2000x -cpuprofile cpu.out .
func BenchmarkLabelStream(b *testing.B) {
	const workers = 8
	tm := benchTeam(b)
	crew := newOverlapCrew(b, tm.s, tm.owner, workers)
	in := map[string]any{"title": "Stream", "labelConfig": textClassification}
	id := str(tm.owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	var txt strings.Builder
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&txt, "task %d\n", i)
	}
	if r := upload(b, tm.owner, id, map[string]string{"tasks.txt": txt.String()}); r.Status != http.StatusCreated {
		b.Fatalf("import: %s", r.Raw)
	}
	for _, token := range crew.annotators {
		tm.owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
			map[string]any{"p": id, "u": crew.ids[token]})
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range workers {
		c := tm.s.tokenClient(b, crew.annotators[w])
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				r := c.gql(nextTaskQuery, map[string]any{"p": id})
				taskID := str(r.Data, "nextTask", "id")
				if len(r.Errors) > 0 || taskID == "" {
					b.Errorf("nextTask: %s", r.Raw)
					return
				}
				if r = c.gql(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}}); len(r.Errors) > 0 {
					b.Errorf("createAnnotation: %s", r.Raw)
					return
				}
			}
		})
	}
	wg.Wait()
}
