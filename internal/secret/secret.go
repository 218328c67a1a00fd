// Package secret holds the server's secret key and what is derived from it:
// random tokens, their hashes, and sealing of values that must be shown again
// later (invite links) so that they are encrypted at rest.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the key file created in the data directory when
// GLOSS_SECRET_KEY is not set.
const FileName = "secret.key"

// Key is the server's secret key.
type Key struct {
	raw []byte
}

// Load returns the key given in fromEnv (GLOSS_SECRET_KEY), or the one kept in
// dataDir, creating it with mode 0600 on first start.
func Load(dataDir, fromEnv string) (Key, error) {
	if fromEnv != "" {
		if len(fromEnv) < 32 {
			return Key{}, errors.New("GLOSS_SECRET_KEY must be at least 32 characters")
		}
		return Key{raw: []byte(fromEnv)}, nil
	}
	path := filepath.Join(dataDir, FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return Key{}, fmt.Errorf("generate secret key: %w", err)
		}
		enc := hex.EncodeToString(raw)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return Key{}, fmt.Errorf("create secret key file: %w", err)
		}
		if _, err := f.WriteString(enc + "\n"); err != nil {
			f.Close()
			return Key{}, fmt.Errorf("write secret key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return Key{}, fmt.Errorf("write secret key file: %w", err)
		}
		return Key{raw: []byte(enc)}, nil
	}
	if err != nil {
		return Key{}, fmt.Errorf("read secret key file: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if len(k) < 32 {
		return Key{}, fmt.Errorf("secret key file %s is too short", path)
	}
	return Key{raw: []byte(k)}, nil
}

// subkey derives a 32-byte key for one purpose, so that no two uses of the
// secret share key material.
func (k Key) subkey(purpose string) []byte {
	b, err := hkdf.Key(sha256.New, k.raw, nil, "gloss "+purpose, 32)
	if err != nil {
		panic(err) // only fails for lengths above 255*32
	}
	return b
}

// Seal encrypts plaintext with AES-GCM under the key for purpose.
func (k Key) Seal(purpose string, plaintext []byte) []byte {
	gcm := k.gcm(purpose)
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return gcm.Seal(nonce, nonce, plaintext, []byte(purpose))
}

// Open decrypts what Seal returned for the same purpose.
func (k Key) Open(purpose string, sealed []byte) ([]byte, error) {
	gcm := k.gcm(purpose)
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed value is too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(purpose))
}

func (k Key) gcm(purpose string) cipher.AEAD {
	block, err := aes.NewCipher(k.subkey(purpose))
	if err != nil {
		panic(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}

// NewToken returns a fresh random token with 256 bits of entropy, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the SHA-256 of a token, the form in which invite tokens are
// stored: the server makes them all, with 256 bits of entropy, so a fast
// hash is enough. API and session tokens are stored keyed (TokenHasher), as
// an API token may be one the operator chose (`--user-token`).
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
