package forwarded

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func mustProxies(tb testing.TB, s string) Proxies {
	tb.Helper()
	p, err := ParseProxies(s)
	if err != nil {
		tb.Fatalf("ParseProxies(%q): %v", s, err)
	}
	return p
}

func TestParseProxies(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string // prefixes, or nil with wantErr
		wantErr string
	}{
		{in: "", want: nil},
		{in: " , ", want: nil},
		{in: "127.0.0.1/32", want: []string{"127.0.0.1/32"}},
		{in: "127.0.0.1, ::1", want: []string{"127.0.0.1/32", "::1/128"}},
		{in: "10.0.0.0/8 ,192.168.0.0/16,fd00::/8", want: []string{"10.0.0.0/8", "192.168.0.0/16", "fd00::/8"}},
		{in: "::ffff:10.0.0.0/104", want: []string{"10.0.0.0/8"}},
		{in: "::ffff:127.0.0.1", want: []string{"127.0.0.1/32"}},
		{in: "10.1.2.3/8", wantErr: "did you mean 10.0.0.0/8 or 10.1.2.3/32"},
		{in: "0.0.0.0/0", wantErr: "trusts every address"},
		{in: "::/0", wantErr: "trusts every address"},
		{in: "::ffff:0.0.0.0/96", wantErr: "trusts every address"},
		{in: "nginx", wantErr: `"nginx" is not`},
		{in: "10.0.0.0/33", wantErr: `"10.0.0.0/33" is not`},
		{in: "fe80::1%eth0", wantErr: "is not"},
		{in: "127.0.0.1/32;10.0.0.0/8", wantErr: "is not"},
		{in: "127.0.0.1:8080", wantErr: "is not"},
	} {
		got, err := ParseProxies(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseProxies(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseProxies(%q): %v", tc.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ParseProxies(%q) = %v, want %v", tc.in, s, tc.want)
		}
	}
}

