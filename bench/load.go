package main

import (
	"errors"
	"math"
	"slices"
	"sync"
	"time"
)

// errDone tells runLoad that a worker has no more work (the label stream ran
// out of tasks); the worker stops and the request is not counted.
var errDone = errors.New("no more work")

// stats is the outcome of one load run: completed operations, failures, the
// wall time from the first start to the last finish, and every latency.
type stats struct {
	n, errs  int
	elapsed  time.Duration
	lats     []time.Duration
	firstErr error
}

// rate is completed operations per second.
func (s *stats) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.n) / s.elapsed.Seconds()
}

// pct returns the p-th quantile (0 < p ≤ 1) of the recorded latencies,
// nearest rank.
func (s *stats) pct(p float64) time.Duration {
	if len(s.lats) == 0 {
		return 0
	}
	if !slices.IsSorted(s.lats) {
		slices.Sort(s.lats)
	}
	i := int(math.Ceil(p*float64(len(s.lats)))) - 1
	return s.lats[max(0, min(i, len(s.lats)-1))]
}

// runLoad runs fn from workers goroutines until d has passed (after an
// uncounted warm-up), until limit operations have completed (when limit >
// 0), or until every worker returned errDone. Each call's latency is
// recorded; failures are counted and the first one kept.
func runLoad(workers int, warm, d time.Duration, limit int, fn func(worker int) error) stats {
	if warm > 0 {
		end := time.Now().Add(warm)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for time.Now().Before(end) {
					if fn(w) == errDone {
						return
					}
				}
			})
		}
		wg.Wait()
	}
	var (
		mu  sync.Mutex
		out stats
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			var lats []time.Duration
			errs := 0
			var first error
			for time.Now().Before(deadline) {
				if limit > 0 {
					mu.Lock()
					full := out.n+len(lats) >= limit
					mu.Unlock()
					if full {
						break
					}
				}
				t0 := time.Now()
				err := fn(w)
				lat := time.Since(t0)
				if err == errDone {
					break
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lats = append(lats, lat)
				if len(lats)%64 == 0 && limit > 0 {
					mu.Lock()
					out.n += len(lats)
					out.lats = append(out.lats, lats...)
					mu.Unlock()
					lats = lats[:0]
				}
			}
			mu.Lock()
			out.n += len(lats)
			out.lats = append(out.lats, lats...)
			out.errs += errs
			if out.firstErr == nil {
				out.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}
