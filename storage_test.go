package main

// Storages against real servers: an S3 gateway (versitygw over a folder)
// started by the test on loopback, and local folders. The gateway is
// installed by the test itself (go install into the user cache), so a new
// machine needs nothing by hand.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// s3Gateway is a versitygw process serving the folders under Root as
// buckets.
type s3Gateway struct {
	URL  string
	Root string
}

const (
	s3Access = "gloss-test-access"
	s3Secret = "Sup3r-Secret-Key-never-shown-anywhere"
)

// MustS3 starts versitygw on a free loopback port with buckets.
func MustS3(t testing.TB, buckets ...string) *s3Gateway {
	t.Helper()
	bin := versitygwTool.binary(t)
	root := t.TempDir()
	for _, b := range buckets {
		if err := os.MkdirAll(filepath.Join(root, b), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--access", s3Access, "--secret", s3Secret, "--port", addr, "posix", root)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &s3Gateway{URL: "http://" + addr, Root: root}
}

// put stores an object by writing the gateway's folder.
func (g *s3Gateway) put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	p := filepath.Join(g.Root, bucket, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// object reads an object from the gateway's folder, or nil.
func (g *s3Gateway) object(bucket, key string) []byte {
	b, err := os.ReadFile(filepath.Join(g.Root, bucket, filepath.FromSlash(key)))
	if err != nil {
		return nil
	}
	return b
}

// pngBytes is a real 1×1 PNG.
var pngBytes, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

const imageConfig = `<View>
  <Image name="img" value="$image"/>
  <Choices name="sentiment" toName="img"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>`

const (
	createStorageMutation = `mutation($i: CreateStorageInput!) { createStorage(input: $i) { id kind direction bucket prefix endpoint region accountName gcsProjectId secretSet presign } }`
	storagesQuery         = `query($p: ID!) { project(id: $p) { storages { id lastSync { id status total done message } } } }`
	syncMutation          = `mutation($s: ID!) { syncStorage(id: $s) { id status } }`
)

// s3Input is a CreateStorageInput for bucket on g.
func s3Input(project, direction, bucket string, g *s3Gateway, extra map[string]any) map[string]any {
	in := map[string]any{
		"projectId": project, "direction": direction, "kind": "S3", "presign": false,
		"s3": map[string]any{"bucket": bucket, "endpoint": g.URL, "accessKeyId": s3Access, "secretAccessKey": s3Secret},
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// syncAndWait syncs storage id as b and waits for the sync to end; it
// returns the finished sync.
func syncAndWait(t testing.TB, b *browser, project, id string) map[string]any {
	t.Helper()
	d := b.ok(syncMutation, map[string]any{"s": id})
	if st := str(d, "syncStorage", "status"); st != "RUNNING" && st != "QUEUED" && st != "COMPLETED" {
		t.Fatalf("syncStorage answered status %q", st)
	}
	syncID := str(d, "syncStorage", "id")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, s := range path(b.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any) {
			if str(s, "id") != id || str(s, "lastSync", "id") != syncID {
				continue
			}
			if st := str(s, "lastSync", "status"); st == "COMPLETED" || st == "FAILED" {
				return path(s, "lastSync").(map[string]any)
			}
		}
	}
	t.Fatalf("sync of storage %s did not finish", id)
	return nil
}

// resolvePath is the data proxy's path for uri in task.
func resolvePath(task, uri string) string {
	return "/api/tasks/" + task + "/resolve?fileuri=" + base64.RawURLEncoding.EncodeToString([]byte(uri))
}

// fetch GETs path as b without following redirects.
func (b *browser) fetch(t testing.TB, path string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	hc := *b.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// projectTasks returns the data of a project's tasks by id, as b sees them.
func projectTasks(t testing.TB, b *browser, project string) map[string]string {
	t.Helper()
	d := b.ok(`query($p: ID!) { tasks(projectId: $p, first: 100) { edges { node { id data } } } }`, map[string]any{"p": project})
	out := map[string]string{}
	for _, e := range path(d, "tasks", "edges").([]any) {
		raw, _ := json.Marshal(path(e, "node", "data"))
		out[str(e, "node", "id")] = string(raw)
	}
	return out
}

// taskWith returns the id of the task whose data holds s.
func taskWith(t testing.TB, tasks map[string]string, s string) string {
	t.Helper()
	for id, data := range tasks {
		if strings.Contains(data, s) {
			return id
		}
	}
	t.Fatalf("no task holds %q in %v", s, tasks)
	return ""
}

func TestS3SourceStorage(t *testing.T) {
	g := MustS3(t, "media", "tasks")
	g.put(t, "media", "images/a.png", pngBytes)
	g.put(t, "media", "images/b.png", pngBytes)
	g.put(t, "media", "images/notes.txt", []byte("not an image"))
	g.put(t, "media", "private/c.png", pngBytes)
	g.put(t, "media", "images/page.html", []byte("<html><script>alert(1)</script></html>"))

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1/32"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)

	st := owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, map[string]any{
		"prefix": "images/", "regexFilter": `\.(png|html)$`, "useBlobUrls": true, "title": "Media",
	})})
	id := str(st, "createStorage", "id")
	if path(st, "createStorage", "secretSet") != true || str(st, "createStorage", "endpoint") != g.URL ||
		path(st, "createStorage", "accountName") != nil || path(st, "createStorage", "gcsProjectId") != nil {
		t.Fatalf("createStorage answered %v", st)
	}
	if c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": id}); path(c, "checkStorage", "ok") != true {
		t.Fatalf("checkStorage: %v", c)
	}

	// Sync: one task per object under the prefix that the filter passes.
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 3.0 || path(done, "done") != 3.0 {
		t.Fatalf("first sync: %v", done)
	}
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 3 {
		t.Fatalf("first sync made %d tasks, want 3: %v", len(tasks), tasks)
	}
	for _, data := range tasks {
		if strings.Contains(data, "notes.txt") || strings.Contains(data, "private/") {
			t.Errorf("the filter or prefix let through %s", data)
		}
	}
	// A re-sync adds only what is new.
	g.put(t, "media", "images/d.png", pngBytes)
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 1.0 {
		t.Fatalf("re-sync: %v", done)
	}
	if tasks = projectTasks(t, owner, project); len(tasks) != 4 {
		t.Fatalf("re-sync left %d tasks, want 4", len(tasks))
	}
	taskA := taskWith(t, tasks, "s3://media/images/a.png")

	// The data proxy streams what the task names, inertly.
	resp, body := owner.fetch(t, resolvePath(taskA, "s3://media/images/a.png"), nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) {
		t.Fatalf("resolve: HTTP %d, %d bytes", resp.StatusCode, len(body))
	}
	for h, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'", "Cache-Control": "private, no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("resolve %s = %q, want %q", h, got, want)
		}
	}
	resp, body = owner.fetch(t, resolvePath(taskA, "s3://media/images/a.png"), map[string]string{"Range": "bytes=1-3"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, pngBytes[1:4]) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("ranged resolve: HTTP %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), resp.Header.Get("Content-Type"))
	}
	// HTML is never served inline.
	taskHTML := taskWith(t, tasks, "page.html")
	resp, _ = owner.fetch(t, resolvePath(taskHTML, "s3://media/images/page.html"), nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != "attachment" || strings.Contains(resp.Header.Get("Content-Type"), "html") {
		t.Errorf("HTML object served as %q, %q", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}

	// Everything else is the same 404, whoever asks.
	_, notFound := owner.fetch(t, resolvePath(taskA, "s3://media/nothing-here"), nil)
	// The owner of another organization (who joined this one once).
	otherOrg := tm.joinAs(t, "ANNOTATOR")
	orgB := str(otherOrg.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil), "createOrganization", "id")
	otherOrg.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": orgB})
	refusals := []struct {
		name string
		b    *browser
		path string
	}{
		{"another object of the bucket, not in the task", owner, resolvePath(taskA, "s3://media/private/c.png")},
		{"another task's object", owner, resolvePath(taskA, "s3://media/images/b.png")},
		{"a traversal", owner, resolvePath(taskA, "s3://media/images/../private/c.png")},
		{"another bucket", owner, resolvePath(taskA, "s3://tasks/images/a.png")},
		{"a task that does not exist", owner, resolvePath("999999", "s3://media/images/a.png")},
		{"a malformed fileuri", owner, "/api/tasks/" + taskA + "/resolve?fileuri=%%%"},
		{"anonymous", s.browser(t), resolvePath(taskA, "s3://media/images/a.png")},
		{"another organization's user", otherOrg, resolvePath(taskA, "s3://media/images/a.png")},
	}
	for _, r := range refusals {
		resp, body := r.b.fetch(t, r.path, nil)
		if resp.StatusCode != 404 || !bytes.Equal(body, notFound) || bytes.Contains(body, pngBytes[:8]) {
			t.Errorf("%s: HTTP %d %q, want the same 404 as for a missing object (%q)", r.name, resp.StatusCode, body, notFound)
		}
	}
	// An annotator sees only the tasks handed to them, and so their objects.
	ann := tm.joinAs(t, "ANNOTATOR")
	tm.addMember(t, project, ann)
	if resp, _ := ann.fetch(t, resolvePath(taskA, "s3://media/images/a.png"), nil); resp.StatusCode != 404 {
		t.Errorf("an annotator read an object of a task not handed to them: HTTP %d", resp.StatusCode)
	}
	handed := handOut(ann, project)
	var uri string
	_ = json.Unmarshal([]byte(tasks[handed]), &struct{ Image *string }{&uri})
	if resp, body := ann.fetch(t, resolvePath(handed, uri), nil); resp.StatusCode != 200 || len(body) == 0 {
		t.Errorf("an annotator could not read the object of the task handed to them (%s): HTTP %d", uri, resp.StatusCode)
	}
	// Storages themselves are for managers and up.
	ann.wantCode("FORBIDDEN", storagesQuery, map[string]any{"p": project})

	// Presigned: a short-lived redirect to the gateway itself.
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {presign: true, presignTtlMinutes: 5}) { id presign } }`, map[string]any{"s": id})
	resp, _ = owner.fetch(t, resolvePath(taskA, "s3://media/images/a.png"), nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, g.URL+"/media/images/a.png?") || !strings.Contains(loc, "X-Amz-Expires=300") {
		t.Fatalf("presigned resolve: HTTP %d to %q", resp.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || !bytes.Equal(presigned, pngBytes) {
		t.Errorf("the presigned URL answered HTTP %d with %d bytes", got.StatusCode, len(presigned))
	}
	// A navigation (a link someone clicked) is not sent to the endpoint,
	// which a manager chose: it gets the object itself.
	resp, body = owner.fetch(t, resolvePath(taskA, "s3://media/images/a.png"), map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || !bytes.Equal(body, pngBytes) {
		t.Errorf("a navigation to the presigned resolve: HTTP %d to %q with %d bytes", resp.StatusCode, resp.Header.Get("Location"), len(body))
	}

	// JSON and JSONL task files: the tasks inside them.
	g.put(t, "tasks", "batch/one.json", []byte(`[{"data": {"image": "https://example.com/1.png"}}, {"image": "https://example.com/2.png"}]`))
	g.put(t, "tasks", "batch/two.jsonl", []byte("{\"image\": \"https://example.com/3.png\"}\n"))
	// Task files named otherwise are read by their content, as Label
	// Studio reads them: a list, and JSON Lines.
	g.put(t, "tasks", "batch/four", []byte(`[{"image": "https://example.com/4.png"}]`))
	g.put(t, "tasks", "batch/five.txt", []byte("{\"image\": \"https://example.com/5.png\"}\n{\"image\": \"https://example.com/6.png\"}\n"))
	js := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "tasks", g, map[string]any{"prefix": "batch/"})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, js); str(done, "status") != "COMPLETED" {
		t.Fatalf("JSON sync: %v", done)
	}
	if n := taskCount(t, owner, project); n != 10 {
		t.Fatalf("JSON sync: %d tasks, want 10", n)
	}
	// A bad task file fails the sync with a short reason and keeps the rest.
	g.put(t, "tasks", "batch/three.json", []byte(`[{"data": "not an object"}]`))
	done := syncAndWait(t, owner, project, js)
	if str(done, "status") != "FAILED" || !strings.Contains(str(done, "message"), "three.json") {
		t.Fatalf("bad task file: %v", done)
	}
	if n := taskCount(t, owner, project); n != 10 {
		t.Fatalf("a failed sync changed the tasks: %d, want 10", n)
	}

	// Wrong credentials: a short reason of our own, never the gateway's body.
	bad := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, nil)}), "createStorage", "id")
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {s3: {bucket: "media", secretAccessKey: "wrong"}}) { id } }`, map[string]any{"s": bad})
	c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": bad})
	if msg := str(c, "checkStorage", "message"); path(c, "checkStorage", "ok") != false || !strings.HasPrefix(msg, "S3 refused: ") || strings.ContainsAny(msg, "<>") {
		t.Errorf("check with a wrong key: %v", c)
	}
	done = syncAndWait(t, owner, project, bad)
	if msg := str(done, "message"); str(done, "status") != "FAILED" || strings.ContainsAny(msg, "<>") || strings.Contains(msg, "RequestId") {
		t.Errorf("sync with a wrong key: %v", done)
	}

	mustNotLeak(t, s, owner, project, s3Secret)
}

