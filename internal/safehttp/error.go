package safehttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
)

// Kind classifies an *Error so callers can decide what to tell the user and
// whether to retry without parsing messages.
type Kind string

// The kinds of failure. Each has a sentinel error that errors.Is matches.
const (
	KindBlocked  Kind = "blocked"   // refused by policy before connecting: URL, host, address or redirect
	KindTooLarge Kind = "too_large" // the body is over Options.MaxBytes
	KindTimeout  Kind = "timeout"   // a time limit or the context deadline ran out
	KindStatus   Kind = "status"    // the server answered with a status outside 2xx
	KindNetwork  Kind = "network"   // DNS, connect, TLS or protocol failure
)

// Sentinel errors for errors.Is; every error the client returns is an *Error
// whose Kind selects one of these.
var (
	ErrBlocked  = errors.New("safehttp: request blocked")
	ErrTooLarge = errors.New("safehttp: response too large")
	ErrTimeout  = errors.New("safehttp: request timed out")
	ErrStatus   = errors.New("safehttp: unexpected status")
	ErrNetwork  = errors.New("safehttp: network error")
)

// Error is a failed fetch. Its message is safe to log and to show to the
// user who gave the URL: it names the URL without credentials, query or
// fragment, and never contains bytes the remote server sent.
type Error struct {
	Kind   Kind
	URL    string // redacted with Redact: scheme://host/path
	Status int    // the HTTP status for KindStatus, else 0
	Msg    string

	// cause is kept for errors.Is/As (context.Canceled, *net.OpError...).
	// It can contain text from the remote server, so Error never prints it.
	cause error
}

// Error returns "fetch URL: Msg".
func (e *Error) Error() string {
	if e.URL == "" {
		return "fetch: " + e.Msg
	}
	return "fetch " + e.URL + ": " + e.Msg
}

// Is makes errors.Is(err, ErrBlocked) and the other sentinels work.
func (e *Error) Is(target error) bool {
	switch e.Kind {
	case KindBlocked:
		return target == ErrBlocked
	case KindTooLarge:
		return target == ErrTooLarge
	case KindTimeout:
		return target == ErrTimeout
	case KindStatus:
		return target == ErrStatus
	case KindNetwork:
		return target == ErrNetwork
	}
	return false
}

// Unwrap returns the underlying cause, if any. Do not print it: unlike
// Error, it may quote the remote server.
func (e *Error) Unwrap() error { return e.cause }

func blocked(reason string) *Error {
	return &Error{Kind: KindBlocked, Msg: "blocked: " + reason}
}

func tooLarge(limit int64) *Error {
	return &Error{Kind: KindTooLarge, Msg: "response is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}

// Redact returns rawURL as scheme://host/path, dropping credentials, query
// and fragment, which is the only form of a URL that goes into errors and
// logs. Paths longer than 256 bytes are cut.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(invalid URL)"
	}
	s := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
	if len(s) > 256 {
		s = s[:256] + "..."
	}
	return s
}

// classify turns any error from the transport into an *Error whose message
// we wrote ourselves. Errors from net/http can quote the server (for example
// "malformed HTTP response" with its first line) and *url.Error quotes the
// whole URL, so their text is never reused.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		cp := *e
		return &cp
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &Error{Kind: KindTimeout, Msg: "timed out", cause: err}
	}
	msg := "request failed"
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		opErr   *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled):
		msg = "canceled"
	case errors.As(err, &dnsErr):
		msg = "cannot resolve host"
		if dnsErr.IsNotFound {
			msg += ": no such host"
		}
	case errors.As(err, &certErr):
		msg = "TLS certificate verification failed: " + certProblem(certErr.Err)
	case errors.As(err, &recErr):
		msg = "server did not answer with TLS"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		msg = "cannot connect to host"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "connection closed early"
	}
	return &Error{Kind: KindNetwork, Msg: msg, cause: err}
}

// certProblem names what is wrong with a certificate in our words; x509's
// own messages quote names from the server's certificate.
func certProblem(err error) string {
	var (
		hostErr      x509.HostnameError
		authorityErr x509.UnknownAuthorityError
		invalidErr   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &authorityErr):
		return "signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "not valid for the host name" // hostErr.Host is ours, but the URL already names it
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return "expired or not yet valid"
	}
	return "invalid certificate"
}
