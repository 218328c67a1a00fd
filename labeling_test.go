package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const (
	textClassification = `<View>
  <!-- a Label Studio template, as shipped -->
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" showInLine="true">
    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/>
  </Choices>
</View>`
	nerConfig = `<View style="display: flex;">
  <Labels name="label" toName="text"><Label value="PER" background="red"/><Label value="ORG" background="darkorange"/></Labels>
  <Text name="text" value="$text"/>
</View>`
	createProject = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id title overlap sampling dataKeys } }`
	importTasks   = `mutation($p: ID!, $t: JSON!) { importTasks(projectId: $p, tasks: $t) { taskCount } }`
	createAnn     = `mutation($i: CreateAnnotationInput!) { createAnnotation(input: $i) { id wasCancelled completedBy { id } } }`
	nextTaskQuery = `query($p: ID!) { nextTask(projectId: $p) { id innerId data } }`
)

// team starts a server with an owner (token auth) and an annotator (cookie).
type team struct {
	s         *testServer
	owner     *browser
	annotator *browser
}

func MustTeam(t *testing.T) *team {
	t.Helper()
	return MustTeamWith(t, nil)
}

// MustTeamWith is MustTeam on a server started with env.
func MustTeamWith(t *testing.T, env map[string]string) *team {
	t.Helper()
	s, owner := MustOwner(t, env)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	ann := s.browser(t)
	ann.ok(signupMutation, signupVars(uniqueEmail("annotator"), ownerPassword, invite))
	return &team{s: s, owner: owner, annotator: ann}
}

func (tm *team) project(t testing.TB, config string, extra map[string]any) string {
	t.Helper()
	in := map[string]any{"title": "Project " + uniqueEmail("p"), "labelConfig": config}
	for k, v := range extra {
		in[k] = v
	}
	id := str(tm.owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	if tm.annotator != nil {
		tm.addMember(t, id, tm.annotator)
	}
	return id
}

// addMember makes b a member of the project, as annotators must be to see it.
func (tm *team) addMember(t testing.TB, projectID string, b *browser) {
	t.Helper()
	uid := str(b.ok(`{ viewer { id } }`, nil), "viewer", "id")
	tm.owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`, map[string]any{"p": projectID, "u": uid})
}

func taskCount(t *testing.T, b *browser, projectID string) int {
	t.Helper()
	d := b.ok(`query($p: ID!) { project(id: $p) { taskCount } }`, map[string]any{"p": projectID})
	return int(path(d, "project", "taskCount").(float64))
}

