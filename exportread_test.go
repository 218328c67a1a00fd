package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestExportReadsWhatTheAPIShows: the export reads a project's tasks a page
// of 500 at a time, with the annotations and predictions of each page's
// tasks. Tasks of another project, and of another organization, are
// imported between the project's own, so their ids fall among the page's,
// with annotations and predictions of their own. For
// the owner and for a manager who is a member of the project only, the JSON
// export holds exactly the tasks, annotations and predictions the API shows
// them for the project, over more than one page.
func TestExportReadsWhatTheAPIShows(t *testing.T) {
	tm := MustTeam(t)
	mine := tm.project(t, textClassification, nil)
	other := tm.project(t, textClassification, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, mine, manager)
	outsider := tm.joinAs(t, "MANAGER")
	outsider.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	foreign := str(outsider.ok(createProject, map[string]any{"i": map[string]any{"title": "Foreign", "labelConfig": textClassification}}), "createProject", "id")

	prediction := []any{map[string]any{"result": choice("Negative"), "score": 0.5, "model_version": "m"}}
	load := func(b *browser, p string, n, round int) {
		var tasks []any
		for i := range n {
			task := map[string]any{"data": map[string]any{"text": fmt.Sprintf("%s %d.%d", p, round, i)}}
			if i%3 == 0 {
				task["predictions"] = prediction
			}
			tasks = append(tasks, task)
		}
		b.ok(importTasks, map[string]any{"p": p, "t": tasks})
	}
	for round := range 4 {
		load(tm.owner, mine, 160, round)
		load(tm.owner, other, 90, round)
		load(outsider, foreign, 70, round)
	}
	annotate := func(b *browser, p string) {
		ids := taskIDs(t, b, p, nil)
		for i := 0; i < len(ids); i += 7 {
			b.ok(createAnn, map[string]any{"i": map[string]any{"taskId": ids[i], "result": choice("Positive")}})
		}
	}
	annotate(tm.owner, mine)
	annotate(tm.owner, other)
	annotate(outsider, foreign)
	// Annotations beyond the first 100 tasks too, past an export page.
	ids := apiTaskRows(t, tm.owner, mine)
	var all []int
	for id := range ids {
		all = append(all, id)
	}
	slices.Sort(all)
	for _, id := range all[480:520] {
		tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": strconv.Itoa(id), "result": choice("Neutral")}})
	}

	for name, b := range map[string]*browser{"owner": tm.owner, "manager": manager} {
		want := apiTaskRows(t, b, mine)
		if len(want) != 640 {
			t.Fatalf("%s: the API shows %d tasks, want 640", name, len(want))
		}
		req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+mine+"/export?format=JSON", nil)
		r := b.do(req)
		var tasks []struct {
			ID          int
			Annotations []struct{ ID int }
			Predictions []struct{ ID int }
		}
		if err := json.Unmarshal([]byte(r.Raw), &tasks); r.Status != 200 || err != nil {
			t.Fatalf("%s: export %d %v: %.300s", name, r.Status, err, r.Raw)
		}
		got := map[int]taskRows{}
		for _, tk := range tasks {
			var rows taskRows
			for _, a := range tk.Annotations {
				rows.annotations = append(rows.annotations, a.ID)
			}
			for _, p := range tk.Predictions {
				rows.predictions = append(rows.predictions, p.ID)
			}
			got[tk.ID] = rows
		}
		if len(got) != len(want) {
			t.Fatalf("%s: the export holds %d tasks, the API %d", name, len(got), len(want))
		}
		annotated, predicted := 0, 0
		for id, w := range want {
			g, ok := got[id]
			if !ok || fmt.Sprint(g) != fmt.Sprint(w) {
				t.Fatalf("%s: task %d: the export holds %+v, the API shows %+v", name, id, g, w)
			}
			annotated += len(w.annotations)
			predicted += len(w.predictions)
		}
		if annotated < 50 || predicted < 200 {
			t.Fatalf("%s: only %d annotations and %d predictions compared", name, annotated, predicted)
		}
	}
}

// taskRows are the ids of a task's annotations and predictions, oldest
// first.
type taskRows struct{ annotations, predictions []int }

