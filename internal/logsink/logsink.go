// Package logsink is where the server's log lines go: a writer that hands
// them to the real output (stdout, a pipe, a file) from one goroutine, so a
// request never waits for the output, and lines go out together in one
// write instead of costing a system call each. A line that finds nothing
// waiting starts a short window (flushDelay) for others to join it, after
// which its batch is written; a batch of flushAt bytes goes at once, and
// Close writes what is left. An idle sink wakes for nothing. A process
// that dies outright (killed, a fatal runtime error) loses what is still
// pending: up to flushDelay of lines, or up to maxPending while the output
// is slow.
//
// Waking the goroutine for every line, as it did, cost a request log line
// a goroutine hand-off and a write: at 10,000 small requests a second,
// about a tenth of the server's CPU.
package logsink

import (
	"io"
	"sync"
	"time"
)

// flushDelay is how long a line waits for others to join its batch;
// flushAt is the size of a batch that is written without waiting.
const (
	flushDelay = 2 * time.Millisecond
	flushAt    = 64 << 10
)

// maxPending bounds what may wait for the output. A writer that finds more
// waiting writes it out itself, so an output slower than the log (a full
// pipe) slows the server down rather than filling its memory.
const maxPending = 1 << 20

// Sink is an io.Writer for log lines; it is safe for concurrent use. Each
// Write is one line or a few whole lines (slog writes a record per call), and
// lines keep their order.
type Sink struct {
	out io.Writer

	mu      sync.Mutex
	pending []byte
	spare   []byte
	closed  bool

	outMu sync.Mutex // held while writing to out, so batches go out in order

	wake      chan struct{} // a line arrived with nothing pending
	hurry     chan struct{} // flushAt bytes are pending, or Close began
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Sink writing to out and starts its goroutine; Close stops it.
func New(out io.Writer) *Sink {
	s := &Sink{out: out, wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// Write queues p for the output. Once the Sink is closed it writes p (and
// anything still pending before it) itself.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	first := len(s.pending) == 0
	s.pending = append(s.pending, p...)
	if s.closed {
		// No goroutine any more: written now, after whatever Close has
		// not yet written, in order.
		s.mu.Unlock()
		s.flush()
		return len(p), nil
	}
	n := len(s.pending)
	if n < maxPending {
		// Under mu, so Close cannot close wake meanwhile.
		if first {
			signal(s.wake)
		}
		if n >= flushAt {
			signal(s.hurry)
		}
	}
	s.mu.Unlock()
	if n >= maxPending {
		s.flush()
	}
	return len(p), nil
}

// signal wakes whoever waits on c, unless a wake-up is pending already.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// run writes a batch flushDelay after its first line arrived, or sooner
// when hurried.
func (s *Sink) run() {
	defer close(s.done)
	t := time.NewTimer(flushDelay)
	t.Stop()
	for range s.wake {
		t.Reset(flushDelay)
		select {
		case <-t.C:
		case <-s.hurry:
			t.Stop()
		}
		s.flush()
	}
}

// flush writes out everything pending.
func (s *Sink) flush() {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	s.mu.Lock()
	batch := s.pending
	s.pending = s.spare[:0]
	s.mu.Unlock()
	if len(batch) > 0 {
		_, _ = s.out.Write(batch) // a log that cannot be written has nowhere to say so
	}
	if cap(batch) > maxPending {
		batch = nil // keep no more than a bound between bursts
	}
	s.mu.Lock()
	s.spare = batch[:0]
	s.mu.Unlock()
}

// Close writes what is pending and stops the goroutine; later writes go to
// the output directly. Every call returns once everything written before it
// is out.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.wake)
		signal(s.hurry) // a batch waiting for its window goes now
		s.mu.Unlock()
		<-s.done
	})
	s.flush()
	return nil
}
