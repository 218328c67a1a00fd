package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// exportingServer is a real gloss process (the test binary running main())
// on a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite)
// whose owner has imported n tasks of about 1.5 kB each into one project.
func exportingServer(t *testing.T, n int, grace string) (r *replica, token, projectID string) {
	t.Helper()
	token = "shutdown-owner-token"
	r, _ = ownedProcess(t, token, map[string]string{"GLOSS_SHUTDOWN_GRACE": grace})
	owner := (&testServer{URL: r.URL}).tokenClient(t, token)
	projectID = str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Big", "labelConfig": textClassification}}), "createProject", "id")
	var csv strings.Builder
	csv.WriteString("text\n")
	filler := strings.Repeat("lorem ipsum ", 125)
	for i := range n {
		fmt.Fprintf(&csv, "task %d %s\n", i, filler)
	}
	if res := upload(t, owner, projectID, map[string]string{"tasks.csv": csv.String()}); res.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", res.Status, res.Raw)
	}
	return r, token, projectID
}

// ownedProcess starts a real gloss process (the test binary running main())
// on a fresh database (PostgreSQL when DATABASE_URL is set, else SQLite)
// whose owner has the API token token, with extra settings; it returns the
// process and its settings. The process is killed when the test ends.
func ownedProcess(t *testing.T, token string, extra map[string]string) (*replica, map[string]string) {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":            freshDatabaseURL(t), // "" overrides the parent's: SQLite
		"LABEL_STUDIO_USERNAME":   ownerEmail,
		"LABEL_STUDIO_PASSWORD":   ownerPassword,
		"LABEL_STUDIO_USER_TOKEN": token,
	}
	maps.Copy(env, extra)
	start := make(chan struct{})
	close(start)
	r, err := startReplica(t, true, env, start)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill() })
	return r, env
}

// startExport opens the project's JSON export and reads its first bytes, so
// the download is in flight.
func startExport(t *testing.T, r *replica, token, projectID string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/projects/"+projectID+"/export?format=JSON", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("export: %d %s", resp.StatusCode, b)
	}
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatalf("read the start of the export: %v", err)
	}
	return resp, head
}

