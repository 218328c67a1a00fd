package storage

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"gloss/ent"
	"gloss/ent/storage"
	"gloss/internal/audit"
	"gloss/internal/viewer"
)

// leaseTime is how long a sync holds its storage before it must renew the
// lease; a process that dies mid-sync frees the storage after it.
const leaseTime = 2 * time.Minute

// errLeaseLost stops a sync whose lease another process took: its own ran
// out (the process stalled, or the clocks of the processes disagree by
// more than leaseTime), so the other sync now owns the storage.
var errLeaseLost = errors.New("another sync took this storage over when this one's lease ran out, and goes on with it: follow its progress, and sync again once it has ended if objects are left")

// lease is a sync's hold on its storage row: the expiry it wrote there,
// which is also its mark of ownership. Every renewal and the release
// change the row only while it still holds that expiry (compare and set),
// so a sync that lost its lease to another never renews or clears the
// other's, and a source sync renews in the transaction of each batch it
// imports, which therefore commits only while the sync owns the storage:
// two syncs never both import an object.
type lease struct {
	id    int
	mu    sync.Mutex // one change of the row at a time: a batch's, or the ticker's
	until time.Time  // the expiry the row holds while ours
	lost  bool
}

// nextExpiry is a new expiry leaseTime from now, in microseconds (what
// PostgreSQL keeps) with a random few of them added, so that two syncs'
// expiries never match.
func nextExpiry() time.Time {
	return time.Now().Add(leaseTime + time.Duration(rand.IntN(1000))*time.Microsecond).Truncate(time.Microsecond)
}

// takeLease takes storage id's lease if it is free (never taken, or run
// out), or returns nil.
func takeLease(ctx context.Context, client *ent.Client, id int) (*lease, error) {
	until := nextExpiry()
	n, err := client.Storage.Update().
		Where(storage.ID(id), storage.Or(storage.SyncLeaseUntilIsNil(), storage.SyncLeaseUntilLT(time.Now()))).
		SetSyncLeaseUntil(until).Save(bookkeeping(ctx))
	if err != nil || n == 0 {
		return nil, err
	}
	return &lease{id: id, until: until}, nil
}

// bookkeeping is the context of the lease's writes: the server's, never
// audited.
func bookkeeping(ctx context.Context) context.Context {
	return audit.Quiet(viewer.NewSystemContext(ctx))
}

// extend writes a new expiry through client while the row still holds
// l's, and returns it; errLeaseLost when another sync has taken the row.
// The caller holds l.mu, and sets l.until to the new expiry once its write
// has committed (a batch's transaction may still roll back).
func (l *lease) extend(ctx context.Context, client *ent.Client) (time.Time, error) {
	if l.lost {
		return time.Time{}, errLeaseLost
	}
	until := nextExpiry()
	n, err := client.Storage.Update().Where(storage.ID(l.id), storage.SyncLeaseUntil(l.until)).
		SetSyncLeaseUntil(until).Save(bookkeeping(ctx))
	if err != nil {
		return time.Time{}, err
	}
	if n == 0 {
		l.lost = true
		return time.Time{}, errLeaseLost
	}
	return until, nil
}

// renew extends the lease on its own (between a sync's batches).
func (l *lease) renew(ctx context.Context, client *ent.Client) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, err := l.extend(ctx, client)
	if err == nil {
		l.until = until
	}
	return err
}

// release frees the storage, if the lease is still this sync's, through
// client (the transaction that records the sync's end).
func (l *lease) release(ctx context.Context, client *ent.Client) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost {
		return nil
	}
	_, err := client.Storage.Update().Where(storage.ID(l.id), storage.SyncLeaseUntil(l.until)).
		ClearSyncLeaseUntil().Save(bookkeeping(ctx))
	return err
}
