package projects

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/ent/project"
	"gloss/internal/database"
)

// A project keeps the top-level data keys its tasks hold (task_data_keys),
// so that a CSV or TSV export, which has a column for each as Label
// Studio's has, writes its header without reading every task first. Task
// data never changes after import: each import adds the keys it brought
// (DataKeys), on the project row it has locked; deleting tasks leaves the
// keys, so an export may have a column that no task fills any more.

// MaxDataKeys is the most data keys a CSV or TSV export has columns for.
// A project keeps one more, to know that it has too many.
const MaxDataKeys = 1000

// DataKeys gathers the data keys of an import on top of those a project
// has recorded.
type DataKeys struct {
	known   bool // the project has a record (not one from before, yet to be filled)
	list    []string
	seen    map[string]bool
	last    []string // the slice added last: a CSV file's rows share one
	changed bool
}

// NewDataKeys starts from a project's recorded keys; nil means it has no
// record, which an import leaves alone (FillDataKeys, or the export, reads
// them from the tasks).
func NewDataKeys(recorded []string) *DataKeys {
	d := &DataKeys{known: recorded != nil, list: recorded, seen: make(map[string]bool, len(recorded))}
	for _, k := range recorded {
		d.seen[k] = true
	}
	return d
}

// Add records a task's keys.
func (d *DataKeys) Add(keys []string) {
	if !d.known || len(keys) == 0 || len(d.list) > MaxDataKeys {
		return
	}
	if len(keys) == len(d.last) && &keys[0] == &d.last[0] {
		return
	}
	d.last = keys
	for _, k := range keys {
		if !d.seen[k] && len(d.list) <= MaxDataKeys {
			d.seen[k] = true
			d.list = append(d.list, k)
			d.changed = true
		}
	}
}

// Changed returns the keys to record when Add added any, or nil.
func (d *DataKeys) Changed() []string {
	if !d.changed {
		return nil
	}
	return d.list
}

// List returns the keys, in the order they came.
func (d *DataKeys) List() []string { return d.list }

// FillDataKeys reads the data keys of every project that has no record of
// them (made before projects kept them): a migration, run at start. Each
// project is filled in a transaction of its own that first locks its row:
// on PostgreSQL an import into it on a replica already serving holds that
// lock until it commits, and the fill, a later statement than the lock,
// then reads that import's tasks too (one UPDATE for every project would
// read the tasks as they were when it began). Replicas that start
// together fill each project once: the WHERE is checked again on the
// locked row.
func FillDataKeys(ctx context.Context, client *ent.Client, d string) error {
	ctx = Bookkeeping(ctx)
	ids, err := client.Project.Query().Where(project.TaskDataKeysIsNil()).IDs(ctx)
	if err != nil {
		return fmt.Errorf("fill the data keys of projects: %w", err)
	}
	// Up to MaxDataKeys+1 distinct keys a project, as an import keeps.
	lock := ""
	fill := `UPDATE projects SET task_data_keys = (SELECT json_group_array(k) FROM
		(SELECT DISTINCT j.key AS k FROM tasks t, json_each(t.data) j WHERE t.project_id = projects.id LIMIT ?))
		WHERE id = ? AND task_data_keys IS NULL`
	if d == dialect.Postgres {
		lock = `SELECT id FROM projects WHERE id = $1 FOR UPDATE`
		fill = `UPDATE projects SET task_data_keys = COALESCE((SELECT jsonb_agg(k) FROM
			(SELECT DISTINCT jsonb_object_keys(t.data::jsonb) AS k FROM tasks t WHERE t.project_id = projects.id LIMIT $1) s), '[]'::jsonb)
			WHERE id = $2 AND task_data_keys IS NULL`
	}
	for _, id := range ids {
		err := database.InTx(ctx, client, func(ctx context.Context) error {
			tx := database.ClientFrom(ctx, client)
			if lock != "" { // SQLite's transaction holds the write lock already
				if _, err := tx.ExecContext(ctx, lock, id); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, fill, MaxDataKeys+1, id)
			return err
		})
		if err != nil {
			return fmt.Errorf("fill the data keys of project %d: %w", id, err)
		}
	}
	return nil
}
