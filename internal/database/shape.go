package database

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gloss/ent"
	"gloss/ent/privacy"
	"gloss/internal/viewer"
)

// Shapes keeps statements of a fixed form that ent builds once and that
// then run many times with other values: the label stream's searches and
// row reads, which run on every nextTask and submit. ent builds a
// statement's text anew on each call, some 40 µs and 400 allocations for
// one of a few subqueries, which was a fifth of the stream's CPU and,
// inside a write transaction, time the SQLite writer was held for.
//
// A shape is learned the first time its key is asked for: build makes its
// query through ent with a placeholder in place of each value, and the
// statement ent would run is kept with each placeholder's place among its
// arguments. Later calls put their values in those places.
//
// Only for statements that no privacy policy filters by viewer: build runs
// under the system viewer with privacy's Allow decision whoever asks, so a
// policy that filtered by viewer would filter nothing. The callers are reads
// that already run past the policies (the stream's proposals, a submit's
// bookkeeping), which the policies decide around.
type Shapes struct {
	m sync.Map // shapeKey → *shape
	n atomic.Int32
}

// maxShapes bounds how many shapes one Shapes keeps, and maxShapeArgs the
// arguments of one it keeps (a search that passes over many tried tasks
// with a high overlap has thousands); beyond them a statement is built on
// each call, as ent would.
const (
	maxShapes    = 256
	maxShapeArgs = 256
)

type shapeKey struct {
	dialect string
	key     any
}

type shape struct {
	once  sync.Once
	query string
	args  []any // the statement's arguments: a constant, or a slot
	err   error
	big   bool // too many arguments to keep: learned anew on each call
}

// slot stands, among a shape's arguments, for the value at its index.
type slot int

// Statement returns the statement that build's one query through ent runs
// on dialect d, with values in place of the placeholders build was given.
// key names the shape: everything that changes the statement's form
// (which conditions are present, how many values a list holds) must be in
// it, and values must have the same count and types for every call with
// the same key. build receives a context and placeholders of values'
// types (int and time.Time); it must make exactly one query, use every
// placeholder as an argument, and never write one into the statement's
// text.
func (s *Shapes) Statement(d string, key any, values []any, build func(ctx context.Context, c *ent.Client, values []any) error) (string, []any, error) {
	k := shapeKey{d, key}
	v, ok := s.m.Load(k)
	if !ok {
		if s.n.Load() >= maxShapes {
			sh := &shape{}
			sh.learn(d, values, build)
			return sh.fill(values)
		}
		var loaded bool
		if v, loaded = s.m.LoadOrStore(k, &shape{}); !loaded {
			s.n.Add(1)
		}
	}
	sh := v.(*shape)
	var learned *shape // this call's, when it learned a shape too big to keep
	sh.once.Do(func() {
		sh.learn(d, values, build)
		if sh.err == nil && len(sh.args) > maxShapeArgs {
			learned = &shape{query: sh.query, args: sh.args}
			sh.query, sh.args, sh.big = "", nil, true
		}
	})
	if learned != nil {
		return learned.fill(values)
	}
	if sh.big {
		sh = &shape{}
		sh.learn(d, values, build)
	}
	return sh.fill(values)
}

// fill returns the shape's statement with values in its slots.
func (sh *shape) fill(values []any) (string, []any, error) {
	if sh.err != nil {
		return "", nil, sh.err
	}
	args := make([]any, len(sh.args))
	for i, a := range sh.args {
		if n, ok := a.(slot); ok {
			if int(n) >= len(values) {
				return "", nil, fmt.Errorf("statement shape: value %d of %d", n, len(values))
			}
			args[i] = values[n]
		} else {
			args[i] = a
		}
	}
	return sh.query, args, nil
}

// learn builds the statement once with placeholders and finds where each
// went. A build that panics is an error of the shape, as is one that
// made an empty statement: neither is ever run.
func (sh *shape) learn(d string, values []any, build func(ctx context.Context, c *ent.Client, values []any) error) {
	defer func() {
		if p := recover(); p != nil {
			sh.query, sh.args, sh.err = "", nil, fmt.Errorf("statement shape: %v", p)
		}
	}()
	holders := make([]any, len(values))
	for i, v := range values {
		switch v.(type) {
		case int:
			holders[i] = placeholderInt(i)
		case time.Time:
			holders[i] = placeholderTime(i)
		default:
			sh.err = fmt.Errorf("statement shape: no placeholder for a %T", v)
			return
		}
	}
	ctx := privacy.DecisionContext(viewer.NewSystemContext(context.Background()), privacy.Allow)
	query, args, err := Statement(ctx, d, func(c *ent.Client) error { return build(ctx, c, holders) })
	if err != nil {
		sh.err = fmt.Errorf("statement shape: %w", err)
		return
	}
	if strings.TrimSpace(query) == "" {
		sh.err = errors.New("statement shape: an empty statement")
		return
	}
	used := make([]bool, len(holders))
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		for j, h := range holders {
			if same(a, h) {
				out[i], used[j] = slot(j), true
				break
			}
		}
	}
	for j, h := range holders {
		if !used[j] {
			sh.err = fmt.Errorf("statement shape: value %d is not an argument of %s", j, query)
			return
		}
		if n, ok := h.(int); ok && strings.Contains(query, strconv.Itoa(n)) {
			sh.err = fmt.Errorf("statement shape: value %d is written into %s", j, query)
			return
		}
	}
	sh.query, sh.args = query, out
}

// placeholderInt is the i-th placeholder of an int: a number no id, count
// or limit is.
func placeholderInt(i int) int { return -7_340_033_000_000 - i*1_009 }

// placeholderTime is the i-th placeholder of a time: an instant no lock or
// timestamp is.
func placeholderTime(i int) time.Time {
	return time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i+1) * 7919 * time.Second)
}

func same(a, b any) bool {
	switch b := b.(type) {
	case int:
		n, ok := a.(int)
		return ok && n == b
	case time.Time:
		t, ok := a.(time.Time)
		return ok && t.Equal(b)
	}
	return false
}
