package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisTLS is a redis-server the test started that speaks only TLS, with
// a certificate for "localhost" from a CA the test made.
type redisTLS struct {
	port   int
	caFile string
	client *redis.Client // trusts the CA; for seeding and reading
}

// MustRedisTLS starts /usr/bin/redis-server (Debian's build has TLS) on a
// free loopback port with TLS only (--port 0), a throwaway CA and a server
// certificate naming "localhost" alone.
func MustRedisTLS(t testing.TB) *redisTLS {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Gloss Redis test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.pem", "CERTIFICATE", caDER)
	certFile := write("server.pem", "CERTIFICATE", der)
	keyFile := write("server.key", "EC PRIVATE KEY", kder)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", strconv.Itoa(port),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", caFile, "--tls-auth-clients", "no",
		"--save", "", "--appendonly", "no", "--dir", dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server (Debian's redis-server package): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("localhost", strconv.Itoa(port)),
		TLSConfig: &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}})
	t.Cleanup(func() { c.Close() })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server with TLS did not answer:\n%s", out.String())
		}
	}
	return &redisTLS{port: port, caFile: caFile, client: c}
}

// TestRedisStorageOverTLS: a Redis storage with tls on syncs from a
// TLS-only redis-server whose CA Gloss trusts through CUSTOM_CA_CERTS, and
// writes annotations to it; without that CA, or by a host name the
// certificate does not name, the check and the sync fail with a short
// reason and make no task.
func TestRedisStorageOverTLS(t *testing.T) {
	r := MustRedisTLS(t)
	ctx := t.Context()
	r.client.Set(ctx, "tasks/a", `{"data": {"text": "over TLS"}}`, 0)
	r.client.Set(ctx, "tasks/b", `{"text": "also over TLS"}`, 0)

	const checkStorage = `mutation($s: ID!) { checkStorage(id: $s) { ok message } }`
	storage := func(owner *browser, project, direction, host, pfx string) string {
		in := map[string]any{"projectId": project, "direction": direction, "kind": "REDIS", "prefix": pfx,
			"redis": map[string]any{"host": host, "port": r.port, "tls": true}}
		return str(owner.ok(createStorageMutation, map[string]any{"i": in}), "createStorage", "id")
	}
	refused := func(owner *browser, project, id, want string) {
		t.Helper()
		c := owner.ok(checkStorage, map[string]any{"s": id})
		if msg := str(c, "checkStorage", "message"); path(c, "checkStorage", "ok") != false || !strings.Contains(msg, want) {
			t.Errorf("check: %v, want a refusal saying %q", c, want)
		}
		done := syncAndWait(t, owner, project, id)
		if str(done, "status") != "FAILED" || !strings.Contains(str(done, "message"), want) {
			t.Errorf("sync: %v, want FAILED saying %q", done, want)
		}
		if n := taskCount(t, owner, project); n != 0 {
			t.Errorf("a refused sync made %d tasks", n)
		}
	}
	allow := "127.0.0.1,localhost"

	// Trusted: the CA is in CUSTOM_CA_CERTS.
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": allow, "CUSTOM_CA_CERTS": r.caFile})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	src := storage(owner, project, "IMPORT", "localhost", "tasks/")
	if c := owner.ok(checkStorage, map[string]any{"s": src}); path(c, "checkStorage", "ok") != true {
		t.Fatalf("check of a trusted TLS Redis: %v", c)
	}
	if done := syncAndWait(t, owner, project, src); str(done, "status") != "COMPLETED" {
		t.Fatalf("sync over TLS: %v", done)
	}
	if n := taskCount(t, owner, project); n != 2 {
		t.Fatalf("the sync over TLS made %d tasks, want 2", n)
	}
	owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "EXPORT", "kind": "REDIS", "prefix": "out",
		"redis": map[string]any{"host": "localhost", "port": r.port, "tls": true}}})
	_, a := annotate(owner, project)
	waitFor(t, "the annotation in the TLS Redis", func() bool {
		v, _ := r.client.Get(ctx, "out/"+a).Result()
		return strings.Contains(v, `"id": `+a)
	})

	// A host name the certificate does not name (its address) is refused
	// although the CA is trusted.
	other := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	refused(owner, other, storage(owner, other, "IMPORT", "127.0.0.1", "tasks/"), "does not name its host")

	// TLS asked of a Redis that speaks none (the machine's, plain text).
	plain := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	plainID := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": plain, "direction": "IMPORT", "kind": "REDIS",
		"redis": map[string]any{"host": "127.0.0.1", "port": 6379, "db": 7, "tls": true}}}), "createStorage", "id")
	if c := owner.ok(checkStorage, map[string]any{"s": plainID}); path(c, "checkStorage", "ok") != false || str(c, "checkStorage", "message") != "the storage did not answer with TLS" {
		t.Errorf("check of TLS against a plain Redis: %v", c)
	}

	// Untrusted: the same server without CUSTOM_CA_CERTS.
	s2, owner2 := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": allow})
	project2 := (&team{s: s2, owner: owner2}).project(t, textClassification, nil)
	refused(owner2, project2, storage(owner2, project2, "IMPORT", "localhost", "tasks/"), "not trusted")
}
