package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const deleteTasksMut = `mutation($p: ID!, $ids: [ID!], $all: Boolean, $f: TaskFilter) { deleteTasks(projectId: $p, ids: $ids, all: $all, filter: $f) }`

// rowCounts counts, in the database itself, the rows of a project's tasks
// and of what hangs on them, so a test sees what a delete left behind.
func rowCounts(t *testing.T, s *testServer, projectID string) string {
	t.Helper()
	db := openTestDB(t, s)
	defer db.Close()
	var out []string
	for _, q := range []string{
		`SELECT COUNT(*) FROM tasks WHERE project_id = %s`,
		`SELECT COUNT(*) FROM annotations WHERE project_id = %s`,
		`SELECT COUNT(*) FROM predictions WHERE task_id IN (SELECT id FROM tasks WHERE project_id = %s)`,
		`SELECT COUNT(*) FROM drafts WHERE task_id IN (SELECT id FROM tasks WHERE project_id = %s)`,
		`SELECT COUNT(*) FROM predictions WHERE task_id NOT IN (SELECT id FROM tasks) AND 0 * %s = 0`,
		`SELECT COUNT(*) FROM drafts WHERE task_id NOT IN (SELECT id FROM tasks) AND 0 * %s = 0`,
		`SELECT COUNT(*) FROM annotations WHERE task_id NOT IN (SELECT id FROM tasks) AND 0 * %s = 0`,
	} {
		var n int
		if err := db.QueryRow(fmt.Sprintf(q, projectID)).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, fmt.Sprint(n))
	}
	return strings.Join(out, " ")
}

// taskIDs lists a project's task ids (up to 100) in the data manager's order.
func taskIDs(t *testing.T, b *browser, projectID string, filter map[string]any) []string {
	t.Helper()
	d := b.ok(`query($p: ID!, $f: TaskFilter) { tasks(projectId: $p, first: 100, filter: $f) { edges { node { id } } } }`, map[string]any{"p": projectID, "f": filter})
	var ids []string
	for _, e := range path(d, "tasks", "edges").([]any) {
		ids = append(ids, str(e, "node", "id"))
	}
	return ids
}

func deletedAudit(t *testing.T, b *browser) []any {
	t.Helper()
	d := b.ok(`{ auditEvents(first: 100, filter: {action: "project.tasks_deleted"}) { edges { node { targetId details } } } }`, nil)
	return path(d, "auditEvents", "edges").([]any)
}

