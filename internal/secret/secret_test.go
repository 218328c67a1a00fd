package secret_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/internal/secret"
)

// MustLoad loads the key kept in dir.
func MustLoad(tb testing.TB, dir string) secret.Key {
	tb.Helper()
	k, err := secret.Load(dir, "")
	if err != nil {
		tb.Fatalf("Load(%q): %v", dir, err)
	}
	return k
}

// sealOpen reports whether what a seals for purpose, b opens to the same
// plaintext: the observable meaning of "the same key".
func sealOpen(a, b secret.Key, purpose string) bool {
	msg := []byte("invite token 8c1f")
	got, err := b.Open(purpose, a.Seal(purpose, msg))
	return err == nil && bytes.Equal(got, msg)
}

func TestLoadCreatesKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, secret.FileName)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("key file exists before the first Load: %v", err)
	}

	k1 := MustLoad(t, dir)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.TrimSpace(string(b))); n < 32 {
		t.Errorf("key file holds %d characters, want at least 32", n)
	}

	k2 := MustLoad(t, dir)
	if !sealOpen(k1, k2, "invite") || !sealOpen(k2, k1, "invite") {
		t.Error("the second Load returned a different key")
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, after) {
		t.Error("the second Load rewrote the key file")
	}

	other := MustLoad(t, t.TempDir())
	if sealOpen(k1, other, "invite") {
		t.Error("keys created in two directories are the same")
	}
}

func TestLoadFromEnv(t *testing.T) {
	dir := t.TempDir()
	value := strings.Repeat("s", 32)
	k1, err := secret.Load(dir, value)
	if err != nil {
		t.Fatalf("Load with a 32-character key: %v", err)
	}
	k2, err := secret.Load(t.TempDir(), value)
	if err != nil {
		t.Fatal(err)
	}
	if !sealOpen(k1, k2, "invite") {
		t.Error("one GLOSS_SECRET_KEY gave two keys")
	}
	if _, err := os.Stat(filepath.Join(dir, secret.FileName)); !os.IsNotExist(err) {
		t.Errorf("a key file was written although the key came from the environment: %v", err)
	}
	if sealOpen(k1, MustLoad(t, dir), "invite") {
		t.Error("the environment key and a file key are the same")
	}
}

func TestLoadRefusesShortKeys(t *testing.T) {
	for _, v := range []string{"x", strings.Repeat("s", 31)} {
		if _, err := secret.Load(t.TempDir(), v); err == nil {
			t.Errorf("Load accepted a %d-character GLOSS_SECRET_KEY", len(v))
		} else if !strings.Contains(err.Error(), "GLOSS_SECRET_KEY") {
			t.Errorf("error %q does not name GLOSS_SECRET_KEY", err)
		}
	}

	t.Run("short key file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, secret.FileName), []byte("  tooshort \n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := secret.Load(dir, ""); err == nil {
			t.Error("Load accepted a key file with a short key")
		}
	})
	t.Run("missing data directory", func(t *testing.T) {
		if _, err := secret.Load(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
			t.Error("Load succeeded without a data directory to keep the key in")
		}
	})
}

