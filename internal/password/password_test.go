package password_test

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/trustelem/zxcvbn/frequency"

	"gloss/internal/fault"
	"gloss/internal/password"
)

// pattern builds a password of n characters from a run that is not on any
// common-password list.
func pattern(n int, run string) string {
	r := []rune(strings.Repeat(run, n/len([]rune(run))+1))
	return string(r[:n])
}

func TestCheck(t *testing.T) {
	const ascii = "Zq7#vL2!"
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"empty", "", false},
		{"7 characters", pattern(7, ascii), false},
		{"8 characters", pattern(8, ascii), true},
		{"128 characters", pattern(128, ascii), true},
		{"129 characters", pattern(129, ascii), false},
		// Limits count characters, not bytes: 7 two-byte characters are 14
		// bytes and still too short; 128 of them are 256 bytes and fine.
		{"7 two-byte characters", pattern(7, "éßøñ"), false},
		{"8 two-byte characters", pattern(8, "éßøñ"), true},
		{"4 four-byte characters (16 bytes)", pattern(4, "🔑🌍"), false},
		{"8 four-byte characters", pattern(8, "🔑🌍"), true},
		{"128 two-byte characters", pattern(128, "éßøñ"), true},
		{"129 two-byte characters", pattern(129, "éßøñ"), false},
		{"invalid UTF-8", "abcdefgh\xff", false},
		{"common: password", "password", false},
		{"common, case-insensitive: PassWord", "PassWord", false},
		{"common: password1", "password1", false},
		{"common: qwerty123", "qwerty123", false},
		{"common: 12345678", "12345678", false},
		{"common: iloveyou", "iloveyou", false},
		{"common, case-insensitive: TrustNo1", "TrustNo1", false},
		{"common: qwertyuiop", "qwertyuiop", false},
		{"uncommon variant", "password-for-gloss-42", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := password.Check(tc.pw)
			if tc.ok {
				if err != nil {
					t.Errorf("Check(%q) = %v; want nil", tc.pw, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check(%q) = nil; want an error", tc.pw)
			}
			if e := fault.As(err); e == nil || e.Code != fault.BadInput {
				t.Errorf("Check(%q) = %#v; want a %s fault", tc.pw, err, fault.BadInput)
			}
		})
	}
}

// TestCheckRefusesTheCommonList checks every listed password that the
// length rule would otherwise accept, so the list is really consulted.
func TestCheckRefusesTheCommonList(t *testing.T) {
	list := frequency.FrequencyLists["passwords"]
	if len(list) < 10000 {
		t.Fatalf("the common-password list has %d entries; want the zxcvbn list", len(list))
	}
	checked := 0
	for _, pw := range list {
		if n := len([]rune(pw)); n < password.MinLength || n > password.MaxLength {
			continue
		}
		checked++
		if password.Check(pw) == nil {
			t.Errorf("Check(%q) = nil; it is on the common-password list", pw)
		}
		if up := strings.ToUpper(pw); password.Check(up) == nil {
			t.Errorf("Check(%q) = nil; it is on the list in another case", up)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d listed passwords have an allowed length", checked)
	}
}

var (
	hashOnce sync.Once
	hashed   string
	hashErr  error
)

const secretPassword = "correct horse battery staple"

// MustHash returns one shared hash of secretPassword: hashing is slow on
// purpose, so tests that only read a hash share it.
func MustHash(tb testing.TB) string {
	tb.Helper()
	hashOnce.Do(func() { hashed, hashErr = password.Hash(context.Background(), secretPassword) })
	if hashErr != nil {
		tb.Fatalf("Hash: %v", hashErr)
	}
	return hashed
}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := MustHash(t)

	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the expected parameters", h)
	}
	if strings.Contains(h, secretPassword) {
		t.Errorf("hash %q contains the password", h)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{secretPassword, true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{secretPassword + " ", false},
		{"", false},
	} {
		got, err := password.Verify(ctx, h, tc.pw)
		if err != nil {
			t.Fatalf("Verify(%q): %v", tc.pw, err)
		}
		if got != tc.want {
			t.Errorf("Verify(%q) = %v; want %v", tc.pw, got, tc.want)
		}
	}
}

