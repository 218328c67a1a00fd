package safehttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// publicIP and otherPublicIP are the "public" addresses that fake DNS hands
// out. The address checks run against them; dialOverride then connects to
// a loopback test server instead, so no test needs the internet.
const (
	publicIP      = "93.184.216.34"
	otherPublicIP = "93.184.216.35"
)

// fakeResolver answers from a fixed table and counts lookups.
type fakeResolver struct {
	hosts map[string][]string
	calls atomic.Int64
}

func (r *fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.calls.Add(1)
	addrs, ok := r.hosts[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, a := range addrs {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	return out, nil
}

func newResolver() *fakeResolver {
	return &fakeResolver{hosts: map[string][]string{
		"public.test":   {publicIP},
		"other.test":    {otherPublicIP},
		"example.com":   {publicIP}, // the name in httptest's TLS certificate
		"internal.test": {"10.0.0.1"},
		"rebind.test":   {"127.0.0.1"},
		"metadata.test": {"169.254.169.254"},
		"mixed.test":    {publicIP, "10.0.0.1"},
		"v6ula.test":    {"fd00::1"},
		"mapped.test":   {"::ffff:10.0.0.1"},
		// Names that the name rules refuse first; DNS would say loopback.
		"localhost":     {"127.0.0.1"},
		"foo.localhost": {"127.0.0.1"},
		"intranet":      {"10.1.1.1"},
	}}
}

// harness is a client whose vetted dials are routed to loopback servers.
type harness struct {
	c        *Client
	resolver *fakeResolver
	mu       sync.Mutex
	routes   map[string]string // vetted ip:port -> real loopback address
	dialed   []string          // vetted ip:port of every dial attempt
}

// MustHarness returns a client built from o (Resolver filled with fake DNS)
// that records every dial and connects vetted addresses per route.
func MustHarness(tb testing.TB, o Options) *harness {
	tb.Helper()
	h := &harness{resolver: newResolver(), routes: map[string]string{}}
	if o.Resolver == nil {
		o.Resolver = h.resolver
	}
	h.c = New(o)
	h.c.dialOverride = func(ctx context.Context, network, addr string) (net.Conn, error) {
		h.mu.Lock()
		h.dialed = append(h.dialed, addr)
		real, ok := h.routes[addr]
		h.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("test: no route for %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, real)
	}
	tb.Cleanup(h.c.hc.CloseIdleConnections)
	return h
}

// route makes a dial to the vetted address vetted reach srv.
func (h *harness) route(vetted string, srv *httptest.Server) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.routes[vetted] = srv.Listener.Addr().String()
}

func (h *harness) dials() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.dialed...)
}

// MustServer starts a loopback server that counts its requests.
func MustServer(tb testing.TB, handler http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv, &hits
}

func mustKind(tb testing.TB, err error, kind Kind, sentinel error) *Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s", kind)
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %T %q is not *Error", err, err)
	}
	if e.Kind != kind || !errors.Is(err, sentinel) {
		tb.Fatalf("error %q has kind %q, want %q", err, e.Kind, kind)
	}
	return e
}

func mustNotContain(tb testing.TB, err error, secrets ...string) {
	tb.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			tb.Errorf("error %q leaks %q", err, s)
		}
	}
}