// mustNotLeak checks that secret is in no GraphQL answer, server log line,
// export or audit payload.
func mustNotLeak(t *testing.T, s *testServer, owner *browser, project, secret string) {
	t.Helper()
	r := owner.gql(`query($p: ID!) { project(id: $p) { storages { id bucket prefix regexFilter endpoint region secretSet title description lastSync { message } } } }`, map[string]any{"p": project})
	if strings.Contains(r.Raw, secret) {
		t.Errorf("a GraphQL answer holds the secret: %s", r.Raw)
	}
	audit := owner.gql(`{ auditEvents(first: 100) { edges { node { action details } } } }`, nil)
	if len(audit.Errors) > 0 || !strings.Contains(audit.Raw, "storage.create") {
		t.Errorf("the audit log does not show the storage changes: %.300s", audit.Raw)
	}
	if strings.Contains(audit.Raw, secret) {
		t.Errorf("an audit payload holds the secret")
	}
	for _, format := range []string{"JSON", "CSV"} {
		if _, body := owner.get("/api/projects/"+project+"/export?format="+format, nil); strings.Contains(body, secret) {
			t.Errorf("the %s export holds the secret", format)
		}
	}
	if strings.Contains(s.log(t), secret) {
		t.Errorf("the server log holds the secret")
	}
}

