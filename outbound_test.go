package main

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/internal/safehttp"
)

// TestNoOutboundConnections runs a whole labeling session (start, sign-up,
// project, upload and inline import, labeling, review, export) with
// COLLECT_ANALYTICS=true and checks that the server's one outbound client
// tried no connection. Then a URL import, which must dial, shows the
// counter sees dials. (Every server-side connection goes through that
// client's dialer; TestOneOutboundDialer keeps any other way out of the
// program's code.)
func TestNoOutboundConnections(t *testing.T) {
	before := safehttp.Dials()
	s, owner := MustOwner(t, map[string]string{"COLLECT_ANALYTICS": "true", "SSRF_PROTECTION_ENABLED": "false"})
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	ann := s.browser(t)
	ann.ok(signupMutation, signupVars(uniqueEmail("annotator"), ownerPassword, invite))
	tm := &team{s: s, owner: owner, annotator: ann}
	pid := tm.project(t, textClassification, nil)
	if r := upload(t, owner, pid, map[string]string{"tasks.txt": "one\ntwo\n"}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "three"}}})
	taskID := str(ann.ok(nextTaskQuery, map[string]any{"p": pid}), "nextTask", "id")
	annID := str(ann.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}}), "createAnnotation", "id")
	owner.ok(`mutation($id: ID!) { reviewAnnotation(id: $id, accepted: true) { id } }`, map[string]any{"id": annID})
	for _, format := range []string{"JSON", "CSV"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/projects/"+pid+"/export?format="+format, nil)
		if r := owner.do(req); r.Status != http.StatusOK || !strings.Contains(r.Raw, "Positive") {
			t.Fatalf("%s export: %d %s", format, r.Status, r.Raw)
		}
	}
	if n := safehttp.Dials() - before; n != 0 {
		t.Fatalf("the server tried %d outbound connections during a labeling session", n)
	}

	// The counter does see the server's dials.
	files := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`[{"text": "from a URL"}]`))
	}))
	owner.ok(`mutation($p: ID!, $u: String!) { importTasksFromUrl(projectId: $p, url: $u) { taskCount } }`,
		map[string]any{"p": pid, "u": files + "/tasks.json"})
	if safehttp.Dials() == before {
		t.Fatal("a URL import was not counted as a dial: the check above proves nothing")
	}
}

// outboundCalls are the ways Go code opens connections or makes requests
// without the SSRF-safe client.
var outboundCalls = []string{"net.Dial", "net.DialTimeout", "tls.Dial", "http.Get(", "http.Post(", "http.Head(", "http.PostForm(",
	"http.DefaultClient", "http.DefaultTransport", "http.Client{", "http.Transport{", "net.Dialer{", "Resolver.Lookup", "net.Lookup"}

// TestOneOutboundDialer keeps every outbound connection of the server in
// internal/safehttp: no other package of the program (bench/, a separate
// load generator, aside) opens one on its own.
func TestOneOutboundDialer(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (p == "node_modules" || p == "bench" || p == "ent" || p == filepath.Join("internal", "safehttp") || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("walked only %d files: the check would prove nothing", len(files))
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range outboundCalls {
			if strings.Contains(string(b), call) {
				t.Errorf("%s uses %s: make outbound requests through internal/safehttp", p, call)
			}
		}
	}
}
