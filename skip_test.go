package main

import (
	"testing"
)

// TestSkipNeverDestroys: skipping a task the annotator already annotated
// would throw their labels away, so the server refuses it, changing
// nothing, unless the skip is confirmed.
func TestSkipNeverDestroys(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	taskID, annID := annotate(tm.annotator, p)
	skip := `mutation($a: ID!, $c: Boolean) { updateAnnotation(id: $a, input: {result: [], wasCancelled: true, confirmSkip: $c}) { id wasCancelled result } }`

	before := taskState(tm.owner, taskID)
	for _, confirm := range []any{nil, false} {
		r := tm.annotator.wantCode("BAD_USER_INPUT", skip, map[string]any{"a": annID, "c": confirm})
		if msg := r.Errors[0].Message; msg == "" {
			t.Error("the refusal says nothing")
		}
		if after := taskState(tm.owner, taskID); after != before {
			t.Fatalf("a refused skip changed the task:\n%s\n%s", before, after)
		}
	}

	d := tm.annotator.ok(skip, map[string]any{"a": annID, "c": true})
	if path(d, "updateAnnotation", "wasCancelled") != true {
		t.Fatalf("a confirmed skip did not skip: %v", d)
	}
	// Skipping an annotation with no labels, or one already skipped, needs no confirmation.
	tm.annotator.ok(skip, map[string]any{"a": annID, "c": nil})
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "two"}}})
	other := handOut(tm.annotator, p)
	empty := str(tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": other, "result": []any{}}}), "createAnnotation", "id")
	tm.annotator.ok(skip, map[string]any{"a": empty, "c": nil})
}
