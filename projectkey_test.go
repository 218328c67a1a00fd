//go:build pg

package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// orphanTasks counts tasks whose project does not exist.
const orphanTasks = `SELECT count(*) FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = t.project_id)`

// keyedProject makes a project with three imported tasks and returns its
// id and the database's URL.
func keyedProject(t *testing.T, tm *team) (int, string) {
	t.Helper()
	db := tm.s.env["DATABASE_URL"]
	if db == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	in := map[string]any{"title": "Keyed", "labelConfig": textClassification}
	id := str(tm.owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	if r := upload(t, tm.owner, id, map[string]string{"tasks.txt": "one\ntwo\nthree\n"}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	p, err := strconv.Atoi(id)
	if err != nil {
		t.Fatal(err)
	}
	return p, db
}

// wantKeyViolation fails unless err is PostgreSQL's foreign_key_violation
// naming the task's project key.
func wantKeyViolation(t *testing.T, what string, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" || !strings.Contains(pgErr.Message, `foreign key constraint "tasks_projects_tasks"`) {
		t.Fatalf("%s: want foreign_key_violation of tasks_projects_tasks, got %v", what, err)
	}
}

// TestTasksKeepTheirProject: on PostgreSQL a task's project is checked once
// per statement by triggers instead of once per row by a foreign key, with
// the key's guarantees: no task of a project that does not exist (by
// INSERT, by COPY, by changing project_id), no project deleted while it has
// tasks, and a project deleted while tasks are being added to it is waited
// for, so that no task is left without one. The product's own project
// deletion still works.
func TestTasksKeepTheirProject(t *testing.T) {
	tm := benchTeam(t)
	p, db := keyedProject(t, tm)
	if n := countRows(t, db, `SELECT count(*) FROM pg_constraint WHERE conname = 'tasks_projects_tasks'`); n != 0 {
		t.Fatal("the foreign key is still there")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var org int
	if err := conn.QueryRow(ctx, `SELECT organization_id FROM projects WHERE id = $1`, p).Scan(&org); err != nil {
		t.Fatal(err)
	}
	tasks := func() int { return countRows(t, db, `SELECT count(*) FROM tasks`) }
	before := tasks()
	if before != 3 {
		t.Fatalf("%d tasks after the import, want 3", before)
	}
	const insert = `INSERT INTO tasks (created_at, updated_at, project_id, organization_id, inner_id, data)
		VALUES (now(), now(), $1, $2, $3, '{}')`
	_, err = conn.Exec(ctx, insert, p+1000, org, 1)
	wantKeyViolation(t, "a task of a project that does not exist", err)

	rows := [][]any{}
	for i := range 50 {
		project := p
		if i == 37 {
			project = p + 1000
		}
		rows = append(rows, []any{time.Now(), time.Now(), project, org, 100 + i, []byte(`{"text":"x"}`)})
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"tasks"},
		[]string{"created_at", "updated_at", "project_id", "organization_id", "inner_id", "data"}, pgx.CopyFromRows(rows))
	wantKeyViolation(t, "a COPY with one task of a project that does not exist", err)

	_, err = conn.Exec(ctx, `UPDATE tasks SET project_id = $1 WHERE project_id = $2`, p+1000, p)
	wantKeyViolation(t, "moving tasks to a project that does not exist", err)

	_, err = conn.Exec(ctx, `DELETE FROM projects WHERE id = $1`, p)
	wantKeyViolation(t, "deleting a project that has tasks", err)
	_, err = conn.Exec(ctx, `UPDATE projects SET id = $1 WHERE id = $2`, p+1000, p)
	wantKeyViolation(t, "changing the id of a project that has tasks", err)

	_, err = conn.Exec(ctx, `TRUNCATE projects`)
	if err == nil || !strings.Contains(err.Error(), "cannot truncate a table referenced in a foreign key constraint") {
		t.Fatalf("truncating the projects: want the key's refusal, got %v", err)
	}

	// Under REPEATABLE READ a delete's check would not see a task committed
	// after its snapshot, and leave it without a project: refused.
	empty := str(tm.owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Empty", "labelConfig": textClassification}}),
		"createProject", "id")
	rr, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Exec(ctx, `SELECT 1`); err != nil { // the snapshot
		t.Fatal(err)
	}
	late, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close(ctx)
	if _, err := late.Exec(ctx, insert, empty, org, 1); err != nil {
		t.Fatalf("add a task to the empty project: %v", err)
	}
	_, err = rr.Exec(ctx, `DELETE FROM projects WHERE id = $1`, empty)
	_ = rr.Rollback(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "40001" {
		t.Fatalf("a delete under REPEATABLE READ of a project given a task since: want serialization_failure, got %v", err)
	}
	if n := countRows(t, db, orphanTasks); n != 0 {
		t.Fatalf("%d tasks without a project", n)
	}
	before++

	// Tables of the same names in a session's own schema (temporary) do
	// not stand in for the real ones.
	hj, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer hj.Close(ctx)
	for _, stmt := range []string{
		`CREATE TEMP TABLE projects (id bigint)`,
		`CREATE TEMP TABLE tasks (project_id bigint)`,
		`INSERT INTO pg_temp.projects VALUES (` + strconv.Itoa(p+1000) + `)`,
	} {
		if _, err := hj.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	_, err = hj.Exec(ctx, `INSERT INTO public.tasks (created_at, updated_at, project_id, organization_id, inner_id, data)
		VALUES (now(), now(), $1, $2, 500, '{}')`, p+1000, org)
	wantKeyViolation(t, "a task of a project found only in a temporary table", err)
	_, err = hj.Exec(ctx, `DELETE FROM public.projects WHERE id = $1`, p)
	wantKeyViolation(t, "deleting a project that has tasks, with an empty temporary tasks table", err)

	if n := tasks(); n != before {
		t.Fatalf("%d tasks after the refused statements, want %d", n, before)
	}
	if n := countRows(t, db, `SELECT count(*) FROM tasks WHERE project_id = `+strconv.Itoa(p)); n != 3 {
		t.Fatalf("%d tasks left in the project, want 3", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM projects WHERE id = `+strconv.Itoa(p)); n != 1 {
		t.Fatal("the project is gone")
	}

	// A project whose tasks are deleted in one transaction, while another
	// adds a task to it: the adding one waits for the deletion and fails.
	del, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := del.Exec(ctx, `DELETE FROM tasks WHERE project_id = $1`, p); err != nil {
		t.Fatal(err)
	}
	if _, err := del.Exec(ctx, `DELETE FROM projects WHERE id = $1`, p); err != nil {
		t.Fatalf("delete the emptied project: %v", err)
	}
	other, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	added := make(chan error, 1)
	go func() {
		_, err := other.Exec(ctx, insert, p, org, 999)
		added <- err
	}()
	select {
	case err := <-added:
		t.Fatalf("a task was added to a project being deleted without waiting: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := del.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantKeyViolation(t, "a task added to a project deleted meanwhile", <-added)
	if n := countRows(t, db, orphanTasks); n != 0 {
		t.Fatalf("%d tasks without a project", n)
	}

	// The other order: tasks being added hold the project until they commit.
	q, db := keyedProject(t, tm)
	add, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := add.Exec(ctx, insert, q, org, 999); err != nil {
		t.Fatalf("add a task: %v", err)
	}
	deleted := make(chan error, 1)
	go func() {
		tx, err := other.Begin(ctx)
		if err == nil {
			if _, err = tx.Exec(ctx, `DELETE FROM tasks WHERE project_id = $1`, q); err == nil {
				if _, err = tx.Exec(ctx, `DELETE FROM projects WHERE id = $1`, q); err == nil {
					err = tx.Commit(ctx)
				}
			}
			_ = tx.Rollback(ctx)
		}
		deleted <- err
	}()
	select {
	case err := <-deleted:
		t.Fatalf("a project was deleted while a task was being added to it: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := add.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantKeyViolation(t, "deleting a project a task was added to meanwhile", <-deleted)
	if n := countRows(t, db, `SELECT count(*) FROM tasks WHERE project_id = `+strconv.Itoa(q)); n != 4 {
		t.Fatalf("%d tasks in the project, want its 3 and the one added", n)
	}

	// The product deletes a project with its tasks.
	tm.owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": strconv.Itoa(q)})
	if n := countRows(t, db, `SELECT count(*) FROM projects WHERE id = `+strconv.Itoa(q)); n != 0 {
		t.Fatal("deleteProject left the project")
	}
	if n := countRows(t, db, orphanTasks); n != 0 {
		t.Fatalf("%d tasks without a project", n)
	}
}

// TestTheKeyOfAnOlderDatabaseIsReplaced: a database made by an older
// release has the foreign key; the next start replaces it with the
// triggers, and a start after that changes nothing. A role that does not
// own the tables cannot: it starts and keeps the key, which refuses a task
// of a missing project just the same.
func TestTheKeyOfAnOlderDatabaseIsReplaced(t *testing.T) {
	tm := benchTeam(t)
	p, db := keyedProject(t, tm)
	tm.s.stop()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	older := func() {
		t.Helper()
		for _, stmt := range []string{
			`DROP TRIGGER gloss_tasks_project_insert ON tasks`,
			`DROP TRIGGER gloss_tasks_project_update ON tasks`,
			`DROP TRIGGER gloss_projects_tasks_delete ON projects`,
			`DROP TRIGGER gloss_projects_tasks_update ON projects`,
			`DROP TRIGGER gloss_projects_tasks_truncate ON projects`,
			`DROP FUNCTION gloss_tasks_project_exists()`,
			`DROP FUNCTION gloss_projects_have_no_tasks()`,
			`ALTER TABLE tasks ADD CONSTRAINT tasks_projects_tasks FOREIGN KEY (project_id) REFERENCES projects (id)`,
		} {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	older()
	keyed := func() string {
		return strconv.Itoa(countRows(t, db, `SELECT count(*) FROM pg_constraint WHERE conname = 'tasks_projects_tasks'`)) + " key, " +
			strconv.Itoa(countRows(t, db, `SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'gloss\_%'`)) + " triggers"
	}
	s := mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := keyed(); got != "0 key, 5 triggers" {
		t.Fatalf("after a start on an older database: %s, want 0 key, 5 triggers", got)
	}
	s.stop()
	s = mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := keyed(); got != "0 key, 5 triggers" {
		t.Fatalf("after a second start: %s, want 0 key, 5 triggers", got)
	}
	s.stop()

	// Both the key and the triggers (a start cut short): the key goes.
	if _, err := conn.Exec(ctx, `ALTER TABLE tasks ADD CONSTRAINT tasks_projects_tasks FOREIGN KEY (project_id) REFERENCES projects (id)`); err != nil {
		t.Fatal(err)
	}
	s = mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := keyed(); got != "0 key, 5 triggers" {
		t.Fatalf("after a start with both the key and the triggers: %s, want 0 key, 5 triggers", got)
	}
	s.stop()

	// An older database whose tasks stay in use (a long export) past the
	// install's lock wait: the server starts, keeps the key, and the next
	// start replaces it.
	older()
	reader, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, `LOCK TABLE tasks IN ACCESS SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	s = mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := keyed(); got != "1 key, 0 triggers" {
		t.Fatalf("started while the tasks were in use: %s, want 1 key, 0 triggers", got)
	}
	_ = reader.Rollback(ctx)
	s.stop()
	s = mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := keyed(); got != "0 key, 5 triggers" {
		t.Fatalf("at the next start: %s, want 0 key, 5 triggers", got)
	}
	s.stop()

	// Another role, which may use the tables but does not own them.
	older()
	startAsGuest(t, db)
	if got := keyed(); got != "1 key, 0 triggers" {
		t.Fatalf("started by a role that does not own the tables: %s, want 1 key, 0 triggers", got)
	}
	_, err = conn.Exec(ctx, `INSERT INTO tasks (created_at, updated_at, project_id, organization_id, inner_id, data)
		SELECT now(), now(), $1, organization_id, 999, '{}' FROM projects WHERE id = $2`, p+1000, p)
	wantKeyViolation(t, "a task of a project that does not exist, under the kept key", err)
}

// TestADatabaseDefaultOfRepeatableReadChangesNothing: Gloss's connections
// run at READ COMMITTED whatever the database's default, so a project
// with tasks is deleted (the key's delete-side check refuses other levels)
// on a database whose default is REPEATABLE READ.
func TestADatabaseDefaultOfRepeatableReadChangesNothing(t *testing.T) {
	db := freshDatabaseURL(t)
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+name+` SET default_transaction_isolation = 'repeatable read'`); err != nil {
		t.Fatal(err)
	}
	s, owner := MustOwner(t, map[string]string{"DATABASE_URL": db})
	p, _ := keyedProject(t, &team{s: s, owner: owner})
	owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": strconv.Itoa(p)})
	if n := countRows(t, db, `SELECT count(*) FROM projects WHERE id = `+strconv.Itoa(p)); n != 0 {
		t.Fatal("deleteProject left the project")
	}
}
