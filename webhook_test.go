package main

import (
	"crypto/hmac"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gloss/internal/webhook"
)

const (
	createWebhook = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id projectId url events sendPayload active } } }`
	webhookFields = `id projectId url events sendPayload active createdAt updatedAt deliveries(first: 10) { totalCount edges { node { id event status attempts responseCode error createdAt nextAttemptAt finishedAt } } }`
)

// hookRequest is one request a test receiver got.
type hookRequest struct {
	Path   string
	Header http.Header
	Body   []byte
}

// receiver is a webhook receiver on loopback that records what it gets and
// answers with status() (200 unless set).
type receiver struct {
	URL    string
	mu     sync.Mutex
	got    []hookRequest
	status int
}

func MustReceiver(t testing.TB) *receiver {
	t.Helper()
	r := &receiver{status: http.StatusOK}
	r.URL = httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hookRequest{Path: req.URL.Path, Header: req.Header.Clone(), Body: b})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, "receiver body that must never be stored")
	}))
	return r
}

func (r *receiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.got...)
}

func (r *receiver) setStatus(code int) {
	r.mu.Lock()
	r.status = code
	r.mu.Unlock()
}

// waitFor polls until cond holds, failing after a generous deadline (a
// liveness bound, not a speed assertion).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkSignature verifies a request as a receiver would.
func checkSignature(t testing.TB, secret string, r hookRequest) {
	t.Helper()
	ts := r.Header.Get("X-Gloss-Timestamp")
	sig, ok := strings.CutPrefix(r.Header.Get("X-Gloss-Signature"), "sha256=")
	if ts == "" || !ok {
		t.Fatalf("request lacks the signature headers: %v", r.Header)
	}
	if want := webhook.Sign([]byte(secret), ts, r.Body); !hmac.Equal([]byte(sig), []byte(want)) {
		t.Fatalf("signature %s does not verify (want %s)", sig, want)
	}
}

func payloadOf(t testing.TB, r hookRequest) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("payload is not JSON: %v: %s", err, r.Body)
	}
	return m
}

func TestWebhooksDeliverSignedEvents(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner, ann := tm.owner, tm.annotator

	// An organization webhook for project events, made before the project.
	orgHook := owner.ok(createWebhook, map[string]any{"i": map[string]any{
		"url": recv.URL + "/org", "events": []string{"PROJECT_CREATED", "PROJECT_UPDATED", "PROJECT_DELETED"}}})
	orgSecret := str(orgHook, "createWebhook", "secret")
	pid := tm.project(t, textClassification, nil)
	created := owner.ok(createWebhook, map[string]any{"i": map[string]any{
		"projectId": pid, "url": recv.URL + "/project",
		"events": []string{"TASKS_CREATED", "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED"}}})
	secret := str(created, "createWebhook", "secret")
	hookID := str(created, "createWebhook", "webhook", "id")
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
		t.Fatalf("secret %q is not a fresh random secret", secret)
	}

	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "good"}, map[string]any{"text": "bad"}}})
	task := ann.ok(nextTaskQuery, map[string]any{"p": pid})
	taskID := str(task, "nextTask", "id")
	result := []any{map[string]any{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []string{"Positive"}}}}
	annID := str(ann.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": result}}), "createAnnotation", "id")
	ann.ok(`mutation($id: ID!, $i: UpdateAnnotationInput!) { updateAnnotation(id: $id, input: $i) { id } }`,
		map[string]any{"id": annID, "i": map[string]any{"leadTime": 3.5}})
	ann.ok(`mutation($id: ID!) { deleteAnnotation(id: $id) }`, map[string]any{"id": annID})
	owner.ok(`mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }`,
		map[string]any{"id": pid, "i": map[string]any{"title": "Renamed"}})

	waitFor(t, "six deliveries", func() bool { return len(recv.requests()) >= 6 })
	byAction := map[string]map[string]any{}
	for _, r := range recv.requests() {
		p := payloadOf(t, r)
		action, _ := p["action"].(string)
		if r.Header.Get("X-Gloss-Event") != action {
			t.Errorf("X-Gloss-Event %q, payload action %q", r.Header.Get("X-Gloss-Event"), action)
		}
		if strings.HasPrefix(action, "PROJECT_") {
			checkSignature(t, orgSecret, r)
		} else {
			checkSignature(t, secret, r)
		}
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", action, r.Header.Get("Content-Type"))
		}
		byAction[action] = p
	}
	// Label Studio's shapes.
	for action, keys := range map[string][]string{
		"PROJECT_CREATED":     {"project"},
		"PROJECT_UPDATED":     {"project"},
		"TASKS_CREATED":       {"tasks", "project"},
		"ANNOTATION_CREATED":  {"annotation", "task", "project"},
		"ANNOTATION_UPDATED":  {"annotation", "task", "project"},
		"ANNOTATIONS_DELETED": {"annotations", "project"},
	} {
		p, ok := byAction[action]
		if !ok {
			t.Errorf("no %s delivery; got %v", action, keysOf(byAction))
			continue
		}
		for _, k := range keys {
			if p[k] == nil {
				t.Errorf("%s payload lacks %q: %v", action, k, p)
			}
		}
	}
	if got := str(byAction["PROJECT_UPDATED"], "project", "title"); got != "Renamed" {
		t.Errorf("PROJECT_UPDATED project.title = %q", got)
	}
	if tasks, _ := byAction["TASKS_CREATED"]["tasks"].([]any); len(tasks) != 2 || str(tasks[0], "data", "text") != "good" {
		t.Errorf("TASKS_CREATED tasks = %v", byAction["TASKS_CREATED"]["tasks"])
	}
	if got := str(byAction["ANNOTATION_CREATED"], "annotation", "result", 0, "value", "choices", 0); got != "Positive" {
		t.Errorf("ANNOTATION_CREATED annotation.result = %v", byAction["ANNOTATION_CREATED"]["annotation"])
	}
	// Times as Label Studio sends them: UTC, to the microsecond (a
	// receiver parsing with strptime's %f needs the six digits).
	lsTime := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
	for _, at := range [][]any{{"annotation", "created_at"}, {"task", "updated_at"}, {"project", "created_at"}} {
		if got := str(byAction["ANNOTATION_CREATED"], at...); !lsTime.MatchString(got) {
			t.Errorf("ANNOTATION_CREATED %v = %q, want Label Studio's form", at, got)
		}
	}
	if got := fmt.Sprint(path(byAction["ANNOTATIONS_DELETED"], "annotations", 0, "id")); got != annID {
		t.Errorf("ANNOTATIONS_DELETED annotations = %v, want id %s", byAction["ANNOTATIONS_DELETED"]["annotations"], annID)
	}

	// The log says delivered, with the status and nothing of the body.
	var log *gqlResponse
	waitFor(t, "the delivery log", func() bool {
		log = owner.gql(`query($p: ID!) { project(id: $p) { webhooks { `+webhookFields+` } } }`, map[string]any{"p": pid})
		edges, _ := path(log.Data, "project", "webhooks", 0, "deliveries", "edges").([]any)
		for _, e := range edges {
			if str(e, "node", "status") != "DELIVERED" {
				return false
			}
		}
		if len(edges) != 4 {
			t.Logf("log: %s", log.Raw)
		}
		return len(edges) == 4
	})
	if got := path(log.Data, "project", "webhooks", 0, "deliveries", "edges", 0, "node", "responseCode"); got != float64(200) {
		t.Errorf("responseCode = %v", got)
	}
	if n := keptPayloads(t, tm.s); n != 0 {
		t.Errorf("%d delivered deliveries keep their payloads", n)
	}
	if str(log.Data, "project", "webhooks", 0, "id") != hookID {
		t.Errorf("project webhooks = %s", log.Raw)
	}

	// The secret was shown once: never again in GraphQL, the log or the
	// audit trail; the receiver's body is kept nowhere.
	org := owner.gql(`{ organization { webhooks { `+webhookFields+` } } }`, nil)
	audit := owner.gql(`{ auditEvents(first: 100) { edges { node { action details } } } }`, nil)
	for name, text := range map[string]string{"project webhooks": log.Raw, "organization webhooks": org.Raw, "audit events": audit.Raw, "server log": tm.s.log(t)} {
		for _, leak := range []string{secret, orgSecret, strings.TrimPrefix(secret, "whsec_"), "must never be stored"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s contain %q", name, leak)
			}
		}
	}
	if !strings.Contains(audit.Raw, "webhook.create") {
		t.Errorf("no webhook.create audit event: %s", audit.Raw)
	}

	// Deleting the project tells the organization's webhook.
	owner.ok(`mutation($id: ID!) { deleteProject(id: $id) }`, map[string]any{"id": pid})
	waitFor(t, "PROJECT_DELETED", func() bool {
		for _, r := range recv.requests() {
			if p := payloadOf(t, r); p["action"] == "PROJECT_DELETED" {
				return fmt.Sprint(path(p, "project", "id")) == pid
			}
		}
		return false
	})
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWebhookURLsAtPrivatePlacesAreRefused: without GLOSS_OUTBOUND_ALLOW a
// webhook cannot point inside the server's network, by address or by name;
// the refusal says why and stores nothing.
func TestWebhookURLsAtPrivatePlacesAreRefused(t *testing.T) {
	recv := MustReceiver(t)
	port := recv.URL[strings.LastIndexByte(recv.URL, ':'):]
	_, owner := MustOwner(t, nil)
	for _, u := range []string{
		recv.URL, "http://localhost" + port, "http://[::1]" + port, "http://127.1" + port, "http://2130706433" + port,
		"http://10.0.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
		"http://metadata.google.internal/", "http://metadata/", "http://intranet/", "http://printer.local/",
		"file:///etc/passwd", "gopher://example.com/", "http://user:pass@example.com/", "",
	} {
		r := owner.wantCode("BAD_USER_INPUT", createWebhook, map[string]any{"i": map[string]any{"url": u, "events": []string{"PROJECT_CREATED"}}})
		if !strings.Contains(r.Errors[0].Message, "url") {
			t.Errorf("%q: error %q does not name the url", u, r.Errors[0].Message)
		}
	}
	owner.wantCode("BAD_USER_INPUT", createWebhook, map[string]any{"i": map[string]any{"url": "https://hooks.example.com/", "events": []string{}}})
	if got := owner.ok(`{ organization { webhooks { id } } }`, nil); len(path(got, "organization", "webhooks").([]any)) != 0 {
		t.Errorf("a refused webhook was stored: %v", got)
	}
	if n := len(recv.requests()); n != 0 {
		t.Errorf("the receiver got %d requests", n)
	}
}

// TestWebhookAttemptCutShortByAStopIsRetriedAtOnce: a server stopped while
// a delivery's attempt waits for the receiver records the attempt as cut
// short and due again at once, so the restarted server delivers it without
// waiting out the claim's lease (a minute).
func TestWebhookAttemptCutShortByAStopIsRetriedAtOnce(t *testing.T) {
	var mu sync.Mutex
	var got []string
	hold := true
	arrived := make(chan struct{}, 1)
	recv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		mu.Lock()
		got = append(got, req.Header.Get("X-Gloss-Delivery")+" "+string(b))
		wait := hold
		mu.Unlock()
		if wait {
			arrived <- struct{}{}
			<-req.Context().Done() // answers only once the sender gives up
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	env := map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1", "DATABASE_URL": freshDatabaseURL(t)}
	dir := t.TempDir()
	s := mustStartIn(t, dir, env)
	owner := s.browser(t)
	owner.ok(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(s.SetupLink)))
	owner.ok(createWebhook, map[string]any{"i": map[string]any{"url": recv, "events": []string{"PROJECT_CREATED"}}})
	owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Stopped mid-send", "labelConfig": textClassification}})
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the first attempt never reached the receiver")
	}
	s.stop()
	mu.Lock()
	hold = false
	mu.Unlock()

	s = mustStartIn(t, dir, env)
	owner = s.browser(t)
	owner.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	var node map[string]any
	waitFor(t, "the delivery after the restart", func() bool {
		d := owner.ok(`{ organization { webhooks { deliveries(first: 5) { edges { node { status attempts responseCode error } } } } } }`, nil)
		node, _ = path(d, "organization", "webhooks", 0, "deliveries", "edges", 0, "node").(map[string]any)
		return node != nil && node["status"] == "DELIVERED"
	})
	if node["attempts"] != float64(2) || node["responseCode"] != float64(http.StatusNoContent) {
		t.Fatalf("delivered after the restart: %v; want attempt 2 answered 204", node)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the receiver got %q; want the same delivery twice", got)
	}
}

// TestWebhookRetriesSurviveARestart: a receiver that fails gets the event
// again after the server restarts on the same data, once it recovers.
func TestWebhookRetriesSurviveARestart(t *testing.T) {
	recv := MustReceiver(t)
	recv.setStatus(http.StatusServiceUnavailable)
	env := map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1", "DATABASE_URL": freshDatabaseURL(t)}
	dir := t.TempDir()
	s := mustStartIn(t, dir, env)
	owner := s.browser(t)
	owner.ok(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(s.SetupLink)))
	owner.ok(createWebhook, map[string]any{"i": map[string]any{"url": recv.URL, "events": []string{"PROJECT_CREATED"}}})
	owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Restarted", "labelConfig": textClassification}})
	waitFor(t, "the first attempt", func() bool { return len(recv.requests()) >= 1 })
	s.stop()

	recv.setStatus(http.StatusOK)
	s = mustStartIn(t, dir, env)
	owner = s.browser(t)
	owner.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	// The retry is due 10 s after the failure (the first backoff).
	waitFor(t, "the retry after the restart", func() bool {
		d := owner.ok(`{ organization { webhooks { deliveries(first: 5) { edges { node { status attempts responseCode } } } } } }`, nil)
		return str(d, "organization", "webhooks", 0, "deliveries", "edges", 0, "node", "status") == "DELIVERED"
	})
	got := recv.requests()
	if len(got) != 2 || got[0].Header.Get("X-Gloss-Delivery") != got[1].Header.Get("X-Gloss-Delivery") || string(got[0].Body) != string(got[1].Body) {
		t.Fatalf("the receiver got %d requests; want the same delivery twice", len(got))
	}

	// A payload that an earlier release kept of a finished delivery is
	// emptied at the next start.
	s.stop()
	mustExec(t, insider(t, s), `UPDATE webhook_deliveries SET payload = 'kept by an earlier release' WHERE status = 'DELIVERED'`)
	if n := keptPayloads(t, s); n != 1 {
		t.Fatalf("%d finished deliveries hold a payload before the restart, want 1", n)
	}
	s = mustStartIn(t, dir, env)
	waitFor(t, "the kept payload to be emptied", func() bool { return keptPayloads(t, s) == 0 })
}

// TestWebhooksTrustCustomCACerts: a receiver with a certificate from a
// private CA is reached over HTTPS once CUSTOM_CA_CERTS names that CA, and
// refused (a certificate error in the log, nothing stored of the receiver)
// without it.
func TestWebhooksTrustCustomCACerts(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)

	for _, trusted := range []bool{false, true} {
		env := map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"}
		if trusted {
			env["CUSTOM_CA_CERTS"] = caFile
		}
		_, owner := MustOwner(t, env)
		owner.ok(createWebhook, map[string]any{"i": map[string]any{"url": srv.URL + "/hook", "events": []string{"PROJECT_CREATED"}}})
		owner.ok(createProject, map[string]any{"i": map[string]any{"title": "TLS", "labelConfig": textClassification}})
		var status, msg string
		waitFor(t, "an attempt", func() bool {
			d := owner.ok(`{ organization { webhooks { deliveries(first: 1) { edges { node { status attempts error } } } } } }`, nil)
			node := path(d, "organization", "webhooks", 0, "deliveries", "edges", 0, "node")
			status, msg = str(node, "status"), str(node, "error")
			return status == "DELIVERED" || str(node, "error") != ""
		})
		if trusted && status != "DELIVERED" {
			t.Errorf("with CUSTOM_CA_CERTS: %s %q", status, msg)
		}
		if !trusted && (status == "DELIVERED" || !strings.Contains(msg, "certificate")) {
			t.Errorf("without CUSTOM_CA_CERTS: %s %q, want a certificate error", status, msg)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("the receiver got %d requests, want 1", hits.Load())
	}
}

// TestWebhookAnsweredLateInItsTimeIsDelivered: a receiver that answers 2xx
// within its 10 s but after 5 s (a slow consumer) got the event, and the
// delivery says so: delivered at the first attempt, sent once. Before, the
// attempt's record shared a 5-second deadline with the send, so it failed
// after such an answer: the delivery stayed claimed, unrecorded, and was
// sent again a minute later, and again, for as long as the receiver took
// that long.
func TestWebhookAnsweredLateInItsTimeIsDelivered(t *testing.T) {
	const late = 6 * time.Second // within webhook.Timeout, beyond the old record deadline
	var mu sync.Mutex
	got := 0
	recv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.ReadAll(req.Body)
		mu.Lock()
		got++
		mu.Unlock()
		select { // the receiver is slow: that is what is tested
		case <-time.After(late):
		case <-req.Context().Done():
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner.ok(createWebhook, map[string]any{"i": map[string]any{"url": recv, "events": []string{"PROJECT_CREATED"}}})
	owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Slow receiver", "labelConfig": textClassification}})
	var node map[string]any
	waitFor(t, "the delivery to be recorded as delivered", func() bool {
		d := owner.ok(`{ organization { webhooks { deliveries(first: 5) { edges { node { status attempts responseCode error } } } } } }`, nil)
		node, _ = path(d, "organization", "webhooks", 0, "deliveries", "edges", 0, "node").(map[string]any)
		return node != nil && node["status"] == "DELIVERED"
	})
	if node["attempts"] != float64(1) || node["responseCode"] != float64(http.StatusNoContent) {
		t.Fatalf("delivered: %v; want attempt 1 answered 204", node)
	}
	mu.Lock()
	defer mu.Unlock()
	if got != 1 {
		t.Fatalf("the receiver got the event %d times, want once", got)
	}
	if log := s.log(t); strings.Contains(log, "webhook deliveries") {
		t.Fatalf("the worker logged an error:\n%s", log)
	}
}

// TestSubmitsAreHeardByEveryListeningWebhook: a submit through the label
// stream reaches the webhooks that hear its project (an organization
// webhook hears every project) and no other: not an inactive one, not one
// of another project. A submit reads whether any webhook listens together
// with the state it decides on, so this is that condition's test, for each
// way a webhook can listen or not.
func TestSubmitsAreHeardByEveryListeningWebhook(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner, ann := tm.owner, tm.annotator
	quiet, heard, deaf := tm.project(t, textClassification, nil), tm.project(t, textClassification, nil), tm.project(t, textClassification, nil)
	hook := func(project any, name string, active bool, events ...string) {
		if events == nil {
			events = []string{"ANNOTATION_CREATED"}
		}
		in := map[string]any{"url": recv.URL + "/" + name, "events": events, "active": active}
		if project != nil {
			in["projectId"] = project
		}
		owner.ok(createWebhook, map[string]any{"i": in})
	}
	result := []any{map[string]any{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []string{"Positive"}}}}
	submit := func(pid string) {
		owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "x"}}})
		taskID := str(ann.ok(nextTaskQuery, map[string]any{"p": pid}), "nextTask", "id")
		ann.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": result}})
	}
	projectOf := func(r hookRequest) string { return fmt.Sprint(path(payloadOf(t, r), "project", "id")) }

	// No webhook at all yet: the submit stores its annotation and sends nothing.
	submit(quiet)
	// The project's own webhook (among other events), one of another
	// project, an inactive one, and one that hears other events only.
	hook(heard, "heard", true, "TASKS_DELETED", "ANNOTATION_CREATED", "PROJECT_UPDATED")
	hook(deaf, "deaf-inactive", false)
	hook(quiet, "other-project", true)
	hook(deaf, "deaf-other-events", true, "ANNOTATION_UPDATED", "PROJECT_UPDATED")
	submit(heard)
	submit(deaf)
	waitFor(t, "the heard project's delivery", func() bool { return len(recv.requests()) >= 1 })
	// Then an organization webhook, which hears every project.
	hook(nil, "org", true)
	submit(deaf)
	waitFor(t, "the organization webhook's delivery", func() bool { return len(recv.requests()) >= 2 })
	time.Sleep(300 * time.Millisecond) // a stray delivery would have come by now
	var got []string
	for _, r := range recv.requests() {
		got = append(got, r.Path+" "+projectOf(r))
		// The payload carries the whole project, as Label Studio's does.
		if p := payloadOf(t, r); !strings.HasPrefix(str(p, "project", "title"), "Project ") || str(p, "project", "label_config") != textClassification {
			t.Errorf("%s: the payload's project lacks its title or configuration: %v", r.Path, p["project"])
		}
	}
	want := []string{"/heard " + heard, "/org " + deaf}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("deliveries %v, want %v", got, want)
	}
}

// TestWebhooksStopWithTheirCreatorsStanding: a webhook is only as good as
// its creator's standing, as an invite is. A manager's project webhook
// stops sending when the manager is removed from the organization, and an
// admin's organization webhook when the admin is made a manager: their
// deliveries fail saying why, and their servers receive nothing more; so
// does the owner's webhook that the manager pointed at their own server
// (whoever changes a URL answers for the webhook). A webhook whose creator
// keeps their standing goes on.
func TestWebhooksStopWithTheirCreatorsStanding(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner := tm.owner
	pid := tm.project(t, textClassification, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, pid, manager)
	admin := tm.joinAs(t, "ADMIN")
	hook := func(b *browser, path string, project bool, events ...string) {
		in := map[string]any{"url": recv.URL + path, "events": events}
		if project {
			in["projectId"] = pid
		}
		b.ok(createWebhook, map[string]any{"i": in})
	}
	hook(manager, "/manager", true, "ANNOTATION_CREATED")
	hook(owner, "/owner", true, "ANNOTATION_CREATED")
	hook(admin, "/admin", false, "PROJECT_UPDATED")
	// The owner's webhook the manager then points at their own server:
	// whoever changes a URL answers for the webhook from then on.
	hook(owner, "/owner-elsewhere", true, "ANNOTATION_CREATED")
	var redirected string
	for _, h := range path(manager.ok(`query($p: ID!) { project(id: $p) { webhooks { id url } } }`, map[string]any{"p": pid}), "project", "webhooks").([]any) {
		if strings.HasSuffix(str(h, "url"), "/owner-elsewhere") {
			redirected = str(h, "id")
		}
	}
	manager.ok(`mutation($id: ID!, $i: UpdateWebhookInput!) { updateWebhook(id: $id, input: $i) { id } }`,
		map[string]any{"id": redirected, "i": map[string]any{"url": recv.URL + "/moved"}})

	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	ids := taskIDs(t, owner, pid, nil)
	act := func(i int) {
		owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": ids[i], "result": choice("Positive")}})
		owner.ok(`mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }`,
			map[string]any{"id": pid, "i": map[string]any{"title": fmt.Sprintf("Renamed %d", i)}})
	}
	count := func(path string) int {
		n := 0
		for _, r := range recv.requests() {
			if r.Path == path {
				n++
			}
		}
		return n
	}
	act(0)
	waitFor(t, "the first deliveries", func() bool {
		return count("/manager") == 1 && count("/owner") == 1 && count("/admin") == 1 && count("/moved") == 1
	})

	owner.ok(removeMutation, map[string]any{"u": idOf(t, manager)})
	owner.ok(`mutation($u: ID!) { updateMemberRole(userId: $u, role: MANAGER) { role } }`, map[string]any{"u": idOf(t, admin)})
	act(1)
	waitFor(t, "the owner's second delivery", func() bool { return count("/owner") == 2 })
	lastDelivery := func(hooks []any, url string) map[string]any {
		for _, h := range hooks {
			if str(h, "url") == url {
				edges := path(h, "deliveries", "edges").([]any)
				return path(edges[0], "node").(map[string]any)
			}
		}
		t.Fatalf("no webhook to %s", url)
		return nil
	}
	waitFor(t, "the refused deliveries to be recorded", func() bool {
		project := path(owner.ok(`query($p: ID!) { project(id: $p) { webhooks { url deliveries(first: 10) { edges { node { status error } } } } } }`,
			map[string]any{"p": pid}), "project", "webhooks").([]any)
		org := path(owner.ok(`{ organization { webhooks { url deliveries(first: 10) { edges { node { status error } } } } } }`, nil),
			"organization", "webhooks").([]any)
		m, a := lastDelivery(project, recv.URL+"/manager"), lastDelivery(org, recv.URL+"/admin")
		return str(m, "status") == "FAILED" && str(a, "status") == "FAILED"
	})
	project := path(owner.ok(`query($p: ID!) { project(id: $p) { webhooks { url deliveries(first: 10) { edges { node { status error } } } } } }`,
		map[string]any{"p": pid}), "project", "webhooks").([]any)
	if e := str(lastDelivery(project, recv.URL+"/manager"), "error"); !strings.Contains(e, "creator may no longer manage it") {
		t.Errorf("the refused delivery says %q", e)
	}
	waitFor(t, "the moved webhook's refused delivery", func() bool {
		project := path(owner.ok(`query($p: ID!) { project(id: $p) { webhooks { url deliveries(first: 10) { edges { node { status error } } } } } }`,
			map[string]any{"p": pid}), "project", "webhooks").([]any)
		return str(lastDelivery(project, recv.URL+"/moved"), "status") == "FAILED"
	})
	if m, a, moved := count("/manager"), count("/admin"), count("/moved"); m != 1 || a != 1 || moved != 1 {
		t.Fatalf("after losing their standing the manager's servers got %d and %d deliveries and the admin's %d; want 1 each", m, moved, a)
	}
	if n := keptPayloads(t, tm.s); n != 0 {
		t.Errorf("%d finished deliveries keep their payloads", n)
	}
}

// keptPayloads counts the finished deliveries (delivered, or failed for
// good) that still hold their payload, a copy of the tasks and annotations
// they carried, which must not outlive their deletion.
func keptPayloads(t *testing.T, s *testServer) int {
	t.Helper()
	db := insider(t, s)
	var finished, kept int
	if err := db.SQL.QueryRow(`SELECT COUNT(*), COUNT(CASE WHEN length(payload) > 0 THEN 1 END) FROM webhook_deliveries WHERE status <> 'PENDING'`).Scan(&finished, &kept); err != nil {
		t.Fatal(err)
	}
	if finished == 0 {
		t.Fatal("no finished delivery to look at")
	}
	return kept
}