func readAll(tb testing.TB, resp *Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestHostileURLsAreRefusedWithoutConnecting(t *testing.T) {
	t.Parallel()
	// A loopback server that every hostile URL would reach if a check were
	// missing; its port is used where the URL names 127.0.0.1 directly.
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	loop := fmt.Sprintf("127.0.0.1:%d", port)

	hostile := []string{
		// loopback
		"http://127.0.0.1/", "http://" + loop + "/", "http://127.1.2.3/", "http://[::1]/",
		// private
		"http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
		"http://[fc00::1]/", "http://[fd12:3456::1]/",
		// link-local, cloud metadata
		"http://169.254.169.254/latest/meta-data/", "http://169.254.0.1/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
		// CGNAT
		"http://100.64.0.1/", "http://100.127.255.254/",
		// unspecified, "this network"
		"http://0.0.0.0/", "http://0.1.2.3/", "http://[::]/",
		// multicast, broadcast, reserved
		"http://224.0.0.1/", "http://239.255.255.250/", "http://[ff02::1]/", "http://[ff0e::1]/",
		"http://255.255.255.255/", "http://240.0.0.1/", "http://250.1.2.3/",
		// benchmarking, documentation, IETF, 6to4 relay
		"http://198.18.0.1/", "http://198.19.255.1/", "http://192.0.2.1/", "http://198.51.100.7/",
		"http://203.0.113.9/", "http://[2001:db8::1]/", "http://[3fff::1]/", "http://192.0.0.1/", "http://192.88.99.1/",
		// IPv4-mapped, judged by the embedded address
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:10.0.0.1]/",
		// IPv4-compatible, deprecated: refused even with a public address inside
		"http://[::127.0.0.1]/", "http://[::10.0.0.1]/", "http://[::8.8.8.8]/",
		// NAT64
		"http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b::127.0.0.1]/", "http://[64:ff9b::10.0.0.1]/", "http://[64:ff9b:1::1]/",
		// Teredo, benchmarking, ORCHID, discard, SIIT
		"http://[2001::1]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[2001:2::1]/",
		"http://[2001:10::1]/", "http://[2001:20::1]/", "http://[100::1]/", "http://[::ffff:0:a00:1]/",
		// 6to4, judged by the embedded address
		"http://[2002:7f00:1::1]/", "http://[2002:a9fe:a9fe::1]/", "http://[2002:c0a8:101::1]/",
		// site-local
		"http://[fec0::1]/",
		// IPv4 in decimal, hex, octal and short forms
		"http://2130706433/", "http://2130706433:" + fmt.Sprint(port) + "/", "http://0x7f.1/", "http://0x7f000001/",
		"http://0X7F.0.0.1/", "http://017700000001/", "http://0177.0.0.1/", "http://127.1/", "http://127.0.1/",
		"http://0/", "http://3232235777/", "http://0xa9fea9fe/", "http://1.2.3.4.5/", "http://08.8.8.8/",
		// names
		"http://localhost/", "http://LOCALHOST/", "http://localhost./", "http://localhost:" + fmt.Sprint(port) + "/",
		"http://foo.localhost/", "http://local%68ost/", "http://metadata.google.internal/computeMetadata/v1/",
		"http://metadata/", "http://metadata.goog/", "http://printer.local/", "http://router.home.arpa/",
		"http://intranet/", "http://ip6-localhost/",
		// names that resolve inside
		"http://internal.test/", "http://rebind.test/", "http://metadata.test/", "http://mixed.test/",
		"http://v6ula.test/", "http://mapped.test/",
		// schemes
		"file:///etc/passwd", "FILE:///etc/passwd", "gopher://public.test/", "ftp://public.test/",
		"dict://public.test:11211/", "ws://public.test/", "javascript:alert(1)", "data:text/plain,hi",
		"//public.test/", "public.test/path", "/relative",
		// credentials
		"http://user:SECRET-PASS@public.test/", "http://user@public.test/", "http://:@public.test/",
		"http://public.test@127.0.0.1/", "http://evil.test\\@127.0.0.1/",
		// missing or bad host and port
		"http:///path", "http://:80/", "http://", "https://?x=1", "http:public.test",
		"http://public.test:0/", "http://public.test:99999/", "http://[::1/", "http://%zz/",
		// too long
		"http://public.test/" + strings.Repeat("a", MaxURLLength),
		// empty
		"",
	}
	h := MustHarness(t, DefaultOptions())
	for _, raw := range hostile {
		_, err := h.c.Get(context.Background(), raw)
		if err == nil {
			t.Errorf("Get(%q) succeeded", raw)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrBlocked) {
			t.Errorf("Get(%q) = %v (%T), want ErrBlocked", raw, err, err)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Get(%q) error %q leaks credentials", raw, err)
		}
	}
	if d := h.dials(); len(d) != 0 {
		t.Errorf("dialed %v, want no connection", d)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("loopback server got %d requests", n)
	}
}

