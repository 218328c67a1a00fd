package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBigImport: imports larger than one multi-row INSERT (thousands of
// rows per statement) store every task once, numbered in file order, with
// data and meta as given, annotations and predictions on the right task,
// and one audit event per import; a refused big import stores nothing.
func TestBigImport(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)

	const n = 9000 // more than two full INSERTs on SQLite and one on PostgreSQL
	var csv strings.Builder
	csv.WriteString("text,extra\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "\"<b>row %d</b> & co\",%d\n", i, i)
	}
	r := upload(t, tm.owner, id, map[string]string{"big.csv": csv.String()})
	// The count under Label Studio's name too, for scripts written for it.
	if r.Status != http.StatusCreated || !strings.Contains(r.Raw, fmt.Sprintf(`"taskCount":%d`, n)) || !strings.Contains(r.Raw, fmt.Sprintf(`"task_count":%d`, n)) {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	if c := taskCount(t, tm.owner, id); c != n {
		t.Fatalf("tasks = %d, want %d", c, n)
	}

	// Tasks with annotations and predictions among plain ones, across
	// INSERTs: each lands on its own task.
	const m = 8000
	tasks := make([]any, m)
	for i := range tasks {
		task := map[string]any{"data": map[string]any{"text": fmt.Sprintf("json %d", i+1)}, "meta": map[string]any{"i": i + 1}}
		if i%997 == 0 {
			task["annotations"] = []any{map[string]any{"result": []any{map[string]any{"id": fmt.Sprint(i + 1), "from_name": "sentiment",
				"to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}}
			task["predictions"] = []any{map[string]any{"result": []any{}, "score": 0.25, "model_version": fmt.Sprint("v", i+1)}}
		}
		tasks[i] = task
	}
	body, _ := json.Marshal(tasks)
	r = upload(t, tm.owner, id, map[string]string{"big.json": string(body)})
	if r.Status != http.StatusCreated || !strings.Contains(r.Raw, fmt.Sprintf(`"taskCount":%d`, m)) {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}

	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format=JSON", nil)
	ex := tm.owner.do(req)
	var out []struct {
		ID          int            `json:"id"`
		InnerID     int            `json:"inner_id"`
		Data        map[string]any `json:"data"`
		Meta        map[string]any `json:"meta"`
		Annotations []struct {
			Result []struct {
				ID string `json:"id"`
			} `json:"result"`
		} `json:"annotations"`
		Predictions []struct {
			ModelVersion string  `json:"model_version"`
			Score        float64 `json:"score"`
		} `json:"predictions"`
	}
	if err := json.Unmarshal([]byte(ex.Raw), &out); ex.Status != 200 || err != nil {
		t.Fatalf("export %d: %v", ex.Status, err)
	}
	if len(out) != n+m {
		t.Fatalf("exported %d tasks, want %d", len(out), n+m)
	}
	byInner := map[int]int{}
	for i, task := range out {
		byInner[task.InnerID] = i
	}
	for inner := 1; inner <= n+m; inner++ {
		i, ok := byInner[inner]
		if !ok {
			t.Fatalf("no task with inner id %d", inner)
		}
		task := out[i]
		if inner <= n {
			want := fmt.Sprintf("<b>row %d</b> & co", inner)
			if task.Data["text"] != want || task.Data["extra"] != fmt.Sprint(inner) || len(task.Meta) != 0 {
				t.Fatalf("task %d: data %v meta %v, want text %q", inner, task.Data, task.Meta, want)
			}
			continue
		}
		j := inner - n // 1-based in the JSON file
		if task.Data["text"] != fmt.Sprintf("json %d", j) || task.Meta["i"] != float64(j) {
			t.Fatalf("task %d: data %v meta %v, want json %d", inner, task.Data, task.Meta, j)
		}
		if (j-1)%997 == 0 {
			if len(task.Annotations) != 1 || len(task.Annotations[0].Result) != 1 || task.Annotations[0].Result[0].ID != fmt.Sprint(j) ||
				len(task.Predictions) != 1 || task.Predictions[0].ModelVersion != fmt.Sprint("v", j) || task.Predictions[0].Score != 0.25 {
				t.Fatalf("task %d: annotations %+v predictions %+v", inner, task.Annotations, task.Predictions)
			}
		} else if len(task.Annotations) != 0 || len(task.Predictions) != 0 {
			t.Fatalf("task %d has annotations or predictions it was not given", inner)
		}
	}

	// One audit event per import, whatever its size.
	d := tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.tasks_imported"}) { edges { node { action } } } }`, nil)
	if events := path(d, "auditEvents", "edges").([]any); len(events) != 2 {
		t.Fatalf("audit events for two imports: %v", events)
	}

	t.Run("refused big import stores nothing", func(t *testing.T) {
		r := upload(t, tm.annotator, id, map[string]string{"big.csv": csv.String()})
		if r.Status != http.StatusForbidden {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		bad := csv.String() + "\"last\"\n" // a short row at the very end
		r = upload(t, tm.owner, id, map[string]string{"bad.csv": bad})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, fmt.Sprintf("line %d", n+2)) {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		if c := taskCount(t, tm.owner, id); c != n+m {
			t.Fatalf("a refused import stored tasks: %d, want %d", c, n+m)
		}
	})
}

// TestWritersQueueBesideReaders: while a big import holds the write
// transaction, many writers (imports into another project) and readers
// (viewer and project queries) run against the same server. None gets an
// error (no "database is locked", no SQLITE_BUSY), every write lands, and
// readers are answered while the import is in flight: reads never wait for
// the writer.
func TestWritersQueueBesideReaders(t *testing.T) {
	tm := MustTeam(t)
	big := tm.project(t, textClassification, nil)
	small := tm.project(t, textClassification, nil)

	var csv strings.Builder
	csv.WriteString("text\n")
	const n = 150000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "task %d\n", i)
	}

	var importing atomic.Bool
	importing.Store(true)
	done := make(chan *gqlResponse, 1)
	go func() {
		defer importing.Store(false)
		done <- upload(t, tm.owner, big, map[string]string{"big.csv": csv.String()})
	}()

	const writers, readers, each = 8, 8, 15
	var wg sync.WaitGroup
	var readsDuringImport atomic.Int64
	errs := make(chan string, (writers+readers)*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := tm.owner.gql(importTasks, map[string]any{"p": small, "t": []any{map[string]any{"text": fmt.Sprintf("w%d-%d", w, i)}}})
				if len(r.Errors) > 0 || r.Status != 200 {
					errs <- fmt.Sprintf("writer: %d %s", r.Status, r.Raw)
				}
			}
		}()
	}
	for q := 0; q < readers; q++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each || importing.Load(); i++ {
				before := importing.Load()
				var r *gqlResponse
				if i%2 == 0 {
					r = tm.owner.gql(`{ viewer { id } }`, nil)
				} else {
					r = tm.owner.gql(`query($p: ID!) { project(id: $p) { title } }`, map[string]any{"p": small})
				}
				if len(r.Errors) > 0 || r.Status != 200 {
					errs <- fmt.Sprintf("reader: %d %s", r.Status, r.Raw)
				}
				if before && importing.Load() {
					readsDuringImport.Add(1)
				}
				if i > 10000 {
					errs <- "reader: the import never ended"
					return
				}
			}
		}()
	}
	wg.Wait()
	r := <-done
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if r.Status != http.StatusCreated || !strings.Contains(r.Raw, fmt.Sprintf(`"taskCount":%d`, n)) {
		t.Fatalf("big import: status %d: %s", r.Status, r.Raw)
	}
	if c := taskCount(t, tm.owner, big); c != n {
		t.Fatalf("big project has %d tasks, want %d", c, n)
	}
	if c := taskCount(t, tm.owner, small); c != writers*each {
		t.Fatalf("small project has %d tasks, want %d", c, writers*each)
	}
	if readsDuringImport.Load() == 0 {
		t.Fatal("no read was answered while the import ran")
	}
}

