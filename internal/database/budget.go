package database

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"

	entsql "entgo.io/ent/dialect/sql"
	"golang.org/x/sync/semaphore"

	"gloss/internal/fault"
)

// Read budgets bound what one request may read from the database.
//
// A GraphQL response is built whole in memory before it is written, and a
// task's data may be 1 MiB: fifteen aliased pages of 100 such tasks made
// one request read 1.5 GB and the server peak at 7.9 GB of memory. A
// request that carries a budget (WithReadBudget: every GraphQL request) is
// charged for each row it reads as the row is scanned, whatever statement
// reads it (a page of tasks, their annotations, a project's
// configuration). Past ReadLimit its reads fail with BAD_USER_INPUT, so it
// never holds more than the limit and a row. Beyond the first readOwn
// bytes, which every request has of its own, what it reads is also drawn
// from one pool for the whole process until the request ends, so that
// requests at once hold at most readPool between them: a read that finds
// the pool empty fails with RATE_LIMITED.
const (
	ReadLimit = 64 << 20  // what one request may read
	readOwn   = 1 << 20   // what it reads without drawing on the pool
	readPool  = 128 << 20 // what requests at once may read and answer beyond their own
	readChunk = 1 << 20   // drawn from the pool at a time
)

// pool is the process's readPool.
var pool = semaphore.NewWeighted(readPool)

type budgetKey struct{}

// budget is one request's reads, and what it answers, so far.
type budget struct {
	mu       sync.Mutex
	pool     *semaphore.Weighted
	limit    int64
	used     int64 // read
	answered int64 // written into the response (ChargeAnswer)
	drawn    int64 // held from pool
	closed   bool
}

// WithReadBudget returns ctx with a read budget of ReadLimit, and the
// function that ends it, giving back what it drew from the pool: call it
// once the response is written. Reads on ctx after that are not charged
// (work the request left running in the background, such as a storage
// sync, reads under its own bounds).
func WithReadBudget(ctx context.Context) (context.Context, func()) {
	b := &budget{pool: pool, limit: ReadLimit}
	return context.WithValue(ctx, budgetKey{}, b), b.end
}

// WithoutReadBudget returns ctx without its read budget: for work a
// request starts in the background, which outlives the response and
// reads under bounds of its own.
func WithoutReadBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, (*budget)(nil))
}

// ChargeAnswer counts n more bytes that the request in ctx answers, if it
// carries a budget: what it read once may be answered many times (a
// project's configuration under each task of a page, a task's data under
// fifteen aliases), and the response is held whole until it is written.
// Past ReadLimit it fails with BAD_USER_INPUT; it draws on the pool as
// reads do.
func ChargeAnswer(ctx context.Context, n int) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil || n <= 0 {
		return nil
	}
	return b.add(&b.answered, int64(n), "answers more than %d MiB (a value asked for under many aliases, or under every item of a page, counts each time)")
}

// charge counts n more bytes read.
func (b *budget) charge(n int64) error {
	return b.add(&b.used, n, "reads more than %d MiB from the database (task data, annotations, configurations)")
}

// add counts n more bytes in *count (used or answered); past the limit it
// refuses with what the request does too much of (over, with the limit in
// MiB).
func (b *budget) add(count *int64, n int64, over string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	*count += n
	if *count > b.limit {
		return fault.Invalid("this request "+over+": ask for fewer items per page, fewer aliases or fewer fields", b.limit>>20)
	}
	for b.used+b.answered-readOwn > b.drawn {
		if !b.pool.TryAcquire(readChunk) {
			return fault.New(fault.RateLimited, "the server is answering other large requests: try again shortly, or ask for fewer items per page")
		}
		b.drawn += readChunk
	}
	return nil
}

func (b *budget) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.pool.Release(b.drawn)
		b.drawn = 0
	}
}

// budgeted charges the rows v holds, read on ctx, to ctx's budget, if it
// carries one.
func budgeted(ctx context.Context, v any) {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return
	}
	if r, ok := v.(*entsql.Rows); ok && r.ColumnScanner != nil {
		r.ColumnScanner = &budgetRows{ColumnScanner: r.ColumnScanner, budget: b}
	}
}

// budgetRows charge each row as it is scanned.
type budgetRows struct {
	entsql.ColumnScanner
	budget *budget
}

func (r *budgetRows) Scan(dest ...any) error {
	if err := r.ColumnScanner.Scan(dest...); err != nil {
		return err
	}
	return r.budget.charge(rowSize(dest))
}

// rowSize is what a scanned row holds beyond a few words: its strings and
// bytes. Numbers, times and flags are not counted: a bulk action reads the
// ids of every task of a project (a million of them), and what a response
// holds of them is bounded by the complexity limit.
func rowSize(dest []any) int64 {
	var n int64
	for _, d := range dest {
		switch v := d.(type) {
		case *[]byte:
			n += int64(len(*v))
		case *json.RawMessage:
			n += int64(len(*v))
		case *sql.RawBytes:
			n += int64(len(*v))
		case *string:
			n += int64(len(*v))
		case *sql.NullString:
			n += int64(len(v.String))
		case *any:
			switch x := (*v).(type) {
			case []byte:
				n += int64(len(x))
			case string:
				n += int64(len(x))
			}
		}
	}
	return n
}
