//go:build pg

package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestAnUploadInUseIsNotRemovedByARacingDelete (PostgreSQL): an import
// that names an uploaded file from another project records its use in its
// transaction; the deletion of the file's own task, its last server until
// then, decides whether to remove the file. When the deletion read the
// uses while the import had not committed, it removed the file that the
// imported task then named: served to nobody, and gone from disk.
//
// The test holds the audit chain's lock, which every transaction that
// writes events takes last, before its commit: the import stops there
// with its use recorded, and the deletion runs beside it. It must wait
// for the import and keep the file.
func TestAnUploadInUseIsNotRemovedByARacingDelete(t *testing.T) {
	s, owner := MustOwner(t, nil)
	first := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "First", "labelConfig": uploadImageConfig}}), "createProject", "id")
	if r := uploadFiles(t, owner, first, map[string][]byte{"a.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	node := path(owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { id data } } } }`, map[string]any{"p": first}),
		"tasks", "edges", 0, "node")
	own, name := str(node, "id"), str(node, "data", "image")
	other := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Other", "labelConfig": uploadImageConfig}}), "createProject", "id")

	ctx := context.Background()
	hold, err := pgx.Connect(ctx, s.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(ctx)
	tx, err := hold.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	const chainLock = 0x676c6f7373 // internal/audit's key of the chain's lock
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1::bigint)", chainLock); err != nil {
		t.Fatal(err)
	}
	watch, err := pgx.Connect(ctx, s.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	// Waiting for a lock (of the kind given, or any): only this server's
	// connections, not those of tests running beside it.
	waitForWaiters := func(n int, kind string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var waiting int
			if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE NOT l.granted AND a.datname = current_database() AND ($1 = '' OR l.locktype = $1)`, kind).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d transactions wait for a lock, want %d", waiting, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	imported := make(chan *gqlResponse, 1)
	go func() {
		imported <- owner.gql(importTasks, map[string]any{"p": other, "t": []any{map[string]any{"image": name}}})
	}()
	waitForWaiters(1, "advisory") // the import, at its commit
	deleted := make(chan *gqlResponse, 1)
	go func() {
		deleted <- owner.gql(`mutation($p: ID!, $ids: [ID!]) { deleteTasks(projectId: $p, ids: $ids) }`,
			map[string]any{"p": first, "ids": []string{own}})
	}()
	waitForWaiters(2, "") // the deletion too: for the import's hold on the file's record, or at its commit
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*gqlResponse{<-imported, <-deleted} {
		if len(r.Errors) > 0 {
			t.Fatalf("%s", r.Raw)
		}
	}

	if r := getUpload(owner, name); r.Status != http.StatusOK {
		t.Fatalf("the file the imported task names: HTTP %d %s", r.Status, r.Raw)
	}
	file := filepath.Join(s.DataDir, "uploads", strings.TrimPrefix(name, "/api/uploads/"))
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the file on disk: %v", err)
	}
}
