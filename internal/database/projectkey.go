package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

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
//   - A project that still has tasks cannot be deleted, nor its id changed,
//     nor the projects table truncated.
//
// The functions run as their owner (the tables' owner, who created them),
// name the tables with their schema and search only pg_catalog: a caller's
// search path, temporary tables or privileges cannot change what they
// check. The delete-side check, like the rest of Gloss, relies on READ
// COMMITTED (a later statement sees what committed before it; the key has
// a cross-check of its own for the other levels), so under another
// isolation level a delete of a project is refused; Gloss's own connections
// always run at READ COMMITTED (see Open).
//
// SQLite keeps the foreign key: its check is a lookup in the same process.
const taskProjectKey = "tasks_projects_tasks"

// taskProjectVersion marks the functions of this version of the triggers;
// a start finding another (or none) installs them again.
const taskProjectVersion = "gloss task project key v2"

// taskProjectTriggers are the triggers that stand for taskProjectKey, by
// table.
var taskProjectTriggers = map[string][]string{
	"tasks":    {"gloss_tasks_project_insert", "gloss_tasks_project_update"},
	"projects": {"gloss_projects_tasks_delete", "gloss_projects_tasks_update", "gloss_projects_tasks_truncate"},
}

// taskProjectDDL installs the triggers in schema (quoted) and drops the
// foreign key. It runs in one transaction that first takes both tables'
// locks, in one order, so that it never waits holding one of them.
func taskProjectDDL(schema string) []string {
	ddl := []string{
		`LOCK TABLE {s}.projects, {s}.tasks IN ACCESS EXCLUSIVE MODE`,
		`CREATE OR REPLACE FUNCTION {s}.gloss_tasks_project_exists() RETURNS trigger
		LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
		DECLARE
			missing bigint;
		BEGIN
			IF TG_LEVEL = 'STATEMENT' THEN
				SELECT n.project_id INTO missing
				FROM (SELECT DISTINCT project_id FROM gloss_new_tasks) n
				LEFT JOIN LATERAL (SELECT p.id FROM {s}.projects p WHERE p.id = n.project_id FOR KEY SHARE) p ON true
				WHERE p.id IS NULL
				LIMIT 1;
			ELSE
				PERFORM 1 FROM {s}.projects p WHERE p.id = NEW.project_id FOR KEY SHARE;
				IF NOT FOUND THEN
					missing := NEW.project_id;
				END IF;
			END IF;
			IF missing IS NOT NULL THEN
				RAISE EXCEPTION 'insert or update on table "tasks" violates foreign key constraint "{k}"'
					USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = 'tasks', CONSTRAINT = '{k}',
					DETAIL = format('Key (project_id)=(%s) is not present in table "projects".', missing);
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE OR REPLACE FUNCTION {s}.gloss_projects_have_no_tasks() RETURNS trigger
		LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
		BEGIN
			IF TG_OP = 'TRUNCATE' THEN
				IF EXISTS (SELECT 1 FROM {s}.tasks) THEN
					RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
						USING ERRCODE = 'feature_not_supported',
						DETAIL = 'Table "tasks" references "projects" ({k}).';
				END IF;
				RETURN NULL;
			END IF;
			IF current_setting('transaction_isolation') <> 'read committed' THEN
				RAISE EXCEPTION 'a project can only be deleted or renumbered at READ COMMITTED, not %', current_setting('transaction_isolation')
					USING ERRCODE = 'serialization_failure',
					HINT = 'Under a snapshot older than the statement, tasks added since could not be seen.';
			END IF;
			IF EXISTS (SELECT 1 FROM {s}.tasks t WHERE t.project_id = OLD.id) THEN
				RAISE EXCEPTION 'update or delete on table "projects" violates foreign key constraint "{k}" on table "tasks"'
					USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = 'tasks', CONSTRAINT = '{k}',
					DETAIL = format('Key (id)=(%s) is still referenced from table "tasks".', OLD.id);
			END IF;
			RETURN NULL;
		END $$`,
	}
	for _, f := range []string{"gloss_tasks_project_exists()", "gloss_projects_have_no_tasks()"} {
		ddl = append(ddl,
			`REVOKE ALL ON FUNCTION {s}.`+f+` FROM PUBLIC`,
			`COMMENT ON FUNCTION {s}.`+f+` IS '`+taskProjectVersion+`'`)
	}
	ddl = append(ddl,
		`DROP TRIGGER IF EXISTS gloss_tasks_project_insert ON {s}.tasks`,
		`CREATE TRIGGER gloss_tasks_project_insert AFTER INSERT ON {s}.tasks
		REFERENCING NEW TABLE AS gloss_new_tasks FOR EACH STATEMENT EXECUTE FUNCTION {s}.gloss_tasks_project_exists()`,
		// No column list ("UPDATE OF"): a BEFORE trigger could change the
		// column without naming it. The WHEN clause costs no call.
		`DROP TRIGGER IF EXISTS gloss_tasks_project_update ON {s}.tasks`,
		`CREATE TRIGGER gloss_tasks_project_update AFTER UPDATE ON {s}.tasks FOR EACH ROW
		WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id) EXECUTE FUNCTION {s}.gloss_tasks_project_exists()`,
		`DROP TRIGGER IF EXISTS gloss_projects_tasks_delete ON {s}.projects`,
		`CREATE TRIGGER gloss_projects_tasks_delete AFTER DELETE ON {s}.projects FOR EACH ROW
		EXECUTE FUNCTION {s}.gloss_projects_have_no_tasks()`,
		`DROP TRIGGER IF EXISTS gloss_projects_tasks_update ON {s}.projects`,
		`CREATE TRIGGER gloss_projects_tasks_update AFTER UPDATE ON {s}.projects FOR EACH ROW
		WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {s}.gloss_projects_have_no_tasks()`,
		`DROP TRIGGER IF EXISTS gloss_projects_tasks_truncate ON {s}.projects`,
		`CREATE TRIGGER gloss_projects_tasks_truncate BEFORE TRUNCATE ON {s}.projects FOR EACH STATEMENT
		EXECUTE FUNCTION {s}.gloss_projects_have_no_tasks()`,
		`ALTER TABLE {s}.tasks DROP CONSTRAINT IF EXISTS `+taskProjectKey,
	)
	r := strings.NewReplacer("{s}", schema, "{k}", taskProjectKey)
	for i, s := range ddl {
		ddl[i] = r.Replace(s)
	}
	return ddl
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
// drops the key, unless this version of them is in place, enabled, and the
// key gone. Where the key is still there and cannot be replaced now, it
// stays (it is slower to import into, and just as correct): when the role
// does not own the tables (the schema made by another role), or when the
// tables stay in use for lockWait (a long export during a rolling upgrade;
// the next start tries again). Without the key and without the triggers,
// the server does not start.
func keyTaskProjects(ctx context.Context, db *sql.DB) error {
	var schema string
	var triggers, keys int
	err := db.QueryRowContext(ctx, `SELECT quote_ident(current_schema()),
		(SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
			WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
			AND g.tgenabled <> 'D'
			AND obj_description(g.tgfoid, 'pg_proc') = $4
			AND (c.relname = 'tasks' AND g.tgname = ANY($1) OR c.relname = 'projects' AND g.tgname = ANY($2))),
		(SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
			WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
			AND c.relname = 'tasks' AND k.conname = $3)`,
		taskProjectTriggers["tasks"], taskProjectTriggers["projects"], taskProjectKey, taskProjectVersion).Scan(&schema, &triggers, &keys)
	if err != nil {
		return fmt.Errorf("read the key of tasks' projects: %w", err)
	}
	if triggers == len(taskProjectTriggers["tasks"])+len(taskProjectTriggers["projects"]) && keys == 0 {
		return nil
	}
	err = install(ctx, db, taskProjectDDL(schema))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == insufficientPrivilege || pgErr.Code == lockNotAvailable) && keys > 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check tasks' projects by statement: %w", err)
	}
	return nil
}

// lockWait bounds how long keyTaskProjects waits for the tables' locks.
const lockWait = "5s"

// lockNotAvailable is PostgreSQL's SQLSTATE for lock_not_available (a
// lock_timeout ran out).
const lockNotAvailable = "55P03"

// install runs statements in one transaction, in which a lock is waited
// for at most lockWait.
func install(ctx context.Context, db *sql.DB, statements []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range append([]string{`SET LOCAL lock_timeout = '` + lockWait + `'`}, statements...) {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}
