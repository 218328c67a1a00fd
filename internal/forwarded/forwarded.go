// Package forwarded decides, once per request, who the client is and which
// origin (scheme and host) it addressed, when Gloss may run behind reverse
// proxies. The usual deployment puts nginx or a load balancer in front: it
// terminates TLS and connects to Gloss over plain HTTP, so the connection
// alone says "http", the proxy's host and the proxy's address.
//
// Proxies listed in GLOSS_TRUSTED_PROXIES are believed about the original
// request through X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host.
// Those headers are ignored entirely on a connection from any other address,
// so a client that connects directly cannot claim another address (to dodge
// the sign-in throttle) or claim HTTPS.
//
// Everything in Gloss that needs the client address, the scheme or the host
// of a request reads it through Of, never from r.RemoteAddr, r.TLS or r.Host.
package forwarded

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Proxies is the set of networks whose forwarding headers Gloss believes
// (GLOSS_TRUSTED_PROXIES). The zero value trusts no one.
type Proxies []netip.Prefix

// ParseProxies parses a comma-separated list of networks in CIDR notation
// (10.0.0.0/8, ::1/128) or single addresses (127.0.0.1). Blank entries are
// skipped. A network with bits set past its length (10.1.2.3/8) is refused
// as a likely typo, and so is a network that contains every address, which
// would let anyone forge their address.
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return nil, fmt.Errorf("%q is not a network such as 10.0.0.0/8 or 127.0.0.1/32", f)
			}
			if p.Masked() != p {
				return nil, fmt.Errorf("%q has address bits set past /%d: did you mean %s or %s/%d?",
					f, p.Bits(), p.Masked(), p.Addr(), p.Addr().BitLen())
			}
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a network such as 10.0.0.0/8 or an address such as 127.0.0.1", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		// ::ffff:10.0.0.0/104 names IPv4 addresses; peers are compared
		// unmapped, so the network must be too.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("%q trusts every address, so anyone could forge their address: name your proxies' networks", f)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Trusts reports whether a (without zone, unmapped) is a trusted proxy.
func (p Proxies) Trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("").Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the client address of a request that arrived from peer with
// the X-Forwarded-For header lines xff (in the order received). Unless the
// peer is trusted the headers are ignored and the peer is the client.
// Otherwise the list is walked from the right, since every proxy appends
// the address it was connected from: trusted hops are skipped and the first
// untrusted address is the client. If every address is trusted, the
// left-most is the client. A malformed or obfuscated entry ("unknown",
// "_hidden") ends the walk, because whatever lies to its left was written
// by a party nobody vouches for: the client is then the last trusted hop.
func (p Proxies) Client(peer netip.Addr, xff []string) netip.Addr {
	peer = peer.WithZone("").Unmap()
	if !p.Trusts(peer) {
		return peer
	}
	client := peer
	for i := len(xff) - 1; i >= 0; i-- {
		line := xff[i]
		if strings.TrimSpace(line) == "" {
			continue // an empty header line says nothing
		}
		for {
			entry := line
			j := strings.LastIndexByte(line, ',')
			if j >= 0 {
				entry, line = line[j+1:], line[:j]
			}
			a, ok := parseEntry(entry)
			if !ok {
				return client
			}
			client = a
			if !p.Trusts(a) {
				return a
			}
			if j < 0 {
				break
			}
		}
	}
	return client
}

