package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets a test run the real main() in a child process (for exit
// codes): GLOSS_TEST_MAIN=1 makes this binary behave as gloss.
func TestMain(m *testing.M) {
	if os.Getenv("GLOSS_TEST_MAIN") == "1" {
		os.Args = append([]string{"gloss"}, strings.Fields(os.Getenv("GLOSS_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer collects what run() prints, safely across goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is one gloss process started in-process by run().
type testServer struct {
	URL       string
	SetupLink string
	DataDir   string
	Out       *syncBuffer
	env       map[string]string
	stop      func()
}

var (
	listenLine = regexp.MustCompile(`Gloss is listening on (\S+)`)
	setupLine  = regexp.MustCompile(`(https?://\S+/signup\?invite=\S+)`)
)

// MustStart starts gloss on 127.0.0.1:0 with a fresh data dir (and a fresh
// PostgreSQL database when DATABASE_URL is set) and waits until it serves.
func MustStart(t testing.TB, env map[string]string, args ...string) *testServer {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["DATABASE_URL"]; !ok {
		env["DATABASE_URL"] = freshDatabaseURL(t)
	}
	return mustStartIn(t, t.TempDir(), env, args...)
}

func mustStartIn(t testing.TB, dir string, env map[string]string, args ...string) *testServer {
	t.Helper()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	argv := append([]string{"start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir}, args...)
	go func() { done <- run(ctx, argv, func(k string) string { return env[k] }, out) }()
	s := &testServer{DataDir: dir, Out: out, env: env}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(out.String()); m != nil {
			s.URL = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("gloss exited before serving: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("gloss did not start in time:\n%s", out.String())
		}
	}
	if m := setupLine.FindStringSubmatch(out.String()); m != nil {
		s.SetupLink = m[1]
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("gloss stopped with error: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// log returns what the server has logged so far, every line of the
// requests it answered before this call included: it asks for /healthz and
// waits for that request's line, as lines go out in order but a short
// while after the answer (logsink batches them).
func (s *testServer) log(t testing.TB) string {
	t.Helper()
	resp, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	mark := "request_id=" + resp.Header.Get("X-Request-Id")
	if mark == "request_id=" {
		t.Fatal("healthz answered without a request id")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out := s.Out.String(); strings.Contains(out, mark) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log never showed the line of %s:\n%s", mark, s.Out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// gqlResponse is a GraphQL response body.
type gqlResponse struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	Header http.Header
	Raw    string
}

// Code returns the first error's extensions.code, or "".
func (r *gqlResponse) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// browser is an HTTP client with a cookie jar that sends a same-origin
// Origin header, as the SPA in a browser does.
type browser struct {
	t      testing.TB
	s      *testServer
	hc     *http.Client
	token  string // when set, sent as Authorization: Bearer
	origin string
}

func (s *testServer) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}, origin: s.URL}
}

// tokenClient returns a client that authenticates with an API token only.
func (s *testServer) tokenClient(t testing.TB, token string) *browser {
	return &browser{t: t, s: s, hc: &http.Client{Timeout: 30 * time.Second}, token: token}
}

func (b *browser) do(req *http.Request) *gqlResponse {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && bytes.HasPrefix(raw, []byte("{")) {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("decode response %q: %v", raw, err)
		}
	}
	return out
}

// raw sends body to /graphql with the given content type.
func (b *browser) raw(method, contentType string, body []byte) *gqlResponse {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.s.URL+"/graphql", bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.do(req)
}

// gql runs one GraphQL operation.
func (b *browser) gql(query string, vars map[string]any) *gqlResponse {
	b.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b.raw(http.MethodPost, "application/json", body)
}

// ok runs an operation that must succeed and returns its data.
func (b *browser) ok(query string, vars map[string]any) map[string]any {
	b.t.Helper()
	r := b.gql(query, vars)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		b.t.Fatalf("operation failed (%d): %s\nquery: %s", r.Status, r.Raw, query)
	}
	return r.Data
}

// wantCode runs an operation that must fail with code.
func (b *browser) wantCode(code, query string, vars map[string]any) *gqlResponse {
	b.t.Helper()
	r := b.gql(query, vars)
	if r.Code() != code {
		b.t.Fatalf("want %s, got %q (%d): %s\nquery: %s", code, r.Code(), r.Status, r.Raw, query)
	}
	return r
}

// path reads a nested value from decoded JSON: path(d, "a", "b", 0, "c").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, keys ...any) string {
	s, _ := path(v, keys...).(string)
	return s
}

const (
	signupMutation = `mutation($i: SignupInput!) { signup(input: $i) { user { id email } } }`
	loginMutation  = `mutation($i: LoginInput!) { login(input: $i) { user { id email } } }`
	orgQuery       = `{ organization { id title viewerRole inviteUrl } }`
	membersQuery   = `{ members(first: 100) { totalCount edges { node { role user { displayName } } } } }`
	ownerEmail     = "owner@example.com"
	ownerPassword  = "a quiet owl at midnight"
)

func inviteToken(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("invite")
}

func signupVars(email, password, invite string) map[string]any {
	i := map[string]any{"email": email, "password": password}
	if invite != "" {
		i["inviteToken"] = invite
	}
	return map[string]any{"i": i}
}

// MustOwner starts a server and signs up its owner through the setup link;
// it returns the server and the owner's browser.
func MustOwner(t testing.TB, env map[string]string, args ...string) (*testServer, *browser) {
	t.Helper()
	s := MustStart(t, env, args...)
	if s.SetupLink == "" {
		t.Fatalf("no setup link printed:\n%s", s.Out.String())
	}
	owner := s.browser(t)
	owner.ok(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(s.SetupLink)))
	return s, owner
}

// memberCount returns the number of members the owner sees.
func memberCount(t testing.TB, owner *browser) int {
	t.Helper()
	return int(path(owner.ok(membersQuery, nil), "members", "totalCount").(float64))
}

func uniqueEmail(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%s@example.com", prefix, hex.EncodeToString(b))
}

// sessionCookie returns the value of b's session cookie.
func sessionCookie(t testing.TB, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.s.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "gloss_session") {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// setSessionCookie plants a session cookie in b, as a replaying attacker would.
func setSessionCookie(t testing.TB, b *browser, value string) {
	t.Helper()
	u, _ := url.Parse(b.s.URL)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "gloss_session", Value: value, Path: "/"}})
}

// httptestServer serves h on loopback for the test and returns its URL.
func httptestServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
