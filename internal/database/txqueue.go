package database

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"weak"

	"gloss/ent"
)

// TxQueue holds values that code running in a transaction queues for its
// end: events to append as it commits, writes to make once it has. A
// transaction's values are dropped when it rolls back. Once a transaction
// has begun to commit, or has rolled back, it takes no more values: a value
// queued then would be neither appended nor refused, so Add refuses it.
type TxQueue[T any] struct {
	m sync.Map // weak.Pointer[ent.Tx] → *txList[T]; an entry lives as long as its transaction
}

type txList[T any] struct {
	mu     sync.Mutex
	list   []T
	closed bool // taken, or rolled back
}

// ErrTxEnded is Add's answer for a transaction that is committing or has
// ended.
var ErrTxEnded = errors.New("the transaction has already committed or rolled back")

// Add queues v for tx. The first value queued for tx registers, besides
// the dropping of its values on rollback, the commit hook that onCommit
// makes; it reaches the transaction's values through Take. A transaction
// that is committing or has ended is refused with ErrTxEnded. (Add cannot
// tell a transaction that ended before anything was queued for it from a
// new one.)
func (q *TxQueue[T]) Add(tx *ent.Tx, v T, onCommit func() ent.CommitHook) error {
	key := weak.Make(tx)
	entry, loaded := q.m.LoadOrStore(key, &txList[T]{})
	l := entry.(*txList[T])
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrTxEnded
	}
	l.list = append(l.list, v)
	if loaded {
		return nil
	}
	// The entry stays, closed, until the transaction is unreachable, so a
	// value queued late is refused rather than forgotten.
	runtime.AddCleanup(tx, func(k weak.Pointer[ent.Tx]) { q.m.Delete(k) }, key)
	tx.OnCommit(onCommit())
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			q.Take(tx)
			return next.Rollback(ctx, tx)
		})
	})
	return nil
}

// Take returns the values queued for tx, in order, and closes its queue.
func (q *TxQueue[T]) Take(tx *ent.Tx) []T {
	entry, ok := q.m.Load(weak.Make(tx))
	if !ok {
		return nil
	}
	l := entry.(*txList[T])
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.list
	l.list, l.closed = nil, true
	return list
}

// AfterCommit runs fn once the transaction ctx carries has committed (never
// if it rolls back), or at once when ctx carries none: for what cannot be
// undone, such as removing files, which must not happen for a change that
// is then rolled back.
func AfterCommit(ctx context.Context, fn func()) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		fn()
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			fn()
			return nil
		})
	})
}
