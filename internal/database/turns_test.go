package database

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gloss/ent"
	"gloss/ent/throttle"
	"gloss/internal/viewer"
)

// queued returns how many writers wait for their turn.
func (q *turns) queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}

// TestWritersTakeTurns: on SQLite, writers queued for the writer
// connection get it in the order they asked, whether they open a
// transaction or write one statement; a writer whose request ends while it
// waits leaves the queue without writing, and the others keep their order.
func TestWritersTakeTurns(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	held, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	create := func(ctx context.Context, c *ent.Client, key string) error {
		return c.Throttle.Create().SetKey(key).SetWindowStart(time.Now()).Exec(ctx)
	}
	if err := create(ctx, held.Client(), "held"); err != nil {
		t.Fatal(err)
	}

	const writers = 8
	const leaves = 3 // this one's request ends while it waits
	leave, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]chan error, writers)
	for i := range writers {
		errs[i] = make(chan error, 1)
		wctx := ctx
		if i == leaves {
			wctx = leave
		}
		key := fmt.Sprintf("w%d", i)
		go func() {
			if i%2 == 0 { // a transaction
				errs[i] <- InTx(wctx, d.Client, func(ctx context.Context) error { return create(ctx, ent.FromContext(ctx), key) })
			} else { // one statement
				errs[i] <- create(wctx, d.Client, key)
			}
		}()
		// The next writer asks once this one waits.
		waitFor(t, func() bool { return d.turns.queued() == i+1 }, "writer %d to queue", i)
	}
	cancel()
	if err := <-errs[leaves]; !errors.Is(err, context.Canceled) {
		t.Fatalf("the writer whose request ended: err = %v, want context.Canceled", err)
	}
	waitFor(t, func() bool { return d.turns.queued() == writers-1 }, "the ended writer to leave the queue")
	if err := held.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := range writers {
		if i == leaves {
			continue
		}
		if err := <-errs[i]; err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}

	keys, err := d.Client.Throttle.Query().Order(throttle.ByID()).Select(throttle.FieldKey).Strings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"held"}
	for i := range writers {
		if i != leaves {
			want = append(want, fmt.Sprintf("w%d", i))
		}
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("the writes landed in the order %v, want the order they asked: %v", keys, want)
	}
	// The queue is empty again: a write goes at once.
	if err := create(ctx, d.Client, "after"); err != nil || d.turns.queued() != 0 {
		t.Fatalf("a write after the queue emptied: %v (queued %d)", err, d.turns.queued())
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, cond func() bool, what string, args ...any) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for "+what, args...)
		}
		time.Sleep(time.Millisecond)
	}
}