// TestDeleteTasks deletes tasks from the data manager's bulk actions: by
// ids and all matching a filter; annotations, predictions and drafts go
// with them; the counters stay equal to the real counts; one audit event
// per call. Annotators, reviewers and other organizations are refused and
// nothing changes.
func TestDeleteTasks(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, id, reviewer)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, id, manager)
	var ts []any
	for i := 0; i < 8; i++ {
		task := map[string]any{"data": map[string]any{"text": fmt.Sprintf("task %d", i)}}
		if i%2 == 0 {
			task["annotations"] = []any{map[string]any{"result": []any{map[string]any{"id": fmt.Sprint(i + 1), "from_name": "sentiment",
				"to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}}
			task["predictions"] = []any{map[string]any{"result": []any{}, "score": 0.5}}
		}
		ts = append(ts, task)
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": ts})
	ids := taskIDs(t, tm.owner, id, nil)
	if len(ids) != 8 {
		t.Fatalf("imported %d tasks", len(ids))
	}
	// The annotator labels one task and leaves a draft on another.
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Negative"}}}}
	labeledTask := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": labeledTask, "result": choice}})
	draftTask := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(saveDraftMut, map[string]any{"t": draftTask, "r": choice})
	imported := ""
	for _, l := range taskIDs(t, tm.owner, id, map[string]any{"labeled": true}) {
		if l != labeledTask {
			imported = l
		}
	}
	checkCounters(t, tm.owner, id, "before")
	before := rowCounts(t, tm.s, id)
	if before != "8 5 4 1 0 0 0" {
		t.Fatalf("rows before: %s", before)
	}

	// Refused: annotators, reviewers, another organization; bad input.
	outsider := tm.joinAs(t, "MANAGER")
	outsider.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	for _, c := range []struct {
		b    *browser
		code string
		vars map[string]any
	}{
		{tm.annotator, "FORBIDDEN", map[string]any{"p": id, "ids": ids[:2]}},
		{reviewer, "FORBIDDEN", map[string]any{"p": id, "all": true}},
		{outsider, "NOT_FOUND", map[string]any{"p": id, "ids": ids[:2]}},
		{outsider, "NOT_FOUND", map[string]any{"p": id, "all": true}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id, "ids": ids[:1], "all": true}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id, "ids": ids[:1], "f": map[string]any{"labeled": true}}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id, "ids": make([]string, 1001)}},
	} {
		c.b.wantCode(c.code, deleteTasksMut, c.vars)
	}
	// An id of another project: nothing of the call happens.
	other := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": other, "t": []any{map[string]any{"text": "elsewhere"}}})
	foreign := taskIDs(t, tm.owner, other, nil)[0]
	manager.wantCode("NOT_FOUND", deleteTasksMut, map[string]any{"p": id, "ids": []string{imported, foreign}})
	if after := rowCounts(t, tm.s, id); after != before {
		t.Fatalf("a refused delete changed rows: %s, were %s", after, before)
	}
	if n := len(deletedAudit(t, tm.owner)); n != 0 {
		t.Fatalf("refused deletes logged %d events", n)
	}
	checkCounters(t, tm.owner, id, "after refusals")

	// A manager of the project deletes two tasks by id: an annotated one
	// (annotation and prediction) and the one with the draft.
	if n := manager.ok(deleteTasksMut, map[string]any{"p": id, "ids": []string{imported, draftTask, draftTask}})["deleteTasks"]; n != float64(2) {
		t.Fatalf("deleted %v tasks, want 2", n)
	}
	if got := rowCounts(t, tm.s, id); got != "6 4 3 0 0 0 0" {
		t.Fatalf("rows after deleting two: %s", got)
	}
	if tasks, labeled := checkCounters(t, tm.owner, id, "after deleting two"); tasks != 6 || labeled != 4 {
		t.Fatalf("counters %d, %d", tasks, labeled)
	}
	events := deletedAudit(t, tm.owner)
	if len(events) != 1 || str(events[0], "node", "targetId") != id || !strings.Contains(fmt.Sprint(path(events[0], "node", "details")), "2") {
		t.Fatalf("audit events: %v", events)
	}

	// All labeled tasks, through the filter.
	if n := tm.owner.ok(deleteTasksMut, map[string]any{"p": id, "all": true, "f": map[string]any{"labeled": true}})["deleteTasks"]; n != float64(4) {
		t.Fatalf("deleted %v labeled tasks, want 4", n)
	}
	if got := rowCounts(t, tm.s, id); got != "2 0 0 0 0 0 0" {
		t.Fatalf("rows after deleting the labeled: %s", got)
	}
	if tasks, labeled := checkCounters(t, tm.owner, id, "after deleting the labeled"); tasks != 2 || labeled != 0 {
		t.Fatalf("counters %d, %d", tasks, labeled)
	}
	// Then all that is left; the other project is untouched.
	if n := tm.owner.ok(deleteTasksMut, map[string]any{"p": id, "all": true})["deleteTasks"]; n != float64(2) {
		t.Fatalf("deleted %v tasks, want 2", n)
	}
	checkCounters(t, tm.owner, id, "after deleting all")
	if got := rowCounts(t, tm.s, other); got != "1 0 0 0 0 0 0" {
		t.Fatalf("the other project: %s", got)
	}
	if n := len(deletedAudit(t, tm.owner)); n != 3 {
		t.Fatalf("%d audit events for three deletes", n)
	}
}

const deleteAnnotationsMut = `mutation($p: ID!, $ids: [ID!], $all: Boolean, $f: TaskFilter) { deleteAnnotations(projectId: $p, ids: $ids, all: $all, filter: $f) }`

// TestDeleteAnnotations clears the annotations of selected tasks (anyone's,
// by a manager of the project): the tasks, their predictions and drafts
// stay, the counters of tasks and project follow, one audit event per
// call. Annotators, reviewers and other organizations are refused and
// nothing changes.
func TestDeleteAnnotations(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, id, reviewer)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, id, manager)
	var ts []any
	for i := 0; i < 6; i++ {
		task := map[string]any{"data": map[string]any{"text": fmt.Sprintf("task %d", i)}}
		if i < 3 {
			task["annotations"] = []any{map[string]any{"result": []any{map[string]any{"id": fmt.Sprint(i + 1), "from_name": "sentiment",
				"to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}}
			task["predictions"] = []any{map[string]any{"result": []any{}, "score": 0.5}}
		}
		ts = append(ts, task)
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": ts})
	choice := []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Negative"}}}}
	mine := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": mine, "result": choice}})
	draftTask := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(saveDraftMut, map[string]any{"t": draftTask, "r": choice})
	before := rowCounts(t, tm.s, id)
	if before != "6 4 3 1 0 0 0" {
		t.Fatalf("rows before: %s", before)
	}
	outsider := tm.joinAs(t, "MANAGER")
	outsider.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	for _, c := range []struct {
		b    *browser
		code string
		vars map[string]any
	}{
		{tm.annotator, "FORBIDDEN", map[string]any{"p": id, "ids": []string{mine}}},
		{reviewer, "FORBIDDEN", map[string]any{"p": id, "all": true}},
		{outsider, "NOT_FOUND", map[string]any{"p": id, "ids": []string{mine}}},
		{outsider, "NOT_FOUND", map[string]any{"p": id, "all": true}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id}},
		{manager, "BAD_USER_INPUT", map[string]any{"p": id, "ids": make([]string, 1001)}},
	} {
		c.b.wantCode(c.code, deleteAnnotationsMut, c.vars)
	}
	if after := rowCounts(t, tm.s, id); after != before {
		t.Fatalf("a refused delete changed rows: %s, were %s", after, before)
	}
	checkCounters(t, tm.owner, id, "after refusals")

	// The manager deletes the annotator's annotation and one imported.
	imported := ""
	for _, l := range taskIDs(t, tm.owner, id, map[string]any{"labeled": true}) {
		if l != mine {
			imported = l
		}
	}
	if n := manager.ok(deleteAnnotationsMut, map[string]any{"p": id, "ids": []string{mine, imported}})["deleteAnnotations"]; n != float64(2) {
		t.Fatalf("deleted %v annotations, want 2", n)
	}
	if got := rowCounts(t, tm.s, id); got != "6 2 3 1 0 0 0" {
		t.Fatalf("rows after deleting two: %s", got)
	}
	if tasks, labeled := checkCounters(t, tm.owner, id, "after deleting two"); tasks != 6 || labeled != 2 {
		t.Fatalf("counters %d, %d", tasks, labeled)
	}
	d := tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations } }`, map[string]any{"t": mine})
	if n := path(d, "task", "totalAnnotations"); n != float64(0) {
		t.Fatalf("the task counts %v annotations", n)
	}
	// The annotator labels on; the stream hands out unlabeled tasks again.
	again := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": again, "result": choice}})
	// All the rest.
	if n := tm.owner.ok(deleteAnnotationsMut, map[string]any{"p": id, "all": true})["deleteAnnotations"]; n != float64(3) {
		t.Fatalf("deleted %v annotations, want 3", n)
	}
	drafts := 1
	if again == draftTask { // submitting removed the draft
		drafts = 0
	}
	if got := rowCounts(t, tm.s, id); got != fmt.Sprintf("6 0 3 %d 0 0 0", drafts) {
		t.Fatalf("rows after deleting all: %s", got)
	}
	if tasks, labeled := checkCounters(t, tm.owner, id, "after deleting all"); tasks != 6 || labeled != 0 {
		t.Fatalf("counters %d, %d", tasks, labeled)
	}
	d = tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.annotations_deleted"}) { edges { node { targetId } } } }`, nil)
	if n := len(path(d, "auditEvents", "edges").([]any)); n != 2 {
		t.Fatalf("%d audit events for two deletes", n)
	}
}