// TestAnImportBringsBoundedAnnotations: annotations and predictions are
// rows of their own, written in the import's one transaction, and a result
// may be as short as "[]". A task brings at most 100 of each, and an import
// at most GLOSS_IMPORT_MAX_TASKS of them in all; beyond, the import is
// refused, naming the row, with nothing stored. (A 20 MB file of 1.4
// million empty annotations on 20 tasks took 3.2 GB and held the writer
// for 49 s.)
func TestAnImportBringsBoundedAnnotations(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"GLOSS_IMPORT_MAX_TASKS": "150"})
	tm := &team{s: s, owner: owner}
	id := tm.project(t, textClassification, nil)
	line := func(anns, preds int) string {
		task := map[string]any{"data": map[string]any{"text": "t"}}
		if anns > 0 {
			task["annotations"] = slices.Repeat([]any{map[string]any{"result": []any{}}}, anns)
		}
		if preds > 0 {
			task["predictions"] = slices.Repeat([]any{map[string]any{"result": []any{}}}, preds)
		}
		b, _ := json.Marshal(task)
		return string(b) + "\n"
	}
	for _, tc := range []struct{ name, file, want string }{
		{"101 annotations on a task", line(1, 0) + line(101, 0), `line 2 (task 2): \"annotations\" holds more than 100 annotations`},
		{"101 predictions on a task", line(0, 101), `holds more than 100 predictions, the most one task may bring`},
		{"151 annotations and predictions in an import", line(100, 0) + line(0, 51), "more than 150 annotations and predictions"},
	} {
		r := upload(t, owner, id, map[string]string{"tasks.jsonl": tc.file})
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Raw, tc.want) {
			t.Errorf("%s: HTTP %d %s, want BAD_USER_INPUT saying %q", tc.name, r.Status, r.Raw, tc.want)
		}
		if c := taskCount(t, owner, id); c != 0 {
			t.Fatalf("%s: %d tasks stored by a refused import", tc.name, c)
		}
	}
	if r := upload(t, owner, id, map[string]string{"tasks.jsonl": line(100, 0) + line(0, 50)}); r.Status != http.StatusCreated {
		t.Fatalf("an import at the limits: HTTP %d %s", r.Status, r.Raw)
	}
	if c := taskCount(t, owner, id); c != 2 {
		t.Fatalf("%d tasks after the import at the limits, want 2", c)
	}
}
