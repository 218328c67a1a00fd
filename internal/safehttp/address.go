package safehttp

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength is the longest URL the client accepts, for the first request
// and for every redirect target.
const MaxURLLength = 2048

// blockedV4 lists the IPv4 ranges that are not publicly routable: IANA's
// special-purpose registry, plus everything else a fetch must never reach.
// IPv4 is fully allocated, so a deny list is complete here.
var blockedV4 = mustPrefixes(
	"0.0.0.0/8",       // "this network", including the unspecified address
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, where cloud metadata services live
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including broadcast 255.255.255.255
	// Azure's WireServer: a public address that inside every Azure VM
	// answers the VM agent with its goal state and extension settings,
	// the same kind of target as 169.254.169.254.
	"168.63.129.16/32",
)

// globalUnicastV6 is the only IPv6 block IANA hands out for public
// unicast. Anything outside it (::, ::1, ::/96 IPv4-compatible, 100::/64
// discard, 64:ff9b:1::/48 local NAT64, 5f00::/16 SRv6, fc00::/7 unique
// local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast) is
// refused, so IPv6 is an allow list and new special ranges fail closed.
var globalUnicastV6 = netip.MustParsePrefix("2000::/3")

// blockedV6 lists the non-public ranges inside 2000::/3.
var blockedV6 = mustPrefixes(
	"2001::/23",     // IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28
	"2001:db8::/32", // documentation
	"3fff::/20",     // documentation (RFC 9637)
	"3ffe::/16",     // the retired 6bone
)

var (
	// nat64 is the well-known NAT64 prefix; the last 32 bits are the IPv4
	// address the translator will connect to.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	// sixToFour is 6to4; bits 16–48 are the IPv4 address of the site.
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(s ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(s))
	for i, p := range s {
		ps[i] = netip.MustParsePrefix(p)
	}
	return ps
}

// isPublic reports whether ip is a globally routable unicast address that a
// server-side fetch may connect to. Addresses that carry an IPv4 address
// (IPv4-mapped, NAT64, 6to4) are judged by that IPv4 address, because that
// is where the packets end up.
func isPublic(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return false // zones only exist on link-local and other scoped addresses
	}
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() {
		for _, p := range blockedV4 {
			if p.Contains(ip) {
				return false
			}
		}
		return true
	}
	b := ip.As16()
	if nat64.Contains(ip) {
		return isPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if !globalUnicastV6.Contains(ip) {
		return false
	}
	if sixToFour.Contains(ip) {
		return isPublic(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	for _, p := range blockedV6 {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// blockedNames are host names that point inside the machine or the cloud
// account no matter what DNS says, refused before any lookup.
var blockedNames = map[string]bool{
	"localhost":             true,
	"localhost.localdomain": true,
	"ip6-localhost":         true,
	"ip6-loopback":          true,
	"metadata":              true, // GCP metadata short name
	"metadata.goog":         true,
	"instance-data":         true, // AWS metadata short name
}

// blockedSuffixes are special-use domains that only ever name private hosts:
// *.localhost (RFC 6761), *.local (mDNS), *.internal (ICANN private use,
// including metadata.google.internal), *.home.arpa (RFC 8375), *.localdomain.
var blockedSuffixes = []string{".localhost", ".local", ".internal", ".home.arpa", ".localdomain"}

// checkURL applies the URL policy shared by the first request and every
// redirect: scheme, length, credentials, host and port. It returns nil when
// u may be requested (subject to the address checks at dial time).
func checkURL(u *url.URL, protect bool) *Error {
	if len(u.String()) > MaxURLLength {
		return blocked("URL is longer than " + strconv.Itoa(MaxURLLength) + " characters")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return blocked("only http and https URLs are allowed")
	}
	if u.Opaque != "" {
		return blocked("invalid URL")
	}
	if u.User != nil {
		return blocked("URLs with credentials are not allowed")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return blocked("invalid port")
		}
	}
	return checkHost(u.Hostname(), protect)
}

// checkHost applies the host policy to a URL host (without brackets or port).
// It runs on the URL before the request and again on the exact host the
// transport asks to dial, which is the IDNA-normalized form.
func checkHost(host string, protect bool) *Error {
	if host == "" {
		return blocked("URL has no host")
	}
	// inet_aton, which getaddrinfo tries before DNS, reads "127.0.0.1 x"
	// as 127.0.0.1: no host name contains spaces or control characters.
	if strings.IndexFunc(host, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return blocked("host name contains spaces or control characters")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if protect && !isPublic(ip) {
			return blocked("address is not public")
		}
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	// Browsers and some resolvers (inet_aton) read 2130706433, 0x7f.1 and
	// 0177.0.0.1 as IPv4 addresses. Refuse every such form rather than guess
	// which software will interpret it how; only canonical dotted-decimal
	// literals (handled above) are addresses.
	if endsInNumber(name) {
		return blocked("numeric hosts must be dotted-decimal IPv4 addresses")
	}
	if !protect {
		return nil
	}
	if blockedNames[name] {
		return blocked("host name is not allowed")
	}
	for _, s := range blockedSuffixes {
		if strings.HasSuffix(name, s) {
			return blocked("host name is not allowed")
		}
	}
	// A single-label name is completed from the server's DNS search list,
	// which names the server's own network.
	if !strings.Contains(name, ".") {
		return blocked("host name must be fully qualified")
	}
	return nil
}

// endsInNumber reports whether the last label of name is a decimal or 0x
// hexadecimal number, which is how the WHATWG URL standard decides that a
// host is an IPv4 address in some notation.
func endsInNumber(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last == "" {
		return false
	}
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}
