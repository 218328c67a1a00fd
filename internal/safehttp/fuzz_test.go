package safehttp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fuzz targets check the address and URL rules against references
// written independently of them: net/netip's own classification plus the
// IANA special-purpose registries, and the WHATWG URL standard's and
// inet_aton's readings of numeric hosts. Run them with, for example,
//
//	go test -run='^$' -fuzz=FuzzIsPublic -fuzztime=60s ./internal/safehttp

// refSpecialV4 and refSpecialV6 are the IANA special-purpose address
// registries (not globally reachable entries) and cloud metadata endpoints,
// listed again here rather than shared with address.go so that a mistake in
// one is caught by the other.
var (
	refSpecialV4 = mustPrefixes(
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"168.63.129.16/32", // Azure's WireServer, the VM agent's metadata endpoint, on a public address
	)
	refSpecialV6 = mustPrefixes(
		"::/128", "::1/128", "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
		"2001:db8::/32", "3fff::/20", "3ffe::/16", "5f00::/16", "fc00::/7",
		"fe80::/10", "fec0::/10", "ff00::/8",
	)
)

// refAllowed reports whether ip may be fetched according to the reference:
// a global unicast address by net/netip's rules that is in no special
// range, and whose embedded IPv4 address (IPv4-mapped, IPv4-compatible,
// NAT64, 6to4) is allowed too.
func refAllowed(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsGlobalUnicast() {
		return false
	}
	b := ip.As16()
	v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	switch {
	case ip.Is4():
		for _, p := range refSpecialV4 {
			if p.Contains(ip) {
				return false
			}
		}
		return ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
	case ip.Is4In6():
		return refAllowed(ip.Unmap())
	case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
		return refAllowed(v4)
	case netip.MustParsePrefix("2002::/16").Contains(ip):
		return refAllowed(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	for _, p := range refSpecialV6 {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// addrFromFuzz turns fuzz bytes into an address: 4 or 16 bytes directly,
// anything else parsed as text. zone is attached to IPv6 addresses.
func addrFromFuzz(b []byte, zone string) (netip.Addr, bool) {
	var ip netip.Addr
	switch len(b) {
	case 4:
		ip = netip.AddrFrom4([4]byte(b))
	case 16:
		ip = netip.AddrFrom16([16]byte(b))
	default:
		var err error
		if ip, err = netip.ParseAddr(string(b)); err != nil {
			return netip.Addr{}, false
		}
	}
	if ip.Is6() && zone != "" && !strings.ContainsAny(zone, "%\x00") {
		ip = ip.WithZone(zone)
	}
	return ip, true
}

func addSeedAddrs(f *testing.F) {
	for _, s := range []string{
		"8.8.8.8", "127.0.0.1", "169.254.169.254", "100.100.100.200", "168.63.129.16", "::ffff:127.0.0.1", "::127.0.0.1",
		"64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2001::1", "fd00:ec2::254", "fe80::1", "2606:4700::1111", "::",
	} {
		f.Add([]byte(s), "")
		a := netip.MustParseAddr(s)
		f.Add(a.AsSlice(), "")
	}
	f.Add(netip.MustParseAddr("fe80::1").AsSlice(), "eth0")
	f.Add(netip.MustParseAddr("2606:4700::1111").AsSlice(), "1")
}

// FuzzIsPublic checks that every address isPublic allows is allowed by the
// reference: nothing private, loopback, link-local, multicast, reserved or
// metadata gets through in any encoding.
func FuzzIsPublic(f *testing.F) {
	addSeedAddrs(f)
	f.Fuzz(func(t *testing.T, b []byte, zone string) {
		ip, ok := addrFromFuzz(b, zone)
		if !ok {
			return
		}
		if isPublic(ip) && !refAllowed(ip) {
			t.Fatalf("isPublic(%s) = true, but the reference refuses it", ip)
		}
		// The socket hook sees the same address as ip:port text.
		if ip.Zone() == "" && ip.IsValid() {
			ap := netip.AddrPortFrom(ip, 443).String()
			c := &Client{opts: Options{Protection: true}}
			if c.control(context.Background(), "tcp", ap, nil) == nil && !refAllowed(ip) {
				t.Fatalf("control(%s) allowed a non-public address", ap)
			}
		}
	})
}

// refEndsInNumber is the WHATWG URL standard's "ends in a number" check: a
// host whose last label is numeric in any base is parsed as IPv4.
func refEndsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := refIPv4Number(last)
	return ok
}

// refIPv4Number parses one part of a numeric IPv4 host as WHATWG and
// inet_aton do: 0x hex, leading-zero octal, or decimal.
func refIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	} else if len(s) >= 2 && s[0] == '0' {
		s, base = s[1:], 8
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, true // a number, just too large: still "numeric"
		}
		return 0, false
	}
	return n, true
}

// refInetAton reports whether glibc's inet_aton (used by getaddrinfo before
// any DNS) would read host as an IPv4 address: one to four numeric parts,
// optionally followed by whitespace and anything at all.
func refInetAton(host string) bool {
	if i := strings.IndexAny(host, " \t\n\v\f\r"); i >= 0 {
		host = host[:i]
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if strings.HasPrefix(p, "+") || strings.HasPrefix(p, "-") {
			return false
		}
		if _, ok := refIPv4Number(p); !ok {
			return false
		}
	}
	return true
}

