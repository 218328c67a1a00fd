package logsink

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an output that records every write.
type lockedBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines from many goroutines all arrive, whole, each goroutine's in its
// order, and in fewer writes than lines; Close leaves nothing behind.
func TestLinesArriveWholeAndInOrder(t *testing.T) {
	out := &lockedBuffer{}
	s := New(out)
	const writers, lines = 16, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(s, "writer=%d line=%d\n", w, i)
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines arrived, want %d", len(got), writers*lines)
	}
	next := make([]int, writers)
	for _, l := range got {
		var w, i int
		if _, err := fmt.Sscanf(l, "writer=%d line=%d", &w, &i); err != nil {
			t.Fatalf("torn line %q", l)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d came when %d was due", w, i, next[w])
		}
		next[w]++
	}
	if out.writes >= writers*lines {
		t.Errorf("%d writes for %d lines: nothing was batched", out.writes, writers*lines)
	}
	// After Close a line goes straight to the output.
	fmt.Fprintln(s, "after close")
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Errorf("a write after Close did not reach the output")
	}
}

// A line reaches the output without anything else happening: no Close, no
// further line.
func TestALoneLineIsWritten(t *testing.T) {
	out := &lockedBuffer{}
	s := New(out)
	defer s.Close()
	fmt.Fprintln(s, "alone")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "alone\n" {
		if time.Now().After(deadline) {
			t.Fatalf("the line was not written; output %q", out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// Lines that arrive a little apart, as request log lines do, go out
// together: a write per window of flushDelay, not one per line (each line
// used to wake the goroutine and cost a write of its own).
func TestSpacedLinesShareWrites(t *testing.T) {
	out := &lockedBuffer{}
	s := New(out)
	defer s.Close()
	const lines = 50
	t0 := time.Now()
	for i := range lines {
		fmt.Fprintf(s, "line %d\n", i)
		time.Sleep(100 * time.Microsecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") != lines {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines written", strings.Count(out.String(), "\n"), lines)
		}
		time.Sleep(100 * time.Microsecond)
	}
	// Every window but the last lasted flushDelay at least.
	windows := int(time.Since(t0)/flushDelay) + 1
	out.mu.Lock()
	writes := out.writes
	out.mu.Unlock()
	if writes > windows {
		t.Fatalf("%d lines over %s took %d writes, more than the %d windows of %s in that time",
			lines, time.Since(t0).Round(time.Microsecond), writes, windows, flushDelay)
	}
}

// blockingOutput holds every write until released.
type blockingOutput struct {
	release chan struct{}
	lockedBuffer
}

func (b *blockingOutput) Write(p []byte) (int, error) {
	<-b.release
	return b.lockedBuffer.Write(p)
}

// An output that does not keep up slows the writers down once maxPending is
// waiting, instead of the sink holding an unbounded backlog; nothing is lost.
func TestSlowOutputHoldsWritersBack(t *testing.T) {
	out := &blockingOutput{release: make(chan struct{})}
	s := New(out)
	line := strings.Repeat("x", 1023) + "\n"
	n := 3 * maxPending / len(line)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			_, _ = s.Write([]byte(line))
		}
	}()
	select {
	case <-done:
		t.Fatalf("%d bytes were accepted while the output took none", n*len(line))
	case <-time.After(200 * time.Millisecond):
	}
	s.mu.Lock()
	pending := len(s.pending)
	s.mu.Unlock()
	if pending > maxPending+len(line) {
		t.Fatalf("%d bytes pending, bound %d", pending, maxPending)
	}
	close(out.release)
	<-done
	s.Close()
	if got := len(out.String()); got != n*len(line) {
		t.Fatalf("%d bytes arrived, want %d", got, n*len(line))
	}
}

// Lines written while Close is under way, from another goroutine, come
// after those written before it, and every Close returns only once what
// was written before it is out.
func TestCloseKeepsOrder(t *testing.T) {
	for range 50 {
		out := &blockingOutput{release: make(chan struct{})}
		s := New(out)
		fmt.Fprintln(s, "A")
		fmt.Fprintln(s, "B")
		closed := make(chan struct{}, 2)
		for range 2 {
			go func() { s.Close(); closed <- struct{}{} }()
		}
		for { // wait until Close has begun
			s.mu.Lock()
			c := s.closed
			s.mu.Unlock()
			if c {
				break
			}
			time.Sleep(time.Millisecond)
		}
		done := make(chan struct{})
		go func() { fmt.Fprintln(s, "C"); close(done) }()
		select {
		case <-closed:
			t.Fatal("Close returned while lines were still waiting for the output")
		case <-time.After(5 * time.Millisecond):
		}
		close(out.release)
		<-closed
		<-closed
		<-done
		if got := out.String(); got != "A\nB\nC\n" {
			t.Fatalf("output %q, want A, B, C in order", got)
		}
	}
}
