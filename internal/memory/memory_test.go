package memory

import (
	"runtime/debug"
	"sync"
	"testing"
)

// gcPercent reads the collector's current pace.
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

func reset(t *testing.T) {
	t.Helper()
	percent, limit := gcPercent(), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		mu.Lock()
		paced, heavy = false, 0
		mu.Unlock()
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	mu.Lock()
	paced, heavy = false, 0
	mu.Unlock()
	debug.SetGCPercent(100)
}

func TestServingPaceAndHeavyWork(t *testing.T) {
	reset(t)
	Serve(func(string) string { return "" })
	if got := gcPercent(); got != servingPercent {
		t.Fatalf("serving: GC percent %d, want %d", got, servingPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != softLimit {
		t.Fatalf("serving: memory limit %d, want %d", got, softLimit)
	}
	// Heavy work from many goroutines at once: the default pace holds
	// until the last one ends, however they interleave.
	var wg sync.WaitGroup
	start := make(chan struct{})
	dones := make(chan func(), 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			dones <- Heavy()
		}()
	}
	close(start)
	wg.Wait()
	close(dones)
	var ends []func()
	for d := range dones {
		ends = append(ends, d)
	}
	for i, done := range ends {
		if got := gcPercent(); got != heavyPercent {
			t.Fatalf("with %d heavy works running: GC percent %d, want %d", len(ends)-i, got, heavyPercent)
		}
		done()
		done() // a second call changes nothing
	}
	if got := gcPercent(); got != servingPercent {
		t.Fatalf("after the heavy work: GC percent %d, want %d", got, servingPercent)
	}
}

// The operator's GOGC and GOMEMLIMIT are left alone, and heavy work then
// changes nothing.
func TestOperatorSettingsWin(t *testing.T) {
	reset(t)
	debug.SetGCPercent(250)
	limit := debug.SetMemoryLimit(-1)
	Serve(func(k string) string { return map[string]string{"GOGC": "250", "GOMEMLIMIT": "1GiB"}[k] })
	done := Heavy()
	if got := gcPercent(); got != 250 {
		t.Fatalf("GOGC=250 set: GC percent %d during heavy work", got)
	}
	done()
	if got := gcPercent(); got != 250 {
		t.Fatalf("GOGC=250 set: GC percent %d after heavy work", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Fatalf("GOMEMLIMIT set: the limit changed to %d", got)
	}
}
