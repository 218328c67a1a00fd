package database

import (
	"context"
	"strings"
	"testing"
	"time"

	"gloss/ent/throttle"
	"gloss/internal/viewer"
)

// TestSQLiteSplit: on SQLite, writes go to the one writer connection and
// plain reads to the read-only pool. The readers refuse a write; a read
// answers while a write transaction is open (without seeing it), and sees
// it once committed; a second transaction waits for the first (in Go)
// instead of failing with "database is locked".
func TestSQLiteSplit(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	if _, err := d.Read.ExecContext(ctx, "INSERT INTO throttles (key, failures, window_start) VALUES ('x', 1, ?)", time.Now()); err == nil ||
		!strings.Contains(err.Error(), "readonly") {
		t.Fatalf("a write on the read pool: err = %v, want a read-only refusal", err)
	}
	if n, err := d.Client.Throttle.Query().Count(ctx); err != nil || n != 0 {
		t.Fatalf("the refused write stored something: %d %v", n, err)
	}

	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Throttle.Create().SetKey("held").SetWindowStart(time.Now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// The writer is held: a read is still answered, from the last commit,
	// and the readiness probe too.
	if n, err := d.Client.Throttle.Query().Count(ctx); err != nil || n != 0 {
		t.Fatalf("a read beside an open write transaction: %d %v", n, err)
	}
	probe, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.Ping(probe); err != nil {
		t.Fatalf("the readiness ping beside an open write transaction: %v", err)
	}
	// A second writer queues behind the first and goes on when it commits.
	second := make(chan error, 1)
	go func() {
		second <- d.Client.Throttle.Create().SetKey("queued").SetWindowStart(time.Now()).Exec(ctx)
	}()
	select {
	case err := <-second:
		t.Fatalf("the second write did not wait for the first transaction: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the queued write: %v", err)
	}
	// Read after write: both commits are seen by the read pool.
	keys, err := d.Client.Throttle.Query().Order(throttle.ByKey()).Select(throttle.FieldKey).Strings(ctx)
	if err != nil || strings.Join(keys, ",") != "held,queued" {
		t.Fatalf("read after the writes: %v %v", keys, err)
	}

	// A transaction's own connection is handed to InTx's callers.
	err = InTx(ctx, d.Client, func(ctx context.Context) error {
		tx := TxOf(ctx)
		if tx == nil || tx.Tx == nil || tx.Conn == nil {
			t.Fatal("TxOf: no transaction inside InTx")
		}
		_, err := tx.Tx.ExecContext(ctx, "DELETE FROM throttles WHERE key = 'held'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.Client.Throttle.Query().Count(ctx); err != nil || n != 1 {
		t.Fatalf("after the delete through TxOf: %d %v", n, err)
	}
	if TxOf(ctx) != nil {
		t.Fatal("TxOf outside InTx")
	}
}
