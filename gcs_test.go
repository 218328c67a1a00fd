package main

// Google Cloud Storage storages against a real GCS-compatible server:
// fake-gcs-server, installed by the test itself (go install into the user
// cache) and started on loopback. The test reads and writes its buckets
// through the official SDK, as any other GCS client would.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/option"
)

// gcsServer is a fake-gcs-server process and an SDK client of it.
type gcsServer struct {
	URL    string
	client *storage.Client
}

// MustGCS starts fake-gcs-server on a free loopback port with buckets.
func MustGCS(t testing.TB, buckets ...string) *gcsServer {
	t.Helper()
	bin := fakeGCSTool.binary(t)
	data := t.TempDir()
	for _, b := range buckets {
		if err := os.MkdirAll(filepath.Join(data, b), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "-scheme", "http", "-host", "127.0.0.1", "-port", port, "-backend", "memory",
		"-data", data, "-public-host", addr, "-external-url", "http://"+addr, "-log-level", "warn")
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
			t.Fatalf("fake-gcs-server did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, err := storage.NewClient(context.Background(), option.WithEndpoint("http://"+addr+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &gcsServer{URL: "http://" + addr, client: c}
}

// put stores an object through the server's API.
func (g *gcsServer) put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	w := g.client.Bucket(bucket).Object(key).NewWriter(context.Background())
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// object reads an object through the server's API, or nil.
func (g *gcsServer) object(bucket, key string) []byte {
	r, err := g.client.Bucket(bucket).Object(key).NewReader(context.Background())
	if err != nil {
		return nil
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

// serviceAccountKey is a service-account key JSON with a fresh RSA key,
// whose private key is the secret that must never be shown again.
func serviceAccountKey(t testing.TB) (string, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	raw, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "gloss-test", "private_key_id": "k1", "private_key": pemKey,
		"client_email": "gloss@gloss-test.iam.gserviceaccount.com", "client_id": "1",
		"token_uri": "http://169.254.169.254/token", // never called: Gloss signs its own JWTs
	})
	// The key's body, without the PEM armour every key shares.
	lines := strings.Split(strings.TrimSpace(pemKey), "\n")
	return string(raw), lines[len(lines)/2]
}

// gcsInput is a CreateStorageInput for bucket on g.
func gcsInput(project, direction, bucket string, g *gcsServer, creds string, extra map[string]any) map[string]any {
	in := map[string]any{
		"projectId": project, "direction": direction, "kind": "GCS", "presign": false,
		"gcs": map[string]any{"bucket": bucket, "endpoint": g.URL, "credentialsJson": creds},
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func TestGCSSourceStorage(t *testing.T) {
	g := MustGCS(t, "media", "tasks")
	g.put(t, "media", "images/a.png", pngBytes)
	g.put(t, "media", "images/b.png", pngBytes)
	g.put(t, "media", "images/notes.txt", []byte("not an image"))
	g.put(t, "media", "private/c.png", pngBytes)
	creds, secret := serviceAccountKey(t)

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1/32"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)

	in := gcsInput(project, "IMPORT", "media", g, creds, map[string]any{
		"prefix": "images/", "regexFilter": `\.png$`, "useBlobUrls": true, "title": "Media",
	})
	in["gcs"].(map[string]any)["projectId"] = "labels-123"
	st := owner.ok(createStorageMutation, map[string]any{"i": in})
	id := str(st, "createStorage", "id")
	// The project is shown (the edit form fills it in); the key never is.
	if path(st, "createStorage", "secretSet") != true || str(st, "createStorage", "endpoint") != g.URL || str(st, "createStorage", "kind") != "GCS" ||
		str(st, "createStorage", "gcsProjectId") != "labels-123" || path(st, "createStorage", "accountName") != nil {
		t.Fatalf("createStorage answered %v", st)
	}
	if c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": id}); path(c, "checkStorage", "ok") != true {
		t.Fatalf("checkStorage: %v", c)
	}

	// Sync: one task per object under the prefix that the filter passes.
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 2.0 {
		t.Fatalf("first sync: %v", done)
	}
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 2 {
		t.Fatalf("first sync made %d tasks, want 2: %v", len(tasks), tasks)
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
	if tasks = projectTasks(t, owner, project); len(tasks) != 3 {
		t.Fatalf("re-sync left %d tasks, want 3", len(tasks))
	}
	taskA := taskWith(t, tasks, "gs://media/images/a.png")

	// The data proxy streams what the task names, whole or a range.
	resp, body := owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("resolve: HTTP %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
	resp, body = owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), map[string]string{"Range": "bytes=1-3"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, pngBytes[1:4]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 1-3/%d", len(pngBytes)) {
		t.Fatalf("ranged resolve: HTTP %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	// Anything else is the same 404.
	_, notFound := owner.fetch(t, resolvePath(taskA, "gs://media/nothing-here"), nil)
	for name, p := range map[string]string{
		"another object of the bucket": resolvePath(taskA, "gs://media/private/c.png"),
		"another task's object":        resolvePath(taskA, "gs://media/images/b.png"),
		"the same key as S3":           resolvePath(taskA, "s3://media/images/a.png"),
		"another bucket":               resolvePath(taskA, "gs://tasks/images/a.png"),
	} {
		if resp, body := owner.fetch(t, p, nil); resp.StatusCode != 404 || !bytes.Equal(body, notFound) {
			t.Errorf("%s: HTTP %d %q", name, resp.StatusCode, body)
		}
	}
	if resp, _ := s.browser(t).fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil); resp.StatusCode != 404 {
		t.Errorf("anonymous read an object: HTTP %d", resp.StatusCode)
	}

	// Presigned: a V4 signed URL at the server, signed with the key, for
	// the TTL (the SDK counts it from its own clock, so 299 s may show).
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {presign: true, presignTtlMinutes: 5}) { id presign } }`, map[string]any{"s": id})
	resp, _ = owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, g.URL+"/media/images/a.png?") ||
		!(strings.Contains(loc, "X-Goog-Expires=300&") || strings.Contains(loc, "X-Goog-Expires=299&")) || !strings.Contains(loc, "X-Goog-Signature=") {
		t.Fatalf("presigned resolve: HTTP %d to %q", resp.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || !bytes.Equal(presigned, pngBytes) {
		t.Errorf("the signed URL answered HTTP %d with %d bytes", got.StatusCode, len(presigned))
	}
	// Without a key there is nothing to sign with: the proxy streams.
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {gcs: {bucket: "media", credentialsJson: ""}}) { id secretSet } }`, map[string]any{"s": id})
	if resp, body := owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil); resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) {
		t.Errorf("presign without a key: HTTP %d, %d bytes", resp.StatusCode, len(body))
	}

	// JSON task files: the tasks inside them.
	g.put(t, "tasks", "batch/one.json", []byte(`[{"data": {"image": "https://example.com/1.png"}}, {"image": "https://example.com/2.png"}]`))
	js := str(owner.ok(createStorageMutation, map[string]any{"i": gcsInput(project, "IMPORT", "tasks", g, creds, map[string]any{"prefix": "batch/"})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, js); str(done, "status") != "COMPLETED" {
		t.Fatalf("JSON sync: %v", done)
	}
	if n := taskCount(t, owner, project); n != 5 {
		t.Fatalf("JSON sync: %d tasks, want 5", n)
	}

	// A bucket that does not exist: a short reason of our own.
	missing := str(owner.ok(createStorageMutation, map[string]any{"i": gcsInput(project, "IMPORT", "nowhere", g, creds, nil)}), "createStorage", "id")
	c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": missing})
	if msg := str(c, "checkStorage", "message"); path(c, "checkStorage", "ok") != false || strings.ContainsAny(msg, "<>{}") {
		t.Errorf("check of a missing bucket: %v", c)
	}
	if done := syncAndWait(t, owner, project, missing); str(done, "status") != "FAILED" || taskCount(t, owner, project) != 5 {
		t.Errorf("sync of a missing bucket: %v", done)
	}

	mustNotLeak(t, s, owner, project, secret)
}

func TestGCSTargetStorage(t *testing.T) {
	g := MustGCS(t, "out")
	creds, secret := serviceAccountKey(t)
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, textClassification, nil)
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})

	// An annotation made before the target exists is written by its sync.
	_, early := annotate(owner, project)
	target := str(owner.ok(createStorageMutation, map[string]any{"i": gcsInput(project, "EXPORT", "out", g, creds,
		map[string]any{"prefix": "annotations", "canDeleteObjects": true})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, target); str(done, "status") != "COMPLETED" || path(done, "done") != 1.0 {
		t.Fatalf("target sync: %v", done)
	}
	var written struct {
		Annotations []struct {
			ID int `json:"id"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(g.object("out", "annotations/"+early), &written); err != nil || len(written.Annotations) != 1 ||
		fmt.Sprint(written.Annotations[0].ID) != early {
		t.Fatalf("annotation %s in the target: %v %+v", early, err, written)
	}

	// Saving writes it, updating rewrites it, deleting deletes it.
	task := handOut(owner, project)
	a := str(owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": task, "result": choice("Negative")}}), "createAnnotation", "id")
	waitFor(t, "annotation "+a+" in the target", func() bool { return bytes.Contains(g.object("out", "annotations/"+a), []byte("Negative")) })
	owner.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": a, "r": choice("Positive")})
	waitFor(t, "the updated annotation in the target", func() bool { return bytes.Contains(g.object("out", "annotations/"+a), []byte("Positive")) })
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": a})
	waitFor(t, "the object of the deleted annotation to go", func() bool { return g.object("out", "annotations/"+a) == nil })

	mustNotLeak(t, s, owner, project, secret)
}

func TestGCSEndpointsAndCredentialsAreChecked(t *testing.T) {
	g := MustGCS(t, "media")
	creds, secret := serviceAccountKey(t)
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(g.URL, "http://"))
	for _, endpoint := range []string{
		"http://127.0.0.2:" + port,
		"http://localhost:" + port,
		"http://10.0.0.1:4443",
		"http://169.254.169.254",
		"http://metadata.google.internal",
		"http://[::1]:" + port,
		"file:///etc/passwd",
		"http://user:pass@127.0.0.1:" + port,
	} {
		in := gcsInput(project, "IMPORT", "media", g, creds, nil)
		in["gcs"].(map[string]any)["endpoint"] = endpoint
		r := owner.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": in})
		if strings.Contains(r.Raw, secret) || strings.Contains(r.Raw, "pass@") {
			t.Errorf("the refusal of %s echoes credentials: %s", endpoint, r.Raw)
		}
	}
	// Only service-account keys: other credential kinds make the Google
	// libraries fetch URLs named in the file.
	external, _ := json.Marshal(map[string]any{"type": "external_account", "token_url": "http://169.254.169.254/",
		"credential_source": map[string]string{"url": "http://169.254.169.254/latest/meta-data/"}})
	for name, c := range map[string]string{
		"not JSON":         "-----BEGIN PRIVATE KEY-----",
		"external account": string(external),
		"no private key":   `{"type": "service_account", "client_email": "a@b.c"}`,
		"a broken key":     `{"type": "service_account", "client_email": "a@b.c", "private_key": "nope"}`,
	} {
		r := owner.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": gcsInput(project, "IMPORT", "media", g, c, nil)})
		if !strings.Contains(r.Raw, "gcs.credentialsJson") {
			t.Errorf("%s: the error does not name the field: %s", name, r.Raw)
		}
	}
	for name, in := range map[string]map[string]any{
		"bad bucket": gcsInput(project, "IMPORT", "Bad Bucket", g, creds, nil),
		"two kinds":  gcsInput(project, "IMPORT", "media", g, creds, map[string]any{"local": map[string]any{"path": "x"}}),
	} {
		if r := owner.gql(createStorageMutation, map[string]any{"i": in}); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: want BAD_USER_INPUT, got %s", name, r.Raw)
		}
	}
	if n := len(path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any)); n != 0 {
		t.Fatalf("refused inputs made %d storages", n)
	}
	// Without the allowlist, the server on loopback is refused too.
	s2, owner2 := MustOwner(t, nil)
	project2 := (&team{s: s2, owner: owner2}).project(t, imageConfig, nil)
	owner2.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": gcsInput(project2, "IMPORT", "media", g, creds, nil)})
	if strings.Contains(s.log(t), secret) || strings.Contains(s2.log(t), secret) {
		t.Error("a server log holds the key")
	}
}

// TestGCSEmulatorHost checks STORAGE_EMULATOR_HOST, which Google's GCS
// libraries honour: a GCS storage with no endpoint of its own reaches the
// emulator instead of Google (through the SSRF-safe client, so its host
// must be allowed), and its signed URLs point there too.
func TestGCSEmulatorHost(t *testing.T) {
	g := MustGCS(t, "media")
	g.put(t, "media", "images/a.png", pngBytes)
	creds, _ := serviceAccountKey(t)
	s, owner := MustOwner(t, map[string]string{
		"GLOSS_OUTBOUND_ALLOW":  "127.0.0.1/32",
		"STORAGE_EMULATOR_HOST": strings.TrimPrefix(g.URL, "http://"),
	})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	in := gcsInput(project, "IMPORT", "media", g, creds, map[string]any{"prefix": "images/", "useBlobUrls": true, "presign": true})
	delete(in["gcs"].(map[string]any), "endpoint")
	id := str(owner.ok(createStorageMutation, map[string]any{"i": in}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 1.0 {
		t.Fatalf("sync through the emulator: %v", done)
	}
	taskA := taskWith(t, projectTasks(t, owner, project), "gs://media/images/a.png")
	resp, _ := owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, g.URL+"/media/images/a.png?") {
		t.Fatalf("presigned resolve: HTTP %d to %q", resp.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || !bytes.Equal(body, pngBytes) {
		t.Errorf("the signed URL answered HTTP %d with %d bytes", got.StatusCode, len(body))
	}

	// Without the allowlist the emulator on loopback is refused like any
	// endpoint.
	s2, owner2 := MustOwner(t, map[string]string{"STORAGE_EMULATOR_HOST": strings.TrimPrefix(g.URL, "http://")})
	project2 := (&team{s: s2, owner: owner2}).project(t, imageConfig, nil)
	in2 := gcsInput(project2, "IMPORT", "media", g, creds, map[string]any{"prefix": "images/", "useBlobUrls": true})
	delete(in2["gcs"].(map[string]any), "endpoint")
	id2 := str(owner2.ok(createStorageMutation, map[string]any{"i": in2}), "createStorage", "id")
	if c := owner2.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": id2}); path(c, "checkStorage", "ok") != false {
		t.Errorf("the emulator on loopback was reached without the allowlist: %v", c)
	}
	if done := syncAndWait(t, owner2, project2, id2); str(done, "status") != "FAILED" || taskCount(t, owner2, project2) != 0 {
		t.Errorf("sync without the allowlist: %v", done)
	}
}

// TestKeysWithDotSegmentsStayOutside: a storage's prefix confines what its
// project reads, checked on the key as text. A "." or ".." segment would
// let a task name, under the prefix, an object that a store, gateway or
// proxy resolving paths finds outside it, so such keys are neither synced
// into tasks nor served, whoever wrote them into a task. GCS keeps such
// names as they are, so here they are objects of their own.
func TestKeysWithDotSegmentsStayOutside(t *testing.T) {
	g := MustGCS(t, "media")
	g.put(t, "media", "images/a.png", pngBytes)
	g.put(t, "media", "images/../private/c.png", []byte("private"))
	g.put(t, "media", "images/./d.png", []byte("dotted"))
	creds, _ := serviceAccountKey(t)

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1/32"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)
	st := owner.ok(createStorageMutation, map[string]any{"i": gcsInput(project, "IMPORT", "media", g, creds, map[string]any{
		"prefix": "images/", "useBlobUrls": true, "title": "Media",
	})})
	id := str(st, "createStorage", "id")
	done := syncAndWait(t, owner, project, id)
	if str(done, "status") != "COMPLETED" || path(done, "total") != 1.0 || !strings.Contains(str(done, "message"), "2 objects were passed over") {
		t.Fatalf("sync: %v, want one task and two objects passed over", done)
	}
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 1 {
		t.Fatalf("the sync made %d tasks, want 1: %v", len(tasks), tasks)
	}
	taskA := taskWith(t, tasks, "gs://media/images/a.png")

	// A task written by hand that names them is not served them.
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{
		map[string]any{"image": "gs://media/images/../private/c.png"}, map[string]any{"image": "gs://media/images/./d.png"},
	}})
	tasks = projectTasks(t, owner, project)
	_, notFound := owner.fetch(t, resolvePath(taskA, "gs://media/nothing-here"), nil)
	for _, uri := range []string{"gs://media/images/../private/c.png", "gs://media/images/./d.png"} {
		if resp, body := owner.fetch(t, resolvePath(taskWith(t, tasks, uri), uri), nil); resp.StatusCode != 404 || !bytes.Equal(body, notFound) {
			t.Errorf("%s: HTTP %d %q, want the 404 of a missing object", uri, resp.StatusCode, body)
		}
	}
	if resp, body := owner.fetch(t, resolvePath(taskA, "gs://media/images/a.png"), nil); resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) {
		t.Errorf("the object under the prefix: HTTP %d, %d bytes", resp.StatusCode, len(body))
	}
}
