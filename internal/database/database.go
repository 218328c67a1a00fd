// Package database opens Gloss's database: an SQLite file in the data
// directory by default, PostgreSQL when DATABASE_URL is set. It migrates the
// schema on open.
package database

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"gloss/ent"
	_ "gloss/ent/runtime" // privacy policies and hooks
)

var migrating sync.Mutex

// FileName is the SQLite database file in the data directory.
const FileName = "gloss.db"

// DB is an open database: the ent client and the connection pools under it.
type DB struct {
	Client *ent.Client
	// SQL is the pool that writes: on SQLite its one writer connection, on
	// PostgreSQL the whole pool. Raw statements that change anything go here.
	SQL *sql.DB
	// Read is the pool for plain reads: on SQLite several read-only
	// connections beside the writer, on PostgreSQL the same pool as SQL.
	Read    *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
	turns   *turns // SQLite's queue for the writer; nil on PostgreSQL
	// Clock is the database server's time, by which processes that share
	// the database time what they decide together (the label stream's
	// locks).
	Clock *Clock
}

// NewClock returns the database's clock over the local clock local (nil:
// time.Now), measured against the server on PostgreSQL.
func (d *DB) NewClock(ctx context.Context, local func() time.Time) *Clock {
	if d.Dialect != dialect.Postgres {
		return NewClock(ctx, nil, local)
	}
	return NewClock(ctx, d.SQL, local)
}

// Close closes the client and its pools.
func (d *DB) Close() error { return d.Client.Close() }

// Ping reports whether the database answers, for the readiness probe. It
// asks the read pool: on SQLite the writer pool is the one connection,
// which a write transaction holds to its end (an import of a million
// tasks, for seconds), and a probe that waited for it took a busy server
// out of its load balancer.
func (d *DB) Ping(ctx context.Context) error { return d.Read.PingContext(ctx) }

// readers is the size of SQLite's read-only pool.
const readers = 8

// pgConns is the size of PostgreSQL's pool.
const pgConns = 20

// stmtCache is how many prepared statements each SQLite connection keeps.
const stmtCache = 128

// Open opens and migrates the database. An empty url means SQLite in dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	return OpenTrusting(ctx, url, dataDir, nil)
}