func TestNameRulesRunBeforeDNS(t *testing.T) {
	t.Parallel()
	h := MustHarness(t, DefaultOptions())
	for _, raw := range []string{
		"http://localhost/", "http://foo.localhost/", "http://intranet/", "http://2130706433/", "http://127.0.0.1/",
		// Unicode hosts that pass the URL check but that net/http's IDNA
		// mapping turns into foo.localhost, 0x7f.0 and 127.0.0.1: caught on
		// the host actually dialed.
		"http://ｌｏｃａｌｈｏｓｔ/", "http://foo.ｌｏｃａｌｈｏｓｔ/", "http://foo.localhoſt/", "http://0x7f.０/", "http://１２７.０.０.１/",
	} {
		if _, err := h.c.Get(context.Background(), raw); !errors.Is(err, ErrBlocked) {
			t.Errorf("Get(%q) = %v, want ErrBlocked", raw, err)
		}
	}
	if n := h.resolver.calls.Load(); n != 0 {
		t.Errorf("resolver called %d times, want 0", n)
	}
}

func TestIsPublic(t *testing.T) {
	t.Parallel()
	public := []string{
		"8.8.8.8", publicIP, "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.0",
		"198.17.255.255", "198.20.0.0", "192.0.1.255", "192.169.0.0", "223.255.255.255", "11.0.0.1",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8",
		"64:ff9b::808:808", "2002:808:808::1", "2001:200::1",
	}
	private := []string{
		"127.0.0.1", "10.255.255.255", "172.16.0.0", "192.168.255.255", "169.254.169.254", "100.64.0.0",
		"0.0.0.0", "255.255.255.255", "224.0.0.251", "240.0.0.0", "198.18.0.0", "198.19.255.255",
		"192.0.0.8", "192.0.2.255", "198.51.100.0", "203.0.113.255", "192.88.99.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:192.168.0.1", "::127.0.0.1", "::8.8.8.8",
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808", "100::1",
		"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:2::1", "2001:10::1", "2001:20::1",
		"2001:db8::", "2001:db8:ffff::1", "2002:7f00:1::", "2002:a00:1::", "2002:c000:201::",
		"3fff::1", "3ffe::1", "5f00::1", "fc00::1", "fdff::1", "fe80::1", "febf::1", "fec0::1",
		"ff02::1", "ff0e::1", "fe80::1%eth0", "168.63.129.16",
	}
	for _, s := range public {
		if !isPublic(netip.MustParseAddr(s)) {
			t.Errorf("isPublic(%s) = false, want true", s)
		}
	}
	for _, s := range private {
		if isPublic(netip.MustParseAddr(s)) {
			t.Errorf("isPublic(%s) = true, want false", s)
		}
	}
	if isPublic(netip.Addr{}) {
		t.Error("isPublic(zero Addr) = true")
	}
}

func TestHappyPath(t *testing.T) {
	t.Parallel()
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/data" && r.Host != "public.test" {
			t.Errorf("Host = %q, want the original name", r.Host)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello "+r.URL.Query().Get("q"))
	})
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)

	resp, err := h.c.Get(context.Background(), "http://public.test/data?q=world")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "hello world" {
		t.Errorf("body = %q", got)
	}
	if resp.Status != 200 || resp.ContentType != "text/plain; charset=utf-8" || resp.FinalURL != "http://public.test/data?q=world" {
		t.Errorf("response = %+v", resp)
	}
	if d := h.dials(); len(d) != 1 || d[0] != publicIP+":80" {
		t.Errorf("dialed %v, want the vetted address only", d)
	}
	if hits.Load() != 1 {
		t.Errorf("hits = %d", hits.Load())
	}

	// A public IP literal and a public IPv6 literal pass too.
	h.route(otherPublicIP+":8080", srv)
	h.route("[2606:4700::1]:80", srv)
	for _, raw := range []string{"http://" + otherPublicIP + ":8080/", "http://[2606:4700::1]/", "http://[::ffff:" + otherPublicIP + "]:8080/"} {
		resp, err := h.c.Get(context.Background(), raw)
		if err != nil {
			t.Errorf("Get(%q): %v", raw, err)
			continue
		}
		resp.Body.Close()
	}
}