// apiTaskRows walks the project's tasks through the API as b, with the ids of
// their annotations and predictions.
func apiTaskRows(t *testing.T, b *browser, projectID string) map[int]taskRows {
	t.Helper()
	out := map[int]taskRows{}
	var after any
	for {
		d := b.ok(`query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 50, after: $a) {
			edges { node { id annotations { id } predictions { id } } } pageInfo { endCursor hasNextPage } } }`,
			map[string]any{"p": projectID, "a": after})
		for _, e := range path(d, "tasks", "edges").([]any) {
			id, _ := strconv.Atoi(str(e, "node", "id"))
			var rows taskRows
			for _, a := range path(e, "node", "annotations").([]any) {
				n, _ := strconv.Atoi(str(a, "id"))
				rows.annotations = append(rows.annotations, n)
			}
			for _, p := range path(e, "node", "predictions").([]any) {
				n, _ := strconv.Atoi(str(p, "id"))
				rows.predictions = append(rows.predictions, n)
			}
			out[id] = rows
		}
		if path(d, "tasks", "pageInfo", "hasNextPage") != true {
			return out
		}
		after = path(d, "tasks", "pageInfo", "endCursor")
	}
}

// TestExportReadsOnlyItsOwnTasksRows: the annotations and predictions of
// another project's tasks, imported between this project's tasks, are
// never read by this project's export. An insider has broken one row of
// each (a time no driver can read), so reading them would fail the
// export; by the range of the page's task ids, a page whose tasks came
// before and after a million-task import elsewhere read a million rows.
func TestExportReadsOnlyItsOwnTasksRows(t *testing.T) {
	tm := MustTeam(t)
	mine := tm.project(t, textClassification, nil)
	other := tm.project(t, textClassification, nil)
	prediction := []any{map[string]any{"result": choice("Negative"), "score": 0.5, "model_version": "m"}}
	load := func(p, text string) {
		tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"data": map[string]any{"text": text}, "predictions": prediction}}})
	}
	load(mine, "first")
	load(other, "between")
	load(mine, "last")
	for _, p := range []string{mine, other} {
		for id := range apiTaskRows(t, tm.owner, p) {
			tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": strconv.Itoa(id), "result": choice("Positive")}})
		}
	}
	db := insider(t, tm.s)
	// SQLite keeps any value in any column; PostgreSQL keeps an infinite
	// time, which no time.Time holds.
	annotationCol, predictionCol, broken := "was_cancelled", "score", "garbage"
	if db.Dialect == "postgres" {
		annotationCol, predictionCol, broken = "created_at", "created_at", "infinity"
	}
	mustExec(t, db, "UPDATE annotations SET "+annotationCol+" = $1 WHERE project_id = $2", broken, other)
	mustExec(t, db, "UPDATE predictions SET "+predictionCol+" = $1 WHERE task_id IN (SELECT id FROM tasks WHERE project_id = $2)", broken, other)
	// The rows are broken: the other project's own export fails, before
	// its first byte, with an error status.
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+other+"/export?format=JSON", nil)
	if r := tm.owner.do(req); r.Status != http.StatusInternalServerError || r.Code() != "INTERNAL" {
		t.Fatalf("an export that failed before its first byte answered %d: %.300s", r.Status, r.Raw)
	}

	req, _ = http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+mine+"/export?format=JSON", nil)
	r := tm.owner.do(req)
	var tasks []struct {
		Annotations []struct{ ID int }
		Predictions []struct{ ID int }
	}
	if err := json.Unmarshal([]byte(r.Raw), &tasks); r.Status != 200 || err != nil {
		t.Fatalf("export %d %v: %.300s", r.Status, err, r.Raw)
	}
	if len(tasks) != 2 || len(tasks[0].Annotations) != 1 || len(tasks[1].Annotations) != 1 ||
		len(tasks[0].Predictions) != 1 || len(tasks[1].Predictions) != 1 {
		t.Fatalf("the export holds %+v, want two tasks with an annotation and a prediction each", tasks)
	}
}

// TestAnExportCutShortIsNotWhole: an export that fails after its first
// bytes were sent (its status is 200 by then) ends the connection without
// the end of its chunked body, so the client sees an incomplete download:
// a CSV cut at a row boundary would otherwise pass for the whole file.
func TestAnExportCutShortIsNotWhole(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	var tasks []any
	for i := range 1200 { // three pages of 500, the first two well past any buffer
		tasks = append(tasks, map[string]any{"data": map[string]any{"text": fmt.Sprintf("task %d %s", i, strings.Repeat("words ", 40))}})
	}
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": tasks})
	last := 0
	for id := range apiTaskRows(t, tm.owner, p) {
		last = max(last, id)
	}
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": strconv.Itoa(last), "result": choice("Positive")}})
	db := insider(t, tm.s)
	col, broken := "was_cancelled", "garbage"
	if db.Dialect == "postgres" {
		col, broken = "created_at", "infinity"
	}
	mustExec(t, db, "UPDATE annotations SET "+col+" = $1 WHERE task_id = $2", broken, last)
	for _, format := range []string{"JSON", "CSV"} {
		req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+p+"/export?format="+format, nil)
		resp, err := tm.owner.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) < 100_000 {
			t.Fatalf("%s: HTTP %d after %d bytes; the export should fail after its first pages", format, resp.StatusCode, len(body))
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: a cut export read as whole (%d bytes, error %v)", format, len(body), err)
		}
	}
}

