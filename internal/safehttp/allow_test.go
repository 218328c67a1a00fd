package safehttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
)

func mustAllow(tb testing.TB, s string) Allowlist {
	tb.Helper()
	a, err := ParseAllowlist(s)
	if err != nil {
		tb.Fatalf("ParseAllowlist(%q): %v", s, err)
	}
	return a
}

func TestParseAllowlist(t *testing.T) {
	t.Parallel()
	a := mustAllow(t, " MinIO.corp.example., 10.0.0.0/8 127.0.0.1,fd00::/8,localhost ")
	if got, want := a.String(), "minio.corp.example,localhost,10.0.0.0/8,127.0.0.1/32,fd00::/8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if a.Empty() || !mustAllow(t, " , ").Empty() {
		t.Error("Empty is wrong")
	}
	for _, bad := range []string{"http://minio", "minio:9000", "10.0.0.0/33", "2130706433", "0x7f.1", "fe80::1%eth0", "a..b", "-a.example", "ex ample/8", "*.corp.example"} {
		if _, err := ParseAllowlist(bad); err == nil {
			t.Errorf("ParseAllowlist(%q) succeeded", bad)
		}
	}
}

// TestAllowlistWithTheRealDialer runs requests through the real transport,
// dialer and socket hook to a loopback server, with fake DNS.
func TestAllowlistWithTheRealDialer(t *testing.T) {
	t.Parallel()
	srv, hits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	port := fmt.Sprint(srv.Listener.Addr().(*net.TCPAddr).Port)
	url := func(host string) string { return "http://" + net.JoinHostPort(host, port) + "/" }
	for _, tc := range []struct {
		allow string
		ok    []string // hosts that reach the server
		no    []string // hosts refused before connecting
	}{
		{allow: "", no: []string{"127.0.0.1", "rebind.test", "localhost"}},
		// A CIDR: the address, and any name that resolves inside it.
		{allow: "127.0.0.0/8", ok: []string{"127.0.0.1", "rebind.test"}, no: []string{"localhost", "internal.test", "metadata.test", "169.254.169.254", "::1"}},
		// A name: that name only, not the address, not other names.
		{allow: "rebind.test", ok: []string{"rebind.test"}, no: []string{"127.0.0.1", "localhost", "internal.test"}},
		{allow: "localhost", ok: []string{"localhost"}, no: []string{"127.0.0.1", "rebind.test", "foo.localhost"}},
		// A listed name never unlocks link-local (metadata) addresses.
		{allow: "metadata.test", no: []string{"metadata.test"}},
	} {
		resolver := newResolver()
		c := New(Options{Protection: true, Resolver: resolver, Allow: mustAllow(t, tc.allow)})
		for _, h := range tc.ok {
			before := hits.Load()
			resp, err := c.Get(context.Background(), url(h))
			if err != nil {
				t.Errorf("allow %q: Get(%s) = %v, want success", tc.allow, h, err)
				continue
			}
			resp.Body.Close()
			if hits.Load() != before+1 {
				t.Errorf("allow %q: Get(%s) did not reach the server", tc.allow, h)
			}
		}
		for _, h := range tc.no {
			before := hits.Load()
			_, err := c.Get(context.Background(), url(h))
			if !errors.Is(err, ErrBlocked) {
				t.Errorf("allow %q: Get(%s) = %v, want ErrBlocked", tc.allow, h, err)
			}
			if hits.Load() != before {
				t.Errorf("allow %q: Get(%s) reached the server", tc.allow, h)
			}
		}
		c.hc.CloseIdleConnections()
	}
}

// TestAllowlistRedirectLeavesIt checks that an allowed receiver cannot send
// the client on to a private address that is not listed.
func TestAllowlistRedirectLeavesIt(t *testing.T) {
	t.Parallel()
	target, targetHits := MustServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tport := fmt.Sprint(target.Listener.Addr().(*net.TCPAddr).Port)
	srv, _ := MustServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://internal.test:"+tport+"/", http.StatusFound)
	})
	c := New(Options{Protection: true, Resolver: newResolver(), Allow: mustAllow(t, "127.0.0.1")})
	_, err := c.Get(context.Background(), srv.URL+"/")
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("redirect to an unlisted private host = %v, want ErrBlocked", err)
	}
	if targetHits.Load() != 0 {
		t.Error("the redirect target was reached")
	}
}

// TestDialContext checks the dialer that non-HTTP SDKs get, and the
// process-wide dial counter.
func TestDialContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	before := Dials()
	strict := New(Options{Protection: true, Resolver: newResolver()})
	if _, err := strict.DialContext(context.Background(), "tcp", ln.Addr().String()); !errors.Is(err, ErrBlocked) {
		t.Errorf("DialContext(loopback) = %v, want ErrBlocked", err)
	}
	if Dials() != before {
		t.Errorf("a refused address counted as a dial")
	}
	allowed := New(Options{Protection: true, Resolver: newResolver(), Allow: mustAllow(t, "rebind.test")})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	conn, err := allowed.DialContext(context.Background(), "tcp", "rebind.test:"+port)
	if err != nil {
		t.Fatalf("DialContext(listed name) = %v", err)
	}
	conn.Close()
	if Dials() != before+1 {
		t.Errorf("Dials() = %d, want %d", Dials(), before+1)
	}
	if strict.TLSConfig().MinVersion == 0 {
		t.Error("TLSConfig has no minimum version")
	}
}
