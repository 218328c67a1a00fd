package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// postImport sends body to the import route as b, with the given content
// type and query.
func postImport(t testing.TB, b *browser, projectID, query, contentType string, body []byte) *gqlResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/api/projects/"+projectID+"/import"+query, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.do(req)
}

// importReply is the import route's answer: Label Studio's keys and
// Gloss's taskCount.
type importReply struct {
	TaskCount       *int  `json:"task_count"`
	AnnotationCount *int  `json:"annotation_count"`
	PredictionCount *int  `json:"prediction_count"`
	GlossTaskCount  *int  `json:"taskCount"`
	TaskIDs         []int `json:"task_ids"`
}

func readReply(t *testing.T, r *gqlResponse) importReply {
	t.Helper()
	var out importReply
	if err := json.Unmarshal([]byte(r.Raw), &out); r.Status != http.StatusCreated || err != nil ||
		out.TaskCount == nil || out.AnnotationCount == nil || out.PredictionCount == nil || out.GlossTaskCount == nil {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	return out
}

// TestImportTakesLabelStudiosBodies imports as Label Studio's clients do:
// tasks as a JSON body (its SDK's import_tasks with a list), a form whose
// url field holds tasks as JSON or a file's address, and files; each
// answers 201 with Label Studio's counts. What it cannot do, or must not,
// is refused with nothing stored.
func TestImportTakesLabelStudiosBodies(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	total := 0
	check := func(t *testing.T, want int) {
		t.Helper()
		if n := taskCount(t, tm.owner, id); n != want {
			t.Fatalf("tasks = %d, want %d", n, want)
		}
	}
	choice := `[{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]`

	t.Run("json list, with annotations and predictions", func(t *testing.T) {
		body := `[{"text": "one"}, {"data": {"text": "two"}, "annotations": [{"result": ` + choice + `}],
			"predictions": [{"result": ` + choice + `, "score": 0.5}, {"result": []}]}]`
		out := readReply(t, postImport(t, tm.owner, id, "", "application/json", []byte(body)))
		if *out.TaskCount != 2 || *out.GlossTaskCount != 2 || *out.AnnotationCount != 1 || *out.PredictionCount != 2 || out.TaskIDs != nil {
			t.Fatalf("%+v", out)
		}
		total += 2
		check(t, total)
	})
	t.Run("one task as a json object, with its ids", func(t *testing.T) {
		out := readReply(t, postImport(t, tm.owner, id, "?return_task_ids=true", "application/json; charset=utf-8", []byte(`{"text": "three"}`)))
		if *out.TaskCount != 1 || len(out.TaskIDs) != 1 {
			t.Fatalf("%+v", out)
		}
		d := tm.owner.ok(`query($t: ID!) { task(id: $t) { data } }`, map[string]any{"t": out.TaskIDs[0]})
		if !strings.Contains(fmt.Sprint(path(d, "task", "data")), "three") {
			t.Fatalf("task %d is not the imported one: %v", out.TaskIDs[0], d)
		}
		total++
		check(t, total)
	})
	t.Run("ids of a list, in its order", func(t *testing.T) {
		var tasks []map[string]string
		for i := range 25 {
			tasks = append(tasks, map[string]string{"text": "many " + string(rune('a'+i))})
		}
		body, _ := json.Marshal(tasks)
		out := readReply(t, postImport(t, tm.owner, id, "?return_task_ids=1", "application/json", body))
		if *out.TaskCount != 25 || len(out.TaskIDs) != 25 || !slices.IsSorted(out.TaskIDs) {
			t.Fatalf("%+v", out)
		}
		last := tm.owner.ok(`query($t: ID!) { task(id: $t) { data } }`, map[string]any{"t": out.TaskIDs[24]})
		if !strings.Contains(fmt.Sprint(path(last, "task", "data")), "many y") {
			t.Fatalf("the last id is not the last task: %v", last)
		}
		total += 25
		check(t, total)
	})
	t.Run("form whose url holds tasks", func(t *testing.T) {
		form := url.Values{"url": {`[{"text": "four"}, {"text": "five"}]`}}.Encode()
		out := readReply(t, postImport(t, tm.owner, id, "", "application/x-www-form-urlencoded", []byte(form)))
		if *out.TaskCount != 2 {
			t.Fatalf("%+v", out)
		}
		total += 2
		check(t, total)
	})
	t.Run("predictions from fields, as Label Studio's SDK asks", func(t *testing.T) {
		// A JSON body and a CSV file whose column holds the result as JSON.
		body := `[{"text": "seven", "pred": ` + choice + `, "note": "kept"}]`
		out := readReply(t, postImport(t, tm.owner, id, "?preannotated_from_fields=pred&return_task_ids=true", "application/json", []byte(body)))
		if *out.TaskCount != 1 || *out.PredictionCount != 1 || len(out.TaskIDs) != 1 {
			t.Fatalf("%+v", out)
		}
		d := tm.owner.ok(`query($t: ID!) { task(id: $t) { data predictions { result } } }`, map[string]any{"t": out.TaskIDs[0]})
		data, _ := json.Marshal(path(d, "task", "data"))
		preds, _ := json.Marshal(path(d, "task", "predictions"))
		if string(data) != `{"note":"kept","text":"seven"}` || !strings.Contains(string(preds), `"choices":["Positive"]`) {
			t.Fatalf("data %s, predictions %s", data, preds)
		}
		csv := "text,pred\neight,\"" + strings.ReplaceAll(choice, `"`, `""`) + "\"\n"
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "tasks.csv")
		fw.Write([]byte(csv))
		mw.Close()
		out = readReply(t, postImport(t, tm.owner, id, "?preannotated_from_fields=pred", mw.FormDataContentType(), buf.Bytes()))
		if *out.TaskCount != 1 || *out.PredictionCount != 1 {
			t.Fatalf("%+v", out)
		}
		total += 2
		check(t, total)
	})
	t.Run("files answer the same", func(t *testing.T) {
		r := upload(t, tm.owner, id, map[string]string{"a.txt": "six\n"})
		if out := readReply(t, r); *out.TaskCount != 1 || *out.GlossTaskCount != 1 {
			t.Fatalf("%+v", out)
		}
		total++
		check(t, total)
	})

	// A file server on loopback: the SSRF-safe client must not fetch it.
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"text": "from inside"}]`))
	}))
	defer inner.Close()
	bad := []struct {
		name, query, contentType, body, message string
		status                                  int
	}{
		{"malformed json body", "", "application/json", `[{"text": "ok"}, {"text": }]`, "the request body", 400},
		{"json body of no tasks", "", "application/json", `[]`, "no tasks", 400},
		{"json body of a number", "", "application/json", `5`, "the request body", 400},
		{"task without the config's key", "", "application/json", `[{"other": "x"}]`, "text", 400},
		{"form without url", "", "application/x-www-form-urlencoded", "file=x", "url", 400},
		{"form url holding bad json", "", "application/x-www-form-urlencoded", url.Values{"url": {`[{"text": }]`}}.Encode(), "the url field", 400},
		{"form url on loopback", "", "application/x-www-form-urlencoded", url.Values{"url": {inner.URL + "/tasks.json"}}.Encode(), "could not import from the URL", 400},
		{"unknown body type", "", "text/plain", `[{"text": "x"}]`, "application/json", 415},
		{"no body type", "", "", `[{"text": "x"}]`, "application/json", 415},
		{"commit_to_project=false", "?commit_to_project=false", "application/json", `[{"text": "x"}]`, "commit_to_project", 400},
		{"preannotated_from_fields naming a field a task lacks", "?preannotated_from_fields=pred", "application/json", `[{"text": "x", "pred": []}, {"text": "y"}]`, `(task 2): "pred" is not in the task's data`, 400},
		{"preannotated_from_fields naming no list", "?preannotated_from_fields=pred", "application/json", `[{"text": "x", "pred": "Positive"}]`, `"pred" must hold a result list`, 400},
		{"preannotated_from_fields naming a bad result", "?preannotated_from_fields=pred", "application/json", `[{"text": "x", "pred": [5]}]`, `the prediction from "pred"`, 400},
		{"return_task_ids not a flag", "?return_task_ids=maybe", "application/json", `[{"text": "x"}]`, "return_task_ids", 400},
		{"commit_to_project=no", "?commit_to_project=no", "application/json", `[{"text": "x"}]`, "commit_to_project", 400},
		{"a form too big to hold", "", "application/x-www-form-urlencoded", "url=" + strings.Repeat("a", 1<<20), "application/json body", 400},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := postImport(t, tm.owner, id, tc.query, tc.contentType, []byte(tc.body))
			if r.Status != tc.status || r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("status %d: %s (want %d naming %q)", r.Status, r.Raw, tc.status, tc.message)
			}
			check(t, total)
		})
	}
	t.Run("a project not found is answered before the body is read", func(t *testing.T) {
		r := postImport(t, tm.owner, "999999", "", "application/json", []byte(`[{"text": "x"}]`))
		if r.Status != http.StatusNotFound {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
	})
	t.Run("annotators cannot import a body", func(t *testing.T) {
		r := postImport(t, tm.annotator, id, "", "application/json", []byte(`[{"text": "sneaky"}]`))
		if r.Status != http.StatusForbidden {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		check(t, total)
	})
	t.Run("a form from a foreign origin is refused", func(t *testing.T) {
		// A form post is what another site can make a signed-in browser
		// send without asking: the owner's, who may import.
		b := *tm.owner
		b.origin = "https://evil.example"
		form := url.Values{"url": {`[{"text": "forged"}]`}}.Encode()
		if r := postImport(t, &b, id, "", "application/x-www-form-urlencoded", []byte(form)); r.Status != http.StatusForbidden {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		check(t, total)
	})
}

// TestAStorageObjectHoldingTasksIsNotMedia syncs an object whose name says
// media but whose content is tasks: it is read as the task file it is, as
// Label Studio reads task files whatever their names, not stored as an
// upload.
func TestAStorageObjectHoldingTasksIsNotMedia(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "data", "tasks.html"), []byte(`[{"text": "from storage"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT", "kind": "LOCAL",
		"local": map[string]any{"path": "data"}}}), "createStorage", "id")
	syncAndWait(t, owner, project, id)
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 1 {
		t.Fatalf("tasks %v", tasks)
	}
	for _, d := range tasks {
		if !strings.Contains(d, "from storage") {
			t.Fatalf("the object's tasks were not imported: %v", tasks)
		}
	}
}
