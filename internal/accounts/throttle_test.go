package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gloss/ent/throttle"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// testService opens a fresh database for one test: SQLite in a temp dir,
// and PostgreSQL too when DATABASE_URL is set (a new database per test).
func testServices(t *testing.T) map[string]*Service {
	t.Helper()
	out := map[string]*Service{}
	for name, ss := range testProcesses(t, 1) {
		out[name] = ss[0]
	}
	return out
}

// testProcesses opens a fresh database for one test, as testServices
// does, n times over: n services with pools of their own on one database,
// as n processes have.
func testProcesses(t *testing.T, n int) map[string][]*Service {
	t.Helper()
	ctx := context.Background()
	out := map[string][]*Service{}
	open := func(url, dir string) *Service {
		db, err := database.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// The server's key, which the service hashes tokens under.
		key, err := secret.Load("", "a test key of at least thirty-two characters")
		if err != nil {
			t.Fatal(err)
		}
		return NewService(db.Client, nil, Options{Key: key, Dialect: db.Dialect})
	}
	dir := t.TempDir()
	for range n {
		out["sqlite"] = append(out["sqlite"], open("", dir))
	}
	if base := os.Getenv("DATABASE_URL"); base != "" {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("DATABASE_URL is set but PostgreSQL cannot be reached: %v", err)
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "gloss_auth_" + hex.EncodeToString(b)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		u, _ := url.Parse(base)
		u.Path = "/" + name
		t.Cleanup(func() { // after the pools close: cleanups run last first
			if c, err := pgx.Connect(ctx, base); err == nil {
				_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				c.Close(ctx)
			}
		})
		for range n {
			out["postgres"] = append(out["postgres"], open(u.String(), t.TempDir()))
		}
	}
	return out
}

func failures(t *testing.T, s *Service, k throttleKey) int {
	t.Helper()
	r, err := s.client.Throttle.Query().Where(throttle.Key(k.key)).Only(viewer.NewSystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return r.Failures
}

// TestTakeRefusesAtTheLimitAndRestartsAfterTheWindow drives the one
// statement through a window: limit takes pass, the next is refused without
// counting, a refund gives one back, and a take after the window starts
// again at one.
func TestTakeRefusesAtTheLimitAndRestartsAfterTheWindow(t *testing.T) {
	for name, s := range testServices(t) {
		t.Run(name, func(t *testing.T) {
			ctx := viewer.NewSystemContext(context.Background())
			k := throttleKey{"test:window", 3}
			now := time.Now().UTC()
			for i := 1; i <= 3; i++ {
				if ok, err := s.take(ctx, k, now.Add(time.Duration(i)*time.Second)); err != nil || !ok {
					t.Fatalf("take %d: %v %v", i, ok, err)
				}
			}
			for i := 0; i < 3; i++ {
				if ok, err := s.take(ctx, k, now.Add(time.Minute)); err != nil || ok {
					t.Fatalf("take past the limit: %v %v", ok, err)
				}
			}
			if n := failures(t, s, k); n != 3 {
				t.Fatalf("refused takes were counted: %d", n)
			}
			s.refund(ctx, k)
			if ok, _ := s.take(ctx, k, now.Add(time.Minute)); !ok {
				t.Fatal("a refunded attempt cannot be taken again")
			}
			if ok, _ := s.take(ctx, k, now.Add(throttleWindow-time.Second)); ok {
				t.Fatal("the window ended early")
			}
			if ok, err := s.take(ctx, k, now.Add(throttleWindow+time.Second)); err != nil || !ok {
				t.Fatalf("a new window did not start: %v %v", ok, err)
			}
			if n := failures(t, s, k); n != 1 {
				t.Fatalf("a new window starts at %d, want 1", n)
			}
		})
	}
}

// TestReserveUnderABurst takes from one key from many goroutines at once:
// exactly the limit get through, the rest are refused with RATE_LIMITED,
// and a key refused later gives back the keys taken before it.
func TestReserveUnderABurst(t *testing.T) {
	for name, s := range testServices(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			k := throttleKey{"test:burst", 5}
			var passed, limited atomic.Int32
			var wg sync.WaitGroup
			for i := 0; i < 40; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.reserve(ctx, k)
					switch {
					case err == nil:
						passed.Add(1)
					case fault.As(err) != nil && fault.As(err).Code == fault.RateLimited:
						limited.Add(1)
					default:
						t.Errorf("reserve: %v", err)
					}
				}()
			}
			wg.Wait()
			if passed.Load() != 5 || limited.Load() != 35 {
				t.Fatalf("passed %d, limited %d; want 5 and 35", passed.Load(), limited.Load())
			}
			other := throttleKey{"test:other", 5}
			if err := s.reserve(ctx, other, k); err == nil {
				t.Fatal("a full key was taken")
			}
			if n := failures(t, s, other); n != 0 {
				t.Fatalf("the key before a refusal kept its attempt: %d", n)
			}
		})
	}
}

// TestFirstRefusalIsOnePerWindowAcrossProcesses: of the refusals under a
// full key, from two processes on one database at once, exactly one is
// the first of its window (the one recorded); the next window has a first
// of its own.
func TestFirstRefusalIsOnePerWindowAcrossProcesses(t *testing.T) {
	for name, ss := range testProcesses(t, 2) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			k := throttleKey{"test:first", 5}
			firsts := func() int {
				t.Helper()
				var n atomic.Int32
				var wg sync.WaitGroup
				for i := range 40 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var refused *refusedBy
						if err := ss[i%2].reserve(ctx, k); !errors.As(err, &refused) {
							t.Errorf("reserve under a full key: %v", err)
						} else if refused.first {
							n.Add(1)
						}
					}()
				}
				wg.Wait()
				return int(n.Load())
			}
			for range k.limit {
				if err := ss[0].reserve(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if n := firsts(); n != 1 {
				t.Fatalf("%d refusals of one window were its first, want 1", n)
			}
			if n := firsts(); n != 0 {
				t.Fatalf("%d more refusals of the window were its first, want none", n)
			}
			// The window ends; the next one fills and has one first.
			sys := viewer.NewSystemContext(ctx)
			if err := ss[1].client.Throttle.Update().Where(throttle.Key(k.key)).
				SetWindowStart(time.Now().Add(-throttleWindow - time.Minute)).Exec(sys); err != nil {
				t.Fatal(err)
			}
			for range k.limit {
				if err := ss[1].reserve(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if n := firsts(); n != 1 {
				t.Fatalf("%d refusals of the next window were its first, want 1", n)
			}
		})
	}
}