// TestTaskSummaryColumns reads the data manager's summary columns for a
// page: labels, review states and the best prediction score per task.
func TestTaskSummaryColumns(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	region := func(c string) map[string]any {
		return map[string]any{"id": c, "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{c}}}
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"data": map[string]any{"text": "a"},
			"annotations": []any{map[string]any{"result": []any{region("Positive")}}, map[string]any{"result": []any{region("Negative")}}},
			"predictions": []any{map[string]any{"result": []any{}, "score": 0.25}, map[string]any{"result": []any{}, "score": 0.75}}},
		map[string]any{"data": map[string]any{"text": "b"}},
	}})
	d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 50) { edges { node { data labels reviewStates predictionScore } } } }`, map[string]any{"p": id})
	got := map[string]string{}
	for _, e := range path(d, "tasks", "edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		got[str(n, "data", "text")] = fmt.Sprint(n["labels"], n["reviewStates"], n["predictionScore"])
	}
	if got["a"] != "[Positive Negative] [PENDING] 0.75" || got["b"] != "[] [] <nil>" {
		t.Fatalf("summaries: %v", got)
	}
}

// TestBulkDeletesSendWebhooks: deleting annotations and tasks from the data
// manager sends Label Studio's ANNOTATIONS_DELETED and TASKS_DELETED with
// the ids of what went; a refused delete sends nothing.
func TestBulkDeletesSendWebhooks(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner, ann := tm.owner, tm.annotator
	id := tm.project(t, textClassification, nil)
	owner.ok(createWebhook, map[string]any{"i": map[string]any{"projectId": id, "url": recv.URL + "/p",
		"events": []string{"TASKS_DELETED", "ANNOTATIONS_DELETED"}}})
	var ts []any
	for i := 0; i < 3; i++ {
		ts = append(ts, map[string]any{"data": map[string]any{"text": fmt.Sprintf("task %d", i)},
			"annotations": []any{map[string]any{"result": []any{map[string]any{"id": "r", "from_name": "sentiment",
				"to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}}})
	}
	owner.ok(importTasks, map[string]any{"p": id, "t": ts})
	ids := taskIDs(t, owner, id, nil)
	var annIDs []string
	for _, task := range ids[:2] {
		r := owner.ok(`query($id: ID!) { task(id: $id) { annotations { id } } }`, map[string]any{"id": task})
		annIDs = append(annIDs, str(r, "task", "annotations", 0, "id"))
	}

	// Refused: an annotator may not delete; nothing is sent for it.
	ann.wantCode("FORBIDDEN", deleteTasksMut, map[string]any{"p": id, "ids": ids})
	ann.wantCode("FORBIDDEN", deleteAnnotationsMut, map[string]any{"p": id, "all": true})

	owner.ok(deleteAnnotationsMut, map[string]any{"p": id, "ids": ids[:2]})
	owner.ok(deleteTasksMut, map[string]any{"p": id, "all": true})
	// The outbox holds exactly the two events (the refusals queued none).
	hooks := owner.ok(`query($p: ID!) { project(id: $p) { webhooks { deliveries(first: 10) { totalCount } } } }`, map[string]any{"p": id})
	if n := path(hooks, "project", "webhooks", 0, "deliveries", "totalCount"); n != float64(2) {
		t.Fatalf("%v deliveries queued, want 2", n)
	}
	waitFor(t, "two deliveries", func() bool { return len(recv.requests()) >= 2 })
	got := recv.requests()
	if len(got) != 2 {
		t.Fatalf("got %d deliveries, want 2", len(got))
	}
	byAction := map[string]map[string]any{}
	for _, r := range got {
		p := payloadOf(t, r)
		byAction[fmt.Sprint(p["action"])] = p
	}
	idsOf := func(p map[string]any, key string) []string {
		var out []string
		list, _ := p[key].([]any)
		for _, o := range list {
			out = append(out, fmt.Sprint(path(o, "id")))
		}
		return out
	}
	if got := idsOf(byAction["ANNOTATIONS_DELETED"], "annotations"); fmt.Sprint(got) != fmt.Sprint(annIDs) {
		t.Errorf("ANNOTATIONS_DELETED names annotations %v, want %v", got, annIDs)
	}
	if got := idsOf(byAction["TASKS_DELETED"], "tasks"); fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("TASKS_DELETED names tasks %v, want %v", got, ids)
	}
	if got := fmt.Sprint(path(byAction["TASKS_DELETED"], "project", "id")); got != id {
		t.Errorf("TASKS_DELETED project = %s, want %s", got, id)
	}
}

// TestADeleteOfAllGoesInSteps: a delete of all of a project's tasks takes
// them 5,000 at a time, each step a transaction of its own with its own
// audit event, so that a big project does not hold the write lock (on
// SQLite, every write of the server) for seconds; the steps together take
// every task. Being its own transactions, the delete must be the only
// field of its operation: beside another it is refused and nothing runs.
func TestADeleteOfAllGoesInSteps(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	const n = 12345
	importMany(t, tm.owner, id, n)

	r := tm.owner.wantCode("BAD_USER_INPUT", `mutation($p: ID!) { deleteTasks(projectId: $p, all: true) updateProject(id: $p, input: {title: "renamed"}) { id } }`, map[string]any{"p": id})
	if !strings.Contains(r.Raw, "deleteTasks must be the only field of its operation") {
		t.Fatalf("the refusal does not say why: %.300s", r.Raw)
	}
	if got := rowCounts(t, tm.s, id); got != fmt.Sprint(n)+" 0 0 0 0 0 0" {
		t.Fatalf("rows after the refused operation: %s", got)
	}
	if title := str(tm.owner.ok(`query($p: ID!) { project(id: $p) { title } }`, map[string]any{"p": id}), "project", "title"); title == "renamed" {
		t.Fatal("the refused operation renamed the project")
	}

	if got := tm.owner.ok(deleteTasksMut, map[string]any{"p": id, "all": true})["deleteTasks"]; got != float64(n) {
		t.Fatalf("deleted %v tasks, want %d", got, n)
	}
	if got := rowCounts(t, tm.s, id); got != "0 0 0 0 0 0 0" {
		t.Fatalf("rows after deleting all: %s", got)
	}
	checkCounters(t, tm.owner, id, "after deleting all")
	if steps := deletedSteps(t, tm.owner); fmt.Sprint(steps) != "[2345 5000 5000]" {
		t.Fatalf("audit events of the steps, newest first: %v", steps)
	}

	// Deleting the annotations of 12,345 tasks of which only the last has
	// any: one event, for the step that removed something.
	importMany(t, tm.owner, id, n)
	annotated := lastTaskID(t, tm.s, id)
	tm.owner.ok(createAnn, map[string]any{"i": map[string]any{"taskId": annotated, "result": choice("Positive")}})
	if got := tm.owner.ok(deleteAnnotationsMut, map[string]any{"p": id, "all": true})["deleteAnnotations"]; got != float64(1) {
		t.Fatalf("deleted %v annotations, want 1", got)
	}
	d := tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.annotations_deleted"}) { edges { node { details } } } }`, nil)
	if events := path(d, "auditEvents", "edges").([]any); len(events) != 1 {
		t.Fatalf("%d audit events for one annotation deleted in three steps: %v", len(events), events)
	}
	// A call that removes nothing logs its one event of none.
	tm.owner.ok(deleteAnnotationsMut, map[string]any{"p": id, "all": true})
	d = tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.annotations_deleted"}) { edges { node { details } } } }`, nil)
	if events := path(d, "auditEvents", "edges").([]any); len(events) != 2 {
		t.Fatalf("%d audit events after a delete of no annotations, want 2", len(events))
	}
}

