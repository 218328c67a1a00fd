package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// inviteOf returns the organization's invite link as the owner sees it; the
// hostile tests use it as the state that must not change.
func inviteOf(t testing.TB, owner *browser) string {
	t.Helper()
	return str(owner.ok(orgQuery, nil), "organization", "inviteUrl")
}

const resetInvite = `{"query":"mutation { resetInviteLink { inviteUrl } }"}`

func TestGraphQLRefusesOtherShapes(t *testing.T) {
	s, owner := MustOwner(t, nil)
	before := inviteOf(t, owner)
	big := append([]byte(`{"query":"mutation { resetInviteLink { id } }","variables":{"x":"`), []byte(strings.Repeat("a", 1<<20))...)
	big = append(big, []byte(`"}}`)...)
	for _, tc := range []struct {
		name, method, contentType string
		body                      []byte
		status                    int
	}{
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
		{"PUT", http.MethodPut, "application/json", []byte(resetInvite), http.StatusMethodNotAllowed},
		{"form", http.MethodPost, "application/x-www-form-urlencoded", []byte("query=mutation{resetInviteLink{id}}"), http.StatusUnsupportedMediaType},
		{"text/plain", http.MethodPost, "text/plain", []byte(resetInvite), http.StatusUnsupportedMediaType},
		{"multipart", http.MethodPost, "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n" + resetInvite + "\r\n--x--\r\n"), http.StatusUnsupportedMediaType},
		{"no content type", http.MethodPost, "", []byte(resetInvite), http.StatusUnsupportedMediaType},
		{"batch", http.MethodPost, "application/json", []byte("[" + resetInvite + "," + resetInvite + "]"), http.StatusBadRequest},
		{"oversized", http.MethodPost, "application/json", big, http.StatusRequestEntityTooLarge},
		{"not json", http.MethodPost, "application/json", []byte("{nope"), http.StatusBadRequest},
		{"null", http.MethodPost, "application/json", []byte("null"), http.StatusBadRequest},
		{"a string", http.MethodPost, "application/json", []byte(`"mutation { resetInviteLink { id } }"`), http.StatusBadRequest},
		{"two objects", http.MethodPost, "application/json", []byte(resetInvite + resetInvite), http.StatusBadRequest},
		{"query not a string", http.MethodPost, "application/json", []byte(`{"query":["mutation { resetInviteLink { id } }"]}`), http.StatusBadRequest},
		{"no query", http.MethodPost, "application/json", []byte(`{"operationName":"x"}`), http.StatusBadRequest},
		{"operationName a number", http.MethodPost, "application/json", []byte(`{"query":"mutation { resetInviteLink { id } }","operationName":1}`), http.StatusBadRequest},
		{"variables an array", http.MethodPost, "application/json", []byte(`{"query":"mutation { resetInviteLink { id } }","variables":[1]}`), http.StatusBadRequest},
		{"extensions a string", http.MethodPost, "application/json", []byte(`{"query":"mutation { resetInviteLink { id } }","extensions":"x"}`), http.StatusBadRequest},
		{"not UTF-8", http.MethodPost, "application/json", []byte("{\"query\":\"mutation { resetInviteLink { id } } #\xff\"}"), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := owner.raw(tc.method, tc.contentType, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.status != http.StatusBadRequest || tc.name != "not json" {
				if tc.status == http.StatusBadRequest && !strings.Contains(r.Raw, "must be") && !strings.Contains(r.Raw, "UTF-8") && !strings.Contains(r.Raw, "batched") {
					t.Fatalf("the refusal does not say what is wrong: %s", r.Raw)
				}
				if r.Code() != "BAD_USER_INPUT" {
					t.Fatalf("code %q: %s", r.Code(), r.Raw)
				}
			}
			if after := inviteOf(t, owner); after != before {
				t.Fatal("a refused request changed the invite link")
			}
		})
	}
	_ = s
}

func TestCSRFIsRefused(t *testing.T) {
	s, owner := MustOwner(t, nil)
	before := inviteOf(t, owner)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"other port on localhost", map[string]string{"Origin": "http://127.0.0.1:1"}, http.StatusForbidden},
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site fetch metadata", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"no origin at all", nil, http.StatusForbidden},
		{"same origin", map[string]string{"Origin": s.URL}, http.StatusOK},
		{"same-origin fetch metadata", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			current := inviteOf(t, owner)
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(resetInvite))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			r := owner.do(req)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			changed := inviteOf(t, owner) != current
			if changed != (tc.status == http.StatusOK) {
				t.Fatalf("invite link changed = %v with status %d", changed, r.Status)
			}
		})
	}
	_ = before
}