func TestProjects(t *testing.T) {
	tm := MustTeam(t)
	for _, tc := range []struct {
		name    string
		input   map[string]any
		code    string
		message string
	}{
		{"empty title", map[string]any{"title": "  ", "labelConfig": textClassification}, "BAD_USER_INPUT", "title"},
		{"long title", map[string]any{"title": strings.Repeat("t", 201), "labelConfig": textClassification}, "BAD_USER_INPUT", "title"},
		{"unknown tag", map[string]any{"title": "x", "labelConfig": `<View><Video name="v" value="$v"/></View>`}, "BAD_USER_INPUT", "Video"},
		{"dangling toName", map[string]any{"title": "x", "labelConfig": `<View><Text name="t" value="$t"/><Choices name="c" toName="nope"><Choice value="A"/></Choices></View>`}, "BAD_USER_INPUT", "nope"},
		{"entity expansion", map[string]any{"title": "x", "labelConfig": `<!DOCTYPE View [<!ENTITY a "aaaa">]><View><Header value="&a;"/></View>`}, "BAD_USER_INPUT", "labelConfig"},
		{"overlap", map[string]any{"title": "x", "labelConfig": textClassification, "overlap": 0}, "BAD_USER_INPUT", "overlap"},
		{"organization from the caller", map[string]any{"title": "x", "labelConfig": textClassification, "organizationId": 2}, "BAD_USER_INPUT", "organizationId"},
		{"author from the caller", map[string]any{"title": "x", "labelConfig": textClassification, "createdById": 2}, "BAD_USER_INPUT", "createdById"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.owner.wantCode(tc.code, createProject, map[string]any{"i": tc.input})
			if !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("message %q does not name %q", r.Errors[0].Message, tc.message)
			}
		})
	}
	id := tm.project(t, textClassification, map[string]any{"overlap": 2, "sampling": "RANDOM"})
	d := tm.owner.ok(`query($p: ID!) { project(id: $p) { labelConfig overlap sampling dataKeys } }`, map[string]any{"p": id})
	if str(d, "project", "labelConfig") != textClassification {
		t.Fatal("the config was not stored exactly as given")
	}
	if fmt.Sprint(path(d, "project", "dataKeys")) != "[text]" {
		t.Fatalf("dataKeys %v", path(d, "project", "dataKeys"))
	}

	// Annotators see projects but cannot create, change or delete them.
	if n := int(path(tm.annotator.ok(`{ projects(first: 10) { totalCount } }`, nil), "projects", "totalCount").(float64)); n != 1 {
		t.Fatalf("annotator sees %d projects", n)
	}
	tm.annotator.wantCode("FORBIDDEN", createProject, map[string]any{"i": map[string]any{"title": "mine", "labelConfig": textClassification}})
	tm.annotator.wantCode("FORBIDDEN", `mutation($p: ID!) { updateProject(id: $p, input: {title: "hijacked"}) { id } }`, map[string]any{"p": id})
	tm.annotator.wantCode("FORBIDDEN", `mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": id})
	d = tm.owner.ok(`{ projects(first: 10) { totalCount edges { node { title } } } }`, nil)
	if path(d, "projects", "totalCount").(float64) != 1 || strings.Contains(fmt.Sprint(d), "hijacked") {
		t.Fatalf("a refused mutation changed projects: %v", d)
	}

	// A project of another instance's organization is simply not found.
	if p := tm.owner.ok(`{ project(id: 999999) { id } }`, nil); path(p, "project") != nil {
		t.Fatal("unknown project found")
	}
	tm.owner.ok(`mutation($p: ID!, $i: UpdateProjectInput!) { updateProject(id: $p, input: $i) { id } }`,
		map[string]any{"p": id, "i": map[string]any{"title": "Renamed"}})
	tm.owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": id})
	if p := tm.owner.ok(`query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": id}); path(p, "project") != nil {
		t.Fatal("deleted project still found")
	}
}

// upload posts files to the import route with b's credentials.
func upload(t testing.TB, b *browser, projectID string, files map[string]string) *gqlResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, content := range files {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/api/projects/"+projectID+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.do(req)
}

