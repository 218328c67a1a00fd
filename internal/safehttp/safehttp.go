// Package safehttp is the one HTTP client Gloss uses for every request the
// server makes to a URL someone typed in: URL import, storage endpoints,
// webhooks and ML backends. Each of those lets a user make the server connect
// somewhere, so each could reach what the user cannot: the cloud metadata
// service, the database, an admin port on the LAN (SSRF). Keeping the
// defence in one package means it is written, reviewed and tested once.
//
// The client accepts only http and https URLs without credentials, resolves
// the host itself and refuses the request if any address is not public, then
// dials exactly the address it checked, so DNS rebinding between check and
// connect cannot work. A socket-level hook checks the address again before
// connecting. Every redirect is checked the same way, https never downgrades
// to http, and time and body size are capped. Errors name the URL without
// credentials or query and never quote what the server sent.
package safehttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultMaxBytes     = 100 << 20 // 100 MiB
	DefaultTimeout      = 60 * time.Second
	DefaultMaxRedirects = 5
)

// Per-phase limits; Options.Timeout still bounds the whole request.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 15 * time.Second
)

const userAgent = "Gloss"

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it; tests pass a fake.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configures a Client. Start from DefaultOptions: the zero value
// has Protection off.
type Options struct {
	// Protection refuses non-public addresses and private host names
	// (SSRF_PROTECTION_ENABLED, on by default in Gloss). Turning it off is
	// for operators on closed networks whose storage or ML backends live on
	// private addresses; the URL, redirect, size and time rules still apply.
	Protection bool
	// MaxBytes caps the response body. Zero means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds the whole request, including reading the body.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed. Zero means
	// DefaultMaxRedirects; a negative value follows none.
	MaxRedirects int
	// ReturnRedirects hands every redirect back as the response, never
	// followed, whatever MaxRedirects says: for the cloud SDKs, which then
	// report it as their own error. Their requests carry credentials that
	// a redirect would take to another host: an S3 security token header,
	// and a GCS bearer token that the SDK's transport adds to every hop.
	ReturnRedirects bool
	// RootCAs replaces the system roots when set (CUSTOM_CA_CERTS).
	RootCAs *x509.CertPool
	// Resolver resolves host names. Nil means net.DefaultResolver.
	Resolver Resolver
	// Allow lists the private hosts and networks that may be reached
	// although Protection is on (GLOSS_OUTBOUND_ALLOW); see Allowlist.
	Allow Allowlist
}

// DefaultOptions returns Gloss's defaults: protection on, 100 MiB, 60 s,
// five redirects, system roots.
func DefaultOptions() Options {
	return Options{
		Protection:   true,
		MaxBytes:     DefaultMaxBytes,
		Timeout:      DefaultTimeout,
		MaxRedirects: DefaultMaxRedirects,
	}
}

// Client makes SSRF-safe requests. It is safe for concurrent use; build one
// at start and share it so connections are reused.
type Client struct {
	opts   Options
	dialer *net.Dialer
	hc     *http.Client

	// dialOverride, set only by tests, replaces the network dial after the
	// address has been vetted, so that a vetted "public" address can be
	// served by a loopback httptest server. addr is the vetted ip:port.
	dialOverride func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New returns a Client for o, with defaults filled in for zero fields.
func New(o Options) *Client {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	c := &Client{opts: o}
	c.dialer = &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, ControlContext: c.control}
	transport := &http.Transport{
		Proxy:                  nil, // never route through HTTP_PROXY: the proxy would do its own, unchecked resolution
		DialContext:            c.dialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
	}
	c.hc = &http.Client{
		Transport:     transport,
		CheckRedirect: c.checkRedirect,
		Timeout:       o.Timeout,
	}
	return c
}

// Response is a successful (2xx) response. The caller must close Body.
type Response struct {
	// Body is the response body, capped: a read past Options.MaxBytes fails
	// with an error matching ErrTooLarge.
	Body io.ReadCloser
	// ContentType is the Content-Type header as sent; callers sniff or
	// validate it themselves.
	ContentType string
	// FinalURL is the URL that answered, after redirects. It keeps its query,
	// which may hold a signature or token: pass it through Redact before
	// logging it.
	FinalURL string
	// Status is the HTTP status code, always 2xx.
	Status int
	// Header holds the response headers (Content-Disposition, ETag...).
	Header http.Header
}

