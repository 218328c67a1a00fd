package storage

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// errTLSSilent is a TLS handshake the server never answered, as a server
// that speaks no TLS does when it waits for a command line.
var errTLSSilent = errors.New("the storage did not answer with TLS")

// tlsReason says in a few words why a storage's TLS handshake failed, or
// returns nil when err is no TLS failure. The operator fixes the first by
// adding the storage's CA to CUSTOM_CA_CERTS, the second by using the host
// name the certificate names.
func tlsReason(err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return errors.New("the storage's TLS certificate is not trusted (is its CA in CUSTOM_CA_CERTS?)")
	case errors.As(err, &hostname):
		return errors.New("the storage's TLS certificate does not name its host")
	case errors.As(err, &invalid):
		return errors.New("the storage's TLS certificate is not valid (expired or not for a server)")
	case errors.As(err, &record), errors.Is(err, errTLSSilent):
		return errTLSSilent
	}
	return nil
}