// lastTaskID is the highest task id of a project, read in the database.
func lastTaskID(t *testing.T, s *testServer, projectID string) string {
	t.Helper()
	db := insider(t, s)
	var n int
	if err := db.SQL.QueryRow(rebind(db, "SELECT MAX(id) FROM tasks WHERE project_id = $1"), projectID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n)
}

// TestAFailedStepSaysWhatWentBeforeIt: when a step of a delete of all
// tasks fails (here a trigger an insider put on one task of the second
// step), the steps before it stay done and the error says how many went;
// the failed step's tasks stay.
func TestAFailedStepSaysWhatWentBeforeIt(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	importMany(t, tm.owner, id, 7000)
	db := insider(t, tm.s)
	stuck := lastTaskID(t, tm.s, id)
	if db.Dialect == "postgres" {
		mustExec(t, db, `CREATE FUNCTION keep_task() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'kept'; END $$ LANGUAGE plpgsql`)
		mustExec(t, db, `CREATE TRIGGER keep_task BEFORE DELETE ON tasks FOR EACH ROW WHEN (OLD.id = `+stuck+`) EXECUTE FUNCTION keep_task()`)
		t.Cleanup(func() {
			db.SQL.Exec(`DROP TRIGGER keep_task ON tasks`)
			db.SQL.Exec(`DROP FUNCTION keep_task()`)
		})
	} else {
		mustExec(t, db, `CREATE TRIGGER keep_task BEFORE DELETE ON tasks WHEN OLD.id = `+stuck+` BEGIN SELECT RAISE(ABORT, 'kept'); END`)
	}
	r := tm.owner.gql(deleteTasksMut, map[string]any{"p": id, "all": true})
	if r.Code() != "INTERNAL" || !strings.Contains(r.Raw, "5000 tasks were deleted before this; run it again for the rest") {
		t.Fatalf("want an internal error that says 5000 tasks went: %.300s", r.Raw)
	}
	if got := rowCounts(t, tm.s, id); got != "2000 0 0 0 0 0 0" {
		t.Fatalf("rows after the failed second step: %s", got)
	}
	checkCounters(t, tm.owner, id, "after the failed second step")
}