// Get fetches rawURL. Non-2xx answers, refused URLs and addresses, and
// bodies declared larger than MaxBytes are errors (*Error).
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	if len(rawURL) > MaxURLLength {
		e := blocked(fmt.Sprintf("URL is longer than %d characters", MaxURLLength))
		e.URL = Redact(rawURL)
		return nil, e
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		e := blocked("invalid URL")
		e.URL = Redact(rawURL)
		return nil, e
	}
	return c.Do(req)
}

// Do sends req (for webhooks and ML backends, which POST) under the same
// rules as Get. Headers such as Authorization are dropped by net/http when
// a redirect leaves the original host.
func (c *Client) Do(req *http.Request) (*Response, error) {
	if req == nil || req.URL == nil {
		return nil, blocked("invalid URL")
	}
	if e := checkURL(req.URL, c.protects(req.URL.Hostname())); e != nil {
		if req.Body != nil {
			req.Body.Close() // as http.Client.Do does on any error
		}
		e.URL = Redact(req.URL.String())
		return nil, e
	}
	req = req.Clone(req.Context())
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// On a redirect error net/http has already closed resp.Body.
		return nil, failure(err, req.URL.String())
	}
	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused, but never show it.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
		return nil, &Error{
			Kind:   KindStatus,
			URL:    Redact(final),
			Status: resp.StatusCode,
			// Our own status text: the server's reason phrase is its to choose.
			Msg: fmt.Sprintf("server answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)),
		}
	}
	if resp.ContentLength > c.opts.MaxBytes {
		resp.Body.Close()
		e := tooLarge(c.opts.MaxBytes)
		e.URL = Redact(final)
		return nil, e
	}
	return &Response{
		Body:        &cappedBody{r: resp.Body, left: c.opts.MaxBytes, limit: c.opts.MaxBytes, url: Redact(final)},
		ContentType: resp.Header.Get("Content-Type"),
		FinalURL:    final,
		Status:      resp.StatusCode,
		Header:      resp.Header,
	}, nil
}

// failure converts an error from http.Client.Do into an *Error naming the
// URL that failed, which after redirects is not the one asked for.
func failure(err error, rawURL string) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		rawURL = ue.URL
	}
	e := classify(err)
	if e.URL == "" {
		e.URL = Redact(rawURL)
	}
	return e
}

// checkRedirect applies the URL policy to every redirect target; the
// address checks follow at dial time as for any request.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	fail := func(e *Error) error {
		e.URL = Redact(req.URL.String())
		return e
	}
	if c.opts.ReturnRedirects {
		return http.ErrUseLastResponse
	}
	if len(via) > c.opts.MaxRedirects {
		return fail(blocked(fmt.Sprintf("more than %d redirects", max(c.opts.MaxRedirects, 0))))
	}
	if e := checkURL(req.URL, c.protects(req.URL.Hostname())); e != nil {
		return fail(e)
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fail(blocked("redirect from https to http"))
		}
	}
	return nil
}

// protects reports whether the name and address rules apply to host: they
// do when protection is on and the operator has not listed host.
func (c *Client) protects(host string) bool {
	return c.opts.Protection && !c.opts.Allow.listsName(host)
}

// HTTPClient returns the client's *http.Client for SDKs that take one (S3,
// GCS, Azure). Every connection it opens goes through DialContext and every
// redirect is checked; Get and Do add the URL checks on the first request,
// the status and size rules and our error messages, so call those where
// there is a choice. Share it: it holds the connection pool.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// TLSConfig returns a copy of the TLS settings the client uses (TLS 1.2 or
// later, the roots of Options.RootCAs), for protocols that are not HTTP,
// such as Redis.
func (c *Client) TLSConfig() *tls.Config {
	return c.hc.Transport.(*http.Transport).TLSClientConfig.Clone()
}