// OpenTrusting is Open with the operator's trusted roots (CUSTOM_CA_CERTS
// and AWS_CA_BUNDLE, config.RootCAs): a PostgreSQL URL that verifies the
// server (sslmode=verify-ca or verify-full) but names no sslrootcert
// verifies against roots instead of the system pool alone. Everything
// else in the URL goes to pgx as written; roots may be nil.
func OpenTrusting(ctx context.Context, url, dataDir string, roots *x509.CertPool) (*DB, error) {
	var d *DB
	var drv dialect.Driver
	if url == "" {
		w, r, ck, err := openSQLite(filepath.Join(dataDir, FileName))
		if err != nil {
			return nil, err
		}
		d = &DB{SQL: w, Read: r, Dialect: dialect.SQLite, turns: &turns{}}
		drv = &split{writer: entsql.OpenDB(dialect.SQLite, w), reader: entsql.OpenDB(dialect.SQLite, r), turns: d.turns, checkpoints: ck}
	} else {
		pc, err := pgx.ParseConfig(url)
		if err != nil {
			// pgx's message names the setting and hides the password.
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		trust(pc, roots)
		// Gloss's transactions are written for READ COMMITTED (each
		// statement sees what committed before it: the label stream's
		// lock, the project key's checks), whatever default the database
		// or role sets.
		pc.RuntimeParams["default_transaction_isolation"] = "read committed"
		db := stdlib.OpenDB(*pc)
		// Keep as many connections idle as may be open: database/sql's
		// default keeps two, so under load every connection beyond them was
		// closed after its query and the next one opened afresh, a new
		// server process each time (at 64 concurrent requests, 140 in 4 s),
		// which also prepared its statements again. Idle ones still close
		// after a few minutes of quiet.
		db.SetMaxOpenConns(pgConns)
		db.SetMaxIdleConns(pgConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		d = &DB{SQL: db, Read: db, Dialect: dialect.Postgres}
		pg := entsql.OpenDB(dialect.Postgres, db)
		drv = &split{writer: pg, reader: pg}
	}
	if err := d.SQL.PingContext(ctx); err != nil {
		d.SQL.Close()
		if d.Read != d.SQL {
			d.Read.Close()
		}
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	client := ent.NewClient(ent.Driver(drv))
	d.Client = client
	d.Clock = d.NewClock(ctx, nil)
	// ent's migration mutates package-level table definitions, so two
	// servers in one process (tests) must not migrate at once; processes
	// sharing one PostgreSQL database take its advisory lock, so replicas
	// started together migrate one after the other (the later ones find
	// the schema current and change nothing).
	migrating.Lock()
	err := d.Exclusive(ctx, func(ctx context.Context) error {
		if d.Dialect != dialect.SQLite {
			if err := client.Schema.Create(ctx, entschema.WithDiffHook(withoutTaskProjectKey)); err != nil {
				return err
			}
			if err := keyTaskProjects(ctx, d.SQL); err != nil {
				return err
			}
			if err := dropRetiredIndexes(ctx, d.SQL); err != nil {
				return err
			}
			if err := installAuditHead(ctx, d.SQL); err != nil {
				return err
			}
			return packIndexes(ctx, d.SQL)
		}
		// Times are integers on SQLite (sqlitetime.go): a database from
		// before is converted first, then ent finds its columns as
		// declared; SQLite's declarations differ a little (sqliteSchema).
		if err := convertTimes(ctx, d.SQL); err != nil {
			return err
		}
		if err := client.Schema.Create(ctx, entschema.WithHooks(sqliteSchema)); err != nil {
			return err
		}
		return dropRetiredIndexes(ctx, d.SQL)
	})
	migrating.Unlock()
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return d, nil
}

// retiredIndexes are indexes older releases made that the schema no longer
// has. ent's migration adds indexes but never drops one, and a retired index
// can still mislead the query planner: SQLite took task_organization_id for
// the data manager's id order, reading every task of the organization's
// other projects to fill one page of a small project.
//
// annotation_task_id became annotation_task_id_completed_by_id, which
// serves every read it served.
var retiredIndexes = []string{"task_organization_id", "annotation_task_id"}

// dropRetiredIndexes drops the retiredIndexes that exist.
func dropRetiredIndexes(ctx context.Context, db *sql.DB) error {
	for _, name := range retiredIndexes {
		if _, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return nil
}

// trust makes every TLS attempt of pc that verifies the server's
// certificate (verify-ca, verify-full) without a root file of its own
// (sslrootcert, which pgx has already loaded into RootCAs) verify against
// roots. pgx's verify-ca check reads RootCAs from the same tls.Config when
// it runs, so setting the field here is enough for both modes.
func trust(pc *pgx.ConnConfig, roots *x509.CertPool) {
	if roots == nil {
		return
	}
	set := func(tc *tls.Config) {
		if tc != nil && tc.RootCAs == nil && (!tc.InsecureSkipVerify || tc.VerifyPeerCertificate != nil) {
			tc.RootCAs = roots
		}
	}
	set(pc.TLSConfig)
	for _, fb := range pc.Fallbacks {
		set(fb.TLSConfig)
	}
}

// openSQLite opens the SQLite file at path as PocketBase does: one writer
// connection, so writers queue in Go (database/sql's pool) instead of
// sleeping in SQLite's busy handler, and a pool of read-only connections
// that never take the write lock (WAL lets them read beside the writer and
// see every committed write). busy_timeout stays as the last resort for
// another process on the same file (`gloss audit verify` beside a server).
// A third pool of one connection checkpoints the WAL beside the writer
// (checkpointer).
func openSQLite(path string) (writer, reader *sql.DB, ck *checkpointer, err error) {
	// Create the file owner-only before SQLite does; its journal files
	// take the same mode.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	// Each connection keeps its most recent prepared statements
	// (_stmt_cache_size): ent sends the same statement text for the same
	// query shape, and preparing it again on every call cost a third of
	// SQLite's time in the label stream.
	base := "file:" + path + "?_fk=1&_busy_timeout=10000&_stmt_cache_size=" + strconv.Itoa(stmtCache)
	// BEGIN IMMEDIATE: a write transaction holds the write lock from its
	// start, so it never has to upgrade a read lock (which could fail). The
	// writer's page cache is 32 MB (SQLite's default is 2 MB): a big import
	// then keeps its index pages in memory instead of spilling them to the
	// WAL and reading them back (1M tasks: 20 s with 2 MB, 7 s with 32 MB).
	writer, err = sql.Open(sqliteDriver, base+"&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&_cache_size=-32000")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	// The writer opens first so the file is in WAL mode before a reader
	// opens it.
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	reader, err = sql.Open(sqliteDriver, base+"&_query_only=1&_txlock=deferred")
	if err != nil {
		writer.Close()
		return nil, nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	cdb, err := sql.Open(sqliteDriver, base)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	cdb.SetMaxIdleConns(1)
	return writer, reader, newCheckpointer(cdb), nil
}

// split is the ent driver over the pools: transactions and every statement
// that may write go to the writer, plain SELECTs to the readers (on
// PostgreSQL both are the one pool). A read after a write in the same
// request sees it: the write committed before the read began (a write
// inside a transaction is read through the transaction, which is the
// writer's). Each transaction runs on a connection of its own taken from
// the writer pool, which InTx hands to code that needs the driver (TxOf).
type split struct {
	writer, reader *entsql.Driver
	// turns is the queue for the writer pool's one connection (SQLite):
	// transactions and writes outside one take it in the order they asked
	// (turns), and a transaction that ends yields its core to the next
	// (connTx.end). Nil on PostgreSQL.
	turns *turns
	// checkpoints copies the WAL into the database file beside the
	// writer (SQLite; nil on PostgreSQL). Every commit on the writer is
	// counted for it.
	checkpoints *checkpointer
}

func (s *split) Exec(ctx context.Context, query string, args, v any) error {
	return s.write(ctx, func() error { return s.writer.Exec(ctx, query, args, v) })
}

func (s *split) Query(ctx context.Context, query string, args, v any) error {
	if err := s.query(ctx, query, args, v); err != nil {
		return err
	}
	budgeted(ctx, v)
	return nil
}

func (s *split) query(ctx context.Context, query string, args, v any) error {
	if isSelect(query) {
		return s.reader.Query(ctx, query, args, v)
	}
	// INSERT ... RETURNING and the like. go-sqlite3 runs the statement as
	// its rows are read, so the turn goes with the rows: when they are
	// closed (ent closes every Rows it reads).
	defer s.checkpoints.wrote()
	if s.turns == nil {
		return s.writer.Query(ctx, query, args, v)
	}
	if err := s.turns.take(ctx); err != nil {
		return err
	}
	if err := s.writer.Query(ctx, query, args, v); err != nil {
		s.turns.give()
		return err
	}
	if r, ok := v.(*entsql.Rows); ok && r.ColumnScanner != nil {
		r.ColumnScanner = &turnRows{ColumnScanner: r.ColumnScanner, turns: s.turns}
		return nil
	}
	s.turns.give()
	return nil
}

// turnRows are the rows of a write outside a transaction: closing them
// gives the writer's turn back, once.
type turnRows struct {
	entsql.ColumnScanner
	turns *turns
	once  sync.Once
}

func (r *turnRows) Close() error {
	err := r.ColumnScanner.Close()
	r.once.Do(r.turns.give)
	return err
}

// ExecContext and QueryContext serve ent's client.ExecContext and
// client.QueryContext (raw statements), routed the same way.
func (s *split) ExecContext(ctx context.Context, query string, args ...any) (r sql.Result, err error) {
	err = s.write(ctx, func() error {
		r, err = s.writer.DB().ExecContext(ctx, query, args...)
		return err
	})
	return r, err
}

func (s *split) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	if isSelect(query) {
		return s.reader.DB().QueryContext(ctx, query, args...)
	}
	err = s.write(ctx, func() error {
		rows, err = s.writer.DB().QueryContext(ctx, query, args...)
		return err
	})
	return rows, err
}

// write runs a statement that writes outside a transaction, in its turn
// for the writer. A raw statement that returns rows (QueryContext: the
// sign-in throttle's INSERT ... RETURNING) gives its turn back once
// started and keeps the connection until its caller has read them: the
// next writer then waits for it in the pool, as it did without turns.
func (s *split) write(ctx context.Context, run func() error) error {
	defer s.checkpoints.wrote()
	if s.turns == nil {
		return run()
	}
	if err := s.turns.take(ctx); err != nil {
		return err
	}
	defer s.turns.give()
	return run()
}

func (s *split) Tx(ctx context.Context) (dialect.Tx, error) { return s.BeginTx(ctx, nil) }

// writerWait bounds how long a transaction waits for the writer
// connection. Writers queue for it in turn; the bound turns a transaction
// opened while the same goroutine already holds the writer (a bug, which
// would otherwise stop every write for good) into an error.
const writerWait = time.Minute

func (s *split) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	wctx, cancel := context.WithTimeout(ctx, writerWait)
	conn, err := s.writerConn(wctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("begin transaction: no database connection for writing after %v", writerWait)
		}
		return nil, err
	}
	t := &connTx{conn: conn, turns: s.turns, checkpoints: s.checkpoints}
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		t.end()
		return nil, err
	}
	if h, ok := ctx.Value(holdKey{}).(*Tx); ok && h.Tx == nil {
		h.Tx, h.Conn = tx, conn
	}
	c := s.writer.Conn // the dialect, over the transaction
	c.ExecQuerier = tx
	t.Tx = &entsql.Tx{Conn: c, Tx: tx}
	return t, nil
}

// writerConn takes a connection of the writer pool, in turn on SQLite.
func (s *split) writerConn(ctx context.Context) (*sql.Conn, error) {
	if s.turns != nil {
		if err := s.turns.take(ctx); err != nil {
			return nil, err
		}
	}
	conn, err := s.writer.DB().Conn(ctx)
	if err != nil && s.turns != nil {
		s.turns.give()
	}
	return conn, err
}

// connTx is a transaction that gives its connection back to the pool when
// it ends.
type connTx struct {
	*entsql.Tx
	conn        *sql.Conn
	turns       *turns // nil on PostgreSQL
	checkpoints *checkpointer
	ended       bool
}

// Query is the transaction's, charged to ctx's read budget.
func (t *connTx) Query(ctx context.Context, query string, args, v any) error {
	if err := t.Tx.Query(ctx, query, args, v); err != nil {
		return err
	}
	budgeted(ctx, v)
	return nil
}

func (t *connTx) Commit() error {
	defer t.end()
	defer t.checkpoints.wrote()
	return t.Tx.Commit()
}

func (t *connTx) Rollback() error {
	defer t.end()
	return t.Tx.Rollback()
}

// end gives the connection back, once (a commit that failed is rolled
// back after it). On SQLite it then gives the turn to the next writer in
// the queue, which then waited for a core until this goroutine blocked:
// after finishing its whole request (the reads after the commit, the
// response). Yielding here lets the next transaction start at once, so
// the one writer connection does not sit idle while writers queue for it:
// in the label stream with 8 annotators, the writer was busy 67% of the
// time before and 80% after, and the stream went from 660 to 790
// submits/s.
func (t *connTx) end() {
	if t.ended {
		return
	}
	t.ended = true
	t.conn.Close()
	if t.turns != nil {
		t.turns.give()
		runtime.Gosched()
	}
}

func (s *split) Close() error {
	// The checkpointer first: the writer's close checkpoints the rest.
	err := s.checkpoints.close()
	if werr := s.writer.Close(); err == nil {
		err = werr
	}
	if s.reader != s.writer {
		if rerr := s.reader.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

func (s *split) Dialect() string { return s.writer.Dialect() }

// Tx is the database/sql transaction under an ent transaction opened by
// InTx, and the connection it runs on: for work ent does not express, such
// as prepared statements reused across a bulk insert or PostgreSQL's COPY
// (through Conn.Raw). Use it only inside InTx's fn.
type Tx struct {
	Tx   *sql.Tx
	Conn *sql.Conn
}

type holdKey struct{}

// TxOf returns the transaction InTx opened for ctx, or nil when ctx
// carries none (or one InTx did not open).
func TxOf(ctx context.Context) *Tx {
	h, _ := ctx.Value(holdKey{}).(*Tx)
	if h == nil || h.Tx == nil {
		return nil
	}
	return h
}

// isSelect reports whether query is a plain SELECT (which cannot write:
// SQLite has no writing functions, and the readers refuse writes anyway).
func isSelect(query string) bool {
	query = strings.TrimLeft(query, " \t\r\n(")
	return len(query) >= 6 && strings.EqualFold(query[:6], "SELECT")
}

// startLock is the PostgreSQL advisory lock key that serializes start-up
// work (migration, bootstrap) across processes: "gloss" + 1.
const startLock int64 = 0x676c6f73_73000001

// Exclusive runs fn while this process alone, among all processes sharing
// the database, does start-up work. On PostgreSQL it holds a session-level
// advisory lock on a dedicated connection for fn's duration (fn itself uses
// the pool); the lock is released when fn returns, and by PostgreSQL if
// the process dies. On SQLite, whose file belongs to one process, fn runs
// at once (its writes are serialized by its one writer connection).
func (d *DB) Exclusive(ctx context.Context, fn func(context.Context) error) error {
	if d.Dialect != dialect.Postgres {
		return fn(ctx)
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1::bigint)", startLock); err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx has ended. If
		// it fails, the connection is dropped, which releases the lock.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1::bigint)", startLock); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn(ctx)
}

// ClientFrom returns the transaction's client when ctx carries one (a
// GraphQL mutation or a service's own transaction), else fallback.
func ClientFrom(ctx context.Context, fallback *ent.Client) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return fallback
}

// InTx runs fn in the transaction ctx carries, or in a new one on client
// that fn's error rolls back: the checks that run after a change rely on
// undoing it. fn reads and writes through ClientFrom(ctx, ...).
func InTx(ctx context.Context, client *ent.Client, fn func(context.Context) error) error {
	if ent.TxFromContext(ctx) != nil {
		return fn(ctx)
	}
	ctx = context.WithValue(ctx, holdKey{}, &Tx{})
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	ctx = ent.NewTxContext(ctx, tx)
	ctx = ent.NewContext(ctx, tx.Client())
	// A panic in fn (recovered further up, by gqlgen) must not leave the
	// transaction open: on SQLite it holds the one writer.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(ctx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		// A commit hook that failed before the commit left it open.
		_ = tx.Rollback()
		return err
	}
	return nil
}

// Statement returns the statement, and its arguments, that fn's query
// through the ent client it is given runs, without running it: ent builds
// the query, filters of every privacy policy included, for code that runs it
// itself and scans the rows into its own types (an export reading a million
// rows, where ent's objects cost more per row than the database). The
// client's queries answer no rows; fn must make exactly one query and
// succeed. A policy that queried the database to decide (two queries), or
// refused (an error), makes Statement fail: the statement is never one the
// policies did not build.
func Statement(ctx context.Context, d string, fn func(*ent.Client) error) (string, []any, error) {
	c := &statementDriver{dialect: d}
	if err := fn(ent.NewClient(ent.Driver(c))); err != nil {
		return "", nil, err
	}
	if len(c.queries) != 1 {
		return "", nil, fmt.Errorf("build a statement: %d queries were made, want 1", len(c.queries))
	}
	return c.queries[0], c.args, nil
}

// statementDriver records the queries ent makes through it, answers them
// with no rows, and runs nothing.
type statementDriver struct {
	dialect string
	queries []string
	args    []any
}

func (d *statementDriver) Query(_ context.Context, query string, args, v any) error {
	rows, ok := v.(*entsql.Rows)
	if !ok {
		return fmt.Errorf("build a statement: unexpected query destination %T", v)
	}
	d.queries = append(d.queries, query)
	d.args, _ = args.([]any)
	*rows = entsql.Rows{ColumnScanner: noRows{}}
	return nil
}

func (d *statementDriver) Exec(_ context.Context, query string, _, _ any) error {
	return fmt.Errorf("build a statement: a write: %s", query)
}

func (d *statementDriver) Tx(context.Context) (dialect.Tx, error) {
	return nil, errors.New("build a statement: a transaction")
}

func (d *statementDriver) Close() error    { return nil }
func (d *statementDriver) Dialect() string { return d.dialect }

// noRows is an empty result.
type noRows struct{}

func (noRows) Close() error                            { return nil }
func (noRows) ColumnTypes() ([]*sql.ColumnType, error) { return nil, nil }
func (noRows) Columns() ([]string, error)              { return nil, nil }
func (noRows) Err() error                              { return nil }
func (noRows) Next() bool                              { return false }
func (noRows) NextResultSet() bool                     { return false }
func (noRows) Scan(...any) error                       { return errors.New("no rows") }

// ForUpdate is a query modifier that locks the rows read until the
// transaction ends, on PostgreSQL. SQLite needs none: its write
// transaction holds the database's write lock from BEGIN IMMEDIATE on.
func ForUpdate(s *entsql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}

// ForShare is a query modifier that keeps the rows read from being changed
// or deleted by another transaction until this one ends, on PostgreSQL
// (SQLite: see ForUpdate).
func ForShare(s *entsql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForShare()
	}
}
