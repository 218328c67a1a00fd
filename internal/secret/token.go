package secret

import (
	"crypto/sha256"
	"hash"
	"sync"
)

// tokenPurpose is the purpose of the key that API and session tokens are
// hashed under.
const tokenPurpose = "token hash"

// keyedToken is the first byte of a keyed token hash. It makes a keyed
// hash one byte longer than the plain SHA-256 that earlier releases stored,
// so the two are told apart by length alone.
const keyedToken = 1

// TokenHasher hashes API tokens and session tokens for storage: an HMAC,
// under a key derived from the server secret, of the token's SHA-256.
// Plain SHA-256 was enough for the server's own 256-bit tokens, but not for
// a `--user-token` the operator chose, which whoever can read the database
// could guess offline; without the key a stored hash tells nothing.
//
// The MAC is taken over the SHA-256 rather than the token so that the plain
// hashes an earlier release stored can be keyed at start-up
// (TokenHasher.Rekey) without the tokens: rekeyed on use instead, a token
// never used again would stay guessable, and the lookup would have to keep
// accepting plain hashes, which whoever can write the database could plant.
type TokenHasher struct {
	// macs holds keyed HMACs to reuse: every request hashes its token,
	// and a fresh HMAC costs its key schedule and nine allocations.
	macs *sync.Pool
}

// TokenHasher returns the token hasher of k. It panics on the zero Key, as
// MAC does.
func (k Key) TokenHasher() TokenHasher {
	mac := k.MAC(tokenPurpose)
	return TokenHasher{macs: &sync.Pool{New: func() any { return mac() }}}
}

// Hash returns the form in which token is stored and looked up.
func (t TokenHasher) Hash(token string) []byte {
	return t.Rekey(Hash(token))
}

// Rekey returns the keyed form of a plain SHA-256 token hash, as an
// earlier release stored it.
func (t TokenHasher) Rekey(plain []byte) []byte {
	m := t.macs.Get().(hash.Hash)
	defer t.macs.Put(m)
	m.Reset()
	m.Write(plain)
	return m.Sum([]byte{keyedToken})
}

// PlainTokenHash reports whether a stored token hash is an earlier
// release's plain SHA-256, not yet keyed.
func PlainTokenHash(stored []byte) bool {
	return len(stored) == sha256.Size
}
