//go:build pg

package main

import (
	"fmt"
	"strings"
	"testing"
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