func TestCORS(t *testing.T) {
	preflight := func(t *testing.T, s *testServer, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("closed by default", func(t *testing.T) {
		s := MustStart(t, nil)
		resp := preflight(t, s, "https://app.example")
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Fatalf("Access-Control-Allow-Origin = %q with no origins configured", v)
		}
	})
	t.Run("listed origins only", func(t *testing.T) {
		s, owner := MustOwner(t, map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://app.example"})
		resp := preflight(t, s, "https://app.example")
		if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("listed origin preflight: %v", resp.Header)
		}
		for _, o := range []string{"https://evil.example", "null", "https://app.example.evil.example"} {
			if v := preflight(t, s, o).Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Fatalf("origin %s allowed: %q", o, v)
			}
		}
		// A cookie-carrying state change from the listed origin passes the
		// CSRF guard; from another origin it does not.
		before := inviteOf(t, owner)
		owner.origin = "https://evil.example"
		if r := owner.raw(http.MethodPost, "application/json", []byte(resetInvite)); r.Status != http.StatusForbidden {
			t.Fatalf("unlisted origin: %d", r.Status)
		}
		owner.origin = s.URL
		if inviteOf(t, owner) != before {
			t.Fatal("refused request changed state")
		}
	})
	t.Run("wildcards refused", func(t *testing.T) {
		for _, v := range []string{"*", "null"} {
			err := run(t.Context(), []string{"start", "--data-dir", t.TempDir()}, func(k string) string {
				if k == "GLOSS_CORS_ALLOWED_ORIGINS" {
					return v
				}
				return ""
			}, os.Stderr)
			if err == nil || !strings.Contains(err.Error(), "GLOSS_CORS_ALLOWED_ORIGINS") {
				t.Fatalf("%q: err = %v", v, err)
			}
		}
	})
}

func TestQueryLimits(t *testing.T) {
	s, owner := MustOwner(t, nil)
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " a%d: viewer { id }", i)
		}
		return b.String() + " }"
	}
	directives := func(n int) string {
		return "{ viewer {" + strings.Repeat(" ... @include(if: true) { id }", n) + " } }"
	}
	for _, tc := range []struct {
		name, query, code, message string
	}{
		{"15 aliases are fine", aliases(15), "", ""},
		{"16 aliases", aliases(16), "BAD_USER_INPUT", "aliases"},
		{"too many directives", directives(21), "BAD_USER_INPUT", "directives"},
		{"token bomb", "{ viewer { " + strings.Repeat("id ", 6000) + "} }", "BAD_USER_INPUT", "token"},
		{"page size", `{ members(first: 101) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"page size zero", `{ members(first: 0) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"complexity", `{` + strings.Repeat(`x%d: members(first: 100) { edges { node { id role createdAt user { id displayName createdAt } } } } `, 12) + `}`, "BAD_USER_INPUT", "complexity"},
		{"introspection is off", `{ __schema { types { name } } }`, "BAD_USER_INPUT", "introspection"},
		{"introspection in an inline fragment", `{ ... on Query { __schema { types { name } } } }`, "BAD_USER_INPUT", "introspection"},
		{"introspection in a fragment", `{ ...F } fragment F on Query { __type(name: "User") { fields { name } } }`, "BAD_USER_INPUT", "introspection"},
		{"no suggestions", `{ viewr { id } }`, "BAD_USER_INPUT", "Cannot query field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.query
			if strings.Contains(q, "%d") {
				q = fmt.Sprintf(q, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
			}
			r := owner.gql(q, nil)
			if r.Code() != tc.code {
				t.Fatalf("code %q, want %q: %s", r.Code(), tc.code, r.Raw)
			}
			if tc.code != "" && !strings.Contains(strings.ToLower(r.Errors[0].Message), strings.ToLower(tc.message)) {
				t.Fatalf("message %q does not mention %q", r.Errors[0].Message, tc.message)
			}
			if strings.Contains(r.Raw, "Did you mean") {
				t.Fatalf("suggestion leaked: %s", r.Raw)
			}
		})
	}
	t.Run("introspection when enabled", func(t *testing.T) {
		s2 := MustStart(t, map[string]string{"GLOSS_GRAPHQL_INTROSPECTION": "true"})
		s2.browser(t).ok(`{ __schema { queryType { name } } }`, nil)
	})
	_ = s
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	s, owner := MustOwner(t, nil)
	for _, p := range []string{"/", "/signup?invite=x", "/graphql", "/healthz"} {
		resp, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("%s CSP %q", p, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Fatalf("%s headers %v", p, resp.Header)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Fatalf("%s sends HSTS over plain HTTP", p)
		}
	}
	// The session cookie over HTTP: HttpOnly, SameSite=Lax, Path=/.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"mutation($i: LoginInput!) { login(input: $i) { user { id } } }","variables":{"i":{"email":"`+ownerEmail+`","password":"`+ownerPassword+`"}}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"gloss_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("Set-Cookie %q lacks %s", sc, want)
		}
	}
	_ = owner

	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(s.URL + p)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", p, err, resp.StatusCode)
		}
		resp.Body.Close()
	}
	if resp, _ := http.Get(s.URL + "/api/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/api/nothing: %d", resp.StatusCode)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, certFile, keyFile)
	s := MustStart(t, nil, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL %s", s.URL)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	body := fmt.Sprintf(`{"query":"mutation($i: SignupInput!) { signup(input: $i) { user { id } } }","variables":{"i":{"email":"%s","password":"%s","inviteToken":"%s"}}}`,
		ownerEmail, ownerPassword, inviteToken(s.SetupLink))
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-gloss_session=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("Set-Cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Domain=") {
		t.Fatalf("__Host- cookie with a Domain: %q", sc)
	}
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatal("no HSTS under TLS")
	}
}

