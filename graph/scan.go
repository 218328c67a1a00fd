package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"gloss/ent"
	"gloss/graph/model"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// Filtered reads of a project's tasks (a data-manager page or count with a
// filter, a bulk action over a filtered selection) are no index's: each
// reads the project's tasks until its page is full, all of them when few
// match, testing each against every predicate. At a million tasks one
// costs up to seconds of a core and holds a database connection that
// long. So that no one can take every reader (SQLite has eight) and stall
// everyone else's requests, at most maxScans run at once in a process, at
// most maxScansPerOrg of them for one organization (any user can make one
// and invite a second account of theirs) and maxScansPerUser for one
// user; the others wait their
// turn, up to scanWait, then
// are refused with RATE_LIMITED. And each runs at most scanTime: past it,
// its statement is cancelled and the request refused with
// BAD_USER_INPUT, asking for a narrower filter. None runs in a mutation's
// transaction (a mutation's result), which on SQLite holds the one writer.
const (
	maxScans        = 4
	maxScansPerOrg  = 3
	maxScansPerUser = 2
)

// scanWait and scanTime are variables for the tests.
var (
	scanWait = 10 * time.Second
	scanTime = 30 * time.Second
)

var scans = newScanSlots(maxScans, maxScansPerOrg, maxScansPerUser)

// scanSlots are the turns of filtered reads: a process-wide semaphore and
// one per organization and per user, made when the first of theirs scans
// and dropped when they are done.
type scanSlots struct {
	all             *semaphore.Weighted
	perOrg, perUser int64
	mu              sync.Mutex
	users           map[scanKey]*userSlots
}

// scanKey names an organization's or a user's turns.
type scanKey struct {
	org bool
	id  int
}

type userSlots struct {
	sem  *semaphore.Weighted
	refs int
}

func newScanSlots(total, perOrg, perUser int64) *scanSlots {
	return &scanSlots{all: semaphore.NewWeighted(total), perOrg: perOrg, perUser: perUser, users: map[scanKey]*userSlots{}}
}

// slots returns k's semaphore (of n turns), counted in use until drop.
func (s *scanSlots) slots(k scanKey, n int64) (*semaphore.Weighted, func()) {
	s.mu.Lock()
	u := s.users[k]
	if u == nil {
		u = &userSlots{sem: semaphore.NewWeighted(n)}
		s.users[k] = u
	}
	u.refs++
	s.mu.Unlock()
	return u.sem, func() {
		s.mu.Lock()
		if u.refs--; u.refs == 0 {
			delete(s.users, k)
		}
		s.mu.Unlock()
	}
}

// scanning waits for a turn to read tasks through filter, unless filter
// is empty (an index's read), and returns the context to read on, bounded
// by scanTime, and the function that ends the turn. Call done once the
// read is over, and pass the read's error through scanError.
func (s *scanSlots) scanning(ctx context.Context, filter *model.TaskFilter) (context.Context, func(), error) {
	if filter.IsEmpty() {
		return ctx, func() {}, nil
	}
	if ent.TxFromContext(ctx) != nil {
		// A mutation's result, read in its transaction, which on SQLite
		// holds the one writer: four filtered pages of 30 s each in one
		// result stalled every write on the server for two minutes.
		return nil, nil, fault.Invalid("filtered pages of tasks are not answered in a mutation's result: ask for them in a query")
	}
	userID, orgID := 0, 0
	if v := viewer.User(ctx); v != nil {
		userID, orgID = v.UserID, v.OrgID
	}
	user, dropUser := s.slots(scanKey{id: userID}, s.perUser)
	org, dropOrg := s.slots(scanKey{org: true, id: orgID}, s.perOrg)
	drop := func() { dropUser(); dropOrg() }
	wait, cancel := context.WithTimeout(ctx, scanWait)
	defer cancel()
	acquire := func(sem *semaphore.Weighted) error { return sem.Acquire(wait, 1) }
	busy := func() error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fault.New(fault.RateLimited, "the server is busy with other filtered searches (at most %d at once, %d of one organization's, %d of one user's): try again shortly", maxScans, maxScansPerOrg, maxScansPerUser)
	}
	if err := acquire(user); err != nil {
		drop()
		return nil, nil, busy()
	}
	if err := acquire(org); err != nil {
		user.Release(1)
		drop()
		return nil, nil, busy()
	}
	if err := acquire(s.all); err != nil {
		org.Release(1)
		user.Release(1)
		drop()
		return nil, nil, busy()
	}
	rctx, stop := context.WithTimeout(ctx, scanTime)
	return rctx, func() {
		stop()
		s.all.Release(1)
		org.Release(1)
		user.Release(1)
		drop()
	}, nil
}

// scanError is err of a read on ctx, a context from scanning, in the
// client's terms when the read ran out of time.
func scanError(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		slow := fault.Invalid("this filter took longer than %v over the project's tasks: narrow it (fewer data filters or a shorter search), or filter by a date range", scanTime)
		if done := fault.Done(err); done != "" {
			return &fault.Partial{Err: slow, Done: done}
		}
		return slow
	}
	return err
}