// DialContext opens a connection to addr ("host:port") under the same
// rules as every request: the host is resolved here, every address it has
// must be public or allowed (Options.Allow), and the connection goes to a
// checked address. SDKs that speak other protocols (Redis) dial with it.
func (c *Client) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.dialContext(ctx, network, addr)
	if err != nil {
		return nil, classify(err)
	}
	return conn, nil
}

// dials counts connection attempts by every Client in the process; see Dials.
var dials atomic.Int64

// Dials returns how many connections the Clients of this process have tried
// to open since it started, so that a test can prove the server made no
// outbound connection while it did something.
func Dials() int64 { return dials.Load() }

// listedNameKey marks a dial to the addresses of a name the operator
// listed, for the socket hook.
type listedNameKey struct{}

// dialContext is the transport's only way to the network. addr is the host
// and port of the request URL (there is never a proxy). It resolves the
// host, refuses the whole request if any address is not public, and dials
// the vetted addresses themselves, never the name.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, blocked("invalid address")
	}
	ips, err := c.vet(ctx, host)
	if err != nil {
		return nil, err
	}
	if c.opts.Allow.listsName(host) {
		ctx = context.WithValue(ctx, listedNameKey{}, true)
	}
	var firstErr error
	for _, ip := range ips {
		target := net.JoinHostPort(ip.String(), port)
		var conn net.Conn
		dials.Add(1)
		if c.dialOverride != nil {
			conn, err = c.dialOverride(ctx, network, target)
		} else {
			conn, err = c.dialer.DialContext(ctx, network, target)
		}
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// vet returns the addresses to dial for host. With protection on, one
// non-public address in the answer refuses them all: a resolver that mixes
// public and private answers is exactly what a rebinding attack looks like.
func (c *Client) vet(ctx context.Context, host string) ([]netip.Addr, error) {
	// Again here, on the IDNA-normalized host the transport actually dials.
	if e := checkHost(host, c.protects(host)); e != nil {
		return nil, e
	}
	listed := c.opts.Allow.listsName(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	answers, err := c.opts.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(answers) == 0 {
		return nil, &Error{Kind: KindNetwork, Msg: "cannot resolve host: no addresses"}
	}
	ips := make([]netip.Addr, 0, len(answers))
	for _, a := range answers {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			return nil, blocked("invalid address in DNS answer")
		}
		ip = ip.Unmap().WithZone(a.Zone)
		if c.opts.Protection && !isPublic(ip) && !c.opts.Allow.allowsAddr(ip, listed) {
			// The address is not named: it would map internal DNS for the user.
			return nil, blocked("host resolves to a non-public address")
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

// control runs on the socket after it is created and before it connects,
// with the exact address the kernel is about to connect to. It is the
// second line of defence should anything ever dial around vet.
func (c *Client) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if !c.opts.Protection {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	listed, _ := ctx.Value(listedNameKey{}).(bool)
	if err != nil || !isPublic(ap.Addr()) && !c.opts.Allow.allowsAddr(ap.Addr(), listed) {
		return blocked("connection to a non-public address")
	}
	return nil
}

// cappedBody fails reads past limit with ErrTooLarge, whatever the server
// declared, and turns transport errors into *Error.
type cappedBody struct {
	r     io.ReadCloser
	left  int64 // bytes still allowed
	limit int64
	url   string
	err   error // sticky once over the limit
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Ask for one byte more than allowed, to tell "exactly at the limit"
	// from "over it".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = 0
		e := tooLarge(b.limit)
		e.URL = b.url
		b.err = e
		return n, e
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		e := classify(err)
		e.URL = b.url
		return n, e
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.r.Close() }

// CheckURL applies the rules of the first request to rawURL without
// connecting: scheme, length, credentials, and the host rules (which an
// allowlisted host passes). Addresses are still checked when a request
// dials, so a URL that passes here can be refused then (DNS rebinding). It
// lets a webhook or storage endpoint be refused with a clear error when it
// is saved rather than when it is first used.
func (c *Client) CheckURL(rawURL string) error {
	if len(rawURL) > MaxURLLength {
		return blocked(fmt.Sprintf("URL is longer than %d characters", MaxURLLength))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return blocked("invalid URL")
	}
	if e := checkURL(u, c.protects(u.Hostname())); e != nil {
		e.URL = Redact(rawURL)
		return e
	}
	return nil
}
