package main

// Azure Blob Storage storages against a real Azure-compatible server:
// Azurite, a devDependency in package.json (npm ci installs it), started
// by the test on loopback. The test reads and writes its containers
// through the official SDK, as any other Azure client would.

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// The well-known Azurite development account (public, in Azure's docs).
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// azureServer is an Azurite process and an SDK client of it.
type azureServer struct {
	URL    string // the account's URL: http://127.0.0.1:port/devstoreaccount1
	client *azblob.Client
}

// MustAzure starts Azurite's blob service on a free loopback port with
// containers.
func MustAzure(t testing.TB, containers ...string) *azureServer {
	t.Helper()
	bin, _ := filepath.Abs(filepath.Join("node_modules", ".bin", "azurite-blob"))
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("Azurite is not installed (%v): run npm ci", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", port, "--location", t.TempDir(),
		"--skipApiVersionCheck", "--loose", "--silent")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Azurite did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	a := &azureServer{URL: "http://" + addr + "/" + azuriteAccount}
	cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	if a.client, err = azblob.NewClientWithSharedKeyCredential(a.URL+"/", cred, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range containers {
		if _, err := a.client.CreateContainer(context.Background(), c, nil); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// put stores a blob through the server's API.
func (a *azureServer) put(t testing.TB, container, key string, body []byte) {
	t.Helper()
	if _, err := a.client.UploadBuffer(context.Background(), container, key, body, nil); err != nil {
		t.Fatal(err)
	}
}

// object reads a blob through the server's API, or nil.
func (a *azureServer) object(container, key string) []byte {
	r, err := a.client.DownloadStream(context.Background(), container, key, nil)
	if err != nil {
		return nil
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return b
}

// azureInput is a CreateStorageInput for container on a.
func azureInput(project, direction, container string, a *azureServer, extra map[string]any) map[string]any {
	in := map[string]any{
		"projectId": project, "direction": direction, "kind": "AZURE", "presign": false,
		"azure": map[string]any{"container": container, "accountName": azuriteAccount, "accountKey": azuriteKey, "endpoint": a.URL},
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func TestAzureSourceStorage(t *testing.T) {
	a := MustAzure(t, "media")
	a.put(t, "media", "images/a.png", pngBytes)
	a.put(t, "media", "images/b.png", pngBytes)
	a.put(t, "media", "images/notes.txt", []byte("not an image"))
	a.put(t, "media", "private/c.png", pngBytes)

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1/32"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)

	st := owner.ok(createStorageMutation, map[string]any{"i": azureInput(project, "IMPORT", "media", a, map[string]any{
		"prefix": "images/", "regexFilter": `\.png$`, "useBlobUrls": true,
	})})
	id := str(st, "createStorage", "id")
	// The account is shown (the edit form fills it in); the key never is.
	if path(st, "createStorage", "secretSet") != true || str(st, "createStorage", "endpoint") != a.URL || str(st, "createStorage", "kind") != "AZURE" ||
		str(st, "createStorage", "accountName") != azuriteAccount || path(st, "createStorage", "gcsProjectId") != nil {
		t.Fatalf("createStorage answered %v", st)
	}
	if c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": id}); path(c, "checkStorage", "ok") != true {
		t.Fatalf("checkStorage: %v", c)
	}
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 2.0 {
		t.Fatalf("first sync: %v", done)
	}
	a.put(t, "media", "images/d.png", pngBytes)
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || path(done, "total") != 1.0 {
		t.Fatalf("re-sync: %v", done)
	}
	tasks := projectTasks(t, owner, project)
	if len(tasks) != 3 {
		t.Fatalf("two syncs left %d tasks, want 3: %v", len(tasks), tasks)
	}
	for _, data := range tasks {
		if strings.Contains(data, "notes.txt") || strings.Contains(data, "private/") {
			t.Errorf("the filter or prefix let through %s", data)
		}
	}
	taskA := taskWith(t, tasks, "azure-blob://media/images/a.png")

	resp, body := owner.fetch(t, resolvePath(taskA, "azure-blob://media/images/a.png"), nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("resolve: HTTP %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
	resp, body = owner.fetch(t, resolvePath(taskA, "azure-blob://media/images/a.png"), map[string]string{"Range": "bytes=1-3"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, pngBytes[1:4]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 1-3/%d", len(pngBytes)) {
		t.Fatalf("ranged resolve: HTTP %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	_, notFound := owner.fetch(t, resolvePath(taskA, "azure-blob://media/nothing-here"), nil)
	for name, p := range map[string]string{
		"another blob of the container": resolvePath(taskA, "azure-blob://media/private/c.png"),
		"another task's blob":           resolvePath(taskA, "azure-blob://media/images/b.png"),
		"the same key as GCS":           resolvePath(taskA, "gs://media/images/a.png"),
	} {
		if resp, body := owner.fetch(t, p, nil); resp.StatusCode != 404 || !bytes.Equal(body, notFound) {
			t.Errorf("%s: HTTP %d %q", name, resp.StatusCode, body)
		}
	}

	// Presigned: a read-only SAS URL at the server.
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {presign: true, presignTtlMinutes: 5}) { id presign } }`, map[string]any{"s": id})
	resp, _ = owner.fetch(t, resolvePath(taskA, "azure-blob://media/images/a.png"), nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, a.URL+"/media/images") || !strings.Contains(loc, "a.png?") || !strings.Contains(loc, "sp=r&") || !strings.Contains(loc, "sig=") {
		t.Fatalf("presigned resolve: HTTP %d to %q", resp.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || !bytes.Equal(presigned, pngBytes) {
		t.Errorf("the SAS URL answered HTTP %d with %d bytes", got.StatusCode, len(presigned))
	}

	// A wrong key: a short reason of our own, never the server's body.
	bad := str(owner.ok(createStorageMutation, map[string]any{"i": azureInput(project, "IMPORT", "media", a, nil)}), "createStorage", "id")
	owner.ok(`mutation($s: ID!) { updateStorage(id: $s, input: {azure: {container: "media", accountName: "devstoreaccount1", accountKey: "d3Jvbmc="}}) { id } }`, map[string]any{"s": bad})
	c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": bad})
	if msg := str(c, "checkStorage", "message"); path(c, "checkStorage", "ok") != false || !strings.HasPrefix(msg, "Azure refused: ") || strings.ContainsAny(msg, "<>") {
		t.Errorf("check with a wrong key: %v", c)
	}
	if done := syncAndWait(t, owner, project, bad); str(done, "status") != "FAILED" || taskCount(t, owner, project) != 3 {
		t.Errorf("sync with a wrong key: %v", done)
	}

	mustNotLeak(t, s, owner, project, azuriteKey)
}

func TestAzureTargetStorage(t *testing.T) {
	a := MustAzure(t, "out")
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, textClassification, nil)
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})

	_, early := annotate(owner, project)
	target := str(owner.ok(createStorageMutation, map[string]any{"i": azureInput(project, "EXPORT", "out", a,
		map[string]any{"prefix": "annotations", "canDeleteObjects": true})}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, target); str(done, "status") != "COMPLETED" || path(done, "done") != 1.0 {
		t.Fatalf("target sync: %v", done)
	}
	var written struct {
		Annotations []struct {
			ID int `json:"id"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(a.object("out", "annotations/"+early), &written); err != nil || len(written.Annotations) != 1 ||
		fmt.Sprint(written.Annotations[0].ID) != early {
		t.Fatalf("annotation %s in the target: %v %+v", early, err, written)
	}
	task := handOut(owner, project)
	id := str(owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": task, "result": choice("Negative")}}), "createAnnotation", "id")
	waitFor(t, "annotation "+id+" in the target", func() bool { return bytes.Contains(a.object("out", "annotations/"+id), []byte("Negative")) })
	owner.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`, map[string]any{"a": id, "r": choice("Positive")})
	waitFor(t, "the updated annotation in the target", func() bool { return bytes.Contains(a.object("out", "annotations/"+id), []byte("Positive")) })
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": id})
	waitFor(t, "the blob of the deleted annotation to go", func() bool { return a.object("out", "annotations/"+id) == nil })

	mustNotLeak(t, s, owner, project, azuriteKey)
}

func TestAzureEndpointsAreChecked(t *testing.T) {
	a := MustAzure(t, "media")
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(a.URL, "/"+azuriteAccount), "http://"))
	for _, endpoint := range []string{
		"http://127.0.0.2:" + port + "/" + azuriteAccount,
		"http://localhost:" + port + "/" + azuriteAccount,
		"http://169.254.169.254/metadata",
		"http://10.0.0.1:10000/" + azuriteAccount,
		"http://[::1]:" + port,
		"file:///etc/passwd",
		"http://user:pass@127.0.0.1:" + port,
	} {
		in := azureInput(project, "IMPORT", "media", a, nil)
		in["azure"].(map[string]any)["endpoint"] = endpoint
		r := owner.wantCode("BAD_USER_INPUT", createStorageMutation, map[string]any{"i": in})
		if strings.Contains(r.Raw, azuriteKey) || strings.Contains(r.Raw, "pass@") {
			t.Errorf("the refusal of %s echoes credentials: %s", endpoint, r.Raw)
		}
	}
	for name, in := range map[string]map[string]any{
		"bad container": azureInput(project, "IMPORT", "Bad--Container", a, nil),
		"bad account":   {"projectId": project, "direction": "IMPORT", "kind": "AZURE", "azure": map[string]any{"container": "media", "accountName": "No Such"}},
		"bad key":       {"projectId": project, "direction": "IMPORT", "kind": "AZURE", "azure": map[string]any{"container": "media", "accountName": "abc", "accountKey": "not base64!"}},
		"two kinds":     azureInput(project, "IMPORT", "media", a, map[string]any{"gcs": map[string]any{"bucket": "media"}}),
	} {
		if r := owner.gql(createStorageMutation, map[string]any{"i": in}); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: want BAD_USER_INPUT, got %s", name, r.Raw)
		}
	}
	if n := len(path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any)); n != 0 {
		t.Fatalf("refused inputs made %d storages", n)
	}
}
