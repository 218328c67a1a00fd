package database

import (
	"context"
	"sync"
)

// turns is the queue of SQLite's writers: the one writer connection goes
// to them in the order they asked for it. database/sql's pool hands a
// connection that comes back to a waiter chosen at random, so under load
// one writer could lose several rounds in a row while others went at
// once: in the label stream with 8 annotators the slowest 1% of submits
// took 2.5–3.3 times the median, against 2.0–2.9 times in order.
//
// A turn is taken before the connection and given back with it, so the
// connection is free for the writer whose turn it is. (A raw statement
// outside a transaction that returns rows gives its turn back once
// started, and the connection once its caller has read them: split.write.
// The pool's one connection keeps writers apart whatever the turns.) The
// zero value is an empty queue.
type turns struct {
	mu      sync.Mutex
	taken   bool
	waiting []chan struct{} // oldest first; closed when its turn comes
}

// take waits for the caller's turn, or until ctx ends.
func (q *turns) take(ctx context.Context) error {
	q.mu.Lock()
	if !q.taken {
		q.taken = true
		q.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	q.waiting = append(q.waiting, turn)
	q.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	for i, w := range q.waiting {
		if w == turn {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			q.mu.Unlock()
			return ctx.Err()
		}
	}
	q.mu.Unlock()
	// The turn came as ctx ended: it goes on to the next.
	q.give()
	return ctx.Err()
}

// give ends the current turn: the longest waiting writer has the next.
func (q *turns) give() {
	q.mu.Lock()
	if len(q.waiting) == 0 {
		q.taken = false
		q.mu.Unlock()
		return
	}
	next := q.waiting[0]
	q.waiting[0] = nil
	q.waiting = q.waiting[1:]
	q.mu.Unlock()
	close(next)
}