// refSpecialName reports whether name (lower-case, without a trailing dot)
// names a local or metadata host by convention rather than by DNS.
func refSpecialName(name string) bool {
	switch name {
	case "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata", "metadata.goog", "instance-data",
		"metadata.google.internal":
		return true
	}
	for _, s := range []string{".localhost", ".local", ".internal", ".home.arpa", ".localdomain"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return !strings.Contains(name, ".")
}

// checkAllowedName fails t when a host that checkHost allowed (and that is
// not an IP literal) would be read as a number or names a special host.
func checkAllowedName(t *testing.T, host string) {
	t.Helper()
	lower := strings.ToLower(host)
	name := strings.TrimSuffix(lower, ".")
	if refEndsInNumber(lower) || refInetAton(name) {
		t.Fatalf("checkHost allowed %q, a numeric host", host)
	}
	if refSpecialName(name) {
		t.Fatalf("checkHost allowed %q, a local or metadata name", host)
	}
}

// FuzzCheckHost checks the host rules: an IP literal passes only when
// public, and a name only when no resolver would read it as a number and it
// is not a local or metadata name.
func FuzzCheckHost(f *testing.F) {
	for _, s := range []string{
		"example.com", "127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001", "1.2.3.4.", "localhost",
		"LOCALHOST.", "foo.localhost", "metadata.google.internal", "intranet", "fe80::1%eth0", "::ffff:7f00:1",
		"127.0.0.1 .example.com", "1.2.3.0x", "example.0x", "1e3.example", "１２７.０.０.１", "a..", "0x.0x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if checkHost(host, true) != nil {
			return
		}
		if ip, err := netip.ParseAddr(host); err == nil {
			if !refAllowed(ip) {
				t.Fatalf("checkHost allowed %s, which is not public", ip)
			}
			return
		}
		checkAllowedName(t, host)
		// The transport dials the IDNA form of a name (１２７.０.０.１ becomes
		// 127.0.0.1) and vet checks that again: FuzzGet covers it.
	})
}

// anyResolver resolves every name to one address and records the names.
type anyResolver struct {
	addr  net.IPAddr
	mu    sync.Mutex
	names []string
}

func (r *anyResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	r.names = append(r.names, host)
	r.mu.Unlock()
	return []net.IPAddr{r.addr}, nil
}

// FuzzGet drives the whole client: any URL, with DNS answering any name
// with a fuzzed address. Whatever the URL, the client must never dial an
// address the reference refuses, never ask DNS for a numeric or special
// name, and never panic; every refusal is an *Error.
func FuzzGet(f *testing.F) {
	for _, s := range []string{
		"http://example.com/", "https://public.test:8443/x?y#z", "http://127.0.0.1/", "http://[::ffff:127.0.0.1]/",
		"http://[fe80::1%25eth0]/", "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
		"http://localhost./", "http://foo.LOCALHOST/", "http://user:pw@example.com/", "http://ex%61mple.com/",
		"http://１２７.０.０.１/", "http://metadata.google.internal/", "http://[64:ff9b::a9fe:a9fe]/", "http://example.com:0/",
		"http://example.com:65536/", "ftp://example.com/", "http:///x", "//example.com/", "http://exa mple.com/",
	} {
		f.Add(s, []byte{93, 184, 216, 34})
		f.Add(s, []byte{127, 0, 0, 1})
	}
	f.Fuzz(func(t *testing.T, rawURL string, answer []byte) {
		ip, ok := addrFromFuzz(answer, "")
		if !ok {
			ip = netip.MustParseAddr("93.184.216.34")
		}
		r := &anyResolver{addr: net.IPAddr{IP: ip.AsSlice(), Zone: ip.Zone()}}
		c := New(Options{Protection: true, Timeout: 5 * time.Second, Resolver: r, MaxRedirects: -1})
		var mu sync.Mutex
		var dialed []string
		c.dialOverride = func(_ context.Context, _, addr string) (net.Conn, error) {
			mu.Lock()
			dialed = append(dialed, addr)
			mu.Unlock()
			return nil, errors.New("fuzz: no network")
		}
		resp, err := c.Get(context.Background(), rawURL)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("Get(%q) succeeded without a network", rawURL)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Get(%q) = %T %v, want *Error", rawURL, err, err)
		}
		if e.URL != "" && (strings.ContainsAny(e.URL, "?#") || strings.Contains(e.URL, "@") && urlHasUser(rawURL)) {
			t.Fatalf("error URL %q keeps a query, fragment or credentials of %q", e.URL, rawURL)
		}
		for _, d := range dialed {
			ap, err := netip.ParseAddrPort(d)
			if err != nil || !refAllowed(ap.Addr()) {
				t.Fatalf("Get(%q) dialled %s", rawURL, d)
			}
		}
		for _, n := range r.names {
			checkAllowedName(t, n)
		}
	})
}

func urlHasUser(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.User != nil
}

// FuzzRedact checks that Redact never panics and never keeps a query,
// fragment or credentials.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"https://user:secret@example.com/a?token=x#frag", "http://[::1]:80/%zz", "::", "http://a/b;c?d", "/relative?q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := Redact(raw)
		if strings.ContainsAny(got, "?#") {
			t.Fatalf("Redact(%q) = %q keeps a query or fragment", raw, got)
		}
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" && strings.Contains(got, u.User.String()+"@") {
				t.Fatalf("Redact(%q) = %q keeps the credentials", raw, got)
			}
		}
	})
}
