package database

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gloss/internal/viewer"
)

// TestCheckpointBesideTheWriter: a commit reaches the database file itself
// (not only the WAL) shortly after it is made, long before the WAL holds
// the 1,000 pages at which the writer would checkpoint inside a commit;
// and the WAL does not grow without bound under a stream of commits, so
// SQLite keeps starting it over. The file is read with immutable=1, which
// ignores the WAL.
func TestCheckpointBesideTheWriter(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	dir := t.TempDir()
	d, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Client.Throttle.Create().SetKey("in-the-file").SetWindowStart(time.Now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	file, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, FileName)+"?immutable=1&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.SetMaxOpenConns(1)
	inFile := func() int {
		// A new connection each time: an immutable one caches the file.
		file.SetMaxIdleConns(0)
		var n int
		if err := file.QueryRow("SELECT count(*) FROM throttles WHERE key = 'in-the-file'").Scan(&n); err != nil {
			return 0 // the file does not hold the table yet: the schema is in the WAL too
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for inFile() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a commit was still only in the WAL after 5 s: nothing checkpoints beside the writer")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// 3,000 commits, each a few pages, would take an unchecked WAL past
	// 10 MB; SQLite starts it over once a checkpoint has copied it all.
	for i := range 3000 {
		if err := d.Client.Throttle.Create().SetKey(fmt.Sprintf("k%d", i)).SetWindowStart(time.Now()).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows, size int
	if err := d.SQL.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if err := d.SQL.QueryRow("SELECT count(*) FROM throttles").Scan(&rows); err != nil || rows != 3001 {
		t.Fatalf("rows after the commits: %d %v", rows, err)
	}
	wal, err := os.Stat(filepath.Join(dir, FileName+"-wal"))
	if err != nil {
		t.Fatalf("the WAL: %v", err)
	}
	if wal.Size() > 2000*int64(size) {
		t.Fatalf("the WAL is %d bytes after 3,000 commits: it is not being started over", wal.Size())
	}
}
