//go:build pg

package main

import (
	"fmt"
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
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": tasks(10)}); r.Status != 200 {
		t.Fatalf("import: %s", r.Raw)
	}
	if n := reltuples(); n > 0 {
		t.Fatalf("after 10 tasks the planner counts %d: something analyzed the table already", n)
	}
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": tasks(1500)}); r.Status != 200 {
		t.Fatalf("import: %s", r.Raw)
	}
	if n := reltuples(); n != 1510 {
		t.Fatalf("after 1,510 tasks the planner counts %d", n)
	}
}
