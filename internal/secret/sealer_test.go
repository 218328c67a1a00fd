package secret_test

import (
	"bytes"
	"errors"
	"testing"

	"gloss/internal/secret"
)

func TestSealer(t *testing.T) {
	k := MustLoad(t, t.TempDir())
	s := k.Sealer("webhook secret")
	plain := []byte("whsec-very-secret")
	a, b := s.Seal(plain, "org 1 row 7"), s.Seal(plain, "org 1 row 7")
	if bytes.Equal(a, b) {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if bytes.Contains(a, plain) {
		t.Error("the sealed value contains the plaintext")
	}
	got, err := s.Open(a, "org 1 row 7")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Another row, another purpose, another server key, a flipped bit, a
	// truncated value: none opens.
	flipped := bytes.Clone(a)
	flipped[len(flipped)-1] ^= 1
	other := MustLoad(t, t.TempDir()).Sealer("webhook secret")
	for name, open := range map[string]func() ([]byte, error){
		"other row":     func() ([]byte, error) { return s.Open(a, "org 1 row 8") },
		"other purpose": func() ([]byte, error) { return k.Sealer("storage credentials").Open(a, "org 1 row 7") },
		"other key":     func() ([]byte, error) { return other.Open(a, "org 1 row 7") },
		"altered":       func() ([]byte, error) { return s.Open(flipped, "org 1 row 7") },
		"truncated":     func() ([]byte, error) { return s.Open(a[:10], "org 1 row 7") },
		"empty":         func() ([]byte, error) { return s.Open(nil, "org 1 row 7") },
	} {
		if out, err := open(); !errors.Is(err, secret.ErrUnsealable) || out != nil {
			t.Errorf("%s: Open = %q, %v; want ErrUnsealable", name, out, err)
		}
	}
}
