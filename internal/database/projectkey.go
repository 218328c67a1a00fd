package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	atlas "ariga.io/atlas/sql/schema"
	entschema "entgo.io/ent/dialect/sql/schema"
	"github.com/jackc/pgx/v5/pgconn"

	"gloss/ent/migrate"
)

// On PostgreSQL a task's reference to its project is kept by triggers that
// check once per statement, instead of by the foreign key the schema
// declares (taskProjectKey), whose check runs once per row: an import of a
// million tasks ran a million lookups of the same project, a third of the
// time of its COPY. The triggers keep the key's guarantees, in the key's
// own words (SQLSTATE foreign_key_violation, its message), so ent and the
// services see the same error:
//
//   - After each statement that inserts tasks, every project they name is
//     looked up once and locked as the key locks it (FOR KEY SHARE), so it
//     cannot be deleted before the transaction ends; a project that does
//     not exist fails the statement. A project deleted by a transaction
//     still running is waited for, as the key waits.
//   - A task whose project_id changes (the schema makes it immutable; only
//     hand-written SQL can) is checked the same way.
//   - A project that still has tasks cannot be deleted, nor its id changed.
//
// SQLite keeps the foreign key: its check is a lookup in the same process.
const taskProjectKey = "tasks_projects_tasks"

// taskProjectTriggers are the triggers that stand for taskProjectKey, by
// table.
var taskProjectTriggers = map[string][]string{
	"tasks":    {"gloss_tasks_project_insert", "gloss_tasks_project_update"},
	"projects": {"gloss_projects_tasks_delete", "gloss_projects_tasks_update"},
}

// taskProjectDDL installs the triggers and drops the foreign key, in one
// transaction. The functions are pinned to the schema they are created in.
var taskProjectDDL = []string{
	`CREATE OR REPLACE FUNCTION gloss_tasks_project_exists() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	DECLARE
		missing bigint;
	BEGIN
		IF TG_LEVEL = 'STATEMENT' THEN
			SELECT n.project_id INTO missing
			FROM (SELECT DISTINCT project_id FROM gloss_new_tasks) n
			LEFT JOIN LATERAL (SELECT p.id FROM projects p WHERE p.id = n.project_id FOR KEY SHARE) p ON true
			WHERE p.id IS NULL
			LIMIT 1;
		ELSE
			PERFORM 1 FROM projects p WHERE p.id = NEW.project_id FOR KEY SHARE;
			IF NOT FOUND THEN
				missing := NEW.project_id;
			END IF;
		END IF;
		IF missing IS NOT NULL THEN
			RAISE EXCEPTION 'insert or update on table "tasks" violates foreign key constraint "` + taskProjectKey + `"'
				USING ERRCODE = 'foreign_key_violation', TABLE = 'tasks', CONSTRAINT = '` + taskProjectKey + `',
				DETAIL = format('Key (project_id)=(%s) is not present in table "projects".', missing);
		END IF;
		RETURN NULL;
	END $$`,
	`CREATE OR REPLACE FUNCTION gloss_projects_have_no_tasks() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN
		IF EXISTS (SELECT 1 FROM tasks t WHERE t.project_id = OLD.id) THEN
			RAISE EXCEPTION 'update or delete on table "projects" violates foreign key constraint "` + taskProjectKey + `" on table "tasks"'
				USING ERRCODE = 'foreign_key_violation', TABLE = 'projects', CONSTRAINT = '` + taskProjectKey + `',
				DETAIL = format('Key (id)=(%s) is still referenced from table "tasks".', OLD.id);
		END IF;
		RETURN NULL;
	END $$`,
	`DROP TRIGGER IF EXISTS gloss_tasks_project_insert ON tasks`,
	`CREATE TRIGGER gloss_tasks_project_insert AFTER INSERT ON tasks
	REFERENCING NEW TABLE AS gloss_new_tasks FOR EACH STATEMENT EXECUTE FUNCTION gloss_tasks_project_exists()`,
	`DROP TRIGGER IF EXISTS gloss_tasks_project_update ON tasks`,
	`CREATE TRIGGER gloss_tasks_project_update AFTER UPDATE OF project_id ON tasks FOR EACH ROW
	WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id) EXECUTE FUNCTION gloss_tasks_project_exists()`,
	`DROP TRIGGER IF EXISTS gloss_projects_tasks_delete ON projects`,
	`CREATE TRIGGER gloss_projects_tasks_delete AFTER DELETE ON projects FOR EACH ROW
	EXECUTE FUNCTION gloss_projects_have_no_tasks()`,
	`DROP TRIGGER IF EXISTS gloss_projects_tasks_update ON projects`,
	`CREATE TRIGGER gloss_projects_tasks_update AFTER UPDATE OF id ON projects FOR EACH ROW
	WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION gloss_projects_have_no_tasks()`,
	`ALTER TABLE tasks DROP CONSTRAINT IF EXISTS ` + taskProjectKey,
}

// withoutTaskProjectKey keeps ent's migration from creating taskProjectKey
// (PostgreSQL only): not with a new tasks table, nor again once the
// triggers have replaced it. On a database that still has the key, ent
// leaves it; keyTaskProjects replaces it.
func withoutTaskProjectKey(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		isKey := func(fk *atlas.ForeignKey) bool { return fk.Symbol == taskProjectKey }
		for _, c := range changes {
			switch c := c.(type) {
			case *atlas.AddTable:
				if c.T.Name == migrate.TasksTable.Name {
					c.T.ForeignKeys = slices.DeleteFunc(c.T.ForeignKeys, isKey)
				}
			case *atlas.ModifyTable:
				if c.T.Name == migrate.TasksTable.Name {
					c.Changes = slices.DeleteFunc(c.Changes, func(ch atlas.Change) bool {
						add, ok := ch.(*atlas.AddForeignKey)
						return ok && isKey(add.F)
					})
				}
			}
		}
		return changes, nil
	})
}

// keyTaskProjects installs the triggers that stand for taskProjectKey and
// drops the key, unless that is done already. A role that does not own the
// tables (the schema made by another role) keeps the key as it is: it is
// slower to import into, and just as correct. Without the key and without
// the triggers, the server does not start.
func keyTaskProjects(ctx context.Context, db *sql.DB) error {
	var triggers, keys int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
			WHERE c.relnamespace = current_schema()::regnamespace
			AND (c.relname = 'tasks' AND g.tgname = ANY($1) OR c.relname = 'projects' AND g.tgname = ANY($2))),
		(SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = 'tasks' AND k.conname = $3)`,
		taskProjectTriggers["tasks"], taskProjectTriggers["projects"], taskProjectKey).Scan(&triggers, &keys)
	if err != nil {
		return fmt.Errorf("read the key of tasks' projects: %w", err)
	}
	if triggers == len(taskProjectTriggers["tasks"])+len(taskProjectTriggers["projects"]) && keys == 0 {
		return nil
	}
	err = install(ctx, db, taskProjectDDL)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == insufficientPrivilege && keys > 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check tasks' projects by statement: %w", err)
	}
	return nil
}

// install runs statements in one transaction.
func install(ctx context.Context, db *sql.DB, statements []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range statements {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}