// TestAProjectIsDeletedInSteps: deleting a project of many tasks takes
// its tasks in the steps of a delete of all tasks (each with its audit
// event), then the project; a member who may not delete the project (an
// annotator of it, a manager of another) is refused before any task goes.
func TestAProjectIsDeletedInSteps(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	importMany(t, tm.owner, id, 6000)
	tm.addMember(t, id, tm.annotator)
	manager := tm.joinAs(t, "MANAGER")
	del := `mutation($p: ID!) { deleteProject(id: $p) }`
	tm.annotator.wantCode("FORBIDDEN", del, map[string]any{"p": id})
	manager.wantCode("NOT_FOUND", del, map[string]any{"p": id})
	if got := rowCounts(t, tm.s, id); got != "6000 0 0 0 0 0 0" {
		t.Fatalf("rows after the refused deletions: %s", got)
	}
	if n := len(deletedAudit(t, tm.owner)); n != 0 {
		t.Fatalf("%d audit events of deleted tasks after the refused deletions", n)
	}

	tm.owner.ok(del, map[string]any{"p": id})
	if got := rowCounts(t, tm.s, id); got != "0 0 0 0 0 0 0" {
		t.Fatalf("rows after deleting the project: %s", got)
	}
	if visible(t, tm.owner, id) {
		t.Fatal("the deleted project is still visible")
	}
	if steps := deletedSteps(t, tm.owner); fmt.Sprint(steps) != "[1000 5000]" {
		t.Fatalf("audit events of the steps, newest first: %v", steps)
	}
}

// importMany imports n one-line text tasks into a project as b, in one CSV
// file.
func importMany(t *testing.T, b *browser, projectID string, n int) {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("text\n")
	for i := range n {
		fmt.Fprintf(&csv, "task %d\n", i)
	}
	if r := upload(t, b, projectID, map[string]string{"many.csv": csv.String()}); r.Status != http.StatusCreated {
		t.Fatalf("import: %d %.300s", r.Status, r.Raw)
	}
}

// deletedSteps lists the counts of the project.tasks_deleted events,
// newest first.
func deletedSteps(t *testing.T, b *browser) []float64 {
	t.Helper()
	var steps []float64
	for _, e := range deletedAudit(t, b) {
		d, _ := path(e, "node", "details").(map[string]any)
		c, _ := d["tasks"].(float64)
		steps = append(steps, c)
	}
	return steps
}
