package database

import (
	"context"
	"testing"

	"golang.org/x/sync/semaphore"

	"gloss/internal/fault"
)

// Requests at once read no more than the pool beyond their own first MiB:
// one that finds it empty is refused with RATE_LIMITED until another
// ends, and what a request drew goes back when it ends, once.
func TestReadBudgetsShareThePool(t *testing.T) {
	pool := semaphore.NewWeighted(3 * readChunk)
	a := &budget{pool: pool, limit: ReadLimit}
	b := &budget{pool: pool, limit: ReadLimit}
	code := func(err error) fault.Code {
		if err == nil {
			return ""
		}
		return fault.As(err).Code
	}
	// Their own MiB each, from nobody's pool.
	if err := a.charge(readOwn); err != nil {
		t.Fatal(err)
	}
	if err := b.charge(readOwn); err != nil {
		t.Fatal(err)
	}
	// a draws the whole pool; b's next byte finds it empty.
	if err := a.charge(3 * readChunk); err != nil {
		t.Fatal(err)
	}
	if c := code(b.charge(1)); c != fault.RateLimited {
		t.Fatalf("a read beyond an empty pool: %q, want RATE_LIMITED", c)
	}
	a.end()
	a.end()
	if err := b.charge(2 * readChunk); err != nil {
		t.Fatalf("after the other request ended: %v", err)
	}
	// Ended twice, a gave back its draw once: b holds 3 chunks, the
	// pool has none left.
	if pool.TryAcquire(1) {
		t.Fatal("the pool holds more than it was given")
	}
	// Reads after the end are not charged (background work).
	if err := a.charge(ReadLimit * 2); err != nil {
		t.Fatalf("a charge after the end: %v", err)
	}
	// Work a request left in the background carries no budget.
	ctx, end := WithReadBudget(context.Background())
	defer end()
	if ctx.Value(budgetKey{}).(*budget) == nil || WithoutReadBudget(ctx).Value(budgetKey{}).(*budget) != nil {
		t.Error("WithoutReadBudget kept the request's budget")
	}
	// Past the limit: BAD_USER_INPUT, and again after.
	c := &budget{pool: semaphore.NewWeighted(ReadLimit), limit: ReadLimit}
	if err := c.charge(ReadLimit); err != nil {
		t.Fatal(err)
	}
	if code(c.charge(1)) != fault.BadInput || code(c.charge(1)) != fault.BadInput {
		t.Fatal("a read past the limit was not refused")
	}
}