func TestDoPostsUnderTheSameRules(t *testing.T) {
	t.Parallel()
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+string(b))
	})
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://public.test/hook", strings.NewReader("payload"))
	resp, err := h.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "POST payload" {
		t.Errorf("body = %q", got)
	}

	req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, "http://169.254.169.254/", strings.NewReader("x"))
	if _, err := h.c.Do(req); !errors.Is(err, ErrBlocked) {
		t.Errorf("Do(metadata) = %v, want ErrBlocked", err)
	}
	if _, err := h.c.Do(nil); !errors.Is(err, ErrBlocked) {
		t.Errorf("Do(nil) = %v, want ErrBlocked", err)
	}
}

func TestRedirectsAreRevalidated(t *testing.T) {
	t.Parallel()
	internal, internalHits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	internalURL := "http://" + internal.Listener.Addr().String()

	cases := []struct {
		name, location string
	}{
		{"loopback literal", internalURL + "/?token=SECRET-QUERY"},
		{"name resolving to 10.0.0.1", "http://internal.test/?token=SECRET-QUERY"},
		{"name resolving to metadata", "http://metadata.test/latest/meta-data/"},
		{"localhost", "http://localhost:" + fmt.Sprint(internal.Listener.Addr().(*net.TCPAddr).Port) + "/"},
		{"decimal loopback", "http://2130706433/"},
		{"mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/"},
		{"file scheme", "file:///etc/passwd"},
		{"gopher scheme", "gopher://public.test/"},
		{"credentials", "http://user:SECRET-PASS@other.test/"},
		{"too long", "http://other.test/" + strings.Repeat("a", MaxURLLength)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			front, frontHits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.location, http.StatusFound)
			})
			h := MustHarness(t, DefaultOptions())
			h.route(publicIP+":80", front)
			h.route(otherPublicIP+":80", internal) // only reachable if a check fails

			_, err := h.c.Get(context.Background(), "http://public.test/start")
			mustKind(t, err, KindBlocked, ErrBlocked)
			mustNotContain(t, err, "SECRET")
			if frontHits.Load() != 1 {
				t.Errorf("front hits = %d, want 1", frontHits.Load())
			}
			if d := h.dials(); len(d) != 1 || d[0] != publicIP+":80" {
				t.Errorf("dialed %v, want only the first host", d)
			}
		})
	}
	t.Cleanup(func() {
		if n := internalHits.Load(); n != 0 {
			t.Errorf("internal target got %d requests", n)
		}
	})
}

func TestRedirectLimit(t *testing.T) {
	t.Parallel()
	// /hop/N redirects to /hop/N-1; /hop/0 answers.
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n == 0 {
			io.WriteString(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
	})
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)

	resp, err := h.c.Get(context.Background(), "http://public.test/hop/5")
	if err != nil {
		t.Fatalf("5 redirects: %v", err)
	}
	if got := readAll(t, resp); got != "arrived" || resp.FinalURL != "http://public.test/hop/0" {
		t.Errorf("body %q, final URL %q", got, resp.FinalURL)
	}
	_, err = h.c.Get(context.Background(), "http://public.test/hop/6")
	e := mustKind(t, err, KindBlocked, ErrBlocked)
	if !strings.Contains(e.Msg, "more than 5 redirects") {
		t.Errorf("error %q", err)
	}

	o := DefaultOptions()
	o.MaxRedirects = -1
	none := MustHarness(t, o)
	none.route(publicIP+":80", srv)
	if _, err := none.c.Get(context.Background(), "http://public.test/hop/1"); !errors.Is(err, ErrBlocked) {
		t.Errorf("MaxRedirects -1: %v, want ErrBlocked", err)
	}
}

