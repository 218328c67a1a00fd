package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	_ "github.com/mattn/go-sqlite3"

	"gloss/ent"
	"gloss/ent/enttest"
	_ "gloss/ent/runtime"
	"gloss/internal/audit"
	"gloss/internal/viewer"
)

func MustLog(t *testing.T) (*ent.Client, *audit.Log) {
	t.Helper()
	client := enttest.Open(t, dialect.SQLite, "file:"+t.Name()+"?mode=memory&cache=shared&_fk=1")
	t.Cleanup(func() { client.Close() })
	return client, audit.NewLog(client, dialect.SQLite)
}

func TestChain(t *testing.T) {
	client, log := MustLog(t)
	ctx := viewer.NewSystemContext(context.Background())
	for _, a := range []string{"one", "two", "three"} {
		if err := log.Record(ctx, audit.Event{Action: a, Details: map[string]any{"n": 1.5, "s": "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := audit.Verify(ctx, client); n != 3 || err != nil {
		t.Fatalf("verify = %d, %v", n, err)
	}
	// A reader without the system viewer cannot write or read events.
	if err := client.AuditEvent.Create().SetAction("forged").SetPrevHash(nil).SetHash(nil).Exec(context.Background()); err == nil {
		t.Fatal("an event was written without the system viewer")
	}
	if _, err := client.AuditEvent.Query().All(viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 9, OrgID: 1})); err == nil {
		t.Fatal("an annotator read the audit log")
	}
}

func TestPruneKeepsTheChainVerifiable(t *testing.T) {
	client, log := MustLog(t)
	ctx := viewer.NewSystemContext(context.Background())
	for i := 0; i < 4; i++ {
		if err := log.Record(ctx, audit.Event{Action: "old"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := log.Prune(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := client.AuditEvent.Query().Count(ctx); n != 4 {
		t.Fatalf("retention 0 removed events: %d left", n)
	}
	removed, err := log.Prune(ctx, time.Nanosecond)
	if err != nil || removed != 4 {
		t.Fatalf("prune = %d, %v", removed, err)
	}
	if n, err := audit.Verify(ctx, client); n != 1 || err != nil {
		t.Fatalf("verify after prune = %d, %v", n, err)
	}
	last, _ := client.AuditEvent.Query().Only(ctx)
	if last.Action != "audit.pruned" || last.Details["removed"] != float64(4) {
		t.Fatalf("prune event: %+v", last)
	}
	if _, err := client.ExecContext(ctx, "UPDATE audit_events SET target_id = 'x'"); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Verify(ctx, client); !errors.Is(err, audit.ErrBroken) {
		t.Fatalf("verify after an edit: %v", err)
	}
}
