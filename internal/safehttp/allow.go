package safehttp

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
)

// Allowlist is the operator's list of private places that server-side
// requests may reach although protection is on (GLOSS_OUTBOUND_ALLOW): a
// model server or MinIO on the LAN, a webhook receiver on the same host.
// Everything else keeps the full protection.
//
// An entry is a host name or a CIDR (a bare IP address is a /32 or /128):
//
//   - A CIDR lets any request whose host is, or resolves to, an address
//     inside it connect there. This is the only way to reach link-local
//     addresses, including the cloud metadata services.
//   - A host name (exact, no wildcards) lifts the name rules for that name
//     (so "minio", "localhost" or "storage.internal" may be listed) and
//     lets it resolve to private, loopback and unique-local addresses, but
//     never to link-local ones such as 169.254.169.254: an operator who
//     lists a name trusts that name, not whatever a compromised resolver
//     says about it.
//
// DNS answers are still checked when dialing and the dialed address is the
// checked one, so a name that is not listed cannot rebind into the list
// except into a listed CIDR, which the operator has declared reachable.
type Allowlist struct {
	names []string
	nets  []netip.Prefix
}

// ParseAllowlist reads a comma- or space-separated list of host names and
// CIDRs, as GLOSS_OUTBOUND_ALLOW gives it. It says which entry is wrong.
func ParseAllowlist(s string) (Allowlist, error) {
	var a Allowlist
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			if p.Addr().Zone() != "" {
				return Allowlist{}, errors.New(f + ": zones are not allowed")
			}
			a.nets = append(a.nets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(f); err == nil {
			if ip.Zone() != "" {
				return Allowlist{}, errors.New(f + ": zones are not allowed")
			}
			ip = ip.Unmap()
			a.nets = append(a.nets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(f), ".")
		if !validName(name) {
			return Allowlist{}, errors.New(f + " is neither a host name nor a CIDR such as 10.0.0.0/8")
		}
		if !slices.Contains(a.names, name) {
			a.names = append(a.names, name)
		}
	}
	return a, nil
}

// validName reports whether name is a DNS host name made of letters,
// digits, hyphens and underscores, and not numeric (numeric hosts are only
// ever listed as addresses).
func validName(name string) bool {
	if name == "" || len(name) > 253 || endsInNumber(name) {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Empty reports whether nothing is listed.
func (a Allowlist) Empty() bool { return len(a.names) == 0 && len(a.nets) == 0 }

// String lists the entries, comma-separated, names first.
func (a Allowlist) String() string {
	parts := slices.Clone(a.names)
	for _, p := range a.nets {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ",")
}

// listsName reports whether host (a URL host without brackets or port) is
// listed by name, or is an address literal inside a listed CIDR; either way
// the name rules do not apply to it.
func (a Allowlist) listsName(host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Zone() == "" && a.containsAddr(ip)
	}
	return slices.Contains(a.names, strings.TrimSuffix(strings.ToLower(host), "."))
}

func (a Allowlist) containsAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// allowsAddr reports whether a non-public ip may be dialed: a listed CIDR
// holds it, or it was the answer for a listed name and is not link-local.
func (a Allowlist) allowsAddr(ip netip.Addr, listedName bool) bool {
	if ip.Zone() != "" {
		return false
	}
	if a.containsAddr(ip) {
		return true
	}
	ip = ip.Unmap()
	return listedName && !ip.IsLinkLocalUnicast() && !ip.IsLinkLocalMulticast() && !metadataAddrs[ip]
}

// metadataAddrs are cloud metadata endpoints outside link-local space,
// which a listed name must not resolve to either.
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("168.63.129.16"):   true, // Azure WireServer
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS over IPv6
}
