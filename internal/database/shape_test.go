package database

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/ent/task"
)

// TestShapesPutEachValueInItsPlace checks that a shape learned once runs
// with other values in the places of the first call's, keeps the
// statement's constants, and refuses a build that leaves a value out or
// writes it into the statement's text.
func TestShapesPutEachValueInItsPlace(t *testing.T) {
	var s Shapes
	builds := 0
	build := func(ctx context.Context, c *ent.Client, v []any) error {
		builds++
		_, err := c.Task.Query().Where(task.ProjectID(v[0].(int)), task.LockedUntilLT(v[1].(time.Time)),
			task.TotalAnnotations(3), task.IDNotIn(v[0].(int), v[2].(int))).IDs(ctx)
		return err
	}
	t1, t2 := time.Unix(100, 0), time.Unix(200, 0)
	q1, a1, err := s.Statement(dialect.SQLite, "k", []any{7, t1, 9}, build)
	if err != nil {
		t.Fatal(err)
	}
	q2, a2, err := s.Statement(dialect.SQLite, "k", []any{8, t2, 10}, build)
	if err != nil {
		t.Fatal(err)
	}
	if builds != 1 || q1 != q2 {
		t.Fatalf("built %d times; statements:\n%s\n%s", builds, q1, q2)
	}
	want := func(args []any, w ...any) {
		t.Helper()
		if len(args) != len(w) {
			t.Fatalf("arguments %v, want %v", args, w)
		}
		for i := range w {
			if !same(args[i], w[i]) && args[i] != w[i] {
				t.Fatalf("arguments %v, want %v", args, w)
			}
		}
	}
	want(a1, 7, t1, 3, 7, 9)
	want(a2, 8, t2, 3, 8, 10)
	// Another dialect is another shape.
	if q3, _, err := s.Statement(dialect.Postgres, "k", []any{7, t1, 9}, build); err != nil || builds != 2 || !strings.Contains(q3, "$1") {
		t.Fatalf("postgres: %v, %d builds, %s", err, builds, q3)
	}

	unused := func(ctx context.Context, c *ent.Client, v []any) error {
		_, err := c.Task.Query().Where(task.ProjectID(v[0].(int))).IDs(ctx)
		return err
	}
	if _, _, err := s.Statement(dialect.SQLite, "unused", []any{1, 2}, unused); err == nil || !strings.Contains(err.Error(), "value 1 is not an argument") {
		t.Fatalf("a value left out: %v", err)
	}
	inlined := func(ctx context.Context, c *ent.Client, v []any) error {
		_, err := c.Task.Query().Where(task.ProjectID(v[0].(int))).Limit(v[0].(int)).IDs(ctx)
		return err
	}
	if _, _, err := s.Statement(dialect.SQLite, "inlined", []any{1}, inlined); err == nil || !strings.Contains(err.Error(), "written into") {
		t.Fatalf("a value written into the text: %v", err)
	}
	if _, _, err := s.Statement(dialect.SQLite, "string", []any{"x"}, unused); err == nil {
		t.Fatal("a string value was given a placeholder")
	}
}

// TestShapesBeyondTheirBoundAreBuiltEachTime checks that keys past
// maxShapes are not kept, and still give the right statement.
func TestShapesBeyondTheirBoundAreBuiltEachTime(t *testing.T) {
	var s Shapes
	builds := 0
	build := func(ctx context.Context, c *ent.Client, v []any) error {
		builds++
		_, err := c.Task.Query().Where(task.ProjectID(v[0].(int))).IDs(ctx)
		return err
	}
	for i := 0; i < maxShapes+10; i++ {
		_, args, err := s.Statement(dialect.SQLite, i, []any{i}, build)
		if err != nil || len(args) != 1 || args[0] != i {
			t.Fatalf("key %d: %v %v", i, args, err)
		}
	}
	for i := 0; i < maxShapes+10; i++ {
		if _, _, err := s.Statement(dialect.SQLite, i, []any{i}, build); err != nil {
			t.Fatal(err)
		}
	}
	if builds != maxShapes+20 || s.n.Load() != maxShapes {
		t.Fatalf("%d builds, %d kept", builds, s.n.Load())
	}
}

// TestShapesThatFailToBuildAreNeverRun checks that a build that panics, or
// that makes an empty statement, gives an error on every call, not a
// statement that runs as nothing.
func TestShapesThatFailToBuildAreNeverRun(t *testing.T) {
	var s Shapes
	panics := func(ctx context.Context, c *ent.Client, v []any) error { panic("no statement") }
	for i := 0; i < 2; i++ {
		if q, _, err := s.Statement(dialect.SQLite, "panics", []any{1}, panics); err == nil || q != "" {
			t.Fatalf("call %d of a build that panics: %q, %v", i, q, err)
		}
	}
}

// TestShapesWithManyArgumentsAreNotKept checks that a statement with more
// than maxShapeArgs arguments is built on each call, with each call's
// values.
func TestShapesWithManyArgumentsAreNotKept(t *testing.T) {
	var s Shapes
	builds := 0
	build := func(ctx context.Context, c *ent.Client, v []any) error {
		builds++
		ids := make([]int, len(v))
		for i, x := range v {
			ids[i] = x.(int)
		}
		_, err := c.Task.Query().Where(task.IDIn(ids...)).IDs(ctx)
		return err
	}
	values := func(base int) []any {
		v := make([]any, maxShapeArgs+1)
		for i := range v {
			v[i] = base + i
		}
		return v
	}
	for _, base := range []int{1000, 5000} {
		_, args, err := s.Statement(dialect.SQLite, "many", values(base), build)
		if err != nil || len(args) != maxShapeArgs+1 || args[0] != base || args[maxShapeArgs] != base+maxShapeArgs {
			t.Fatalf("base %d: %v, %d arguments", base, err, len(args))
		}
	}
	if builds != 2 {
		t.Fatalf("%d builds, want one per call", builds)
	}
}
