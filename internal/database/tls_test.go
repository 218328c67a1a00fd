package database_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gloss/internal/config"
	"gloss/internal/database"
)

// testCA is a certificate authority a test makes for itself.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func mustCA(tb testing.TB, name string) *testCA {
	tb.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a server certificate and key (PEM) for the DNS names.
func (ca *testCA) issue(tb testing.TB, names ...string) (certPEM, keyPEM []byte) {
	tb.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// pgBin finds Debian's PostgreSQL server programs; `make deps` installs
// the postgresql package that holds them.
func pgBin(tb testing.TB) string {
	tb.Helper()
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(m) == 0 {
		tb.Fatal("this test needs initdb and pg_ctl from Debian's postgresql package: run `make deps`")
	}
	return filepath.Dir(m[len(m)-1])
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// MustTLSCluster starts a throwaway PostgreSQL cluster on loopback with ssl
// on and a certificate from ca for "localhost" only, and returns its
// port.
func MustTLSCluster(tb testing.TB, ca *testCA) int {
	tb.Helper()
	bin := pgBin(tb)
	dir, err := os.MkdirTemp("", "gloss-pgtls-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	// PostgreSQL refuses to run as root: run it as the postgres user.
	var cred *syscall.Credential
	var uid, gid int = -1, -1
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running as root, and no postgres user to run the cluster as: %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		tb.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
	certPEM, keyPEM := ca.issue(tb, "localhost")
	write := func(name string, b []byte) {
		p := filepath.Join(data, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			tb.Fatal(err)
		}
		if uid >= 0 {
			os.Chown(p, uid, gid)
		}
	}
	write("server.crt", certPEM)
	write("server.key", keyPEM)
	port := freePort(tb)
	conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(conf, "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nfsync = off\n", port, dir)
	conf.Close()
	// Only TLS connections over TCP.
	write("pg_hba.conf", []byte("hostssl all all 127.0.0.1/32 trust\n"))
	run("pg_ctl", "-D", data, "-w", "-l", filepath.Join(dir, "log"), "start")
	tb.Cleanup(func() {
		cmd := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		_ = cmd.Run()
	})
	return port
}

// TestPostgresVerifyFull connects to PostgreSQL over TLS with
// sslmode=verify-full: the right CA and host name pass; a wrong CA or a
// host name the certificate does not name is refused.
func TestPostgresVerifyFull(t *testing.T) {
	ca, other := mustCA(t, "Gloss test CA"), mustCA(t, "Another CA")
	port := MustTLSCluster(t, ca)
	caFile, otherFile := filepath.Join(t.TempDir(), "ca.pem"), filepath.Join(t.TempDir(), "other.pem")
	os.WriteFile(caFile, ca.pem, 0o600)
	os.WriteFile(otherFile, other.pem, 0o600)
	dsn := func(host, root string) string {
		return fmt.Sprintf("postgres://postgres@%s:%d/postgres?sslmode=verify-full&sslrootcert=%s&connect_timeout=10", host, port, root)
	}
	ctx := context.Background()

	db, err := database.Open(ctx, dsn("localhost", caFile), t.TempDir())
	if err != nil {
		t.Fatalf("verify-full with the right CA: %v", err)
	}
	var ssl bool
	if err := db.SQL.QueryRowContext(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || !ssl {
		t.Errorf("the connection is not TLS (ssl=%v, %v)", ssl, err)
	}
	db.Close()

	for name, url := range map[string]string{
		"a wrong CA":                   dsn("localhost", otherFile),
		"a host the certificate lacks": dsn("127.0.0.1", caFile),
	} {
		if db, err := database.Open(ctx, url, t.TempDir()); err == nil {
			db.Close()
			t.Errorf("%s: connected", name)
		} else if !strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "x509") {
			t.Errorf("%s: %v, want a certificate error", name, err)
		}
	}
}

// TestPostgresTrustsCustomCA connects with sslmode=verify-full (and
// verify-ca) and no sslrootcert: the server's CA given only through
// CUSTOM_CA_CERTS is trusted; without it, or with another CA there, the
// connection is refused.
func TestPostgresTrustsCustomCA(t *testing.T) {
	ca, other := mustCA(t, "Gloss test CA"), mustCA(t, "Another CA")
	port := MustTLSCluster(t, ca)
	caFile, otherFile := filepath.Join(t.TempDir(), "ca.pem"), filepath.Join(t.TempDir(), "other.pem")
	os.WriteFile(caFile, ca.pem, 0o600)
	os.WriteFile(otherFile, other.pem, 0o600)
	roots := func(customCACerts string) *x509.CertPool {
		if customCACerts == "" {
			return nil
		}
		pool, err := (&config.Config{CustomCACerts: customCACerts}).RootCAs()
		if err != nil {
			t.Fatal(err)
		}
		return pool
	}
	dsn := func(host, mode string) string {
		return fmt.Sprintf("postgres://postgres@%s:%d/postgres?sslmode=%s&connect_timeout=10", host, port, mode)
	}
	ctx := context.Background()

	for name, url := range map[string]string{
		"verify-full":                     dsn("localhost", "verify-full"),
		"verify-ca, by address (no name)": dsn("127.0.0.1", "verify-ca"),
	} {
		db, err := database.OpenTrusting(ctx, url, t.TempDir(), roots(caFile))
		if err != nil {
			t.Fatalf("%s with the CA in CUSTOM_CA_CERTS: %v", name, err)
		}
		var ssl bool
		if err := db.SQL.QueryRowContext(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || !ssl {
			t.Errorf("%s: the connection is not TLS (ssl=%v, %v)", name, ssl, err)
		}
		db.Close()
	}

	for name, c := range map[string]struct{ url, custom string }{
		"no CUSTOM_CA_CERTS":              {dsn("localhost", "verify-full"), ""},
		"another CA in CUSTOM_CA_CERTS":   {dsn("localhost", "verify-full"), otherFile},
		"verify-ca with another CA":       {dsn("localhost", "verify-ca"), otherFile},
		"a host the certificate lacks":    {dsn("127.0.0.1", "verify-full"), caFile},
		"sslrootcert wins over CUSTOM_CA": {dsn("localhost", "verify-full") + "&sslrootcert=" + otherFile, caFile},
	} {
		if db, err := database.OpenTrusting(ctx, c.url, t.TempDir(), roots(c.custom)); err == nil {
			db.Close()
			t.Errorf("%s: connected", name)
		} else if !strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "x509") {
			t.Errorf("%s: %v, want a certificate error", name, err)
		}
	}
}
