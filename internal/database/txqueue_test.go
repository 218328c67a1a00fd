package database

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gloss/ent"
	"gloss/internal/viewer"
)

// A transaction's queued values reach its commit hook in order, once; a
// rolled-back transaction's values are dropped; transactions do not share;
// a value queued once a transaction has ended is refused.
func TestTxQueue(t *testing.T) {
	ctx := viewer.NewSystemContext(context.Background())
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var q TxQueue[int]
	var committed [][]int
	hook := func() ent.CommitHook {
		return func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				committed = append(committed, q.Take(tx))
				return next.Commit(ctx, tx)
			})
		}
	}
	a, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{1, 2, 3} {
		if err := q.Add(a, v, hook); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Add(b, 4, hook); err != nil {
		t.Fatal(err)
	}
	if err := b.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := q.Take(b); got != nil {
		t.Fatalf("a rolled-back transaction kept %v", got)
	}
	// Too late: refused, not dropped.
	for name, tx := range map[string]*ent.Tx{"committed": a, "rolled back": b} {
		if err := q.Add(tx, 9, hook); !errors.Is(err, ErrTxEnded) {
			t.Fatalf("a value queued for a %s transaction: %v; want ErrTxEnded", name, err)
		}
	}
	c, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Add(c, 5, hook); err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(committed) != 2 || !slices.Equal(committed[0], []int{1, 2, 3}) || !slices.Equal(committed[1], []int{5}) {
		t.Fatalf("commit hooks saw %v; want [[1 2 3] [5]]", committed)
	}
}

// A panic inside InTx's function rolls its transaction back: on SQLite the
// one writer is free again for the next transaction.
func TestInTxPanicRollsBack(t *testing.T) {
	ctx := viewer.NewSystemContext(context.Background())
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not come through")
			}
		}()
		_ = InTx(ctx, d.Client, func(ctx context.Context) error {
			if _, err := ent.FromContext(ctx).Throttle.Create().SetKey("k").SetWindowStart(time.Now()).Save(ctx); err != nil {
				t.Fatal(err)
			}
			panic("boom")
		})
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := InTx(wctx, d.Client, func(ctx context.Context) error { return nil }); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
	if n, err := d.Client.Throttle.Query().Count(ctx); err != nil || n != 0 {
		t.Fatalf("the panicking transaction left %d throttles (%v)", n, err)
	}
}
