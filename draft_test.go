package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestDraftLifecycle follows an annotator's draft through the API: saved as
// they label, replaced by the next save, read back when they return, and
// removed when they submit; and it is theirs alone.
func TestDraftLifecycle(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	ann := tm.annotator
	taskID := handOut(ann, p)
	mine := func(b *browser) string {
		return snapshot(b, myDraftQuery, map[string]any{"t": taskID})
	}
	save := func(b *browser, result []any) *gqlResponse {
		return b.gql(saveDraftMut, map[string]any{"t": taskID, "r": result})
	}

	if got := mine(ann); !strings.Contains(got, `"myDraft":null`) {
		t.Fatalf("a new task has a draft: %s", got)
	}
	if r := save(ann, choice("Positive")); len(r.Errors) > 0 {
		t.Fatalf("saveDraft: %s", r.Raw)
	}
	if got := mine(ann); !strings.Contains(got, `"Positive"`) {
		t.Fatalf("the draft is not restored: %s", got)
	}
	// A second save replaces the first: one draft per task and user.
	if r := save(ann, choice("Negative")); len(r.Errors) > 0 {
		t.Fatalf("saveDraft: %s", r.Raw)
	}
	first := mine(ann)
	if !strings.Contains(first, `"Negative"`) || strings.Contains(first, `"Positive"`) {
		t.Fatalf("the draft was not replaced: %s", first)
	}

	t.Run("a bad result is refused and the draft stays", func(t *testing.T) {
		for _, result := range [][]any{
			choice("Happy"), // not a choice of the config
			{map[string]any{"from_name": "nope", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}},
			{strings.Repeat("x", 1<<20+10)}, // past the size limit
		} {
			r := save(ann, result)
			if r.Code() != "BAD_USER_INPUT" {
				t.Errorf("want BAD_USER_INPUT, got %q: %.300s", r.Code(), r.Raw)
			}
		}
		if got := mine(ann); got != first {
			t.Errorf("a refused save changed the draft:\n%s\n%s", first, got)
		}
	})

	t.Run("nobody else reads, replaces or removes it", func(t *testing.T) {
		// The owner may label the task too, and sees the task, but not the
		// annotator's draft: their own is null.
		if got := mine(tm.owner); !strings.Contains(got, `"myDraft":null`) {
			t.Errorf("the owner reads the annotator's draft: %s", got)
		}
		if r := save(tm.owner, choice("Neutral")); len(r.Errors) > 0 {
			t.Fatalf("the owner's own draft: %s", r.Raw)
		}
		d := tm.owner.ok(deleteDraftMut, map[string]any{"t": taskID})
		if d["deleteDraft"] != true {
			t.Errorf("the owner's deleteDraft removed nothing: %v", d)
		}
		if got := mine(ann); got != first {
			t.Errorf("another user's save or delete changed the draft:\n%s\n%s", first, got)
		}
		// Another annotator cannot even see the task.
		other := tm.joinAs(t, "ANNOTATOR")
		tm.addMember(t, p, other)
		if r := save(other, choice("Positive")); r.Code() != "NOT_FOUND" {
			t.Errorf("another annotator saves a draft of a task not theirs: %s", r.Raw)
		}
		if got := mine(ann); got != first {
			t.Errorf("another annotator changed the draft:\n%s\n%s", first, got)
		}
		tm.s.browser(t).wantCode("UNAUTHENTICATED", saveDraftMut, map[string]any{"t": taskID, "r": choice("Positive")})
	})

	t.Run("submitting removes it", func(t *testing.T) {
		ann.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": choice("Negative")}})
		if got := mine(ann); !strings.Contains(got, `"myDraft":null`) {
			t.Errorf("the draft outlived the submit: %s", got)
		}
	})

	t.Run("updating removes it", func(t *testing.T) {
		a := str(ann.ok(`query($t: ID!) { task(id: $t) { annotations { id } } }`, map[string]any{"t": taskID}), "task", "annotations", 0, "id")
		if r := save(ann, choice("Positive")); len(r.Errors) > 0 {
			t.Fatalf("saveDraft: %s", r.Raw)
		}
		ann.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`,
			map[string]any{"a": a, "r": choice("Positive")})
		if got := mine(ann); !strings.Contains(got, `"myDraft":null`) {
			t.Errorf("the draft outlived the update: %s", got)
		}
	})

	// The database removes drafts with their task, so a draft never blocks
	// deleting a project.
	t.Run("deleting the project removes it", func(t *testing.T) {
		if r := save(ann, choice("Neutral")); len(r.Errors) > 0 {
			t.Fatalf("saveDraft: %s", r.Raw)
		}
		tm.owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": p})
	})
}

// TestDraftSavesAtOnce: many saves of one draft at once (tabs, retries)
// all succeed and leave exactly one draft, holding one of them.
func TestDraftSavesAtOnce(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}}})
	taskID := handOut(tm.annotator, p)
	const n = 20
	errs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			choice := []string{"Positive", "Negative"}[i%2]
			r := tm.annotator.gql(saveDraftMut, map[string]any{"t": taskID, "r": []any{map[string]any{
				"id": fmt.Sprintf("c%d", i), "from_name": "sentiment", "to_name": "text", "type": "choices",
				"value": map[string]any{"choices": []any{choice}}}}})
			if len(r.Errors) > 0 {
				errs[i] = r.Raw
			}
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("save %d: %s", i, e)
		}
	}
	got := snapshot(tm.annotator, myDraftQuery, map[string]any{"t": taskID})
	if strings.Count(got, `"from_name"`) != 1 {
		t.Errorf("the draft is not one of the saves: %s", got)
	}
}