func TestMixedDNSAnswerIsRefused(t *testing.T) {
	t.Parallel()
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)

	_, err := h.c.Get(context.Background(), "http://mixed.test/")
	e := mustKind(t, err, KindBlocked, ErrBlocked)
	mustNotContain(t, e, "10.0.0.1") // internal DNS is not disclosed
	if len(h.dials()) != 0 || hits.Load() != 0 {
		t.Errorf("dialed %v, hits %d; want none", h.dials(), hits.Load())
	}
}

func TestRealDialerRefusesLoopback(t *testing.T) {
	t.Parallel()
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	// No dialOverride: the real transport and dialer.
	resolver := newResolver()
	c := New(Options{Protection: true, Resolver: resolver})

	if _, err := c.Get(context.Background(), srv.URL); !errors.Is(err, ErrBlocked) {
		t.Errorf("Get(%s) = %v, want ErrBlocked", srv.URL, err)
	}
	port := fmt.Sprint(srv.Listener.Addr().(*net.TCPAddr).Port)
	if _, err := c.Get(context.Background(), "http://rebind.test:"+port+"/"); !errors.Is(err, ErrBlocked) {
		t.Errorf("rebind.test = %v, want ErrBlocked", err)
	}
	// The socket hook alone, with vetting bypassed: the dialer refuses
	// before connect.
	_, err := c.dialer.DialContext(context.Background(), "tcp", srv.Listener.Addr().String())
	mustKind(t, err, KindBlocked, ErrBlocked)
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}

func TestControlHook(t *testing.T) {
	t.Parallel()
	on := New(DefaultOptions())
	off := New(Options{})
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": false, "[::1]:443": false, "169.254.169.254:80": false, "[::ffff:10.0.0.1]:80": false,
		"[fe80::1%eth0]:80": false, "garbage": false, publicIP + ":443": true, "[2606:4700::1]:80": true,
	} {
		err := on.control(context.Background(), "tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("control(%s) = %v, want allowed=%v", addr, err, ok)
		}
		if err != nil && !errors.Is(err, ErrBlocked) {
			t.Errorf("control(%s) = %v, want ErrBlocked", addr, err)
		}
		if err := off.control(context.Background(), "tcp", addr, nil); err != nil {
			t.Errorf("protection off: control(%s) = %v", addr, err)
		}
	}
}

func TestProtectionOff(t *testing.T) {
	t.Parallel()
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 40))
		w.(http.Flusher).Flush() // no Content-Length: the streaming cap must catch it
		io.WriteString(w, strings.Repeat("x", 60))
	})
	// Real dialer, loopback server, no resolver needed for a literal.
	c := New(Options{Protection: false, MaxBytes: 50})
	t.Cleanup(c.hc.CloseIdleConnections)

	resp, err := c.Get(context.Background(), srv.URL+"/")
	if err != nil {
		t.Fatalf("Get(%s): %v", srv.URL, err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	mustKind(t, err, KindTooLarge, ErrTooLarge) // size caps remain

	// URL rules remain.
	for _, raw := range []string{"file:///etc/passwd", "ftp://" + srv.Listener.Addr().String() + "/", "http://u:p@" + srv.Listener.Addr().String() + "/", "http://2130706433/"} {
		if _, err := c.Get(context.Background(), raw); !errors.Is(err, ErrBlocked) {
			t.Errorf("Get(%q) = %v, want ErrBlocked", raw, err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("hits = %d, want 1", hits.Load())
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	const limit = 1000
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
		if r.URL.Path == "/declared" {
			w.Header().Set("Content-Length", fmt.Sprint(n))
			io.WriteString(w, strings.Repeat("a", n))
			return
		}
		// Streamed in chunks, no Content-Length.
		for n > 0 {
			k := min(n, 300)
			io.WriteString(w, strings.Repeat("a", k))
			w.(http.Flusher).Flush()
			n -= k
		}
	})
	o := DefaultOptions()
	o.MaxBytes = limit
	h := MustHarness(t, o)
	h.route(publicIP+":80", srv)
	get := func(path string, n int) (*Response, error) {
		return h.c.Get(context.Background(), fmt.Sprintf("http://public.test%s?n=%d", path, n))
	}

	// Declared too large: refused before reading.
	_, err := get("/declared", limit+1)
	mustKind(t, err, KindTooLarge, ErrTooLarge)

	// Streamed too large: the read fails and stops at the limit.
	resp, err := get("/stream", 5*limit)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustKind(t, err, KindTooLarge, ErrTooLarge)
	if len(b) > limit {
		t.Errorf("read %d bytes past the %d limit", len(b), limit)
	}
	if _, err := resp.Body.Read(make([]byte, 10)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("read after the limit = %v, want sticky ErrTooLarge", err)
	}

	// Exactly at the limit is fine, declared or not.
	for _, path := range []string{"/declared", "/stream"} {
		resp, err := get(path, limit)
		if err != nil {
			t.Fatalf("%s at limit: %v", path, err)
		}
		if got := readAll(t, resp); len(got) != limit {
			t.Errorf("%s: read %d bytes", path, len(got))
		}
	}
}

func TestStatusErrorsDoNotEchoUpstream(t *testing.T) {
	t.Parallel()
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Debug", "SECRET-HEADER")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "SECRET-UPSTREAM stack trace")
	})
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)

	_, err := h.c.Get(context.Background(), "http://public.test/hook/path?api_key=SECRET-QUERY#SECRET-FRAG")
	e := mustKind(t, err, KindStatus, ErrStatus)
	if e.Status != 500 || !strings.Contains(err.Error(), "500") {
		t.Errorf("error %q does not state the status", err)
	}
	if !strings.Contains(err.Error(), "http://public.test/hook/path") {
		t.Errorf("error %q does not name the URL", err)
	}
	mustNotContain(t, err, "SECRET")
}

