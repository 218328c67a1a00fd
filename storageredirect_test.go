package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestStoragesFollowNoRedirects: an S3 or GCS endpoint that redirects
// (a hostile or compromised one) never makes the server send the request,
// with the credentials it carries (the signature and security token of
// S3, the bearer token GCS's transport adds to every hop), to where it
// points. The check reports the refusal and the sync fails; nothing
// reaches the other host.
func TestStoragesFollowNoRedirects(t *testing.T) {
	var mu sync.Mutex
	var reached []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached = append(reached, r.Method+" "+r.URL.String()+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer elsewhere.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer front.Close()

	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	creds, _ := serviceAccountKey(t)
	for kind, in := range map[string]map[string]any{
		"S3":  s3Input(project, "IMPORT", "media", &s3Gateway{URL: front.URL}, nil),
		"GCS": gcsInput(project, "IMPORT", "media", &gcsServer{URL: front.URL}, creds, nil),
	} {
		id := str(owner.ok(createStorageMutation, map[string]any{"i": in}), "createStorage", "id")
		c := owner.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, map[string]any{"s": id})
		if path(c, "checkStorage", "ok") != false || str(c, "checkStorage", "message") == "" {
			t.Errorf("%s: checkStorage through a redirect: %v", kind, c)
		}
		if done := syncAndWait(t, owner, project, id); str(done, "status") != "FAILED" {
			t.Errorf("%s: sync through a redirect: %v", kind, done)
		}
		mu.Lock()
		if len(reached) > 0 {
			t.Errorf("%s: the redirect was followed: %s", kind, strings.Join(reached, "; "))
		}
		reached = nil
		mu.Unlock()
	}
}