func writeSelfSigned(t *testing.T, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDownloadsAreNavigationsOnly: an importer chooses task data, and the
// SPA shows an http(s) value as an <img> or <audio>, so a task can point
// one at Gloss's own export or audit download. Loading it in a manager's
// or an owner's browser must not run an export or download the audit log
// in their name (an audit event saying they did, and the whole work of an
// export, on every view). Only a navigation (the app's download links, the
// address bar) or a client with a token of its own reaches these routes.
func TestDownloadsAreNavigationsOnly(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	token := str(tm.owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	api := tm.s.tokenClient(t, token)
	routes := map[string]string{
		"project.exported": "/api/projects/" + id + "/export?format=JSON",
		"audit.downloaded": "/api/audit-events.jsonl",
	}
	fetchMeta := func(mode, dest, site string) map[string]string {
		return map[string]string{"Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest, "Sec-Fetch-Site": site}
	}
	for _, c := range []struct {
		name    string
		b       *browser
		headers map[string]string
		want    int
	}{
		{"an <img> in the app", tm.owner, fetchMeta("no-cors", "image", "same-origin"), http.StatusForbidden},
		{"an <audio> in the app", tm.owner, fetchMeta("no-cors", "audio", "same-origin"), http.StatusForbidden},
		{"a fetch in the app", tm.owner, fetchMeta("cors", "empty", "same-origin"), http.StatusForbidden},
		{"an iframe in the app", tm.owner, fetchMeta("navigate", "iframe", "same-origin"), http.StatusForbidden},
		{"a link on another site", tm.owner, fetchMeta("navigate", "document", "cross-site"), http.StatusForbidden},
		{"the app's download link", tm.owner, fetchMeta("navigate", "document", "same-origin"), http.StatusOK},
		{"the address bar", tm.owner, fetchMeta("navigate", "document", "none"), http.StatusOK},
		{"a client without fetch metadata", tm.owner, nil, http.StatusOK},
		{"a token client, whatever it says", api, fetchMeta("no-cors", "image", "cross-site"), http.StatusOK},
	} {
		for action, route := range routes {
			before := len(actions(t, tm.owner, map[string]any{"action": action}))
			headers := map[string]string{}
			for k, v := range c.headers {
				headers[k] = v
			}
			if c.b.token != "" {
				headers["Authorization"] = "Bearer " + c.b.token
			}
			resp, body := c.b.get(route, headers)
			after := len(actions(t, tm.owner, map[string]any{"action": action}))
			if resp.StatusCode != c.want {
				t.Errorf("%s, GET %s: status %d, want %d: %.200s", c.name, route, resp.StatusCode, c.want, body)
			}
			if wantEvents := map[bool]int{true: 1, false: 0}[c.want == http.StatusOK]; after-before != wantEvents {
				t.Errorf("%s, GET %s: %d %s events, want %d", c.name, route, after-before, action, wantEvents)
			}
			if c.want != http.StatusOK && (resp.Header.Get("Content-Disposition") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")) {
				t.Errorf("%s, GET %s: a refusal is a JSON error, not a download: %v", c.name, route, resp.Header)
			}
		}
	}
}

// TestOwnTransactionFieldsRunAlone: the mutations that open their own
// transaction (login, importTasks, ...) run alone, however the operation
// spells its fields. Beside another field, importTasks once took the
// operation's transaction away from it: an annotator's skip ran its check
// and the task's counters apart, and two at once drove the count below the
// task's annotations, so that the stream handed out full tasks. Inside an
// inline fragment login was not seen, ran inside the operation's
// transaction and waited for the write lock that transaction held: one
// unauthenticated request stopped every write of a SQLite server.
func TestOwnTransactionFieldsRunAlone(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	taskID, annID := annotate(tm.annotator, p)
	const skip = `updateAnnotation(id: $a, input: {result: [], wasCancelled: true, confirmSkip: true}) { id }`
	const imp = `importTasks(projectId: $p, tasks: []) { taskCount }`
	vars := map[string]any{"a": annID, "p": p}
	before := taskState(tm.owner, taskID)
	for _, q := range []string{
		`mutation($a: ID!, $p: ID!) { ` + skip + ` ` + imp + ` }`,
		`mutation($a: ID!, $p: ID!) { ... on Mutation { ` + imp + ` } ` + skip + ` }`,
		`mutation($a: ID!, $p: ID!) { ...F ` + skip + ` } fragment F on Mutation { ` + imp + ` }`,
	} {
		r := tm.annotator.wantCode("BAD_USER_INPUT", q, vars)
		if msg := r.Errors[0].Message; !strings.Contains(msg, "importTasks must be the only field of its operation") {
			t.Errorf("the refusal does not say why: %q", msg)
		}
		if after := taskState(tm.owner, taskID); after != before {
			t.Fatalf("a refused operation changed the task:\n%s\n%s", before, after)
		}
	}
	// A field left out by @include is not run: the rest runs, in its
	// transaction.
	d := tm.annotator.ok(`mutation($a: ID!, $p: ID!, $x: Boolean!) { `+imp[:len(imp)-len(" { taskCount }")]+` @include(if: $x) { taskCount } `+skip+` }`,
		map[string]any{"a": annID, "p": p, "x": false})
	if path(d, "updateAnnotation", "id") != annID || path(d, "importTasks") != nil {
		t.Fatalf("with importTasks left out: %v", d)
	}

	anon := tm.s.browser(t)
	anon.wantCode("UNAUTHENTICATED", `mutation { ... on Mutation { login(input: {email: "`+ownerEmail+`", password: "not it at all"}) { user { id } } } }`, nil)
	// Every write still goes through (with login inside the operation's
	// transaction, this one waited until the client gave up).
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "two"}}})
}

