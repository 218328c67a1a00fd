package database

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time by the database server's clock, as this process
// reckons it: its own clock plus the offset it last measured against the
// server's. Processes that share a PostgreSQL database each run on their
// own machine's clock, and the label stream's locks are decided by time (a
// lock another process wrote lapses at its locked_until): with clocks
// minutes apart, a process ahead took a task another annotator still held
// (whose submit was then refused), and one behind kept lapsed locks. By
// one clock, the server's, they agree to within a round trip.
//
// The offset is measured when the clock is made and again in the
// background once it is older than clockRefresh; a failed measurement
// keeps the last one. On SQLite, whose file belongs to one process, the
// clock is the process's own.
type Clock struct {
	db       *sql.DB // nil: the local clock alone (SQLite)
	local    func() time.Time
	offset   atomic.Int64 // nanoseconds to add to local
	start    time.Time    // the monotonic origin of measured
	measured atomic.Int64 // time.Since(start) at the last measurement
	busy     atomic.Bool  // a measurement is running
	mu       sync.Mutex   // one measurement at a time
}

// clockRefresh is how old a measured offset may grow before it is measured
// again: clocks drift by milliseconds a day, but an operator may step one.
const clockRefresh = time.Minute

// NewClock returns the clock of the PostgreSQL database db (nil: local
// time), over the local clock local (nil: time.Now), with a first
// measurement made.
func NewClock(ctx context.Context, db *sql.DB, local func() time.Time) *Clock {
	if local == nil {
		local = time.Now
	}
	c := &Clock{db: db, local: local, start: time.Now()}
	if db != nil {
		c.measure(ctx)
	}
	return c
}

// Now returns the database server's time.
func (c *Clock) Now() time.Time {
	now := c.local()
	if c.db == nil {
		return now
	}
	if int64(time.Since(c.start))-c.measured.Load() > int64(clockRefresh) && c.busy.CompareAndSwap(false, true) {
		go func() {
			defer c.busy.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c.measure(ctx)
		}()
	}
	return now.Add(time.Duration(c.offset.Load()))
}

// measure reads the server's clock and keeps its offset from the local
// one, taken at the middle of the round trip.
func (c *Clock) measure(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	before := c.local()
	var server time.Time
	if err := c.db.QueryRowContext(ctx, "SELECT clock_timestamp()").Scan(&server); err != nil {
		return
	}
	after := c.local()
	mid := before.Add(after.Sub(before) / 2)
	c.offset.Store(int64(server.Sub(mid)))
	c.measured.Store(int64(time.Since(c.start)))
}
