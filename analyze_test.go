//go:build pg

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeImportRefreshesPlannerStatistics imports tasks into a fresh
// PostgreSQL database: after an import of 1,500 tasks the planner knows the
// tasks table's size at once (ANALYZE ran after the commit), rather than
// taking it for empty until autovacuum comes by and planning each data
// manager page and export batch as a read of the whole project. A small
// import leaves the statistics to autovacuum.
func TestLargeImportRefreshesPlannerStatistics(t *testing.T) {
	tm := benchTeam(t)
	url := tm.s.env["DATABASE_URL"]
	if url == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	reltuples := func() int {
		return countRows(t, url, `SELECT reltuples::int FROM pg_class WHERE relname = 'tasks'`)
	}
	id := tm.project(t, textClassification, nil)
	tasks := func(n int) string {
		var txt strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&txt, "task %d\n", i)
		}
		return txt.String()
	}
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": tasks(10)}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	if n := reltuples(); n > 0 {
		t.Fatalf("after 10 tasks the planner counts %d: something analyzed the table already", n)
	}
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": tasks(1500)}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	if n := reltuples(); n != 1510 {
		t.Fatalf("after 1,510 tasks the planner counts %d", n)
	}
}

// TestLargeSyncRefreshesPlannerStatistics: a storage sync imports its
// objects in batches, each in a transaction of its own; once they are
// committed the planner knows the tasks it made, as after an import. The
// import's own refresh used to run inside the sync's batch, before its
// commit, where ANALYZE saw none of the new rows.
func TestLargeSyncRefreshesPlannerStatistics(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	tasks := make([]map[string]string, 1500)
	for i := range tasks {
		tasks[i] = map[string]string{"text": fmt.Sprintf("task %d", i)}
	}
	raw, _ := json.Marshal(tasks)
	if err := os.WriteFile(filepath.Join(root, "data", "tasks.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root})
	url := s.env["DATABASE_URL"]
	if url == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT",
		"kind": "LOCAL", "local": map[string]any{"path": "data"}}}), "createStorage", "id")
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" {
		t.Fatalf("sync: %v", done)
	}
	if n := countRows(t, url, `SELECT reltuples::int FROM pg_class WHERE relname = 'tasks'`); n != 1500 {
		t.Fatalf("after a sync of 1,500 tasks the planner counts %d", n)
	}
}
