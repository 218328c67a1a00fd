package storage

import (
	"context"
	"errors"
	"testing"

	"gloss/internal/fault"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// TestNothingStartsAfterClose: a request that outlived the shutdown's grace
// may still commit an annotation or ask for a sync after Close has begun.
// Neither may start background work then: Close no longer waits for it, and
// it would use the database that closes next. (The service has no database
// here: work that started would fail on it, and the test with it.)
func TestNothingStartsAfterClose(t *testing.T) {
	key, err := secret.Load(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(nil, Options{Key: key})
	s.Close(0)

	s.afterCommit([]change{{project: 1, annotation: 2}})
	s.targetMu.Lock()
	busy, queued := s.targetBusy, len(s.targetQueue)
	s.targetMu.Unlock()
	if busy || queued != 0 {
		t.Fatalf("after Close, a late commit started the target writer (busy %v) or stayed queued (%d)", busy, queued)
	}

	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, OrgID: 1})
	run, err := s.Sync(ctx, 1)
	if run != nil || !errors.Is(err, errShuttingDown) {
		t.Fatalf("after Close, Sync = %v, %v; want the shutdown's refusal", run, err)
	}
	if code, msg := fault.Classify(ctx, err); code != fault.Internal || msg != "the server is shutting down: start the sync again once it is back" {
		t.Fatalf("the refusal reads %s %q", code, msg)
	}
	// Nothing is counted that Close would have to wait for.
	s.Close(0)
}
