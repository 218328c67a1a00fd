package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"gloss/internal/viewer"
)

// TestNothingStartsAfterClose: while Close waits for the background work
// (here a sync, which may hand the annotations it imports to the target
// writer), work that work starts still runs, and Close waits for it too.
// Once nothing runs, a request that outlived the shutdown's grace may still
// commit an annotation or ask for a sync: neither may start background
// work then, as Close no longer waits for it and the database closes next.
func TestNothingStartsAfterClose(t *testing.T) {
	s, _ := newTestService(t, t.TempDir(), Options{})
	busy := func() (bool, int) {
		s.targetMu.Lock()
		defer s.targetMu.Unlock()
		return s.targetBusy, len(s.targetQueue)
	}

	if !s.enter() { // a sync that is running
		t.Fatal("background work refused before Close")
	}
	closed := make(chan struct{})
	go func() { s.Close(time.Minute); close(closed) }()
	for began := false; !began; {
		time.Sleep(time.Millisecond)
		s.lifeMu.Lock()
		began = s.closed
		s.lifeMu.Unlock()
	}
	s.afterCommit([]change{{project: 1, annotation: 2}}) // what the sync imported
	if b, _ := busy(); !b {
		t.Fatal("during Close, with a sync still running, its annotations were not handed to the target writer")
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a sync ran")
	case <-time.After(50 * time.Millisecond):
	}
	s.leave() // the sync ends
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return once the background work ended")
	}
	if b, q := busy(); b || q != 0 {
		t.Fatalf("Close returned with the target writer running (%v) or changes queued (%d)", b, q)
	}

	// Nothing runs any more.
	s.afterCommit([]change{{project: 1, annotation: 3}})
	if b, q := busy(); b || q != 0 {
		t.Fatalf("after Close, a late commit started the target writer (busy %v) or stayed queued (%d)", b, q)
	}
	v := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, OrgID: 1})
	if run, err := s.Sync(v, 1); run != nil || !errors.Is(err, errShuttingDown) {
		t.Fatalf("after Close, Sync = %v, %v; want the shutdown's refusal", run, err)
	}
	s.Close(0) // nothing is counted that it would wait for
}
