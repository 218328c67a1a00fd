package database

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointEvery is how often the checkpointer looks for new commits.
const checkpointEvery = 10 * time.Millisecond

// checkpointer copies SQLite's write-ahead log back into the database file
// on a connection of its own, so that the writer does not.
//
// Left to itself, SQLite checkpoints inside the commit that takes the WAL
// past 1,000 pages: that commit copies every page the WAL holds into the
// database file and syncs both files while the one writer connection, and
// with it every write of the server, waits. In the label stream with 8
// annotators that was one commit in 25, the writer was held 700 µs per
// transaction on average and the disk took 80 MB/s. A PASSIVE checkpoint on
// another connection does the same copying beside the writer (it takes no
// write lock and waits for nobody), so when the writer's own automatic
// checkpoint comes due there is nothing left to copy, and SQLite starts the
// WAL over at the next write instead of letting it grow. The writer's
// automatic checkpoint stays on as the fallback: if this one falls behind,
// SQLite does it as before.
type checkpointer struct {
	db     *sql.DB
	writes atomic.Int64 // commits on the writer, counted by connTx and split
	stop   chan struct{}
	done   sync.WaitGroup
}

// newCheckpointer starts a checkpointer over db, a pool of one read-write
// connection to the database file.
func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c
}

// wrote notes a commit on the writer; nil-safe (PostgreSQL has none).
func (c *checkpointer) wrote() {
	if c != nil {
		c.writes.Add(1)
	}
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var seen int64
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		n := c.writes.Load()
		if n == seen {
			continue // nothing committed: the ticker costs an idle server nothing else
		}
		seen = n
		// An error (SQLITE_BUSY while another checkpoint runs, a full
		// disk) leaves the work to the writer's automatic checkpoint and
		// the next tick; it loses nothing.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		cancel()
	}
}

// close stops the checkpointer and closes its connection; the writer's
// close then checkpoints what is left.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	close(c.stop)
	c.done.Wait()
	return c.db.Close()
}
