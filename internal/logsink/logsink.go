// Package logsink is where the server's log lines go: a writer that hands
// them to the real output (stdout, a pipe, a file) from one goroutine, so a
// request never waits for the output, and lines that arrive while one write
// is under way go out together in the next write instead of costing a
// system call each. A line is handed on as soon as the goroutine is free:
// nothing waits for a timer, and Close writes what is left. A process that
// dies outright (killed, a fatal runtime error) loses what is still
// pending: microseconds of lines, or up to maxPending while the output is
// slow.
package logsink

import (
	"io"
	"sync"
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

	wake      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Sink writing to out and starts its goroutine; Close stops it.
func New(out io.Writer) *Sink {
	s := &Sink{out: out, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// Write queues p for the output. Once the Sink is closed it writes p (and
// anything still pending before it) itself.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.pending = append(s.pending, p...)
	if s.closed {
		// No goroutine any more: written now, after whatever Close has
		// not yet written, in order.
		s.mu.Unlock()
		s.flush()
		return len(p), nil
	}
	full := len(s.pending) >= maxPending
	if !full {
		select { // under mu, so Close cannot close wake meanwhile
		case s.wake <- struct{}{}:
		default: // already woken: this line goes with the others
		}
	}
	s.mu.Unlock()
	if full {
		s.flush()
	}
	return len(p), nil
}

func (s *Sink) run() {
	defer close(s.done)
	for range s.wake {
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
		s.mu.Unlock()
		<-s.done
	})
	s.flush()
	return nil
}
