package storage

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	cloudstorage "cloud.google.com/go/storage"
)

// TestSignedURLIsTheSDKs holds Gloss's V4 signer to
// cloud.google.com/go/storage's SignedURL, the reference implementation:
// for the same key, object, host, time and lifetime both must give the
// same URL, byte for byte (RSA PKCS #1 v1.5 signatures are deterministic,
// so any difference in the canonical request shows).
func TestSignedURLIsTheSDKs(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	parsed, err := parseRSAKey(string(pemKey))
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if k, err := parseRSAKey(string(pkcs1)); err != nil || !k.Equal(key) {
		t.Fatalf("a PKCS #1 key: %v", err)
	}
	const email = "gloss@gloss-test.iam.gserviceaccount.com"
	for _, tc := range []struct {
		name, host, bucket, object string
		insecure                   bool
		ttl                        time.Duration
	}{
		{"Google", "", "media", "images/a.png", false, 5 * time.Minute},
		{"an endpoint over http", "127.0.0.1:4443", "media", "images/a.png", true, 5 * time.Minute},
		{"spaces and plus signs", "gcs.example.com", "my-bucket", "a dir/b+c d.png", false, time.Hour},
		{"reserved characters", "gcs.example.com", "my_bucket.example", "x/?#&=%;,'\"()*!~@:$[].jpg", false, time.Minute},
		{"unicode", "gcs.example.com", "b1", "日本/é ü/🔑.wav", false, 7 * 24 * time.Hour},
		{"leading, doubled and trailing slashes", "gcs.example.com", "b1", "/a//b/", false, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := cloudstorage.SignedURL(tc.bucket, tc.object, &cloudstorage.SignedURLOptions{
				GoogleAccessID: email, PrivateKey: pemKey, Method: http.MethodGet,
				Expires: time.Now().Add(tc.ttl), Scheme: cloudstorage.SigningSchemeV4,
				Hostname: tc.host, Insecure: tc.insecure,
			})
			if err != nil {
				t.Fatal(err)
			}
			// The SDK reads its own clock: sign at the moment it signed at,
			// for the lifetime it wrote.
			u, _ := url.Parse(want)
			q := u.Query()
			at, err := time.Parse("20060102T150405Z", q.Get("X-Goog-Date"))
			if err != nil {
				t.Fatal(err)
			}
			secs, _ := strconv.Atoi(q.Get("X-Goog-Expires"))
			host := tc.host
			if host == "" {
				host = "storage.googleapis.com"
			}
			got, err := signedURL(parsed, email, host, !tc.insecure, tc.bucket, tc.object, at, time.Duration(secs)*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("signed URL\n got %s\nwant %s", got, want)
			}
		})
	}
	// Lifetimes GCS refuses are not signed.
	for _, ttl := range []time.Duration{0, -time.Second, 7*24*time.Hour + time.Second} {
		if u, err := signedURL(parsed, email, "storage.googleapis.com", true, "b1", "a", time.Now(), ttl); !errors.Is(err, errNoPresign) {
			t.Errorf("ttl %s: %q, %v; want errNoPresign", ttl, u, err)
		}
	}
}