func TestSealOpen(t *testing.T) {
	k := MustLoad(t, t.TempDir())
	msg := []byte("https://gloss.example.com/signup?invite=abc")

	sealed := k.Seal("invite", msg)
	if bytes.Contains(sealed, msg) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := k.Open("invite", sealed)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("Open = %q, want %q", got, msg)
	}
	if again := k.Seal("invite", msg); bytes.Equal(again, sealed) {
		t.Error("sealing twice gave the same bytes; the nonce is not random")
	}
	if empty, err := k.Open("invite", k.Seal("invite", nil)); err != nil || len(empty) != 0 {
		t.Errorf("round trip of an empty value = %q, %v", empty, err)
	}

	tests := []struct {
		name    string
		key     secret.Key
		purpose string
		sealed  func() []byte
	}{
		{"other purpose", k, "session", func() []byte { return sealed }},
		{"other key", MustLoad(t, t.TempDir()), "invite", func() []byte { return sealed }},
		{"flipped ciphertext byte", k, "invite", func() []byte {
			b := bytes.Clone(sealed)
			b[len(b)/2] ^= 0x01
			return b
		}},
		{"flipped nonce byte", k, "invite", func() []byte {
			b := bytes.Clone(sealed)
			b[0] ^= 0x80
			return b
		}},
		{"flipped tag byte", k, "invite", func() []byte {
			b := bytes.Clone(sealed)
			b[len(b)-1] ^= 0x01
			return b
		}},
		{"truncated", k, "invite", func() []byte { return sealed[:len(sealed)-1] }},
		{"appended", k, "invite", func() []byte { return append(bytes.Clone(sealed), 0) }},
		{"shorter than a nonce", k, "invite", func() []byte { return sealed[:5] }},
		{"empty", k, "invite", func() []byte { return nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.key.Open(tc.purpose, tc.sealed())
			if err == nil {
				t.Errorf("Open succeeded with %q", got)
			}
		})
	}
	// The failures above leave the original intact.
	if got, err := k.Open("invite", sealed); err != nil || !bytes.Equal(got, msg) {
		t.Errorf("Open after the tamper cases = %q, %v", got, err)
	}
}

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool, 1000)
	for range 1000 {
		tok := secret.NewToken()
		if len(tok) < 43 {
			t.Fatalf("token %q has %d characters, want at least 43", tok, len(tok))
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			t.Fatalf("token %q is not unpadded URL-safe base64: %v", tok, err)
		}
		if len(raw) < 32 {
			t.Fatalf("token %q carries %d bytes, want 32", tok, len(raw))
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}
}

func TestHash(t *testing.T) {
	a := secret.Hash("token-a")
	if len(a) != 32 {
		t.Fatalf("Hash is %d bytes, want 32", len(a))
	}
	if !bytes.Equal(a, secret.Hash("token-a")) {
		t.Error("Hash is not deterministic")
	}
	if bytes.Equal(a, secret.Hash("token-b")) {
		t.Error("two tokens hash alike")
	}
	if bytes.Contains(a, []byte("token-a")) {
		t.Error("the hash contains the token")
	}
	// The SHA-256 of the empty string, a fixed known answer.
	const emptySHA256 = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
	if got := base64.RawURLEncoding.EncodeToString(secret.Hash("")); got != emptySHA256 {
		t.Errorf("Hash(\"\") = %s, want %s", got, emptySHA256)
	}
}

// TestTokenHasher: a stored token hash is keyed, so without the server
// secret it is not the SHA-256 of the token (which anyone can compute to
// test guesses at a chosen --user-token), another secret gives another
// hash, and an earlier release's plain hash keys to what the token hashes
// to now.
func TestTokenHasher(t *testing.T) {
	k1, err := secret.Load(t.TempDir(), strings.Repeat("a", 32))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := secret.Load(t.TempDir(), strings.Repeat("b", 32))
	if err != nil {
		t.Fatal(err)
	}
	h := k1.TokenHasher().Hash("token-a")
	if bytes.Equal(h, secret.Hash("token-a")) || bytes.Contains(h, secret.Hash("token-a")) {
		t.Fatal("the stored hash is the token's plain SHA-256")
	}
	if secret.PlainTokenHash(h) || !secret.PlainTokenHash(secret.Hash("token-a")) {
		t.Fatal("a keyed hash is not told apart from a plain one")
	}
	if !bytes.Equal(h, k1.TokenHasher().Hash("token-a")) {
		t.Error("the token hash is not deterministic")
	}
	if bytes.Equal(h, k1.TokenHasher().Hash("token-b")) {
		t.Error("two tokens hash alike")
	}
	if bytes.Equal(h, k2.TokenHasher().Hash("token-a")) {
		t.Error("two secrets give one hash")
	}
	if !bytes.Equal(h, k1.TokenHasher().Rekey(secret.Hash("token-a"))) {
		t.Error("a plain hash rekeyed is not the token's keyed hash")
	}
}
