// Package memory paces Go's garbage collector for a serving process. A
// server's live heap is small (a few MB) and every request leaves garbage
// behind, so at Go's default (collect when the heap has doubled) it
// collected dozens of times a second under load: an eighth of the CPU of a
// data-manager page. While serving, the heap may grow to heapTarget before
// a collection, however little is live, up to five times what is live.
// The pace is worked out again after every collection from what it left
// live; with half of heapTarget or more live (a storm of sign-ins, each
// hash holding 19 MiB, a big import) it is Go's default, so the peaks of
// memory-heavy work are what they would be without it.
//
// The operator's own GOGC wins: set in the environment, it is left alone
// (and so is GOMEMLIMIT, which the runtime reads itself).
package memory

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

const (
	heapTarget = 64 << 20 // bytes the heap may grow to before a collection
	maxPercent = 400      // at most five times what is live
	minPercent = 100      // Go's default
)

var (
	mu      sync.Mutex
	paced   bool // Serve took over the pace (GOGC unset)
	current int  // the pace last set
)

// Serve paces the collector while serving, unless the environment (getenv)
// sets GOGC. Calling it again changes nothing.
func Serve(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	mu.Lock()
	if paced {
		mu.Unlock()
		return
	}
	paced = true
	mu.Unlock()
	pace()
	watch()
}

// sentinel is an object whose only use is to become garbage: its cleanup
// runs after the collection that finds it unreachable. It holds a pointer
// so that it is an allocation of its own (the runtime may never clean up
// tiny pointer-free objects, which share a block).
type sentinel struct {
	_ *int
	_ [16]byte
}

// watch arranges for pace to run after the next collection, and so on
// after every one.
func watch() {
	runtime.AddCleanup(new(sentinel), func(struct{}) {
		pace()
		watch()
	}, struct{}{})
}

// pace sets the collector's pace for the live heap now.
func pace() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	var live uint64
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = s[0].Value.Uint64()
	}
	p := percentFor(live)
	mu.Lock()
	defer mu.Unlock()
	if p != current {
		debug.SetGCPercent(p)
		current = p
	}
}

// percentFor is the pace for live bytes of live heap: the heap grows to
// heapTarget, or to twice what is live when that is more, and to no more
// than five times what is live.
func percentFor(live uint64) int {
	if live == 0 {
		return maxPercent
	}
	p := int(heapTarget*100/live) - 100
	return min(max(p, minPercent), maxPercent)
}
