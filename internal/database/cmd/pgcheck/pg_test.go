//go:build pg

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestPostgreSQLNotSetUpAsHere runs against the PostgreSQL server of
// DATABASE_URL or PG_URL (default: the local one make test-pg uses): that server passes, a missing
// database and a role that may not create databases do not.
func TestPostgreSQLNotSetUpAsHere(t *testing.T) {
	// The server make test-pg uses: DATABASE_URL, else PG_URL, else the
	// Makefile's default. A server that is not there fails the check below,
	// which names it.
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = os.Getenv("PG_URL")
	}
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	if msg, err := check(base); err != nil || !strings.HasPrefix(msg, "PostgreSQL ") {
		t.Fatalf("the test server fails the check: %q %v", msg, err)
	}
	u, _ := url.Parse(base)
	missing := *u
	missing.Path = "/gloss_no_such_database"
	if _, err := check(missing.String()); err == nil || !strings.Contains(err.Error(), "gloss_no_such_database") {
		t.Fatalf("a missing database: err = %v", err)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	role := "gloss_nocreate_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN NOCREATEDB NOSUPERUSER"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP ROLE IF EXISTS "+role) //nolint:errcheck
	weak := *u
	weak.User = url.User(role)
	// Where the server wants a password the role is refused at connect.
	_, err = check(weak.String())
	if err == nil || !(strings.Contains(err.Error(), "may not create databases") || strings.Contains(err.Error(), "cannot connect")) {
		t.Fatalf("a role that cannot create databases: err = %v", err)
	}
}