func TestS3TargetStorage(t *testing.T) {
	g := MustS3(t, "out")
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, textClassification, nil)
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})

	// An annotation made before the target exists is written by its sync.
	_, early := annotate(owner, project)
	target := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "EXPORT", "out", g,
		map[string]any{"prefix": "annotations", "canDeleteObjects": true})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, target); str(done, "status") != "COMPLETED" || path(done, "done") != 1.0 {
		t.Fatalf("target sync: %v", done)
	}
	var written struct {
		ID          int `json:"id"`
		Data        any `json:"data"`
		Annotations []struct {
			ID     int   `json:"id"`
			Result []any `json:"result"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(g.object("out", "annotations/"+early), &written); err != nil || len(written.Annotations) != 1 ||
		fmt.Sprint(written.Annotations[0].ID) != early || len(written.Annotations[0].Result) != 1 || written.Data == nil {
		t.Fatalf("annotation %s in the target: %v %+v", early, err, written)
	}

	// Saving an annotation writes it after the commit, in the background.
	task := handOut(owner, project)
	a := str(owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": task, "result": choice("Negative")}}), "createAnnotation", "id")
	waitFor(t, "annotation "+a+" in the target", func() bool { return bytes.Contains(g.object("out", "annotations/"+a), []byte("Negative")) })
	owner.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": a, "r": choice("Positive")})
	waitFor(t, "the updated annotation in the target", func() bool { return bytes.Contains(g.object("out", "annotations/"+a), []byte("Positive")) })
	// Deleting it deletes its object (canDeleteObjects).
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": a})
	waitFor(t, "the object of the deleted annotation to go", func() bool { return g.object("out", "annotations/"+a) == nil })

	// A burst of submits, a change and a delete, as fast as they come: the
	// writer gathers them, and each lands as its last change left it.
	var burst []any
	for i := range 6 {
		burst = append(burst, map[string]any{"text": fmt.Sprintf("burst %d", i)})
	}
	owner.ok(importTasks, map[string]any{"p": project, "t": burst})
	var made []string
	for range burst {
		_, id := annotate(owner, project)
		made = append(made, id)
	}
	owner.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": made[0], "r": choice("Negative")})
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": made[1]})
	waitFor(t, "the burst in the target", func() bool {
		if !bytes.Contains(g.object("out", "annotations/"+made[0]), []byte("Negative")) || g.object("out", "annotations/"+made[1]) != nil {
			return false
		}
		for _, id := range made[2:] {
			if !bytes.Contains(g.object("out", "annotations/"+id), []byte("Positive")) {
				return false
			}
		}
		return true
	})

	mustNotLeak(t, s, owner, project, s3Secret)

	// A project goes with its storages; the bucket keeps what was written.
	owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": project})
	if g.object("out", "annotations/"+early) == nil {
		t.Error("deleting the project deleted objects in the bucket")
	}
}

func TestStorageEndpointsAreSSRFChecked(t *testing.T) {
	g := MustS3(t, "media")
	g.put(t, "media", "a.png", pngBytes)
	// Only 127.0.0.1 is allowed: every other private place stays refused.
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(g.URL, "http://"))
	for _, endpoint := range []string{
		"http://127.0.0.2:" + port, // loopback, not the allowed address
		"http://localhost:" + port,
		"http://10.0.0.1:9000",
		"http://192.168.1.10",
		"http://169.254.169.254",          // cloud metadata
		"http://metadata.google.internal", // by name
		"http://[::1]:" + port,
		"http://0x7f000001:" + port, // loopback, spelled as a number
		"file:///etc/passwd",
		"http://user:pass@127.0.0.1:" + port,
	} {
		in := s3Input(project, "IMPORT", "media", g, nil)
		in["s3"].(map[string]any)["endpoint"] = endpoint
		r := owner.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": in})
		if strings.Contains(r.Raw, s3Secret) || strings.Contains(r.Raw, "pass@") {
			t.Errorf("the refusal of %s echoes credentials: %s", endpoint, r.Raw)
		}
	}
	if n := len(path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any)); n != 0 {
		t.Fatalf("refused endpoints made %d storages", n)
	}
	// Without the allowlist, the gateway on loopback is refused too, and
	// nothing reaches it.
	s2, owner2 := MustOwner(t, nil)
	project2 := (&team{s: s2, owner: owner2}).project(t, imageConfig, nil)
	owner2.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": s3Input(project2, "IMPORT", "media", g, nil)})

	// Other validation, each with a clear error.
	for name, in := range map[string]map[string]any{
		"bad bucket":    s3Input(project, "IMPORT", "Bad_Bucket", g, nil),
		"bad regex":     s3Input(project, "IMPORT", "media", g, map[string]any{"regexFilter": "(unclosed"}),
		"ttl too long":  s3Input(project, "IMPORT", "media", g, map[string]any{"presignTtlMinutes": 100000}),
		"ttl zero":      s3Input(project, "IMPORT", "media", g, map[string]any{"presignTtlMinutes": 0}),
		"prefix dotdot": s3Input(project, "IMPORT", "media", g, map[string]any{"prefix": "a/../b"}),
		"two kinds":     s3Input(project, "IMPORT", "media", g, map[string]any{"local": map[string]any{"path": "x"}}),
	} {
		if r := owner.gql(createStorageMutation, map[string]any{"i": in}); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: want BAD_USER_INPUT, got %s", name, r.Raw)
		}
	}
}

func TestLocalStorage(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "data", "imgs"), 0o755))
	must(os.WriteFile(filepath.Join(root, "data", "imgs", "a.png"), pngBytes, 0o644))
	must(os.WriteFile(filepath.Join(root, "secret.txt"), []byte("root secret"), 0o644))
	must(os.WriteFile(filepath.Join(outside, "passwd"), []byte("outside secret"), 0o644))
	must(os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(root, "data", "imgs", "evil.png")))
	must(os.Symlink(outside, filepath.Join(root, "escape")))

	// Off by default.
	s0, owner0 := MustOwner(t, nil)
	p0 := (&team{s: s0, owner: owner0}).project(t, imageConfig, nil)
	owner0.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": map[string]any{
		"projectId": p0, "direction": "IMPORT", "kind": "LOCAL", "local": map[string]any{"path": "data"}}})

	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	local := func(p string) map[string]any {
		return map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT", "kind": "LOCAL",
			"useBlobUrls": true, "local": map[string]any{"path": p}}}
	}
	for _, bad := range []string{"../", "data/../..", outside, "/etc", "escape", "data\x00", "data%2f..%2f..", "data/imgs/a.png"} {
		owner.wantCode("BAD_USER_INPUT", createStorageMutation, local(bad))
	}
	id := str(owner.ok(createStorageMutation, local("data")), "createStorage", "id")
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" {
		t.Fatalf("local sync: %v", done)
	}
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 1 {
		t.Fatalf("local sync made %v; symlinks must not be listed", tasks)
	}
	const uri = "/data/local-files/?d=data/imgs/a.png"
	task := taskWith(t, tasks, uri)
	if resp, body := owner.fetch(t, resolvePath(task, uri), nil); resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) {
		t.Fatalf("local resolve: HTTP %d", resp.StatusCode)
	}
	// Tasks that name escapes get nothing, though the URI is in the task.
	escapes := []string{
		"/data/local-files/?d=data/imgs/evil.png",
		"/data/local-files/?d=data/../secret.txt",
		"/data/local-files/?d=data/imgs/../../secret.txt",
		"/data/local-files/?d=data%2F..%2Fsecret.txt",
		"/data/local-files/?d=data/imgs/a.png%00.txt",
		"/data/local-files/?d=/etc/passwd",
		"/data/local-files/?d=escape/passwd",
	}
	var imports []any
	for _, e := range escapes {
		imports = append(imports, map[string]any{"image": e})
	}
	owner.ok(importTasks, map[string]any{"p": project, "t": imports})
	tasks = projectTasks(t, owner, project)
	for _, e := range escapes {
		resp, body := owner.fetch(t, resolvePath(taskWith(t, tasks, e), e), nil)
		if resp.StatusCode != 404 || bytes.Contains(body, []byte("secret")) {
			t.Errorf("%s: HTTP %d %q", e, resp.StatusCode, body)
		}
	}

	// An organization goes with its projects' storages.
	org := str(owner.ok(`mutation { createOrganization(title: "Short-lived") { id } }`, nil), "createOrganization", "id")
	owner.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": org})
	inOrg := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": inOrg, "direction": "IMPORT", "kind": "LOCAL",
		"local": map[string]any{"path": "data"}}})
	owner.ok(`mutation($o: ID!) { deleteOrganization(id: $o) }`, map[string]any{"o": org})
}

func TestOneSyncOfAStorageAtATime(t *testing.T) {
	g := MustS3(t, "media")
	for i := range 30 {
		g.put(t, "media", fmt.Sprintf("img-%02d.png", i), pngBytes)
	}
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, map[string]any{"useBlobUrls": true})}), "createStorage", "id")
	storageID, _ := strconv.Atoi(id)

	// Another process holds the storage (its lease is in the database).
	db := insider(t, s)
	mustExec(t, db, "UPDATE storages SET sync_lease_until = $1 WHERE id = $2", time.Now().Add(time.Hour), storageID)
	r := owner.wantCode("BAD_USER_INPUT", syncMutation, map[string]any{"s": id})
	if !strings.Contains(r.Raw, "already running") {
		t.Errorf("refusal: %s", r.Raw)
	}
	if n := taskCount(t, owner, project); n != 0 {
		t.Fatalf("a refused sync made %d tasks", n)
	}
	// A lease that ran out (its process died) no longer holds the storage.
	mustExec(t, db, "UPDATE storages SET sync_lease_until = $1 WHERE id = $2", time.Now().Add(-time.Minute), storageID)

	// Many syncs asked at once: those that start never overlap, so every
	// object becomes exactly one task.
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = owner.gql(syncMutation, map[string]any{"s": id}).Code()
		}()
	}
	wg.Wait()
	started := 0
	for _, c := range codes {
		switch c {
		case "":
			started++
		case "BAD_USER_INPUT":
		default:
			t.Errorf("a concurrent sync answered %q", c)
		}
	}
	if started == 0 {
		t.Fatal("no sync started")
	}
	waitFor(t, "the syncs to finish", func() bool {
		for _, st := range path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any) {
			if s := str(st, "lastSync", "status"); s == "RUNNING" || s == "QUEUED" {
				return false
			}
		}
		return true
	})
	syncAndWait(t, owner, project, id) // one more, after the others, adds nothing
	if n := taskCount(t, owner, project); n != 30 {
		t.Fatalf("%d tasks for 30 objects", n)
	}
}

func TestRedisStorage(t *testing.T) {
	// The machine's Redis, in a database of its own, under keys of this run.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 7})
	t.Cleanup(func() { rdb.Close() })
	ctx := t.Context()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis on 127.0.0.1:6379: %v", err)
	}
	prefix := strings.TrimSuffix(uniqueEmail("gloss"), "@example.com") + "/"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	rdb.Set(ctx, prefix+"tasks/a", `{"data": {"text": "from redis"}}`, 0)
	rdb.Set(ctx, prefix+"tasks/b", `[{"text": "two"}, {"text": "three"}]`, 0)
	rdb.Set(ctx, prefix+"elsewhere", `{"text": "not under the prefix"}`, 0)

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	redisInput := func(direction, pfx string, extra map[string]any) map[string]any {
		in := map[string]any{"projectId": project, "direction": direction, "kind": "REDIS", "prefix": pfx,
			"redis": map[string]any{"host": "127.0.0.1", "port": 6379, "db": 7}}
		for k, v := range extra {
			in[k] = v
		}
		return map[string]any{"i": in}
	}
	src := str(owner.ok(createStorageMutation, redisInput("IMPORT", prefix+"tasks/", nil)), "createStorage", "id")
	if done := syncAndWait(t, owner, project, src); str(done, "status") != "COMPLETED" {
		t.Fatalf("Redis sync: %v", done)
	}
	if n := taskCount(t, owner, project); n != 3 {
		t.Fatalf("Redis sync made %d tasks, want 3", n)
	}
	syncAndWait(t, owner, project, src)
	if n := taskCount(t, owner, project); n != 3 {
		t.Fatalf("a Redis re-sync made more tasks: %d", n)
	}

	owner.ok(createStorageMutation, redisInput("EXPORT", prefix+"out", map[string]any{"canDeleteObjects": true}))
	_, a := annotate(owner, project)
	waitFor(t, "the annotation in Redis", func() bool {
		v, _ := rdb.Get(ctx, prefix+"out/"+a).Result()
		return strings.Contains(v, `"id": `+a)
	})
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": a})
	waitFor(t, "the deleted annotation to leave Redis", func() bool {
		return rdb.Exists(ctx, prefix+"out/"+a).Val() == 0
	})

	// Private Redis hosts are refused like any endpoint.
	for _, host := range []string{"10.1.2.3", "localhost", "169.254.169.254", "127.0.0.2"} {
		in := redisInput("IMPORT", "", nil)
		in["i"].(map[string]any)["redis"] = map[string]any{"host": host}
		owner.wantCode("BAD_USER_INPUT", createStorageMutation, in)
	}
	owner.wantCode("BAD_USER_INPUT", createStorageMutation, redisInput("IMPORT", "", map[string]any{"useBlobUrls": true}))
}

// TestASyncThatLostItsLeaseStops: a sync whose lease another process took
// over (its own ran out: the process stalled, or the processes' clocks
// disagree) imports no further batch, and neither renews nor clears the
// other's lease: the two never both import an object. It fails saying so,
// and the next sync imports the rest, each object once.
func TestASyncThatLostItsLeaseStops(t *testing.T) {
	const files = 150
	g := MustS3(t, "tasks")
	for i := range files {
		g.put(t, "tasks", fmt.Sprintf("t-%03d.json", i), []byte(fmt.Sprintf(`[{"data": {"text": "task %d"}}]`, i)))
	}
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "tasks", g, nil)}), "createStorage", "id")
	storageID, _ := strconv.Atoi(id)
	db := insider(t, s)

	lastSync := func() map[string]any {
		for _, st := range path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any) {
			if str(st, "id") == id {
				return path(st, "lastSync").(map[string]any)
			}
		}
		t.Fatal("the storage is gone")
		return nil
	}
	owner.ok(syncMutation, map[string]any{"s": id})
	waitFor(t, "the sync to import a few files", func() bool {
		d, _ := lastSync()["done"].(float64)
		return d >= 3
	})
	// Another process's lease, as if this sync's had run out.
	theirs := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	mustExec(t, db, "UPDATE storages SET sync_lease_until = $1 WHERE id = $2", theirs, storageID)
	waitFor(t, "the sync to end", func() bool {
		st := str(lastSync(), "status")
		return st != "RUNNING" && st != "QUEUED"
	})
	end := lastSync()
	if str(end, "status") != "FAILED" || !strings.Contains(str(end, "message"), "another sync took this storage over") {
		t.Fatalf("the sync that lost its lease ended %v", end)
	}
	var held int
	if err := db.SQL.QueryRow(rebind(db, "SELECT COUNT(*) FROM storages WHERE id = $1 AND sync_lease_until = $2"), storageID, theirs).Scan(&held); err != nil || held != 1 {
		t.Fatalf("the other process's lease was renewed or cleared (%d, %v)", held, err)
	}
	made := taskCount(t, owner, project)
	if made >= files {
		t.Fatalf("the sync imported all %d files after losing its lease", made)
	}
	// The other process is gone; the next sync imports the rest, once.
	mustExec(t, db, "UPDATE storages SET sync_lease_until = $1 WHERE id = $2", time.Now().Add(-time.Minute), storageID)
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" {
		t.Fatalf("the next sync: %v", done)
	}
	if n := taskCount(t, owner, project); n != files {
		t.Fatalf("%d tasks for %d files (%d before the lease was lost)", n, files, made)
	}
}

// TestASyncImportsAtMostTheImportCap: a sync holds the keys of the new
// objects it found in memory until it has imported them, so it takes no
// more than one import may (GLOSS_IMPORT_MAX_TASKS) and says so: a bucket
// of a hundred million objects cannot exhaust the server. Each later sync
// goes on from there, and every object becomes one task.
func TestASyncImportsAtMostTheImportCap(t *testing.T) {
	g := MustS3(t, "media")
	for i := range 12 {
		g.put(t, "media", fmt.Sprintf("img-%02d.png", i), pngBytes)
	}
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1", "GLOSS_IMPORT_MAX_TASKS": "5"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, map[string]any{"useBlobUrls": true})}), "createStorage", "id")
	for _, want := range []int{5, 10, 12} {
		done := syncAndWait(t, owner, project, id)
		msg, _ := done["message"].(string)
		if str(done, "status") != "COMPLETED" {
			t.Fatalf("sync: %v", done)
		}
		if capped := strings.Contains(msg, "imports the first 5 new objects (GLOSS_IMPORT_MAX_TASKS): sync again"); capped != (want < 12) {
			t.Errorf("after %d tasks the sync said %q", want, msg)
		}
		if n := taskCount(t, owner, project); n != want {
			t.Fatalf("%d tasks after a sync, want %d", n, want)
		}
	}
}

// TestSourceFilesGoToTheImagesKey: a source storage's objects taken as
// files name themselves under the key of the configuration's first Image
// (or Audio), not under a Header's title key that comes before it (which
// such tasks then lack: GLOSS_IMPORT_ALLOW_MISSING_KEYS).
func TestSourceFilesGoToTheImagesKey(t *testing.T) {
	g := MustS3(t, "media")
	g.put(t, "media", "a.png", pngBytes)
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1", "GLOSS_IMPORT_ALLOW_MISSING_KEYS": "true"})
	project := (&team{s: s, owner: owner}).project(t,
		`<View><Header value="$title"/><Image name="image" value="$image"/><Choices name="c" toName="image"><Choice value="A"/></Choices></View>`, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, map[string]any{"useBlobUrls": true})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" {
		t.Fatalf("sync: %v", done)
	}
	d := owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { data } } } }`, map[string]any{"p": project})
	if data := path(d, "tasks", "edges", 0, "node", "data").(map[string]any); data["image"] != "s3://media/a.png" || len(data) != 1 {
		t.Fatalf("the synced task holds %v; want the object under \"image\"", data)
	}
}

