package graph

import (
	"context"
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

	// In a transaction (a bulk action, on SQLite holding the one writer)
	// a read takes a free turn or none, without waiting.
	done = nil
	for u := 4; u <= 6; u++ {
		if err := take(u); err != nil {
			t.Fatal(err)
		}
	}
	inTx := ent.NewTxContext(as(7), &ent.Tx{})
	start := time.Now()
	if _, _, err := s.scanning(inTx, filter); code(err) != fault.RateLimited || time.Since(start) > scanWait/2 {
		t.Fatalf("a read in a transaction with no turn free: %v after %v; want RATE_LIMITED at once", err, time.Since(start))
	}
	done[0]()
	_, d, err := s.scanning(inTx, filter)
	if err != nil {
		t.Fatalf("a read in a transaction with a turn free: %v", err)
	}
	d()
	for _, d := range done[1:] {
		d()
	}

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