func TestImport(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	good := []struct {
		name, file, content string
		tasks               int
	}{
		{"json list", "a.json", `[{"text": "one"}, {"data": {"text": "two"}, "meta": {"src": "x"}}]`, 2},
		{"json object", "b.json", `{"data": {"text": "three"}, "predictions": [{"result": [], "score": 0.5, "model_version": "v1"}]}`, 1},
		{"jsonl", "c.jsonl", "{\"text\": \"four\"}\n\n{\"text\": \"five\"}\n", 2},
		{"csv", "d.csv", "text,extra\nsix,1\n\"seven, quoted\",2\n", 2},
		{"tsv", "e.tsv", "text\textra\neight\t1\n", 1},
		{"txt", "f.txt", "nine\nten\n", 2},
	}
	total := 0
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, tm.owner, id, map[string]string{tc.file: tc.content})
			var out struct{ TaskCount int }
			if err := json.Unmarshal([]byte(r.Raw), &out); r.Status != http.StatusCreated || err != nil || out.TaskCount != tc.tasks {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			total += tc.tasks
			if n := taskCount(t, tm.owner, id); n != total {
				t.Fatalf("tasks = %d, want %d", n, total)
			}
		})
	}
	bad := []struct {
		name    string
		files   map[string]string
		status  int
		message string
	}{
		{"malformed json", map[string]string{"a.json": "[{\"text\": \"ok\"},\n{\"text\": }]"}, 400, "line 2"},
		{"data not an object", map[string]string{"a.json": `[{"data": "x"}]`}, 400, "data"},
		{"csv field count", map[string]string{"a.csv": "text,b\nx,1\ny\n"}, 400, "line 3"},
		{"unknown extension", map[string]string{"a.xml": "<x/>"}, 400, "xml"},
		{"empty", map[string]string{"a.csv": ""}, 400, "no tasks"},
		{"one bad file of two", map[string]string{"ok.txt": "fine\n", "bad.json": "{"}, 400, "bad.json"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, tm.owner, id, tc.files)
			if r.Status != tc.status || r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("status %d: %s (want %d naming %q)", r.Status, r.Raw, tc.status, tc.message)
			}
			if n := taskCount(t, tm.owner, id); n != total {
				t.Fatalf("a refused import stored tasks: %d, want %d", n, total)
			}
		})
	}
	t.Run("annotators cannot import", func(t *testing.T) {
		r := upload(t, tm.annotator, id, map[string]string{"a.txt": "sneaky\n"})
		if r.Status != http.StatusForbidden {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		tm.annotator.wantCode("FORBIDDEN", importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "x"}}})
		if n := taskCount(t, tm.owner, id); n != total {
			t.Fatal("a refused import stored tasks")
		}
	})
	t.Run("foreign origin refused", func(t *testing.T) {
		b := *tm.owner
		b.origin = "https://evil.example"
		if r := upload(t, &b, id, map[string]string{"a.txt": "x\n"}); r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("graphql", func(t *testing.T) {
		d := tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "g1"}, map[string]any{"data": map[string]any{"text": "g2"}}}})
		if path(d, "importTasks", "taskCount").(float64) != 2 {
			t.Fatalf("%v", d)
		}
		tm.owner.wantCode("BAD_USER_INPUT", importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "g3"}, 5}})
		if n := taskCount(t, tm.owner, id); n != total+2 {
			t.Fatalf("tasks = %d", n)
		}
		inner := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 100, orderBy: {field: ID, direction: DESC}) { edges { node { innerId } } } }`, map[string]any{"p": id})
		if path(inner, "tasks", "edges", 0, "node", "innerId").(float64) != float64(total+2) {
			t.Fatalf("inner ids are not sequential: %v", inner)
		}
	})
}

func TestImportFromURLIsSSRFSafe(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	for _, u := range []string{"http://127.0.0.1:1/tasks.json", "http://169.254.169.254/latest/meta-data", "http://[::1]/x.json", "file:///etc/passwd", "http://localhost/x.json", "http://10.0.0.1/x.csv"} {
		r := tm.owner.wantCode("BAD_USER_INPUT", `mutation($p: ID!, $u: String!) { importTasksFromUrl(projectId: $p, url: $u) { taskCount } }`, map[string]any{"p": id, "u": u})
		if strings.Contains(r.Errors[0].Message, "root:") {
			t.Fatalf("upstream content echoed: %s", r.Raw)
		}
	}
	if n := taskCount(t, tm.owner, id); n != 0 {
		t.Fatalf("tasks = %d", n)
	}
}

func TestAnnotations(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, nerConfig, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "Ada Lovelace met Babbage"}}})
	taskID := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	region := func(start, end int, label string) []any {
		return []any{map[string]any{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
			"value": map[string]any{"start": start, "end": end, "labels": []any{label}}}}
	}
	for _, tc := range []struct {
		name    string
		result  any
		message string
	}{
		{"unknown label", region(0, 3, "LOC"), "LOC"},
		{"span past the end", region(0, 99, "PER"), "result[0]"},
		{"unknown control", []any{map[string]any{"id": "x", "from_name": "nope", "to_name": "text", "type": "labels", "value": map[string]any{"start": 0, "end": 1, "labels": []any{"PER"}}}}, "nope"},
		{"not a list", map[string]any{"a": 1}, "result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": tc.result}})
			if !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("message %q does not name %q", r.Errors[0].Message, tc.message)
			}
		})
	}
	d := tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": region(0, 12, "PER"), "leadTime": 3.5}})
	annID := str(d, "createAnnotation", "id")
	me := str(tm.annotator.ok(`{ viewer { id } }`, nil), "viewer", "id")
	if str(d, "createAnnotation", "completedBy", "id") != me {
		t.Fatal("the author is not the viewer")
	}
	// The author cannot be supplied (mass assignment): the input has no such field.
	tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": []any{}, "completedBy": 1}})

	// Only the author changes or deletes an annotation.
	tm.owner.wantCode("FORBIDDEN", `mutation($a: ID!) { updateAnnotation(id: $a, input: {result: []}) { id } }`, map[string]any{"a": annID})
	tm.owner.wantCode("FORBIDDEN", `mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": annID})
	res := tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations annotations { result } } }`, map[string]any{"t": taskID})
	if path(res, "task", "totalAnnotations").(float64) != 1 || !strings.Contains(fmt.Sprint(path(res, "task", "annotations")), "PER") {
		t.Fatalf("a refused change altered the annotation: %v", res)
	}
	tm.annotator.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": annID, "r": region(17, 24, "PER")})
	tm.annotator.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": annID})
	if n := path(tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations } }`, map[string]any{"t": taskID}), "task", "totalAnnotations"); n.(float64) != 0 {
		t.Fatalf("counter after delete = %v", n)
	}
}