// TestTargetStoragesStopWithTheirCreatorsStanding: a target storage is
// only as good as its creator's standing, as a webhook is. A manager's
// target (their own bucket) receives annotations while they manage the
// project and none once they are removed from the organization, while the
// owner's goes on.
func TestTargetStoragesStopWithTheirCreatorsStanding(t *testing.T) {
	g := MustS3(t, "mine", "theirs")
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, textClassification, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, project, manager)
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "EXPORT", "mine", g, nil)})
	manager.ok(createStorageMutation, map[string]any{"i": s3Input(project, "EXPORT", "theirs", g, nil)})

	_, first := annotate(owner, project)
	waitFor(t, "the first annotation in both targets", func() bool {
		return g.object("mine", first) != nil && g.object("theirs", first) != nil
	})
	owner.ok(removeMutation, map[string]any{"u": idOf(t, manager)})
	_, second := annotate(owner, project)
	waitFor(t, "the second annotation in the owner's target", func() bool { return g.object("mine", second) != nil })
	time.Sleep(500 * time.Millisecond) // the writer writes a change's targets together; give it time anyway
	if g.object("theirs", second) != nil {
		t.Fatal("the removed manager's bucket received an annotation made after their removal")
	}
}

// TestASyncOfManyObjectsTakesEachOnce: a sync looks its listed objects up
// among its links a chunk at a time (it no longer loads every link of a
// bucket of a million objects). Across chunks and capped syncs, each
// object becomes one task, those it skips are not counted, and a sync
// with nothing new imports nothing.
func TestASyncOfManyObjectsTakesEachOnce(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const files = 1234
	for i := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("img-%04d.png", i)), pngBytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Not an image: the filter passes it over, and no task names it.
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root,
		"GLOSS_IMPORT_MAX_TASKS": "700"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT",
		"kind": "LOCAL", "regexFilter": `\.png$`, "useBlobUrls": true, "local": map[string]any{"path": "data"}}}), "createStorage", "id")
	for _, want := range []int{700, files, files} {
		done := syncAndWait(t, owner, project, id)
		if str(done, "status") != "COMPLETED" {
			t.Fatalf("sync: %v", done)
		}
		if n := taskCount(t, owner, project); n != want {
			t.Fatalf("%d tasks after a sync, want %d", n, want)
		}
	}
	seen := map[string]bool{}
	var after any
	for {
		page := owner.ok(`query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 100, after: $a) { edges { node { data } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"p": project, "a": after})
		for _, e := range path(page, "tasks", "edges").([]any) {
			img := str(e, "node", "data", "image")
			if seen[img] {
				t.Fatalf("%s became two tasks", img)
			}
			seen[img] = true
		}
		if path(page, "tasks", "pageInfo", "hasNextPage") != true {
			break
		}
		after = path(page, "tasks", "pageInfo", "endCursor")
	}
	if len(seen) != files {
		t.Fatalf("%d objects have a task, want %d", len(seen), files)
	}
}
