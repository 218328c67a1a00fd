package storage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/storage"
	"gloss/internal/viewer"
)

// targetWorld is a project with one annotated task and a local target
// storage that may delete objects, over a fresh database; the annotation's
// changes reach the storage only through what the test calls (no hook).
type targetWorld struct {
	s      *Service
	c      *ent.Client
	st     *ent.Storage
	a      *ent.Annotation
	object string // the annotation's object
}

func newTargetWorld(t *testing.T) *targetWorld {
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
	a := c.Annotation.Create().SetTaskID(tk.ID).SetProjectID(p.ID).SetOrganizationID(org.ID).
		SetCompletedByID(u.ID).SetResult(choice("a")).SaveX(ctx)
	st := c.Storage.Create().SetOrganizationID(org.ID).SetProjectID(p.ID).SetCanDeleteObjects(true).
		SetDirection(storage.DirectionEXPORT).SetKind(storage.KindLOCAL).SetBucket("out").SaveX(ctx)
	return &targetWorld{s: s, c: c, st: st, a: a, object: filepath.Join(root, "out", strconv.Itoa(a.ID))}
}

func choice(v string) json.RawMessage {
	return json.RawMessage(`[{"from_name":"label","to_name":"text","type":"choices","value":{"choices":["` + v + `"]}}]`)
}

// read returns the annotation as a target write reads it.
func (w *targetWorld) read(t *testing.T) *ent.Annotation {
	return w.c.Annotation.Query().Where(annotation.ID(w.a.ID)).WithTask().OnlyX(viewer.NewSystemContext(t.Context()))
}

// update changes the annotation's result to v, a later version.
func (w *targetWorld) update(t *testing.T, v string) {
	time.Sleep(2 * time.Millisecond) // updated_at moves on
	w.c.Annotation.UpdateOneID(w.a.ID).SetResult(choice(v)).ExecX(viewer.NewSystemContext(t.Context()))
}

// put writes a as read earlier, as the background writer or a sync does.
func (w *targetWorld) put(t *testing.T, a *ent.Annotation) {
	body, err := annotationJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.put(viewer.NewSystemContext(t.Context()), w.st, a, body); err != nil {
		t.Fatal(err)
	}
}

func (w *targetWorld) sync(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	run := w.c.StorageSync.Create().SetStorageID(w.st.ID).SetOrganizationID(w.st.OrganizationID).SetStartedAt(time.Now()).SaveX(ctx)
	if err := w.s.exportAnnotations(ctx, w.st, run); err != nil {
		t.Fatal(err)
	}
}

// holds fails unless the object holds the result v and the link names the
// annotation's current version.
func (w *targetWorld) holds(t *testing.T, v, when string) {
	t.Helper()
	ctx := viewer.NewSystemContext(t.Context())
	if b, err := os.ReadFile(w.object); err != nil || !strings.Contains(string(b), `"choices": ["`+v+`"]`) {
		t.Fatalf("%s: the object holds %s (%v), want the result %q", when, b, err, v)
	}
	link := w.c.StorageLink.Query().OnlyX(ctx)
	now := w.c.Annotation.GetX(ctx, w.a.ID)
	if link.WrittenAt == nil || !link.WrittenAt.Equal(now.UpdatedAt) {
		t.Fatalf("%s: the link names the version %v, the annotation's is %v", when, link.WrittenAt, now.UpdatedAt)
	}
}

// TestSyncRewritesWhatTheLinkDoesNotName: a link records the version its
// object holds (the annotation's updated_at), not when it was written, and
// a sync writes every annotation whose link does not name its current
// version exactly. An update whose own write was lost (a shutdown past its
// grace drops it, a crash too) is then written by the next sync. Links
// used to record the time of the write, which could be after an update
// that committed while the write ran: the sync passed that update over and
// the bucket kept the old result for good. Links of those releases are
// written once more.
func TestSyncRewritesWhatTheLinkDoesNotName(t *testing.T) {
	w := newTargetWorld(t)
	w.put(t, w.read(t))
	w.holds(t, "a", "after the first write")

	w.update(t, "b") // its own write is lost
	w.sync(t)
	w.holds(t, "b", "after the sync")

	// A link of an earlier release: the time of a write, later than the
	// version written. The sync writes the object again.
	ctx := viewer.NewSystemContext(t.Context())
	w.c.StorageLink.Update().SetWrittenAt(time.Now()).ExecX(ctx)
	if err := os.WriteFile(w.object, []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	w.holds(t, "b", "after a sync of an earlier release's link")

	// What the object holds is current: another sync leaves it be.
	if err := os.WriteFile(w.object, []byte("left alone"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if b, _ := os.ReadFile(w.object); string(b) != "left alone" {
		t.Fatalf("a sync rewrote an object whose link names the current version: %s", b)
	}
}

// TestAnOlderWriteLandingLastIsRepaired: a sync and the background writer
// write one annotation at the same moment, one with a version read before
// the other's, and the older write lands last. The writer of the older
// version finds, once its write is done, that it is no longer the
// annotation's, and writes the current one (or, for an annotation deleted
// meanwhile, removes the object and its link): the object never keeps an
// older version under a link that names the newer, which every later sync
// would pass over.
func TestAnOlderWriteLandingLastIsRepaired(t *testing.T) {
	w := newTargetWorld(t)
	older := w.read(t)
	w.update(t, "b")
	w.put(t, w.read(t)) // the newer version's write, done first
	w.holds(t, "b", "after the newer write")
	w.put(t, older) // the older one lands last
	w.holds(t, "b", "after the older write landed last")

	w.c.Annotation.DeleteOneID(w.a.ID).ExecX(viewer.NewSystemContext(t.Context()))
	w.put(t, older) // landing after the annotation's removal
	if _, err := os.Stat(w.object); !os.IsNotExist(err) {
		t.Fatalf("an older write of a deleted annotation left its object: %v", err)
	}
	if n := w.c.StorageLink.Query().CountX(viewer.NewSystemContext(t.Context())); n != 0 {
		t.Fatalf("an older write of a deleted annotation left %d links", n)
	}
}
