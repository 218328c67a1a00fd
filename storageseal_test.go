package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gloss/internal/secret"
	"gloss/internal/storage"
)

// TestSealedCredentialsStayWithTheirDestination: an insider who can write
// the database but does not hold the server's secret key points an
// owner's storage at another bucket (or prefix) and syncs it: the
// credentials do not open there, so nothing is read with them and nothing
// imported; pointed back, the storage works. Credentials sealed by an
// earlier release (bound to their project only) are sealed again at the
// next start and keep working.
func TestSealedCredentialsStayWithTheirDestination(t *testing.T) {
	g := MustS3(t, "media", "loot")
	g.put(t, "media", "ok.png", pngBytes)
	g.put(t, "loot", "ok-loot.png", pngBytes)
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	project := (&team{s: s, owner: owner}).project(t, imageConfig, nil)
	id := str(owner.ok(createStorageMutation, map[string]any{"i": s3Input(project, "IMPORT", "media", g, map[string]any{"useBlobUrls": true, "prefix": "ok"})}), "createStorage", "id")
	db := insider(t, s)
	for _, move := range []string{
		"UPDATE storages SET bucket = 'loot' WHERE id = $1",
		"UPDATE storages SET prefix = '' WHERE id = $1",
	} {
		mustExec(t, db, move, id)
		done := syncAndWait(t, owner, project, id)
		if str(done, "status") != "FAILED" || !strings.Contains(str(done, "message"), "enter them again") {
			t.Fatalf("%s, then a sync: %v", move, done)
		}
		if n := taskCount(t, owner, project); n != 0 {
			t.Fatalf("%s: the sync imported %d tasks", move, n)
		}
		mustExec(t, db, "UPDATE storages SET bucket = 'media', prefix = 'ok' WHERE id = $1", id)
	}
	if done := syncAndWait(t, owner, project, id); str(done, "status") != "COMPLETED" || taskCount(t, owner, project) != 1 {
		t.Fatalf("the storage pointed back: %v", done)
	}

	// An earlier release's seal: bound to organization and project only.
	key, err := secret.Load(s.DataDir, s.env["GLOSS_SECRET_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(map[string]string{"accessKeyId": s3Access, "secretAccessKey": s3Secret})
	var org int
	if err := db.SQL.QueryRow(rebind(db, "SELECT organization_id FROM storages WHERE id = $1"), id).Scan(&org); err != nil {
		t.Fatal(err)
	}
	earlier := key.Sealer("storage credentials").Seal(plain, "org "+strconv.Itoa(org)+" project "+project)
	mustExec(t, db, "UPDATE storages SET secrets = $1 WHERE id = $2", earlier, id)
	g.put(t, "media", "ok2.png", pngBytes)
	s.stop()
	// As an earlier release left its data directory: without the file
	// that says the credentials were sealed again.
	if err := os.Remove(filepath.Join(s.DataDir, storage.ResealedFile)); err != nil {
		t.Fatal(err)
	}
	s2 := mustStartIn(t, s.DataDir, s.env)
	owner2 := s2.browser(t)
	owner2.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	if done := syncAndWait(t, owner2, project, id); str(done, "status") != "COMPLETED" || taskCount(t, owner2, project) != 2 {
		t.Fatalf("a storage of an earlier release after the upgrade: %v", done)
	}
	var now []byte
	if err := db.SQL.QueryRow(rebind(db, "SELECT secrets FROM storages WHERE id = $1"), id).Scan(&now); err != nil {
		t.Fatal(err)
	}
	if string(now) == string(earlier) {
		t.Fatal("the earlier release's seal was kept as it was")
	}

	// After the upgrade, a copy of the earlier seal put back, with the
	// storage pointed elsewhere, is not sealed again at the next start:
	// its credentials do not open, and go nowhere.
	mustExec(t, db, "UPDATE storages SET secrets = $1, bucket = 'loot' WHERE id = $2", earlier, id)
	s2.stop()
	s3 := mustStartIn(t, s.DataDir, s.env)
	owner3 := s3.browser(t)
	owner3.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	if done := syncAndWait(t, owner3, project, id); str(done, "status") != "FAILED" || !strings.Contains(str(done, "message"), "enter them again") {
		t.Fatalf("an earlier seal put back after the upgrade, then a sync: %v", done)
	}
	if n := taskCount(t, owner3, project); n != 2 {
		t.Fatalf("the sync imported from the other bucket: %d tasks", n)
	}
	// As the error asks, the owner enters them again: that works, though
	// what was stored no longer opens.
	owner3.ok(`mutation($s: ID!, $i: UpdateStorageInput!) { updateStorage(id: $s, input: $i) { id } }`, map[string]any{"s": id,
		"i": map[string]any{"s3": map[string]any{"bucket": "media", "endpoint": g.URL, "accessKeyId": s3Access, "secretAccessKey": s3Secret}}})
	g.put(t, "media", "ok3.png", pngBytes)
	if done := syncAndWait(t, owner3, project, id); str(done, "status") != "COMPLETED" || taskCount(t, owner3, project) != 3 {
		t.Fatalf("after the credentials were entered again: %v", done)
	}
}
