package database

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
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

	// SQLite starts the WAL over once a checkpoint has copied it all, and
	// counts each start in the WAL header's checkpoint sequence number. The
	// first commit below may start it over on the strength of the
	// checkpoint above; a second start needs a checkpoint while commits
	// keep coming. 3,000 commits of a few pages each take an unchecked WAL
	// past 10 MB, several times the writer's own checkpoint at 1,000 pages;
	// a starved checkpointer (CI runs this beside the PostgreSQL suite on
	// two cores) may need more, so commits go on until the second start or
	// 30,000. The file's size is no measure: it is the WAL's high mark.
	walFile := filepath.Join(dir, FileName+"-wal")
	before := walSequence(t, walFile)
	n := 0
	for ; n < 30000 && (n < 3000 || walSequence(t, walFile)-before < 2); n++ {
		if err := d.Client.Throttle.Create().SetKey(fmt.Sprintf("k%d", n)).SetWindowStart(time.Now()).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	if err := d.SQL.QueryRow("SELECT count(*) FROM throttles").Scan(&rows); err != nil || rows != n+1 {
		t.Fatalf("rows after %d commits: %d %v", n, rows, err)
	}
	if starts := walSequence(t, walFile) - before; starts < 2 {
		t.Fatalf("the WAL was started over %d times in %d commits: nothing checkpoints while commits come", starts, n)
	}
}

// walSequence reads the checkpoint sequence number of the WAL file's
// header (bytes 12–15, big-endian), which SQLite raises each time it
// starts the WAL over.
func walSequence(t *testing.T, path string) uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the WAL: %v", err)
	}
	defer f.Close()
	var h [16]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		t.Fatalf("the WAL's header: %v", err)
	}
	return binary.BigEndian.Uint32(h[12:])
}