// MustRawServer accepts connections, reads one request and writes reply
// verbatim, for answers net/http servers will not produce.
func MustRawServer(tb testing.TB, reply string) *httptest.Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
					io.WriteString(conn, reply)
				}
			}()
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return &httptest.Server{Listener: ln}
}

func TestProtocolErrorsDoNotEchoUpstream(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]string{
		"reason phrase": "HTTP/1.1 502 SECRET-REASON\r\nContent-Length: 15\r\nConnection: close\r\n\r\nSECRET-UPSTREAM",
		"malformed":     "SECRET-GARBAGE not http\r\n\r\n",
		"bad header":    "HTTP/1.1 200 OK\r\nSECRET-HEADER\r\n\r\n",
		"bad location":  "HTTP/1.1 302 Found\r\nLocation: http://[SECRET-LOC\r\nContent-Length: 0\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := MustHarness(t, DefaultOptions())
			h.route(publicIP+":80", MustRawServer(t, reply))
			_, err := h.c.Get(context.Background(), "http://public.test/?k=SECRET-QUERY")
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T %v is not *Error", err, err)
			}
			mustNotContain(t, err, "SECRET")
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	o := DefaultOptions()
	o.Timeout = 200 * time.Millisecond
	h := MustHarness(t, o)
	h.route(publicIP+":80", srv)

	_, err := h.c.Get(context.Background(), "http://public.test/slow-headers?k=SECRET-QUERY")
	mustKind(t, err, KindTimeout, ErrTimeout)
	mustNotContain(t, err, "SECRET")

	resp, err := h.c.Get(context.Background(), "http://public.test/slow-body")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	mustKind(t, err, KindTimeout, ErrTimeout)

	// The caller's deadline counts too.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	slow := MustHarness(t, DefaultOptions())
	slow.route(publicIP+":80", srv)
	_, err = slow.c.Get(ctx, "http://public.test/slow-headers")
	mustKind(t, err, KindTimeout, ErrTimeout)
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	plain, plainHits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/downgrade" {
			http.Redirect(w, r, "http://public.test/", http.StatusFound)
			return
		}
		io.WriteString(w, "secure")
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case below makes it log
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())

	o := DefaultOptions()
	o.RootCAs = pool
	h := MustHarness(t, o)
	h.route(publicIP+":443", tlsSrv)
	h.route(publicIP+":80", plain)

	// The dial goes to the vetted IP, but the certificate is checked against
	// the name: httptest's certificate is for example.com, not 93.184.216.34.
	resp, err := h.c.Get(context.Background(), "https://example.com/")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "secure" {
		t.Errorf("body = %q", got)
	}

	_, err = h.c.Get(context.Background(), "https://example.com/downgrade")
	e := mustKind(t, err, KindBlocked, ErrBlocked)
	if !strings.Contains(e.Msg, "https to http") {
		t.Errorf("error %q", err)
	}

	// A trusted certificate for another name: the name is what is checked.
	h.resolver.hosts["other-name.test"] = []string{publicIP}
	_, err = h.c.Get(context.Background(), "https://other-name.test/")
	e = mustKind(t, err, KindNetwork, ErrNetwork)
	if !strings.Contains(e.Msg, "not valid for the host name") {
		t.Errorf("error %q", err)
	}
	mustNotContain(t, err, "example.com")
	if plainHits.Load() != 0 {
		t.Errorf("plain server got %d requests", plainHits.Load())
	}

	// Without the custom pool the test certificate is not trusted.
	untrusted := MustHarness(t, DefaultOptions())
	untrusted.route(publicIP+":443", tlsSrv)
	_, err = untrusted.c.Get(context.Background(), "https://example.com/")
	e = mustKind(t, err, KindNetwork, ErrNetwork)
	if !strings.Contains(e.Msg, "unknown authority") {
		t.Errorf("error %q", err)
	}
}

func TestOldTLSRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	o := DefaultOptions()
	o.RootCAs = pool
	h := MustHarness(t, o)
	h.route(publicIP+":443", srv)
	if _, err := h.c.Get(context.Background(), "https://example.com/"); err == nil {
		t.Error("TLS 1.1 server accepted")
	}
}

func TestEnvironmentProxyIgnored(t *testing.T) {
	// Not parallel: it sets environment variables.
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"} {
		t.Setenv(k, "http://127.0.0.1:1")
	}
	t.Setenv("NO_PROXY", "")
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "direct") })
	h := MustHarness(t, DefaultOptions())
	h.route(publicIP+":80", srv)
	resp, err := h.c.Get(context.Background(), "http://public.test/")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "direct" {
		t.Errorf("body = %q", got)
	}
}

func TestDNSFailure(t *testing.T) {
	t.Parallel()
	h := MustHarness(t, DefaultOptions())
	_, err := h.c.Get(context.Background(), "http://missing.test/?k=SECRET-QUERY")
	e := mustKind(t, err, KindNetwork, ErrNetwork)
	if !strings.Contains(e.Msg, "no such host") {
		t.Errorf("error %q", err)
	}
	mustNotContain(t, err, "SECRET")
}

func TestTransportSettings(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	if c.opts.MaxBytes != DefaultMaxBytes || c.opts.Timeout != DefaultTimeout || c.opts.MaxRedirects != DefaultMaxRedirects {
		t.Errorf("defaults not applied: %+v", c.opts)
	}
	tr := c.hc.Transport.(*http.Transport)
	if tr.Proxy != nil {
		t.Error("transport uses a proxy")
	}
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Error("TLS minimum is not 1.2")
	}
	if tr.TLSHandshakeTimeout != 10*time.Second || tr.ResponseHeaderTimeout != 15*time.Second || c.dialer.Timeout != 10*time.Second {
		t.Error("phase timeouts not set")
	}
	if c.hc.Timeout != DefaultTimeout || c.hc.Jar != nil {
		t.Error("client timeout or jar wrong")
	}
	if !DefaultOptions().Protection {
		t.Error("DefaultOptions has protection off")
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:pass@example.com:8443/a/b?token=x#frag": "https://example.com:8443/a/b",
		"http://example.com":                       "http://example.com",
		"http://[::1]:80/x?y":                      "http://[::1]:80/x",
		"http://%zz/":                              "(invalid URL)",
		"http://e.com/" + strings.Repeat("p", 300): "http://e.com/" + strings.Repeat("p", 256-len("http://e.com/")) + "...",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