func TestHashIsSalted(t *testing.T) {
	ctx := context.Background()
	h1 := MustHash(t)
	h2, err := password.Hash(ctx, secretPassword)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Fatalf("two hashes of one password are equal: %q", h1)
	}
	if salt1, salt2 := strings.Split(h1, "$")[4], strings.Split(h2, "$")[4]; salt1 == salt2 {
		t.Errorf("two hashes share the salt %q", salt1)
	}
	for _, h := range []string{h1, h2} {
		if ok, err := password.Verify(ctx, h, secretPassword); err != nil || !ok {
			t.Errorf("Verify(%q) = %v, %v; want true", h, ok, err)
		}
	}
}

func TestHashMultiByte(t *testing.T) {
	ctx := context.Background()
	pw := "пароль-密码-🔑-contraseña"
	h, err := password.Hash(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := password.Verify(ctx, h, pw); err != nil || !ok {
		t.Errorf("Verify(own password) = %v, %v; want true", ok, err)
	}
	if ok, err := password.Verify(ctx, h, "пароль-密码-🔑-contrasena"); err != nil || ok {
		t.Errorf("Verify(near miss) = %v, %v; want false", ok, err)
	}
}

// TestVerifyMalformed feeds hashes that are wrong in one part each. Every
// case is verified with the right password, so a part that went unchecked
// would show up as a match.
func TestVerifyMalformed(t *testing.T) {
	ctx := context.Background()
	h := MustHash(t)
	parts := strings.Split(h, "$") // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"plain text", secretPassword},
		{"only a dollar", "$"},
		{"missing key", strings.Join(parts[:5], "$")},
		{"extra part", h + "$extra"},
		{"argon2i", with(1, "argon2i")},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"other version", with(2, "v=16")},
		{"version not a number", with(2, "v=x")},
		{"no version", with(2, "")},
		{"parameters not numbers", with(3, "m=a,t=b,p=c")},
		{"parameters missing", with(3, "")},
		{"no lanes", with(3, "m=19456,t=2,p=0")},
		{"lanes overflow", with(3, "m=19456,t=2,p=300")},
		{"negative memory", with(3, "m=-1,t=2,p=1")},
		{"memory too large", with(3, "m=4194304,t=2,p=1")},
		{"too many passes", with(3, "m=19456,t=1000000,p=1")},
		{"other memory", with(3, "m=19455,t=2,p=1")},
		{"other passes", with(3, "m=19456,t=3,p=1")},
		{"salt not base64", with(4, "!!!!")},
		{"other salt", with(4, "AAAAAAAAAAAAAAAAAAAAAA")},
		{"key not base64", with(5, "!!!!")},
		{"empty key", with(5, "")},
		{"padded key", with(5, parts[5]+"=")},
		{"no passes", with(3, "m=19456,t=0,p=1")},
		{"key longer than derived", with(5, parts[5]+parts[5])},
		{"key cut to one byte", with(5, base64.RawStdEncoding.EncodeToString(mustDecode(t, parts[5])[:1]))},
		{"text before the hash", "x" + h},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Verify(%q) panicked: %v", tc.hash, r)
				}
			}()
			ok, err := password.Verify(ctx, tc.hash, secretPassword)
			if ok {
				t.Errorf("Verify(%q) = true; a malformed hash must never match", tc.hash)
			}
			if err != nil {
				t.Errorf("Verify(%q) error = %v; want a plain false", tc.hash, err)
			}
		})
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWaste(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Waste panicked: %v", r)
		}
	}()
	password.Waste(context.Background(), "gloss-no-such-account")
	password.Waste(context.Background(), secretPassword)
}

// BenchmarkVerifyParallel verifies from many goroutines at once, as a storm
// of sign-ins does, and reports the CPU time per verification and the
// process's peak resident memory (which the slots and reclaim keep near the
// work memory of the hashes in flight).
func BenchmarkVerifyParallel(b *testing.B) {
	h := MustHash(b)
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := password.Verify(context.Background(), h, secretPassword); !ok || err != nil {
				b.Errorf("Verify = %v, %v", ok, err)
			}
		}
	})
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano()
	b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(after.Maxrss)/1024, "peak-RSS-MB")
}
