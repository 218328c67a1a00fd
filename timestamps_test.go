package main

import (
	"testing"
)

// TestOpeningAndReviewingChangeNoTimestamps: the label stream handing out a
// task does not change the task, and a review does not change the
// annotation, so neither moves their updatedAt (a review has reviewedAt).
func TestOpeningAndReviewingChangeNoTimestamps(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	taskUpdated := func() string {
		d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { id updatedAt } } } }`, map[string]any{"p": p})
		return str(d, "tasks", "edges", 0, "node", "updatedAt")
	}
	before := taskUpdated()
	taskID := handOut(tm.annotator, p)
	if after := taskUpdated(); after != before {
		t.Errorf("handing out task %s moved its updatedAt from %s to %s", taskID, before, after)
	}

	d := tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Positive")}})
	annID := str(d, "createAnnotation", "id")
	annotation := func() map[string]any {
		d := tm.owner.ok(`query($t: ID!) { task(id: $t) { annotations { id updatedAt reviewedAt reviewState } } }`, map[string]any{"t": taskID})
		return path(d, "task", "annotations", 0).(map[string]any)
	}
	made := annotation()
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, p, reviewer)
	reviewer.ok(reviewMut, map[string]any{"a": annID, "ok": true, "c": "fine"})
	reviewed := annotation()
	if reviewed["reviewState"] != "ACCEPTED" || reviewed["reviewedAt"] == nil {
		t.Fatalf("the review did not happen: %v", reviewed)
	}
	if reviewed["updatedAt"] != made["updatedAt"] {
		t.Errorf("the review moved the annotation's updatedAt from %v to %v", made["updatedAt"], reviewed["updatedAt"])
	}
}
