package main

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gloss/frontend"
)

// proxyAddr is the address the test proxy connects to gloss from. It is not
// 127.0.0.1, so that the test itself, connecting directly from 127.0.0.1, is
// an untrusted client.
const proxyAddr = "127.0.0.2"

// testClientHeader tells the test proxy which address its "client" connects
// from: every test request comes from loopback, so the proxy plays the
// network and uses this address as the TCP peer nginx would see.
const testClientHeader = "X-Test-Client-Address"

// tlsProxy is a TLS-terminating reverse proxy configured like the README's
// nginx example: Host passed through, the client's address appended to
// X-Forwarded-For ($proxy_add_x_forwarded_for), X-Forwarded-Proto https,
// X-Forwarded-Host the host the client addressed.
type tlsProxy struct {
	URL    string
	srv    *httptest.Server
	target atomic.Pointer[url.URL]
}

// MustTLSProxy starts a proxy; point it at gloss with setTarget.
func MustTLSProxy(t testing.TB) *tlsProxy {
	t.Helper()
	p := &tlsProxy{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			client, _, _ := net.SplitHostPort(pr.In.RemoteAddr)
			if a := pr.In.Header.Get(testClientHeader); a != "" {
				client = a
			}
			pr.Out.Header.Del(testClientHeader)
			pr.SetURL(p.target.Load())
			pr.Out.Host = pr.In.Host
			xff := client
			if prior := pr.In.Header.Values("X-Forwarded-For"); len(prior) > 0 {
				xff = strings.Join(prior, ", ") + ", " + client
			}
			pr.Out.Header.Set("X-Forwarded-For", xff)
			pr.Out.Header.Set("X-Forwarded-Proto", "https")
			pr.Out.Header.Set("X-Forwarded-Host", pr.In.Host)
		},
		Transport: &http.Transport{
			DialContext: (&net.Dialer{
				LocalAddr: &net.TCPAddr{IP: net.ParseIP(proxyAddr)},
				Timeout:   10 * time.Second,
			}).DialContext,
		},
	}
	p.srv = httptest.NewTLSServer(rp)
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	return p
}

func (p *tlsProxy) setTarget(t testing.TB, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p.target.Store(u)
}

// clientAddressTransport sets the test proxy's client address header.
type clientAddressTransport struct {
	addr string
	next http.RoundTripper
}

func (c clientAddressTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(testClientHeader, c.addr)
	return c.next.RoundTrip(r)
}

// browserVia returns a browser that reaches s through the proxy as a client
// at addr would: its pages are at the proxy's https URL, and that is the
// Origin it sends.
func (p *tlsProxy) browserVia(t testing.TB, s *testServer, addr string) *browser {
	via := *s
	via.URL = p.URL
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{
		Jar:       jar,
		Timeout:   30 * time.Second,
		Transport: clientAddressTransport{addr: addr, next: p.srv.Client().Transport},
	}
	return &browser{t: t, s: &via, hc: hc, origin: p.URL}
}

// MustStartBehind starts gloss behind p with the public URL set to p's URL.
func MustStartBehind(t testing.TB, p *tlsProxy, env map[string]string) *testServer {
	t.Helper()
	s := MustStart(t, env, "--public-url", p.URL)
	p.setTarget(t, s.URL)
	return s
}

