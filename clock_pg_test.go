//go:build pg

package main

import (
	"testing"
)

// TestLocksAreTimedByTheDatabaseClock: two processes share a database, the
// second on a machine whose clock is 20 minutes ahead (GLOSS_TEST_CLOCK_SKEW),
// past the 15 minutes a hand-out holds a task. An annotator takes the only
// task of an overlap-1 project through the first process. Through the
// second, another annotator is not handed it (by its own clock the lock
// had lapsed, and the task went to them, and the first annotator's submit
// was then refused), nor may submit to it; the holder's submit is
// accepted, and the task ends with exactly one annotation.
func TestLocksAreTimedByTheDatabaseClock(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":            replicaDatabase(t),
		"GLOSS_SECRET_KEY":        replicaKey,
		"LABEL_STUDIO_USERNAME":   ownerEmail,
		"LABEL_STUDIO_PASSWORD":   ownerPassword,
		"LABEL_STUDIO_USER_TOKEN": replicaOwnerToken,
	}
	a := MustStart(t, env)
	ahead := map[string]string{"GLOSS_TEST_CLOCK_SKEW": "20m"}
	for k, v := range env {
		ahead[k] = v
	}
	b := MustStart(t, ahead)

	owner := a.tokenClient(t, replicaOwnerToken)
	crew := newOverlapCrew(t, a, owner, 2)
	in := map[string]any{"title": "Clocks", "labelConfig": textClassification, "overlap": 1}
	project := str(owner.ok(createProject, map[string]any{"i": in}), "createProject", "id")
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "the only task"}}})
	for _, token := range crew.annotators {
		owner.ok(`mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
			map[string]any{"p": project, "u": crew.ids[token]})
	}
	holder := a.tokenClient(t, crew.annotators[0])
	other := b.tokenClient(t, crew.annotators[1])

	taskID := str(holder.ok(nextTaskQuery, map[string]any{"p": project}), "nextTask", "id")
	if taskID == "" {
		t.Fatal("the holder was handed no task")
	}
	if r := other.ok(nextTaskQuery, map[string]any{"p": project}); path(r, "nextTask") != nil {
		t.Fatalf("the process whose clock is ahead handed out the held task: %v", r)
	}
	other.wantCode("NOT_FOUND", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})
	holder.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})

	tasks := overlapTaskList(owner, project)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks", len(tasks))
	}
	if got := path(tasks[0], "node", "totalAnnotations").(float64); got != 1 {
		t.Fatalf("the task has %v annotations, want 1", got)
	}
}
