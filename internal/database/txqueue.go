package database

import (
	"context"
	"sync"

	"gloss/ent"
)

// TxQueue holds values that code running in a transaction queues for its
// end: events to append as it commits, writes to make once it has. A
// transaction's values are dropped when it rolls back.
type TxQueue[T any] struct {
	m sync.Map // *ent.Tx → *txList[T]
}

type txList[T any] struct {
	mu   sync.Mutex
	list []T
}

// Add queues v for tx. The first value queued for tx registers, besides
// the forgetting of its values on rollback, the commit hook that onCommit
// makes; it reaches the transaction's values through Take.
func (q *TxQueue[T]) Add(tx *ent.Tx, v T, onCommit func() ent.CommitHook) {
	entry, loaded := q.m.LoadOrStore(tx, &txList[T]{})
	l := entry.(*txList[T])
	l.mu.Lock()
	l.list = append(l.list, v)
	l.mu.Unlock()
	if loaded {
		return
	}
	tx.OnCommit(onCommit())
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			q.m.Delete(tx)
			return next.Rollback(ctx, tx)
		})
	})
}

// Take returns the values queued for tx, in order, and forgets them.
func (q *TxQueue[T]) Take(tx *ent.Tx) []T {
	entry, ok := q.m.LoadAndDelete(tx)
	if !ok {
		return nil
	}
	l := entry.(*txList[T])
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.list
}
