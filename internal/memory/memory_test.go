package memory

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, maxPercent},
		{1 << 20, maxPercent},    // 1 MiB live: at most five times
		{heapTarget / 5, 400},    // exactly five times reaches the target
		{16 << 20, 300},          // 16 MiB: grows to 64
		{heapTarget / 2, 100},    // half the target: Go's default
		{heapTarget, minPercent}, // more: Go's default, never less
		{1 << 30, minPercent},    // a gigabyte live: Go's default
		{heapTarget / 3, 200},    // 21.3 MiB: grows to 64
	} {
		if got := percentFor(tc.live); got != tc.want {
			t.Errorf("percentFor(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// gcPercent reads the collector's current pace.
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

// waitPace collects until the pace, worked out after each collection,
// is want.
func waitPace(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for gcPercent() != want {
		if time.Now().After(deadline) {
			t.Fatalf("the pace stayed %d, want %d", gcPercent(), want)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

var held [][]byte

// The pace follows the live heap from one collection to the next: five
// times a small heap, Go's default while much is live (as during a storm
// of sign-ins), and back once it is garbage. GOGC in the environment
// leaves the pace alone.
func TestPaceFollowsTheLiveHeap(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	debug.SetGCPercent(250)
	Serve(func(k string) string { return map[string]string{"GOGC": "250"}[k] })
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := gcPercent(); got != 250 {
		t.Fatalf("GOGC=250 set: the pace changed to %d", got)
	}

	Serve(func(string) string { return "" })
	waitPace(t, maxPercent)
	for range 6 { // 48 MiB live, as two sign-in hashes and then some
		b := make([]byte, 8<<20)
		for i := range b {
			b[i] = 1
		}
		held = append(held, b)
	}
	waitPace(t, minPercent)
	held = nil
	waitPace(t, maxPercent)
}
