package labeling

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/ent/task"
	"gloss/internal/database"
	"gloss/internal/viewer"
)

// TestStreamSeeksTheTaskAnnotations checks, with SQLite's query planner on
// the migrated schema, that the label stream's statements test whether the
// annotator annotated a task by seeking that task's annotations by task and
// author, for the candidate search and for the lock's conditions alike.
// SQLite plans without statistics: when an index on the author alone came
// beside the one on the task, it read every annotation of the annotator's
// for each task it tested, and the stream's rate at 100,000 tasks fell by a
// third.
func TestStreamSeeksTheTaskAnnotations(t *testing.T) {
	ctx := viewer.NewSystemContext(context.Background())
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	p := &ent.Project{ID: 1, Overlap: 2}
	search := func() (string, []any, error) {
		return (&Service{dialect: dialect.SQLite}).candidateSearch(p, 7, 0, now, []int{3}, pickBatch, true)
	}
	conditions := func() (string, []any, error) {
		return database.Statement(ctx, dialect.SQLite, func(c *ent.Client) error {
			_, err := c.Task.Query().Where(task.IDIn(1, 2, 3)).Where(takeable(7, now)...).IDs(ctx)
			return err
		})
	}
	reads := map[string]func() (string, []any, error){
		"the candidate search":  search,
		"the lock's conditions": conditions,
	}
	for name, read := range reads {
		query, args, err := read()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Read.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		seeks := 0
		for _, step := range plan {
			if !strings.HasPrefix(step, "SEARCH annotations ") && !strings.HasPrefix(step, "SCAN annotations") {
				continue
			}
			if step != "SEARCH annotations USING COVERING INDEX annotation_task_id_completed_by_id (task_id=? AND completed_by_id=?)" {
				t.Fatalf("%s reads annotations otherwise: %s\nplan:\n%s\n%s", name, step, strings.Join(plan, "\n"), query)
			}
			seeks++
		}
		if seeks == 0 {
			t.Fatalf("%s reads no annotations:\n%s\n%s", name, strings.Join(plan, "\n"), query)
		}
	}
}