func TestNextTask(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, map[string]any{"overlap": 1})
	var tasks []any
	for i := 0; i < 6; i++ {
		tasks = append(tasks, map[string]any{"text": fmt.Sprintf("task %d", i)})
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": tasks})
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}

	// Two annotators asking at once never get the same task.
	invite := inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	var people []*browser
	for i := 0; i < 4; i++ {
		b := tm.s.browser(t)
		b.ok(signupMutation, signupVars(uniqueEmail("labeler"), ownerPassword, invite))
		tm.addMember(t, id, b)
		people = append(people, b)
	}
	got := make([]string, len(people))
	var wg sync.WaitGroup
	for i, b := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = str(b.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, g := range got {
		if g == "" || seen[g] {
			t.Fatalf("concurrent nextTask handed out %v", got)
		}
		seen[g] = true
	}
	// Asking again returns the task one already holds.
	if again := str(people[0].ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id"); again != got[0] {
		t.Fatalf("held task %s, next gave %s", got[0], again)
	}
	// Labelling through the stream: each task once (overlap 1), then null.
	done := map[string]bool{}
	for i := 0; i < 10; i++ {
		n := tm.annotator.ok(nextTaskQuery, map[string]any{"p": id})
		tid := str(n, "nextTask", "id")
		if tid == "" {
			break
		}
		if done[tid] || seen[tid] {
			t.Fatalf("task %s handed out twice", tid)
		}
		done[tid] = true
		tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": choice}})
	}
	if len(done) != 2 {
		t.Fatalf("the annotator labelled %d tasks, want the 2 not held by others", len(done))
	}
	// Skipping counts as done for the skipper but does not label the task.
	tid := got[1]
	people[1].ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": []any{}, "wasCancelled": true}})
	if n := people[1].ok(nextTaskQuery, map[string]any{"p": id}); str(n, "nextTask", "id") == tid {
		t.Fatal("a skipped task came back to the skipper")
	}
	d := tm.owner.ok(`query($p: ID!) { project(id: $p) { labeledCount } skipped: tasks(projectId: $p, filter: {skipped: true}) { totalCount } unlabeled: tasks(projectId: $p, filter: {labeled: false}) { totalCount } }`, map[string]any{"p": id})
	if path(d, "project", "labeledCount").(float64) != 2 || path(d, "skipped", "totalCount").(float64) != 1 || path(d, "unlabeled", "totalCount").(float64) != 4 {
		t.Fatalf("counts: %v", d)
	}
}

func TestExport(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "=cmd|' /C calc'!A0"}, map[string]any{"text": "fine"}}})
	tid := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": []any{map[string]any{
		"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}})
	get := func(b *browser, format string) *gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format="+format, nil)
		return b.do(req)
	}
	r := get(tm.owner, "JSON")
	var tasks []map[string]any
	if err := json.Unmarshal([]byte(r.Raw), &tasks); r.Status != 200 || err != nil || len(tasks) != 2 {
		t.Fatalf("JSON export %d: %s", r.Status, r.Raw)
	}
	if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export is not an attachment: %v", r.Header)
	}
	if !strings.Contains(r.Raw, `"choices": ["Positive"]`) || !strings.Contains(r.Raw, `"from_name": "sentiment"`) {
		t.Fatalf("JSON export lacks the annotation: %s", r.Raw)
	}
	r = get(tm.owner, "CSV")
	if r.Status != 200 || !strings.Contains(r.Raw, "sentiment") || !strings.Contains(r.Raw, "Positive") {
		t.Fatalf("CSV export %d: %s", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, "\n=cmd") || !strings.Contains(r.Raw, "'=cmd") {
		t.Fatalf("CSV export lets a formula through: %s", r.Raw)
	}
	for _, f := range []string{"JSON_MIN", "TSV"} {
		if r := get(tm.owner, f); r.Status != 200 {
			t.Fatalf("%s export: %d %s", f, r.Status, r.Raw)
		}
	}
	// A text classification fits neither CoNLL (no Labels) nor COCO/YOLO
	// (no image): see TestExportRefusesUnfitFormats.
	for _, f := range []string{"CONLL2003", "COCO", "YOLO"} {
		if r := get(tm.owner, f); r.Status != 400 || r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("%s export of a text classification: %d %s", f, r.Status, r.Raw)
		}
	}
	if r := get(tm.owner, "PDF"); r.Status != 400 || r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("unknown format: %d %s", r.Status, r.Raw)
	}
	if r := get(tm.annotator, "JSON"); r.Status != http.StatusForbidden {
		t.Fatalf("annotator export: %d", r.Status)
	}
	if r := get(tm.s.browser(t), "JSON"); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous export: %d", r.Status)
	}
	if r := get(tm.owner, "JSON&x=1"); r.Status != 200 {
		t.Fatal("extra query parameters break the export")
	}
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/99999/export?format=JSON", nil)
	if r := tm.owner.do(req); r.Status != http.StatusNotFound {
		t.Fatalf("unknown project export: %d", r.Status)
	}
}