// TestAnExportOfBigTasksIsWhole: an export reads a page of tasks only up
// to some 8 MB of their data (a page of 500 tasks of 1 MiB held 500 MB,
// per export). Cut by bytes, the pages still make the whole export: every
// task once, in order, each with its annotation, however big.
func TestAnExportOfBigTasksIsWhole(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	const n = 30
	big := strings.Repeat("b", 900*1000)
	tasks := make([]any, n)
	for i := range tasks {
		tasks[i] = map[string]any{"text": fmt.Sprintf("%02d%s", i, big)}
	}
	body, _ := json.Marshal(tasks)
	if r := upload(t, tm.owner, p, map[string]string{"big.json": string(body)}); r.Status != http.StatusCreated {
		t.Fatalf("import: %d %.300s", r.Status, r.Raw)
	}
	for id := range apiTaskRows(t, tm.owner, p) {
		tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": strconv.Itoa(id), "result": choice("Positive")}})
	}
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+p+"/export?format=JSON", nil)
	r := tm.owner.do(req)
	var got []struct {
		ID          int
		Data        struct{ Text string }
		Annotations []struct{ ID int }
	}
	if err := json.Unmarshal([]byte(r.Raw), &got); r.Status != 200 || err != nil {
		t.Fatalf("export %d %v: %.300s", r.Status, err, r.Raw)
	}
	if len(got) != n {
		t.Fatalf("the export holds %d tasks, want %d", len(got), n)
	}
	for i, task := range got {
		if !strings.HasPrefix(task.Data.Text, fmt.Sprintf("%02d", i)) || len(task.Data.Text) != len(big)+2 || len(task.Annotations) != 1 ||
			(i > 0 && task.ID <= got[i-1].ID) {
			t.Fatalf("task %d of the export: id %d, %d bytes starting %.4q, %d annotations", i, task.ID, len(task.Data.Text), task.Data.Text, len(task.Annotations))
		}
	}
}

// TestAnExportOfTasksWithBigPredictionsIsWhole: a page of the export also
// ends at its predictions' and annotations' bytes (here 30 tasks of a few
// bytes, each with a prediction of about 600 KB), and the export still
// holds every task with its prediction, in order.
func TestAnExportOfTasksWithBigPredictionsIsWhole(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	const n, items = 30, 5000
	result := make([]any, items)
	for i := range result {
		result[i] = map[string]any{"id": fmt.Sprintf("r%d", i), "from_name": "sentiment", "to_name": "text", "type": "choices",
			"value": map[string]any{"choices": []any{"Positive"}}}
	}
	tasks := make([]any, n)
	for i := range tasks {
		tasks[i] = map[string]any{"data": map[string]any{"text": fmt.Sprintf("%02d", i)}, "predictions": []any{map[string]any{"result": result}}}
	}
	body, _ := json.Marshal(tasks)
	if r := upload(t, tm.owner, p, map[string]string{"big.json": string(body)}); r.Status != http.StatusCreated {
		t.Fatalf("import: %d %.300s", r.Status, r.Raw)
	}
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+p+"/export?format=JSON", nil)
	r := tm.owner.do(req)
	var got []struct {
		Data        struct{ Text string }
		Predictions []struct{ Result []any }
	}
	if err := json.Unmarshal([]byte(r.Raw), &got); r.Status != 200 || err != nil {
		t.Fatalf("export %d %v: %.300s", r.Status, err, r.Raw)
	}
	if len(got) != n {
		t.Fatalf("the export holds %d tasks, want %d", len(got), n)
	}
	for i, task := range got {
		if task.Data.Text != fmt.Sprintf("%02d", i) || len(task.Predictions) != 1 || len(task.Predictions[0].Result) != items {
			t.Fatalf("task %d of the export: %q with %d predictions", i, task.Data.Text, len(task.Predictions))
		}
	}
}
