package storage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gloss/ent/annotation"
	"gloss/ent/storage"
	"gloss/internal/viewer"
)

// TestSyncRewritesWhatChangedDuringAWrite: a target write reads an
// annotation, and an update of it commits before the write has stored the
// object (a slow bucket, or a sync's older read landing after the writer
// wrote the new version). The object then holds the older version, and
// the storage's next sync must write the newer one: the link records the
// version written, not when. It used to record the time, which was after
// the update, so the sync passed the annotation over and the bucket kept
// the old result for good whenever the update's own write was lost (a
// shutdown past its grace drops it, a crash too).
func TestSyncRewritesWhatChangedDuringAWrite(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	dir := t.TempDir()
	root := filepath.Join(dir, "files")
	if err := os.MkdirAll(filepath.Join(root, "out"), 0o750); err != nil {
		t.Fatal(err)
	}
	s, c := newTestService(t, dir, Options{Local: Local{Enabled: true, Root: root}})

	org := c.Organization.Create().SetTitle("Org").SaveX(ctx)
	u := c.User.Create().SetEmail("a@example.com").SetPasswordHash("x").SaveX(ctx)
	p := c.Project.Create().SetOrganizationID(org.ID).SetCreatedByID(u.ID).SetTitle("P").
		SetLabelConfig(`<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>`).
		SaveX(ctx)
	tk := c.Task.Create().SetProjectID(p.ID).SetOrganizationID(org.ID).SetInnerID(1).
		SetData(json.RawMessage(`{"text":"hello"}`)).SaveX(ctx)
	choice := func(v string) json.RawMessage {
		return json.RawMessage(`[{"from_name":"label","to_name":"text","type":"choices","value":{"choices":["` + v + `"]}}]`)
	}
	a := c.Annotation.Create().SetTaskID(tk.ID).SetProjectID(p.ID).SetOrganizationID(org.ID).
		SetCompletedByID(u.ID).SetResult(choice("a")).SaveX(ctx)
	st := c.Storage.Create().SetOrganizationID(org.ID).SetProjectID(p.ID).
		SetDirection(storage.DirectionEXPORT).SetKind(storage.KindLOCAL).SetBucket("out").SaveX(ctx)

	// The write reads the first version; the update commits; then the
	// write stores what it read.
	first := c.Annotation.Query().Where(annotation.ID(a.ID)).WithTask().OnlyX(ctx)
	time.Sleep(2 * time.Millisecond) // updated_at moves on
	c.Annotation.UpdateOneID(a.ID).SetResult(choice("b")).ExecX(ctx)
	body, err := annotationJSON(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.put(ctx, st, first, body); err != nil {
		t.Fatal(err)
	}
	object := filepath.Join(root, "out", strconv.Itoa(a.ID))
	if b, _ := os.ReadFile(object); !strings.Contains(string(b), `"choices": ["a"]`) {
		t.Fatalf("the object before the sync: %s", b)
	}

	run := c.StorageSync.Create().SetStorageID(st.ID).SetOrganizationID(org.ID).SetStartedAt(time.Now()).SaveX(ctx)
	if err := s.exportAnnotations(ctx, st, run); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(object)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"choices": ["b"]`) {
		t.Fatalf("after the sync the object still holds the version written before the update: %s", b)
	}
	// What the object holds now is current: another sync leaves it be.
	link := c.StorageLink.Query().OnlyX(ctx)
	now := c.Annotation.GetX(ctx, a.ID)
	if link.WrittenAt == nil || !link.WrittenAt.Equal(now.UpdatedAt) {
		t.Fatalf("the link records %v, the annotation's version is %v", link.WrittenAt, now.UpdatedAt)
	}
}