func TestTaskSearchStaysInData(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"text": "The Quick brown fox"}, map[string]any{"text": "100% sure_thing"}, map[string]any{"text": "other"},
	}})
	count := func(search string) float64 {
		d := tm.owner.ok(`query($p: ID!, $s: String!) { tasks(projectId: $p, filter: {search: $s}) { totalCount } }`, map[string]any{"p": id, "s": search})
		return path(d, "tasks", "totalCount").(float64)
	}
	for search, want := range map[string]float64{"quick": 1, "%": 1, "_": 1, "k_b": 0, "owner@example.com": 0, "password": 0} {
		if got := count(search); got != want {
			t.Fatalf("search %q matched %v tasks, want %v", search, got, want)
		}
	}
	tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!) { tasks(projectId: $p, filter: {search: ""}) { totalCount } }`, map[string]any{"p": id})
}

func TestImportLimitsAndURLs(t *testing.T) {
	files := http.NewServeMux()
	files.HandleFunc("/tasks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"text": "from a URL"}, {"text": "second"}]`)
	})
	files.HandleFunc("/secret", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "INTERNAL-SECRET", http.StatusInternalServerError)
	})
	srv := httptestServer(t, files)
	urlImport := `mutation($p: ID!, $u: String!) { importTasksFromUrl(projectId: $p, url: $u) { taskCount } }`

	t.Run("protection on by default", func(t *testing.T) {
		tm := MustTeam(t)
		id := tm.project(t, textClassification, nil)
		tm.owner.wantCode("BAD_USER_INPUT", urlImport, map[string]any{"p": id, "u": srv + "/tasks.json"})
		if n := taskCount(t, tm.owner, id); n != 0 {
			t.Fatal("a blocked URL import stored tasks")
		}
	})
	t.Run("operator turned protection off", func(t *testing.T) {
		s, owner := MustOwner(t, map[string]string{"SSRF_PROTECTION_ENABLED": "false", "GLOSS_IMPORT_MAX_TASKS": "2"})
		tm := &team{s: s, owner: owner}
		id := tm.project(t, textClassification, nil)
		d := owner.ok(urlImport, map[string]any{"p": id, "u": srv + "/tasks.json"})
		if path(d, "importTasksFromUrl", "taskCount").(float64) != 2 {
			t.Fatalf("%v", d)
		}
		r := owner.wantCode("BAD_USER_INPUT", urlImport, map[string]any{"p": id, "u": srv + "/secret"})
		if strings.Contains(r.Raw, "INTERNAL-SECRET") {
			t.Fatalf("upstream body echoed: %s", r.Raw)
		}
		// The task limit is the operator's and its refusal says so.
		r2 := upload(t, owner, id, map[string]string{"three.txt": "a\nb\nc\n"})
		if r2.Status != 400 || !strings.Contains(r2.Errors[0].Message, "more than 2 tasks") {
			t.Fatalf("limit: %d %s", r2.Status, r2.Raw)
		}
		if n := taskCount(t, owner, id); n != 2 {
			t.Fatalf("tasks = %d", n)
		}
	})
}