func TestClient(t *testing.T) {
	p := mustProxies(t, "127.0.0.1/32, 10.0.0.0/8, fd00::/8")
	for _, tc := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"untrusted peer: headers ignored", "203.0.113.9", []string{"1.2.3.4"}, "203.0.113.9"},
		{"untrusted peer that is mapped", "::ffff:203.0.113.9", []string{"1.2.3.4"}, "203.0.113.9"},
		{"trusted peer, no header", "127.0.0.1", nil, "127.0.0.1"},
		{"trusted peer, empty header", "127.0.0.1", []string{""}, "127.0.0.1"},
		{"one client", "127.0.0.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client spoofs a prefix", "127.0.0.1", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"trusted hops are skipped", "127.0.0.1", []string{"1.2.3.4, 198.51.100.7, 10.1.1.1, 10.2.2.2"}, "198.51.100.7"},
		{"several header lines", "127.0.0.1", []string{"1.2.3.4", "198.51.100.7", "10.1.1.1"}, "198.51.100.7"},
		{"all trusted: the left-most", "127.0.0.1", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"IPv6 client", "fd00::1", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped client", "127.0.0.1", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		{"client with a port", "127.0.0.1", []string{"198.51.100.7:4711"}, "198.51.100.7"},
		{"IPv6 client with a port", "127.0.0.1", []string{"[2001:db8::5]:443"}, "2001:db8::5"},
		{"spaces and tabs", "127.0.0.1", []string{" 1.2.3.4 ,\t198.51.100.7 "}, "198.51.100.7"},
		{"malformed right-most: the proxy", "127.0.0.1", []string{"1.2.3.4, unknown"}, "127.0.0.1"},
		{"obfuscated after a trusted hop", "127.0.0.1", []string{"1.2.3.4, _hidden, 10.1.1.1"}, "10.1.1.1"},
		{"trailing comma", "127.0.0.1", []string{"1.2.3.4,"}, "127.0.0.1"},
		{"zone id", "127.0.0.1", []string{"1.2.3.4, fe80::1%eth0"}, "127.0.0.1"},
		{"decimal form is not an address", "127.0.0.1", []string{"1.2.3.4, 3325256711"}, "127.0.0.1"},
		{"octal form is not an address", "127.0.0.1", []string{"1.2.3.4, 0300.0.2.7"}, "127.0.0.1"},
		{"blank line then a client", "127.0.0.1", []string{"198.51.100.7", " "}, "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Client(netip.MustParseAddr(tc.peer), tc.xff)
			if got.String() != tc.want {
				t.Fatalf("Client(%s, %q) = %s, want %s", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	p := mustProxies(t, "127.0.0.1/32")
	for _, tc := range []struct {
		name    string
		remote  string
		tls     bool
		host    string
		headers map[string]string
		want    Request
	}{
		{
			name: "direct, no headers", remote: "192.0.2.1:5000", host: "gloss.example.com",
			want: Request{Client: "192.0.2.1", Scheme: "http", Host: "gloss.example.com"},
		},
		{
			name: "direct client claims https and another address", remote: "192.0.2.1:5000", host: "gloss.example.com",
			headers: map[string]string{"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
			want:    Request{Client: "192.0.2.1", Scheme: "http", Host: "gloss.example.com"},
		},
		{
			name: "direct TLS", remote: "192.0.2.1:5000", tls: true, host: "Gloss.Example.com:443",
			want: Request{Client: "192.0.2.1", Scheme: "https", Host: "gloss.example.com"},
		},
		{
			name: "trusted proxy", remote: "127.0.0.1:40000", host: "127.0.0.1:8080",
			headers: map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "gloss.example.com"},
			want:    Request{Client: "198.51.100.7", Scheme: "https", Host: "gloss.example.com", Proxied: true},
		},
		{
			name: "trusted proxy that sets Host rather than X-Forwarded-Host", remote: "127.0.0.1:40000", host: "gloss.example.com:443",
			headers: map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "HTTPS"},
			want:    Request{Client: "198.51.100.7", Scheme: "https", Host: "gloss.example.com", Proxied: true},
		},
		{
			name: "several values: the nearest proxy's", remote: "127.0.0.1:40000", host: "127.0.0.1:8080",
			headers: map[string]string{"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "evil.example, gloss.example.com:8443"},
			want:    Request{Client: "127.0.0.1", Scheme: "https", Host: "gloss.example.com:8443", Proxied: true},
		},
		{
			name: "malformed values are ignored", remote: "127.0.0.1:40000", host: "127.0.0.1:8080",
			headers: map[string]string{"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "evil.example/path"},
			want:    Request{Client: "127.0.0.1", Scheme: "http", Host: "127.0.0.1:8080", Proxied: true},
		},
		{
			name: "host with credentials is ignored", remote: "127.0.0.1:40000", host: "127.0.0.1:8080",
			headers: map[string]string{"X-Forwarded-Host": "user@evil.example"},
			want:    Request{Client: "127.0.0.1", Scheme: "http", Host: "127.0.0.1:8080", Proxied: true},
		},
		{
			name: "remote address that is not an IP", remote: "@", host: "x",
			want: Request{Client: "@", Scheme: "http", Host: "x"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			r.Host = tc.host
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := p.Resolve(r); got != tc.want {
				t.Fatalf("Resolve = %+v, want %+v", got, tc.want)
			}
			// Of without the middleware trusts nobody.
			if got, want := Of(r), Proxies(nil).Resolve(r); got != want {
				t.Fatalf("Of without context = %+v", got)
			}
			if got := Of(r.WithContext(NewContext(context.Background(), tc.want))); got != tc.want {
				t.Fatalf("Of with context = %+v", got)
			}
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://gloss.example.com", "https://gloss.example.com"},
		{"https://Gloss.Example.com:443", "https://gloss.example.com"},
		{"http://gloss.example.com:80/", "http://gloss.example.com"},
		{"https://gloss.example.com:8443/gloss", "https://gloss.example.com:8443"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"null", ""},
		{"ftp://gloss.example.com", ""},
		{"https://user@gloss.example.com", ""},
		{"https://", ""},
	} {
		got, ok := NormalizeOrigin(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

// FuzzClient checks the X-Forwarded-For walk against a plain reference
// implementation, and the property that matters: whatever a client writes
// into the header, the address a trusted proxy appends after it wins.
func FuzzClient(f *testing.F) {
	for _, s := range []string{"", "1.2.3.4", "1.2.3.4, 10.0.0.1", "unknown", "[::1]:80, ::ffff:10.0.0.1", ",,", "fe80::1%eth0", " 10.0.0.2 ,\t10.0.0.3"} {
		f.Add(s, []byte{198, 51, 100, 7})
	}
	p := Proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("127.0.0.1/32")}
	peer := netip.MustParseAddr("127.0.0.1")
	f.Fuzz(func(t *testing.T, header string, real []byte) {
		got := p.Client(peer, []string{header})
		if want := referenceClient(p, peer, header); got != want {
			t.Fatalf("Client(%q) = %s, reference %s", header, got, want)
		}
		if !got.IsValid() || got.Zone() != "" || got.Is4In6() {
			t.Fatalf("Client(%q) = %v: not a plain address", header, got)
		}
		if untrusted := netip.MustParseAddr("203.0.113.5"); p.Client(untrusted, []string{header}) != untrusted {
			t.Fatalf("an untrusted peer's header %q was believed", header)
		}
		c, ok := netip.AddrFromSlice(real)
		if !ok || p.Trusts(c) {
			return
		}
		c = c.Unmap()
		// The client wrote header; nginx appended the real address.
		if got := p.Client(peer, []string{header + ", " + c.String()}); got != c {
			t.Fatalf("header %q before the real client %s gave %s", header, c, got)
		}
		if got := p.Client(peer, []string{header, c.String()}); got != c {
			t.Fatalf("header line %q before the real client %s gave %s", header, c, got)
		}
	})
}

// referenceClient is the walk written the obvious way, to compare against.
func referenceClient(p Proxies, peer netip.Addr, header string) netip.Addr {
	if !p.Trusts(peer) || strings.TrimSpace(header) == "" {
		return peer
	}
	parts := strings.Split(header, ",")
	client := peer
	for i := len(parts) - 1; i >= 0; i-- {
		s := strings.Trim(parts[i], " \t")
		if s == "" || len(s) > 64 {
			return client
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			ap, err := netip.ParseAddrPort(s)
			if err != nil {
				return client
			}
			a = ap.Addr()
		}
		if a.Zone() != "" {
			return client
		}
		client = a.Unmap()
		if !p.Trusts(client) {
			return client
		}
	}
	return client
}

// FuzzResolve checks that an untrusted peer's headers change nothing and
// that a trusted peer's headers only ever yield a well-formed origin.
func FuzzResolve(f *testing.F) {
	f.Add("127.0.0.1:1", "1.2.3.4", "https", "gloss.example.com", "127.0.0.1:8080")
	f.Add("192.0.2.1:1", "1.2.3.4", "https", "evil.example", "gloss.example.com")
	f.Add("127.0.0.1:1", "", "http, https", "a, b:443", "[::1]:8080")
	f.Add("[::ffff:127.0.0.1]:1", "x", "HTTPS", "user@host", "h:")
	p := Proxies{netip.MustParsePrefix("127.0.0.1/32")}
	f.Fuzz(func(t *testing.T, remote, xff, proto, xhost, host string) {
		r := &http.Request{RemoteAddr: remote, Host: host, Header: http.Header{}}
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("X-Forwarded-Proto", proto)
		r.Header.Set("X-Forwarded-Host", xhost)
		got := p.Resolve(r)
		if got.Scheme != "http" && got.Scheme != "https" {
			t.Fatalf("scheme %q", got.Scheme)
		}
		if got.Host != "" {
			if o, ok := NormalizeOrigin(got.Origin()); !ok || o != got.Origin() {
				t.Fatalf("origin %q is not canonical (%q, %v)", got.Origin(), o, ok)
			}
		}
		if !got.Proxied {
			plain := &http.Request{RemoteAddr: remote, Host: host, Header: http.Header{}}
			if want := p.Resolve(plain); got != want {
				t.Fatalf("untrusted peer %q: headers changed %+v into %+v", remote, want, got)
			}
		}
	})
}