// failLogins makes n failed sign-ins from b, each for a different unknown
// email so that only the per-address limit counts. spoof, when set, gives an
// X-Forwarded-For value for attempt i.
func failLogins(t *testing.T, b *browser, n int, spoof func(i int) string) {
	t.Helper()
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"query":%q,"variables":{"i":{"email":%q,"password":"wrong password!"}}}`, loginMutation, uniqueEmail("spray"))
		req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", b.origin)
		if spoof != nil {
			req.Header.Set("X-Forwarded-For", spoof(i))
		}
		if r := b.do(req); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("failed sign-in %d: %s", i, r.Raw)
		}
	}
}

// loginAs signs b in as the owner with spoofed X-Forwarded-For xff (if any).
func loginAs(t *testing.T, b *browser, xff string) *gqlResponse {
	t.Helper()
	body := fmt.Sprintf(`{"query":%q,"variables":{"i":{"email":%q,"password":%q}}}`, loginMutation, ownerEmail, ownerPassword)
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.origin)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return b.do(req)
}

// get fetches path from b's server and returns the response with its body.
func (b *browser) get(path string, headers map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// postInviteReset sends the invite-link reset, a cookie-authenticated state
// change, from b with the given cookie and extra headers.
func postInviteReset(b *browser, cookie *http.Cookie, headers map[string]string) *gqlResponse {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/graphql", strings.NewReader(resetInvite))
	req.Header.Set("Content-Type", "application/json")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// ownerCookie returns the owner's session cookie as b's jar holds it for the
// proxy's URL.
func ownerCookie(t testing.TB, b *browser) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(b.s.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "gloss_session") {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func TestBehindTLSProxy(t *testing.T) {
	p := MustTLSProxy(t)
	s := MustStartBehind(t, p, map[string]string{"GLOSS_TRUSTED_PROXIES": proxyAddr + "/32"})
	if !strings.HasPrefix(s.SetupLink, p.URL+"/signup?invite=") {
		t.Fatalf("setup link %q is not on the public URL %s", s.SetupLink, p.URL)
	}
	const clientA, clientB = "198.51.100.10", "198.51.100.11"

	// The SPA loads through the proxy, with HSTS since the browser is on HTTPS.
	owner := p.browserVia(t, s, clientA)
	_, built := fs.Stat(frontend.Dist, "dist/index.html")
	for _, path := range []string{"/", "/signup?invite=x"} {
		resp, body := owner.get(path, nil)
		if built == nil {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
				t.Fatalf("GET %s through the proxy: %d %.200s", path, resp.StatusCode, body)
			}
		} else if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "not built") {
			t.Fatalf("GET %s through the proxy (no SPA built in): %d %.200s", path, resp.StatusCode, body)
		}
		if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Fatalf("GET %s through the TLS proxy has no HSTS: %v", path, resp.Header)
		}
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("GET %s: CSP %q", path, resp.Header.Get("Content-Security-Policy"))
		}
	}

	// Sign-up through the setup link, as the SPA sends it: Origin https://proxy.
	r := owner.gql(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(s.SetupLink)))
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("sign-up through the proxy: %d %s", r.Status, r.Raw)
	}
	sc := r.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-gloss_session=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("Set-Cookie %q lacks %s", sc, want)
		}
	}

	// A mutation with the cookie and Origin https://...
	before := inviteOf(t, owner)
	if !strings.HasPrefix(before, p.URL+"/signup?invite=") {
		t.Fatalf("invite link %q is not on the public URL", before)
	}
	owner.ok(`mutation { resetInviteLink { inviteUrl } }`, nil)
	if after := inviteOf(t, owner); after == before {
		t.Fatal("the invite link did not change")
	}

	// Sessions record the real client, not the proxy.
	sessions := owner.ok(`{ sessions { clientAddress } }`, nil)["sessions"].([]any)
	if len(sessions) != 1 || str(sessions[0], "clientAddress") != clientA {
		t.Fatalf("sessions %v, want one from %s", sessions, clientA)
	}

	// Sign-in through the proxy from another client.
	other := p.browserVia(t, s, clientB)
	r = loginAs(t, other, "")
	if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(r.Header.Get("Set-Cookie"), "Secure") {
		t.Fatalf("sign-in through the proxy: %d %s (Set-Cookie %q)", r.Status, r.Raw, r.Header.Get("Set-Cookie"))
	}

	// The proxy passes the host the browser addressed; an origin that
	// matches it is the app's own even when it is not the public URL.
	t.Run("forwarded host is the origin", func(t *testing.T) {
		cookie := ownerCookie(t, owner)
		alias := strings.Replace(p.URL, "127.0.0.1", "gloss-alias.test", 1)
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/graphql", strings.NewReader(resetInvite))
		req.Host = strings.TrimPrefix(alias, "https://")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", alias)
		req.AddCookie(cookie)
		current := inviteOf(t, owner)
		if r := owner.do(req); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("same-origin request on a forwarded host: %d %s", r.Status, r.Raw)
		}
		if inviteOf(t, owner) == current {
			t.Fatal("the accepted request changed nothing")
		}
		// A foreign origin through the proxy is still refused.
		current = inviteOf(t, owner)
		req, _ = http.NewRequest(http.MethodPost, p.URL+"/graphql", strings.NewReader(resetInvite))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://evil.example")
		req.AddCookie(cookie)
		if r := owner.do(req); r.Status != http.StatusForbidden {
			t.Fatalf("foreign origin through the proxy: %d %s", r.Status, r.Raw)
		}
		if inviteOf(t, owner) != current {
			t.Fatal("a refused request changed the invite link")
		}
	})

	// 30 failed sign-ins from one client behind the proxy lock out that
	// client, however it varies what it writes into X-Forwarded-For, and
	// nobody else.
	t.Run("throttle keys on the forwarded client", func(t *testing.T) {
		sprayer := p.browserVia(t, s, "198.51.100.66")
		failLogins(t, sprayer, 30, func(i int) string { return fmt.Sprintf("203.0.113.%d", i) })
		if r := loginAs(t, sprayer, "203.0.113.200"); r.Code() != "RATE_LIMITED" {
			t.Fatalf("the 31st attempt from the sprayer: %s", r.Raw)
		}
		someoneElse := p.browserVia(t, s, "198.51.100.77")
		if r := loginAs(t, someoneElse, ""); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("another client behind the proxy is locked out: %s", r.Raw)
		}
	})

	// A client that connects directly is not a trusted proxy: whatever it
	// writes in X-Forwarded-* is ignored.
	t.Run("direct client cannot spoof", func(t *testing.T) {
		direct := s.browser(t)
		resp, _ := direct.get("/", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.99"})
		if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Fatalf("a direct client claimed https and got HSTS %q", hsts)
		}

		// Claiming https and another host does not make a foreign or
		// https origin its own.
		cookie := ownerCookie(t, owner)
		glossHost := strings.TrimPrefix(s.URL, "http://")
		for _, origin := range []string{"https://evil.example", "https://" + glossHost} {
			current := inviteOf(t, owner)
			r := postInviteReset(direct, cookie, map[string]string{
				"Origin":            origin,
				"X-Forwarded-Proto": "https",
				"X-Forwarded-Host":  strings.TrimPrefix(origin, "https://"),
				"X-Forwarded-For":   "198.51.100.10",
			})
			if r.Status != http.StatusForbidden {
				t.Fatalf("direct request with forged forwarding headers and Origin %s: %d %s", origin, r.Status, r.Raw)
			}
			if inviteOf(t, owner) != current {
				t.Fatal("a refused request changed the invite link")
			}
		}

		// Its sign-in failures count against its real address, whatever
		// it claims.
		failLogins(t, direct, 30, func(i int) string { return fmt.Sprintf("192.0.2.%d", i) })
		if r := loginAs(t, s.browser(t), "192.0.2.250"); r.Code() != "RATE_LIMITED" {
			t.Fatalf("a direct client dodged the throttle with X-Forwarded-For: %s", r.Raw)
		}
		if r := loginAs(t, p.browserVia(t, s, "198.51.100.78"), ""); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("a client behind the proxy is locked out by a direct sprayer: %s", r.Raw)
		}
	})
}

// TestPublicURLIsTheOriginWithoutTrustedProxies: an operator who sets an
// https public URL but no GLOSS_TRUSTED_PROXIES still gets a working SPA,
// since the public URL is the declared origin; the proxy's headers are not
// believed, so the client address is the proxy's and there is no HSTS.
func TestPublicURLIsTheOriginWithoutTrustedProxies(t *testing.T) {
	p := MustTLSProxy(t)
	s := MustStartBehind(t, p, nil)
	owner := p.browserVia(t, s, "198.51.100.10")
	r := owner.gql(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(s.SetupLink)))
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("sign-up with Origin = public URL: %d %s", r.Status, r.Raw)
	}
	if sc := r.Header.Get("Set-Cookie"); !strings.Contains(sc, "__Host-gloss_session=") || !strings.Contains(sc, "Secure") {
		t.Fatalf("Set-Cookie %q under an https public URL", sc)
	}
	if hsts := r.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Fatalf("HSTS %q on an unproven https request", hsts)
	}
	before := inviteOf(t, owner)
	owner.ok(`mutation { resetInviteLink { inviteUrl } }`, nil)
	if inviteOf(t, owner) == before {
		t.Fatal("the mutation changed nothing")
	}
	sessions := owner.ok(`{ sessions { clientAddress } }`, nil)["sessions"].([]any)
	if len(sessions) != 1 || str(sessions[0], "clientAddress") != proxyAddr {
		t.Fatalf("sessions %v: the untrusted proxy's X-Forwarded-For was believed", sessions)
	}

	// Any other origin is refused.
	cookie := ownerCookie(t, owner)
	for _, origin := range []string{"https://evil.example", "http://evil.example", "https://127.0.0.1:1"} {
		current := inviteOf(t, owner)
		if r := postInviteReset(owner, cookie, map[string]string{"Origin": origin}); r.Status != http.StatusForbidden {
			t.Fatalf("Origin %s: %d %s", origin, r.Status, r.Raw)
		}
		if inviteOf(t, owner) != current {
			t.Fatal("a refused request changed the invite link")
		}
	}
}
