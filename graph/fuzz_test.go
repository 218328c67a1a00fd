package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	_ "github.com/mattn/go-sqlite3"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/enttest"
	_ "gloss/ent/runtime"
	"gloss/graph/model"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// fuzzWorld is one in-memory database with a project of a few tasks, shared
// by the iterations of a fuzz target.
type fuzzWorld struct {
	r       *Resolver
	project int
}

var (
	fuzzOnce  sync.Once
	fuzzState *fuzzWorld
)

func mustFuzzWorld(tb testing.TB) *fuzzWorld {
	fuzzOnce.Do(func() {
		client := enttest.Open(tb, "sqlite3", "file:graphfuzz?mode=memory&cache=shared&_fk=1")
		ctx := viewer.NewSystemContext(context.Background())
		org := client.Organization.Create().SetTitle("Fuzz").SaveX(ctx)
		u := client.User.Create().SetEmail("fuzz@example.com").SetPasswordHash("x").SaveX(ctx)
		p := client.Project.Create().SetOrganizationID(org.ID).SetCreatedByID(u.ID).SetTitle("P").
			SetLabelConfig(`<View><Text name="text" value="$text"/></View>`).SaveX(ctx)
		for i := 1; i <= 5; i++ {
			t := client.Task.Create().SetProjectID(p.ID).SetOrganizationID(org.ID).SetInnerID(i).
				SetData([]byte(fmt.Sprintf(`{"text":"Task %d ÄÖ %%_\\"}`, i))).SetTotalAnnotations(i % 3).SaveX(ctx)
			client.Annotation.Create().SetTaskID(t.ID).SetProjectID(p.ID).SetOrganizationID(org.ID).
				SetCompletedByID(u.ID).SetResult([]byte(`[]`)).SetReviewState(annotation.ReviewStatePending).SaveX(ctx)
		}
		fuzzState = &fuzzWorld{r: &Resolver{Client: client}, project: p.ID}
	})
	return fuzzState
}

// orders are the data manager's orderings, by index.
var orders = []*model.TaskOrder{
	nil,
	{Field: model.TaskOrderFieldID, Direction: entgql.OrderDirectionAsc},
	{Field: model.TaskOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc},
	{Field: model.TaskOrderFieldUpdatedAt, Direction: entgql.OrderDirectionAsc},
	{Field: model.TaskOrderFieldAnnotationCount, Direction: entgql.OrderDirectionDesc},
	{Field: model.TaskOrderField("NOPE"), Direction: entgql.OrderDirectionAsc}, // GraphQL checks enums; the default order applies
}

// mustBeClientError fails unless err is nil or an error a client sees as
// its own (not INTERNAL).
func mustBeClientError(t *testing.T, what string, err error) {
	if err == nil {
		return
	}
	if code, _ := fault.Classify(context.Background(), err); code == fault.Internal {
		t.Fatalf("%s: an internal error: %v", what, err)
	}
}

// FuzzTaskCursor feeds arbitrary strings to the pagination cursor scalar
// (entgql's Cursor, as gqlgen unmarshals the `after` argument) and pages
// the data manager's tasks with whatever it decodes, in every ordering. A
// cursor is untrusted input: it must never panic or be an internal error.
func FuzzTaskCursor(f *testing.F) {
	w := mustFuzzWorld(f)
	for _, c := range []ent.Cursor{
		{ID: 1}, {ID: 3, Value: time.Now()}, {ID: 2, Value: 1}, {ID: -1, Value: "x"},
		{ID: 1, Value: []any{1, 2}}, {ID: 1, Value: map[string]any{"a": 1}}, {ID: 1 << 40, Value: 1.5},
	} {
		b := &bytesWriter{}
		c.MarshalGQL(b)
		s := string(b.b)
		f.Add(s[1:len(s)-1], uint8(0), uint8(20))
	}
	f.Add("", uint8(1), uint8(1))
	f.Add("not base64 at all", uint8(2), uint8(100))
	f.Add(base64.RawStdEncoding.EncodeToString([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}), uint8(3), uint8(5))
	f.Add(base64.RawStdEncoding.EncodeToString([]byte{0x82, 0xa1, 'i', 0xc0, 0xa1, 'v', 0xc0}), uint8(4), uint8(2))
	ctx := viewer.NewSystemContext(context.Background())
	f.Fuzz(func(t *testing.T, raw string, order, first uint8) {
		var c ent.Cursor
		if err := c.UnmarshalGQL(raw); err != nil {
			return // gqlgen reports it at the argument (see cursorError)
		}
		n := int(first)
		_, err := w.r.tasks(ctx, w.project, nil, &n, &c, nil, orders[int(order)%len(orders)])
		mustBeClientError(t, fmt.Sprintf("cursor %+v", c), err)
	})
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// FuzzTaskFilter feeds arbitrary data manager filters (search text,
// annotator, review state, flags) and orderings to the tasks resolver: no
// panic, no internal error, and the search never matches outside the data.
func FuzzTaskFilter(f *testing.F) {
	w := mustFuzzWorld(f)
	f.Add("task", 1, "PENDING", uint8(0), uint8(0))
	f.Add("%", 0, "", uint8(1), uint8(1))
	f.Add("_", -1, "ACCEPTED", uint8(2), uint8(2))
	f.Add(`\`, 1<<31, "REJECTED", uint8(3), uint8(3))
	f.Add("äö", 2, "nope", uint8(4), uint8(4))
	f.Add(`"text"`, 3, "PENDING", uint8(5), uint8(5))
	f.Add("' OR 1=1 --", 0, "", uint8(6), uint8(6))
	f.Add("\x00", 0, "", uint8(7), uint8(7))
	f.Add("\xff\xfe", 0, "", uint8(0), uint8(0))
	ctx := viewer.NewSystemContext(context.Background())
	f.Fuzz(func(t *testing.T, search string, annotator int, review string, flags, order uint8) {
		filter := &model.TaskFilter{}
		if flags&1 != 0 {
			filter.Search = &search
		}
		if flags&2 != 0 {
			filter.Annotator = &annotator
		}
		if flags&4 != 0 {
			rs := annotation.ReviewState(review)
			filter.ReviewState = &rs
		}
		if flags&8 != 0 {
			b := flags&16 != 0
			filter.Labeled = &b
		}
		if flags&32 != 0 {
			b := flags&64 != 0
			filter.Skipped = &b
		}
		first := 100
		conn, err := w.r.tasks(ctx, w.project, nil, &first, nil, filter, orders[int(order)%len(orders)])
		mustBeClientError(t, fmt.Sprintf("filter %+v", filter), err)
		if err == nil && filter.Search != nil && flags&^1 == 0 {
			// A search alone matches only tasks whose data holds the text.
			for _, e := range conn.Edges {
				if !containsFold(string(e.Node.Data), search) {
					t.Fatalf("search %q matched task data %s", search, e.Node.Data)
				}
			}
		}
	})
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
