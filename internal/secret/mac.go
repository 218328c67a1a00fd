package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
)

// MAC returns a constructor of HMAC-SHA256 hashes keyed with the key
// derived from k for purpose, so that a value signed for one purpose is never
// accepted for another. It panics on the zero Key: a MAC under an empty
// secret would be no MAC at all.
func (k Key) MAC(purpose string) func() hash.Hash {
	if len(k.raw) == 0 {
		panic("secret: MAC with the zero Key")
	}
	sub := k.subkey(purpose)
	return func() hash.Hash { return hmac.New(sha256.New, sub) }
}
