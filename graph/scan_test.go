package graph

import (
	"context"
	"strings"
	"testing"
	"time"

	"gloss/ent"
	"gloss/graph/model"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// Filtered reads take turns: at most the process's slots at once and a
// user's share of them; a read that waits longer than scanWait is refused
// with RATE_LIMITED, and one that runs out of scanTime says to narrow the
// filter. An unfiltered read takes no turn.
func TestFilteredReadsTakeTurns(t *testing.T) {
	defer func(w, r time.Duration) { scanWait, scanTime = w, r }(scanWait, scanTime)
	scanWait, scanTime = 50*time.Millisecond, time.Hour
	s := newScanSlots(3, 3, 2)
	search := "x"
	filter := &model.TaskFilter{Search: &search}
	as := func(user int) context.Context {
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: user})
	}
	code := func(err error) fault.Code {
		if f := fault.As(err); f != nil {
			return f.Code
		}
		return ""
	}
	var done []func()
	take := func(user int) error {
		_, d, err := s.scanning(as(user), filter)
		if err == nil {
			done = append(done, d)
		}
		return err
	}
	if take(1) != nil || take(1) != nil {
		t.Fatal("a user's first two filtered reads waited")
	}
	if c := code(take(1)); c != fault.RateLimited {
		t.Fatalf("a user's third filtered read at once: %q, want RATE_LIMITED", c)
	}
	if take(2) != nil {
		t.Fatal("another user's read waited for the first user's share")
	}
	if c := code(take(3)); c != fault.RateLimited {
		t.Fatalf("a read beyond the process's slots: %q, want RATE_LIMITED", c)
	}
	if _, d, err := s.scanning(as(3), nil); err != nil {
		t.Fatalf("an unfiltered read waited: %v", err)
	} else {
		d()
	}
	done[0]()
	if take(3) != nil {
		t.Fatal("a read after another ended still waited")
	}
	for _, d := range done[1:] {
		d()
	}
	s.mu.Lock()
	if len(s.users) != 0 {
		t.Errorf("%d users' turns kept after every read ended", len(s.users))
	}
	s.mu.Unlock()

	// In a transaction (a mutation's result, on SQLite holding the one
	// writer) no filtered read runs, whether a turn is free or not.
	inTx := ent.NewTxContext(as(7), &ent.Tx{})
	if _, _, err := s.scanning(inTx, filter); code(err) != fault.BadInput || !strings.Contains(err.Error(), "not answered in a mutation's result") {
		t.Fatalf("a read in a transaction: %v; want BAD_USER_INPUT", err)
	}
	s.mu.Lock()
	if len(s.users) != 0 {
		t.Errorf("%d users' turns kept by a refused read", len(s.users))
	}
	s.mu.Unlock()

	// Out of time: the read's context ends, and its error says so.
	scanTime = time.Millisecond
	ctx, d, err := s.scanning(as(1), filter)
	if err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if c := code(scanError(ctx, ctx.Err())); c != fault.BadInput {
		t.Fatalf("a read out of time: %q, want BAD_USER_INPUT", c)
	}
	d()

	// An organization's users together take at most its share: two
	// accounts of one organization cannot hold every turn of the process.
	scanTime = time.Hour
	s = newScanSlots(4, 3, 2)
	in := func(org, user int) context.Context {
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: user, OrgID: org})
	}
	done = nil
	for _, c := range []context.Context{in(1, 10), in(1, 10), in(1, 11)} {
		_, d, err := s.scanning(c, filter)
		if err != nil {
			t.Fatalf("an organization's first three filtered reads: %v", err)
		}
		done = append(done, d)
	}
	if _, _, err := s.scanning(in(1, 11), filter); code(err) != fault.RateLimited {
		t.Fatalf("an organization's fourth filtered read at once: %v, want RATE_LIMITED", err)
	}
	_, d, err = s.scanning(in(2, 20), filter)
	if err != nil {
		t.Fatalf("another organization's read waited for the first's share: %v", err)
	}
	d()
	for _, d := range done {
		d()
	}
	s.mu.Lock()
	if len(s.users) != 0 {
		t.Errorf("%d turns kept after every read ended", len(s.users))
	}
	s.mu.Unlock()
}
