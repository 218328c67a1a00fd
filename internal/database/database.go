// Package database opens Gloss's database: an SQLite file in the data
// directory by default, PostgreSQL when DATABASE_URL is set. It migrates the
// schema on open.
package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver

	"gloss/ent"
	_ "gloss/ent/runtime" // privacy policies and hooks
)

var migrating sync.Mutex

// FileName is the SQLite database file in the data directory.
const FileName = "gloss.db"

// DB is an open database: the ent client and the connection pool under it.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
}

// Close closes the client and its pool.
func (d *DB) Close() error { return d.Client.Close() }

// Open opens and migrates the database. An empty url means SQLite in dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	var drv *entsql.Driver
	if url == "" {
		// WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the
		// write lock at the start of a transaction so concurrent writers
		// queue on busy_timeout instead of failing with "database is locked".
		path := filepath.Join(dataDir, FileName)
		// Create the file owner-only before SQLite does; its journal files
		// take the same mode.
		if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600); err != nil {
			return nil, fmt.Errorf("create database file: %w", err)
		} else {
			f.Close()
		}
		dsn := "file:" + path +
			"?_fk=1&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate&_synchronous=NORMAL"
		db, err := sql.Open("sqlite3", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.SetMaxOpenConns(8)
		drv = entsql.OpenDB(dialect.SQLite, db)
	} else {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		drv = entsql.OpenDB(dialect.Postgres, db)
	}
	if err := drv.DB().PingContext(ctx); err != nil {
		drv.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	client := ent.NewClient(ent.Driver(drv))
	d := &DB{Client: client, SQL: drv.DB(), Dialect: drv.Dialect()}
	// ent's migration mutates package-level table definitions, so two
	// servers in one process (tests) must not migrate at once; processes
	// sharing one PostgreSQL database take its advisory lock, so replicas
	// started together migrate one after the other (the later ones find
	// the schema current and change nothing).
	migrating.Lock()
	err := d.Exclusive(ctx, func(ctx context.Context) error { return client.Schema.Create(ctx) })
	migrating.Unlock()
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return d, nil
}

// startLock is the PostgreSQL advisory lock key that serializes start-up
// work (migration, bootstrap) across processes: "gloss" + 1.
const startLock int64 = 0x676c6f73_73000001

// Exclusive runs fn while this process alone, among all processes sharing
// the database, does start-up work. On PostgreSQL it holds a session-level
// advisory lock on a dedicated connection for fn's duration (fn itself uses
// the pool); the lock is released when fn returns, and by PostgreSQL if
// the process dies. On SQLite, whose file belongs to one process, fn runs
// at once (its write transactions are serialized by BEGIN IMMEDIATE).
func (d *DB) Exclusive(ctx context.Context, fn func(context.Context) error) error {
	if d.Dialect != dialect.Postgres {
		return fn(ctx)
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", startLock); err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx has ended. If
		// it fails, the connection is dropped, which releases the lock.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", startLock); err != nil {
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
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	ctx = ent.NewTxContext(ctx, tx)
	ctx = ent.NewContext(ctx, tx.Client())
	if err := fn(ctx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
