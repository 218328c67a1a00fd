//go:build pg

package audit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTheHeadFunctionIsCalledSafely (PostgreSQL): the chain's lock and head
// are read by the function the migration installed, called so that a
// look-alike taking text, on the search path, is not called instead (with
// an untyped argument PostgreSQL prefers it); and a role that may not
// execute the function (made by another role, which revoked the right)
// takes the lock and reads the head in two statements instead of failing
// every append.
func TestTheHeadFunctionIsCalledSafely(t *testing.T) {
	if os.Getenv("DATABASE_URL") == "" {
		t.Fatal("the PostgreSQL suite needs DATABASE_URL")
	}
	u := freshDatabaseURL(t)
	f := &fixture{db: mustOpen(t, u, t.TempDir()), key: mustKey(t, "k"), file: filepath.Join(t.TempDir(), "checkpoints.jsonl")}
	f.exec(t, `CREATE FUNCTION public.gloss_audit_head(text) RETURNS TABLE(seq bigint, hash bytea)
		LANGUAGE sql AS $$ SELECT 999::bigint, '\x00'::bytea $$`)
	f.log = f.newLog()
	if err := f.log.Start(sys, nil); err != nil {
		t.Fatal(err)
	}
	if !f.log.HeadFunction() {
		t.Fatal("the started log does not use the head function")
	}
	f.record(t, "a", "b", "c")
	mustIntact(t, f, 3)

	// Another role, with the right to read and write the tables but not
	// to execute the function.
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	role := "gloss_audit_app_" + hex.EncodeToString(b)
	f.exec(t, `REVOKE EXECUTE ON FUNCTION public.gloss_audit_head(bigint) FROM PUBLIC`)
	f.exec(t, `CREATE ROLE `+role+` LOGIN`)
	t.Cleanup(func() {
		ctx := context.Background()
		if c, err := pgx.Connect(ctx, u); err == nil {
			_, _ = c.Exec(ctx, "DROP OWNED BY "+role)
			c.Close(ctx)
		}
		if c, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL")); err == nil {
			_, _ = c.Exec(ctx, "DROP ROLE IF EXISTS "+role)
			c.Close(ctx)
		}
	})
	f.exec(t, `GRANT ALL ON ALL TABLES IN SCHEMA public TO `+role)
	f.exec(t, `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO `+role)
	ru, _ := url.Parse(u)
	ru.User = url.User(role)
	app := &fixture{db: mustOpen(t, ru.String(), t.TempDir()), key: f.key, file: filepath.Join(t.TempDir(), "app.jsonl")}
	app.log = app.newLog()
	if err := app.log.Start(sys, nil); err != nil {
		t.Fatal(err)
	}
	if app.log.HeadFunction() {
		t.Fatal("a role that may not execute the head function uses it")
	}
	app.record(t, "d", "e")
	mustIntact(t, app, 5)
}
