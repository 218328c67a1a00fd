package secret

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// Sealer encrypts values that must be read again later but never shown
// (webhook signing secrets, storage credentials), with AES-256-GCM under a
// key derived from the server secret for one purpose. A value sealed for
// one purpose does not open under another, and each value can be bound to
// the row it belongs to, so a sealed column copied into another row does
// not open there either.
type Sealer struct {
	purpose string
	aead    cipher.AEAD
}

// Sealer returns the Sealer for purpose, such as "webhook secret" or
// "storage credentials". It panics on the zero Key.
func (k Key) Sealer(purpose string) Sealer {
	if len(k.raw) == 0 {
		panic("secret: Sealer with the zero Key")
	}
	return Sealer{purpose: purpose, aead: k.gcm("sealer " + purpose)}
}

// Seal encrypts plaintext, bound to bind (for example the row's
// organization and id, or "" when nothing is known yet), with a fresh
// random nonce.
func (s Sealer) Seal(plaintext []byte, bind string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, s.ad(bind))
}

// ErrUnsealable is what Open returns for a value that was not sealed by
// this Sealer with the same bind, or was changed since.
var ErrUnsealable = errors.New("secret: sealed value cannot be opened (wrong key, purpose or row, or altered)")

// Open decrypts what Seal returned for the same bind.
func (s Sealer) Open(sealed []byte, bind string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrUnsealable
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], s.ad(bind))
	if err != nil {
		return nil, ErrUnsealable
	}
	return out, nil
}

func (s Sealer) ad(bind string) []byte {
	return []byte(s.purpose + "\x00" + bind)
}