// TestSIGTERMLetsAnExportFinish sends SIGTERM to a real process while a
// large JSON export streams to a slow client. The server stops accepting at
// once, but the download (which outlasts the old fixed 10-second shutdown)
// completes with every task, and then the process exits 0.
func TestSIGTERMLetsAnExportFinish(t *testing.T) {
	const n = 20_000 // about 30 MB of JSON: more than the sockets buffer
	r, token, projectID := exportingServer(t, n, "2m")
	resp, head := startExport(t, r, token, projectID)

	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// It stops accepting: new connections are refused while the export runs.
	u, _ := url.Parse(r.URL)
	refused := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Fatal("the server still accepts connections after SIGTERM")
	}
	// A slow client: nothing read for longer than the old shutdown waited,
	// so the server sits blocked in the middle of the body.
	time.Sleep(11 * time.Second)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("the export was cut off after %d bytes: %v\n%s", len(head)+len(rest), err, r.Out.String())
	}
	var tasks []struct {
		ID   int               `json:"id"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(append(head, rest...), &tasks); err != nil {
		t.Fatalf("the export (%d bytes) is not complete JSON: %v", len(head)+len(rest), err)
	}
	if len(tasks) != n {
		t.Fatalf("the export holds %d tasks, want %d", len(tasks), n)
	}
	seen := map[int]bool{}
	for i, task := range tasks {
		if seen[task.ID] || !strings.HasPrefix(task.Data["text"], fmt.Sprintf("task %d ", i)) {
			t.Fatalf("task %d of the export is wrong or repeated: id %d, text %.20q", i, task.ID, task.Data["text"])
		}
		seen[task.ID] = true
	}
	// No second signal: that would end the process at once.
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("the process did not exit 0 after the export: %v\n%s", err, r.Out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the process did not exit after the export:\n%s", r.Out.String())
	}
}

// TestShutdownGraceCutsWhatOutlastsIt: a download that outlasts
// GLOSS_SHUTDOWN_GRACE is cut, and the process says so and exits nonzero
// instead of waiting for ever.
func TestShutdownGraceCutsWhatOutlastsIt(t *testing.T) {
	r, token, projectID := exportingServer(t, 20_000, "1s")
	resp, _ := startExport(t, r, token, projectID)
	done := make(chan error, 1)
	go func() { done <- r.stop() }() // SIGTERM, then wait for the exit
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the process did not exit after its grace period")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want exit code 1\n%s", err, r.Out.String())
	}
	if !strings.Contains(r.Out.String(), "GLOSS_SHUTDOWN_GRACE") {
		t.Fatalf("the process did not say why it cut requests:\n%s", r.Out.String())
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("the stalled export read to its end although the grace period had passed")
	}
}

// TestSecondSIGTERMEndsAtOnce: during the grace period a second SIGTERM (an
// operator pressing Ctrl-C twice) ends the process without waiting.
func TestSecondSIGTERMEndsAtOnce(t *testing.T) {
	r, token, projectID := exportingServer(t, 20_000, "10m")
	startExport(t, r, token, projectID)
	done := make(chan error, 1)
	go func() { done <- r.stop() }() // SIGTERM, then wait for the exit
	// The process waits for the stalled export...
	select {
	case err := <-done:
		t.Fatalf("the process exited during its grace period: %v\n%s", err, r.Out.String())
	case <-time.After(2 * time.Second):
	}
	// ...until a second SIGTERM.
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a second SIGTERM did not end the process")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("exit: %v, want death by SIGTERM", err)
	}
}

// TestSIGTERMLetsATargetStorageWriteFinish: an annotation committed just
// before SIGTERM still reaches the project's target storage. The write runs
// after the commit, in the background; the target here is the S3 gateway
// behind a proxy that holds the PUT until the server is shutting down.
// Before, stopping the storage service cancelled the write with the syncs:
// the annotation was missing from the bucket until someone synced it.
func TestSIGTERMLetsATargetStorageWriteFinish(t *testing.T) {
	g := MustS3(t, "out")
	gateway, err := url.Parse(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(gateway)
	release := make(chan struct{})
	arrived := make(chan string, 16)
	var cut atomic.Int32
	hold := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			// Read the body first: only then does net/http watch the
			// connection and cancel the request's context when the client
			// goes away.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				cut.Add(1)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			arrived <- r.URL.Path
			select {
			case <-release:
			case <-r.Context().Done(): // the server gave up on the write
				cut.Add(1)
				return
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(hold.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	token := "target-shutdown-owner-token"
	r, _ := ownedProcess(t, token, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1", "GLOSS_SHUTDOWN_GRACE": "30s"})
	owner := (&testServer{URL: r.URL}).tokenClient(t, token)
	project := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Targets", "labelConfig": textClassification}}), "createProject", "id")
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}}})
	owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "EXPORT", "out", &s3Gateway{URL: hold.URL, Root: g.Root},
		map[string]any{"prefix": "annotations"})})
	_, annotation := annotate(owner, project)
	select {
	case p := <-arrived:
		if !strings.HasSuffix(p, "/annotations/"+annotation) {
			t.Fatalf("the target write went to %s", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the annotation was not written to the target storage")
	}

	ended := make(chan error, 1)
	go func() { ended <- r.stop() }() // SIGTERM, then wait for the exit
	waitFor(t, "the storage service to stop", func() bool {
		return strings.Contains(r.Out.String(), "storage: syncs stop; target writes in flight may finish")
	})
	// The write is in flight while the service stops: it must not be cut.
	time.Sleep(500 * time.Millisecond)
	if n := cut.Load(); n > 0 {
		t.Fatalf("the server cut the target write when it stopped (%d)", n)
	}
	close(release)
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, r.Out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit once the write was done")
	}
	var written struct {
		ID          int `json:"id"`
		Annotations []struct {
			ID int `json:"id"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(g.object("out", "annotations/"+annotation), &written); err != nil ||
		len(written.Annotations) != 1 || fmt.Sprint(written.Annotations[0].ID) != annotation {
		t.Fatalf("the bucket holds %q (%v), want annotation %s", g.object("out", "annotations/"+annotation), err, annotation)
	}
}
