package database

import (
	"context"
	"slices"
	"testing"

	"gloss/ent"
	"gloss/internal/viewer"
)

// A transaction's queued values reach its commit hook in order, once; a
// rolled-back transaction's values are dropped; transactions do not share.
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
		q.Add(a, v, hook)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q.Add(b, 4, hook)
	if err := b.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := q.Take(b); got != nil {
		t.Fatalf("a rolled-back transaction kept %v", got)
	}
	c, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q.Add(c, 5, hook)
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(committed) != 2 || !slices.Equal(committed[0], []int{1, 2, 3}) || !slices.Equal(committed[1], []int{5}) {
		t.Fatalf("commit hooks saw %v; want [[1 2 3] [5]]", committed)
	}
}
