package storage

import (
	"testing"

	"gloss/ent"
	"gloss/internal/database"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// newTestService returns a Service with options o over a fresh SQLite
// database in dir, with a server key of its own, and the database's
// client; both close when the test ends.
func newTestService(t *testing.T, dir string, o Options) (*Service, *ent.Client) {
	t.Helper()
	db, err := database.Open(viewer.NewSystemContext(t.Context()), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if o.Key, err = secret.Load(dir, ""); err != nil {
		t.Fatal(err)
	}
	s := NewService(db.Client, o)
	t.Cleanup(func() { s.Close(0) })
	return s, db.Client
}
