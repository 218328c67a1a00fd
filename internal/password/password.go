// Package password hashes and checks passwords with argon2id and enforces
// Gloss's password rules: 8 to 128 characters, and none of the 30,000 most
// common passwords (the list zxcvbn ships, drawn from leaked password sets).
package password

//go:generate go run commongen.go

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"gloss/internal/fault"
)

// The length limits, in characters.
const (
	MinLength = 8
	MaxLength = 128
)

// argon2id parameters: OWASP's minimum (19 MiB, two passes, one lane).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	keyLen    = 32
	saltLen   = 16
)

// slots caps concurrent hashing so a burst of sign-ins cannot exhaust
// memory: each hash holds 19 MiB while it runs.
var slots = make(chan struct{}, max(2, runtime.NumCPU()))

// commonList is every entry of zxcvbn's common-password list that Check
// could match (lower case, of an allowed length), sorted, one a line; it
// is written by commongen.go. It stays in the binary's read-only data: a
// process that never checks a new password never reads it.
//
//go:embed common.txt
var commonList string

// common is commonList split into lines on first use (slices of the
// embedded text, so only the headers are on the heap).
var common = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimSuffix(commonList, "\n"), "\n")
})

// Check returns a BAD_USER_INPUT error that says what is wrong with pw, or
// nil when pw may be used.
func Check(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return fault.Invalid("password is not valid UTF-8")
	case n < MinLength:
		return fault.Invalid("password must be at least %d characters", MinLength)
	case n > MaxLength:
		return fault.Invalid("password must be at most %d characters", MaxLength)
	}
	if _, ok := slices.BinarySearch(common(), strings.ToLower(pw)); ok {
		return fault.Invalid("this password is one of the most common passwords; choose another")
	}
	return nil
}

// Hash returns the argon2id hash of pw in the PHC string format.
func Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key, err := derive(ctx, pw, salt, memoryKiB, passes, lanes)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches hash. A malformed hash never matches.
func Verify(ctx context.Context, hash, pw string) (bool, error) {
	var version int
	var m, t uint32
	var p uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, nil
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	// Only hashes of the shape Hash writes are checked; anything else, even
	// if argon2 could compute it, never matches.
	if err1 != nil || err2 != nil || len(want) != keyLen || len(salt) < 8 ||
		m < 8*uint32(p) || m > 256*1024 || t < 1 || t > 16 || p == 0 {
		return false, nil
	}
	got, err := derive(ctx, pw, salt, m, t, p)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is verified against when an account does not exist, so that an
// unknown email costs the same time as a wrong password.
var dummy = sync.OnceValue(func() string {
	h, err := Hash(context.Background(), "gloss-no-such-account")
	if err != nil {
		panic(err)
	}
	return h
})

// Waste spends the time of one verification and reports nothing. Callers use
// it when there is no account to check against.
func Waste(ctx context.Context, pw string) {
	_, _ = Verify(ctx, dummy(), pw)
}

func derive(ctx context.Context, pw string, salt []byte, m, t uint32, p uint8) ([]byte, error) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-slots }()
	reclaim()
	key := argon2.IDKey([]byte(pw), salt, t, m, p, keyLen)
	freedAt.Store(gcCycles())
	return key, nil
}

// freedAt is the number of garbage collections completed when the last
// hash returned, leaving its work memory (19 MiB) as garbage.
var freedAt atomic.Uint64

// reclaim runs a garbage collection before a hash allocates its work
// memory when no collection has completed since the last hash's became
// garbage, so that this hash reuses those pages. Left to the pacer, which
// counts the hashes in flight as live heap, a storm of sign-ins grows the
// heap by several hashes' worth between cycles. In the login storm of
// bench/ (three runs each on a busy machine) this takes the peak RSS from
// 173-191 MB to 134 MB for 1.06-1.17 times the CPU per sign-in of plain
// argon2id (1.05-1.19 without); collecting after every hash instead costs
// 1.3-1.5 times, as the pacer then runs a second cycle per hash. A cycle
// marks only the live heap (the work memory holds no pointers), so it is
// skipped when the live heap is large: there it would cost more than the
// hash, and the pacer's headroom dwarfs a hash anyway.
func reclaim() {
	if gcCycles() != freedAt.Load() {
		return // a cycle has run since: the pacer keeps up
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > reclaimBelow {
		return
	}
	runtime.GC()
}

// reclaimBelow is the live heap above which reclaim leaves the work memory
// to the pacer: four times the work memory of the hashes that may run at
// once.
var reclaimBelow = 4 * uint64(cap(slots)) * memoryKiB << 10

// gcCycles returns the number of garbage collections completed so far.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