// parseEntry parses one X-Forwarded-For element: an IPv4 or IPv6 address,
// optionally with a port (1.2.3.4:5678, [2001:db8::1]:80), as some proxies
// write it. Zoned addresses are refused: a zone means nothing off the host
// that wrote it.
func parseEntry(s string) (netip.Addr, bool) {
	s = strings.Trim(s, " \t")
	if s == "" || len(s) > 64 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	if a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Request is what Gloss knows of a request from the client's side.
type Request struct {
	// Client is the client's IP address without port, or the raw remote
	// address when it is not an IP address (at most 64 bytes).
	Client string
	// Scheme is "https" or "http": what the client used.
	Scheme string
	// Host is the host (and port, when not the default) the client
	// addressed, lower-cased.
	Host string
	// Proxied reports whether a trusted proxy's headers were believed.
	Proxied bool
}

// Origin returns the request's origin as a browser writes it in the Origin
// header: scheme://host, with no default port.
func (r Request) Origin() string { return r.Scheme + "://" + r.Host }

// Resolve works out r's Request: from the connection, and from the
// X-Forwarded-* headers only when the connection comes from one of p.
func (p Proxies) Resolve(r *http.Request) Request {
	out := direct(r)
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok || !p.Trusts(peer) {
		return out
	}
	out.Proxied = true
	out.Client = p.Client(peer, r.Header.Values("X-Forwarded-For")).String()
	if s, ok := lastValue(r.Header.Values("X-Forwarded-Proto")); ok {
		if s = strings.ToLower(s); s == "http" || s == "https" {
			out.Scheme = s
		}
	}
	host := r.Host
	if h, ok := lastValue(r.Header.Values("X-Forwarded-Host")); ok {
		if _, valid := canonicalHost(out.Scheme, h); valid {
			host = h
		}
	}
	// Judged under the forwarded scheme, so https://host:443 is https://host.
	out.Host, _ = canonicalHost(out.Scheme, host)
	return out
}

// direct is what the connection alone says.
func direct(r *http.Request) Request {
	out := Request{Scheme: "http"}
	if r.TLS != nil {
		out.Scheme = "https"
	}
	if a, ok := peerAddr(r.RemoteAddr); ok {
		out.Client = a.String()
	} else {
		out.Client = r.RemoteAddr
		if len(out.Client) > 64 {
			out.Client = out.Client[:64]
		}
	}
	out.Host, _ = canonicalHost(out.Scheme, r.Host)
	return out
}

// peerAddr parses the TCP peer of a request (ip:port), unmapped and without
// zone.
func peerAddr(remote string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().WithZone("").Unmap(), true
}

// lastValue returns the right-most element of a comma-separated header that
// may come in several lines. The right-most element was written by the
// proxy that connected to Gloss, the one hop that is known to be trusted.
func lastValue(lines []string) (string, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		v := lines[i]
		if j := strings.LastIndexByte(v, ','); j >= 0 {
			v = v[j+1:]
		}
		if v = strings.Trim(v, " \t"); v != "" {
			return v, true
		}
		if strings.Trim(lines[i], " \t") != "" {
			return "", false // "a, " : the last element is empty, so malformed
		}
	}
	return "", false
}

// canonicalHost checks that h is a host with an optional port and nothing
// else, and returns it lower-cased without the scheme's default port.
func canonicalHost(scheme, h string) (string, bool) {
	if h == "" || len(h) > 255 || strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]") != "" {
		return "", false
	}
	u, err := url.Parse("http://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" || u.Path != "" || u.User != nil {
		return "", false
	}
	h = strings.ToLower(h)
	port := u.Port()
	if port == "" && strings.HasSuffix(h, ":") {
		return "", false
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		h = strings.TrimSuffix(h, ":"+port)
	}
	return h, true
}

// NormalizeOrigin returns an Origin header value (or a base URL such as
// GLOSS_PUBLIC_URL) in the form Request.Origin produces: lower-cased,
// without the default port and without a path. ok is false when s is not an
// http or https origin.
func NormalizeOrigin(s string) (origin string, ok bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	h, ok := canonicalHost(scheme, u.Host)
	if !ok {
		return "", false
	}
	return scheme + "://" + h, true
}

type key struct{}

// NewContext returns ctx carrying req.
func NewContext(ctx context.Context, req Request) context.Context {
	return context.WithValue(ctx, key{}, req)
}

// Of returns what Gloss knows of r from the client's side: the Request the
// middleware resolved for it, or, outside that middleware, what the
// connection alone says (trusting no proxy).
func Of(r *http.Request) Request {
	if req, ok := r.Context().Value(key{}).(Request); ok {
		return req
	}
	return direct(r)
}
