// Package memory paces Go's garbage collector for a serving process. A
// server's live heap is small (a few MB) and every request leaves garbage
// behind, so with Go's default (collect when the heap has doubled) it
// collected dozens of times a second under load: an eighth of the CPU of a
// data-manager page. While serving, the heap may grow to five times what is
// live, under a soft limit. Work that holds much memory at once (password
// hashes, imports, exports) marks itself Heavy: while any runs, the
// collector is back at Go's default pace, so that their peaks stay where
// they were and the soft limit never makes the collector race them.
//
// The operator's own GOGC and GOMEMLIMIT win: each one set in the
// environment leaves its setting alone.
package memory

import (
	"runtime/debug"
	"sync"
)

const (
	servingPercent = 400       // heap growth while serving, in percent of the live heap
	heavyPercent   = 100       // Go's default, while heavy work runs
	softLimit      = 128 << 20 // bytes of Go memory where the collector runs as often as it must
)

var (
	mu    sync.Mutex
	paced bool // Serve set the collector's pace (GOGC unset)
	heavy int  // heavy work running
)

// Serve sets the pace for serving, unless the environment (getenv) sets
// GOGC or GOMEMLIMIT.
func Serve(getenv func(string) string) {
	mu.Lock()
	defer mu.Unlock()
	if getenv("GOGC") == "" {
		paced = true
		if heavy == 0 {
			debug.SetGCPercent(servingPercent)
		}
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softLimit)
	}
}

// Heavy marks the start of work that holds much memory; the returned func
// marks its end (calling it again does nothing).
func Heavy() (done func()) {
	mu.Lock()
	heavy++
	if heavy == 1 && paced {
		debug.SetGCPercent(heavyPercent)
	}
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			heavy--
			if heavy == 0 && paced {
				debug.SetGCPercent(servingPercent)
			}
		})
	}
}