// TestLargeRequestsAreBounded: what a request's size can make the server
// hold. An anonymous request (sign-in, sign-up, an invite's role) is at
// most 64 KiB: sixty anonymous requests of 1 MiB of variables held 1.5 GB.
// A signed-in user's may be up to 1 MiB (a labeling result with a large
// mask, an import through importTasks), and the query text of anyone's is
// at most 64 KiB, as values belong in variables: a thousand different
// anonymous queries of a megabyte each, parsed and kept, held 2 GB.
func TestLargeRequestsAreBounded(t *testing.T) {
	s, owner := MustOwner(t, nil)
	big := map[string]any{"x": slices.Repeat([]any{0}, 50_000)} // 100 KB
	body, _ := json.Marshal(map[string]any{"query": `query($x: JSON) { signupOpen }`, "variables": big})
	r := s.browser(t).raw(http.MethodPost, "application/json", body)
	if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Raw, "a request without a signed-in user is at most 64 KiB") {
		t.Errorf("an anonymous request of %d bytes: HTTP %d %s", len(body), r.Status, r.Raw)
	}
	// The same, signed in: decoded and validated (GraphQL then refuses the
	// unused variable, as it does for the anonymous one under 64 KiB).
	if r := owner.raw(http.MethodPost, "application/json", body); !strings.Contains(r.Raw, `Variable \"$x\" is never used`) {
		t.Errorf("a signed-in request of %d bytes: HTTP %d %.300s", len(body), r.Status, r.Raw)
	}
	long := `{ viewer { id } }` + strings.Repeat(" ", 65<<10)
	body, _ = json.Marshal(map[string]any{"query": long})
	if r := owner.raw(http.MethodPost, "application/json", body); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "longer than 64 KiB: pass values as variables") {
		t.Errorf("a query of %d bytes: HTTP %d %.300s", len(long), r.Status, r.Raw)
	}
}
