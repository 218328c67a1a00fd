//go:build pg

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTaskIndexesArePacked: on PostgreSQL the indexes of tasks whose keys
// only grow (the primary key and those of immutable columns) are packed
// full (fillfactor 100), those with a column that changes keep the default,
// and a server started again on the same database changes nothing.
func TestTaskIndexesArePacked(t *testing.T) {
	tm := benchTeam(t)
	url := tm.s.env["DATABASE_URL"]
	if url == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	packed := func() string {
		var b strings.Builder
		for _, name := range []string{"tasks_pkey", "task_project_id_id", "task_project_id_inner_id", "task_project_id_created_at_id",
			"task_project_id_total_annotations_id", "task_project_id_updated_at_id", "task_locked_by_id_project_id"} {
			n := countRows(t, url, fmt.Sprintf(`SELECT count(*) FROM pg_class WHERE relname = '%s' AND relkind = 'i'
				AND COALESCE(reloptions @> ARRAY['fillfactor=100'], false)`, name))
			if countRows(t, url, fmt.Sprintf(`SELECT count(*) FROM pg_class WHERE relname = '%s' AND relkind = 'i'`, name)) != 1 {
				t.Fatalf("index %s does not exist", name)
			}
			fmt.Fprintf(&b, "%s=%d ", name, n)
		}
		return b.String()
	}
	const want = "tasks_pkey=1 task_project_id_id=1 task_project_id_inner_id=1 task_project_id_created_at_id=1 " +
		"task_project_id_total_annotations_id=0 task_project_id_updated_at_id=0 task_locked_by_id_project_id=0 "
	if got := packed(); got != want {
		t.Fatalf("packed indexes:\n got %s\nwant %s", got, want)
	}
	tm.s.stop()
	mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := packed(); got != want {
		t.Fatalf("after a restart, packed indexes:\n got %s\nwant %s", got, want)
	}
}

// TestUnpackedIndexesOfAnotherOwnerDoNotStopAStart: a role that does not own
// the task indexes (the schema was made by another role) cannot pack them;
// the server starts all the same and leaves them as they are.
func TestUnpackedIndexesOfAnotherOwnerDoNotStopAStart(t *testing.T) {
	tm := benchTeam(t)
	owner := tm.s.env["DATABASE_URL"]
	if owner == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	tm.s.stop()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER INDEX task_project_id_id RESET (fillfactor)`); err != nil {
		t.Fatal(err)
	}
	startAsGuest(t, owner)
	if n := countRows(t, owner, `SELECT count(*) FROM pg_class WHERE relname = 'task_project_id_id'
		AND COALESCE(reloptions @> ARRAY['fillfactor=100'], false)`); n != 0 {
		t.Fatal("a role that does not own the index packed it")
	}
}

// startAsGuest starts a server on the database at owner (a URL) as a new
// role that may read and write its tables but owns none of them, and checks
// that it answers. The role is dropped when the test ends.
func startAsGuest(t *testing.T, owner string) *testServer {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	role := "gloss_guest_" + hex.EncodeToString(b)
	for _, stmt := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT USAGE ON SCHEMA public TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + role,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ` + role,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), owner)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP OWNED BY `+role)
		_, _ = c.Exec(context.Background(), `DROP ROLE IF EXISTS `+role)
	})
	u, err := url.Parse(owner)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	s := mustStartIn(t, t.TempDir(), map[string]string{"DATABASE_URL": u.String()})
	if r := s.browser(t).gql(`{ viewer { id } }`, nil); r.Status != 200 {
		t.Fatalf("the server started as %s does not answer: %s", role, r.Raw)
	}
	return s
}