func TestNextTaskSampling(t *testing.T) {
	tm := MustTeam(t)
	var tasks []any
	for i := 0; i < 200; i++ {
		tasks = append(tasks, map[string]any{"text": fmt.Sprintf("t%d", i)})
	}
	firstPicks := func(sampling string) []int {
		id := tm.project(t, textClassification, map[string]any{"sampling": sampling})
		tm.owner.ok(importTasks, map[string]any{"p": id, "t": tasks})
		var picks []int
		for i := 0; i < 6; i++ {
			d := tm.owner.ok(nextTaskQuery, map[string]any{"p": id})
			tid := str(d, "nextTask", "id")
			picks = append(picks, int(path(d, "nextTask", "innerId").(float64)))
			tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": []any{}, "wasCancelled": true}})
		}
		return picks
	}
	if got := fmt.Sprint(firstPicks("SEQUENTIAL")); got != "[1 2 3 4 5 6]" {
		t.Fatalf("sequential sampling handed out %s", got)
	}
	// Random sampling starts each pick at a random inner id; six picks in
	// sequential order would happen about once in 10^13 runs.
	if got := fmt.Sprint(firstPicks("RANDOM")); got == "[1 2 3 4 5 6]" {
		t.Fatalf("random sampling handed out tasks in order: %s", got)
	}
}

func TestTaskFilterCannotTraverse(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	for _, filter := range []string{
		`{completedBy: {email: "owner@example.com"}}`,
		`{annotator_password: "x"}`,
		`{search: "x", annotations__completed_by__email: "y"}`,
	} {
		r := tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!) { tasks(projectId: $p, filter: `+filter+`) { totalCount } }`, map[string]any{"p": id})
		if strings.Contains(r.Raw, ownerEmail) {
			t.Fatalf("a refused filter leaked: %s", r.Raw)
		}
	}
	tm.owner.wantCode("BAD_USER_INPUT", `query($p: ID!) { tasks(projectId: $p, orderBy: {field: PASSWORD_HASH, direction: ASC}) { totalCount } }`, map[string]any{"p": id})
}

// TestNextTaskHandsOutTheHeldTaskFirst: the stream hands an annotator the
// task it holds for them even when a task before it has become free, and
// once that task is done, the free one.
func TestNextTaskHandsOutTheHeldTaskFirst(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, map[string]any{"overlap": 1})
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}, map[string]any{"text": "three"}}})
	other := tm.s.browser(t)
	other.ok(signupMutation, signupVars(uniqueEmail("labeler"), ownerPassword, inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))))
	tm.addMember(t, id, other)
	next := func(b *browser) string { return str(b.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id") }
	first := next(other)
	held := next(tm.annotator)
	if held == first {
		t.Fatalf("two annotators hold task %s", held)
	}
	// The other annotator skips the first task: it is free again, and
	// before the held one in the stream's order.
	other.ok(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": []any{}, "wasCancelled": true}})
	for range 2 {
		if got := next(tm.annotator); got != held {
			t.Fatalf("the stream handed out task %s, not task %s that it holds for the annotator", got, held)
		}
	}
	choice := []any{map[string]any{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": held, "result": choice}})
	if got := next(tm.annotator); got != first {
		t.Fatalf("after the held task, the stream handed out task %s, not the free task %s before it", got, first)
	}
}

// TestALapsedLockHandsTheSameTaskBack: once a task's lock lapses, the
// stream hands the annotator that task again, not another, even with random
// sampling (whose searches start anywhere): a task handed to an annotator
// stays theirs to read, so handing out another each time the lock lapsed
// let an annotator gather tasks to read without annotating any.
func TestALapsedLockHandsTheSameTaskBack(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, map[string]any{"sampling": "RANDOM"})
	importMany(t, tm.owner, id, 30)
	db := insider(t, tm.s)
	lapse := "UPDATE tasks SET locked_until = 1 WHERE locked_by_id IS NOT NULL"
	if db.Dialect == "postgres" {
		lapse = "UPDATE tasks SET locked_until = now() - interval '1 hour' WHERE locked_by_id IS NOT NULL"
	}
	first := handOut(tm.annotator, id)
	for range 6 {
		mustExec(t, db, lapse)
		if got := handOut(tm.annotator, id); got != first {
			t.Fatalf("after its lock lapsed the stream handed task %s, not task %s again", got, first)
		}
	}
	seen := tm.annotator.ok(`query($p: ID!) { tasks(projectId: $p) { totalCount } }`, map[string]any{"p": id})
	if n := path(seen, "tasks", "totalCount"); n != float64(1) {
		t.Fatalf("the annotator reads %v tasks, want the 1 handed to them", n)
	}
	// Once annotated, the next one is another task.
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": choice("Positive")}})
	if next := handOut(tm.annotator, id); next == first || next == "" {
		t.Fatalf("after the submit the stream handed %q", next)
	}
}
