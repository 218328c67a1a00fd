package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	nextReviewQuery   = `query($p: ID!, $after: ID) { nextReview(projectId: $p, after: $after) { id reviewState completedBy { id } } }`
	fixMut            = `mutation($a: ID!, $ok: Boolean!, $r: JSON) { reviewAnnotation(id: $a, accepted: $ok, result: $r) { id reviewState result } }`
	streamStatusQuery = `query($p: ID!) { labelStreamStatus(projectId: $p) { left lockedByOthers } }`
)

// TestReviewStream: nextReview hands a reviewer the project's oldest
// annotation nobody has reviewed, never their own and never a skip, goes
// past one with after, and moves on once it is reviewed; a fixed result is
// accepted with it and refused with a rejection, changing nothing.
func TestReviewStream(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, map[string]any{"overlap": 2})
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, p, reviewer)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{
		map[string]any{"text": "one"}, map[string]any{"text": "two"}, map[string]any{"text": "three"}}})
	next := func(after any) string {
		return str(reviewer.ok(nextReviewQuery, map[string]any{"p": p, "after": after}), "nextReview", "id")
	}
	if got := next(nil); got != "" {
		t.Fatalf("nothing is annotated, yet nextReview gave %s", got)
	}

	// The reviewer's own annotation is never theirs to review.
	annotate(reviewer, p)
	if got := next(nil); got != "" {
		t.Fatalf("nextReview gave the reviewer their own annotation %s", got)
	}
	firstTask, first := annotate(tm.annotator, p)
	skipTask := handOut(tm.annotator, p)
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": skipTask, "result": []any{}, "wasCancelled": true}})
	_, second := annotate(tm.annotator, p)

	if got := next(nil); got != first {
		t.Fatalf("nextReview = %q, want the oldest waiting annotation %s", got, first)
	}
	if got := next(first); got != second {
		t.Fatalf("nextReview after %s = %q, want %s (the skip is not reviewed)", first, got, second)
	}
	if got := next(second); got != "" {
		t.Fatalf("nextReview after the last = %q, want nothing", got)
	}

	// Rejecting with a fixed result is refused and changes nothing.
	const annState = `query($t: ID!) { task(id: $t) { annotations { id result reviewState reviewComment updatedAt completedBy { id } } } }`
	before := snapshot(tm.owner, annState, map[string]any{"t": firstTask})
	reviewer.wantCode("BAD_USER_INPUT", fixMut, map[string]any{"a": first, "ok": false, "r": choice("Negative")})
	// So is a fix that the configuration does not allow.
	reviewer.wantCode("BAD_USER_INPUT", fixMut, map[string]any{"a": first, "ok": true, "r": choice("Angry")})
	if after := snapshot(tm.owner, annState, map[string]any{"t": firstTask}); after != before {
		t.Fatalf("a refused review changed the annotation:\n%s\n%s", before, after)
	}

	// Fix and accept: the result changes, the author stays, the stream moves on.
	d := reviewer.ok(fixMut, map[string]any{"a": first, "ok": true, "r": choice("Negative")})
	if path(d, "reviewAnnotation", "reviewState") != "ACCEPTED" || !strings.Contains(fmt.Sprint(d), "Negative") {
		t.Fatalf("fix and accept: %v", d)
	}
	if after := snapshot(tm.owner, annState, map[string]any{"t": firstTask}); !strings.Contains(after, idOf(t, tm.annotator)) {
		t.Fatalf("fixing changed the author: %s", after)
	}
	reviewer.ok(reviewMut, map[string]any{"a": second, "ok": false, "c": "not positive"})
	if got := next(nil); got != "" {
		t.Fatalf("everything is reviewed, yet nextReview gave %s", got)
	}

	// An annotator never reviews, nor fixes another's work.
	tm.annotator.wantCode("FORBIDDEN", nextReviewQuery, map[string]any{"p": p})
}

// TestReviewOfAnEditedVersionIsRefused: a review sent with the updatedAt
// the reviewer saw (as the SPA sends it) is refused once the author has
// changed the annotation since, whether it accepts, rejects or fixes, and
// changes nothing; sent again with the version now shown, it applies.
func TestReviewOfAnEditedVersionIsRefused(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	reviewer := tm.joinAs(t, "REVIEWER")
	tm.addMember(t, p, reviewer)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	taskID, ann := annotate(tm.annotator, p)
	const shown = `query($t: ID!) { task(id: $t) { annotations { id result reviewState reviewComment updatedAt } } }`
	seen := func() string {
		t.Helper()
		return str(reviewer.ok(shown, map[string]any{"t": taskID}), "task", "annotations", 0, "updatedAt")
	}
	old := seen()
	// The author changes their annotation while the review is open.
	time.Sleep(2 * time.Millisecond)
	tm.annotator.ok(`mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`,
		map[string]any{"a": ann, "r": choice("Negative")})
	before := snapshot(tm.owner, shown, map[string]any{"t": taskID})
	const review = `mutation($a: ID!, $ok: Boolean!, $r: JSON, $u: Time) {
		reviewAnnotation(id: $a, accepted: $ok, result: $r, updatedAt: $u) { reviewState result updatedAt } }`
	for _, v := range []map[string]any{
		{"a": ann, "ok": true, "u": old},
		{"a": ann, "ok": false, "u": old},
		{"a": ann, "ok": true, "u": old, "r": choice("Positive")},
	} {
		r := reviewer.gql(review, v)
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(string(r.Raw), "changed while it was being reviewed") {
			t.Fatalf("a review of the version before the edit (%v): %s", v, r.Raw)
		}
	}
	if after := snapshot(tm.owner, shown, map[string]any{"t": taskID}); after != before {
		t.Fatalf("a refused review changed the annotation:\n%s\n%s", before, after)
	}
	// Whether the viewer may review at all comes first: an owner's review
	// of their own annotation is refused for being theirs, whatever version
	// it names.
	_, own := annotate(tm.owner, p)
	r := tm.owner.gql(review, map[string]any{"a": own, "ok": true, "u": old})
	if r.Code() != "FORBIDDEN" || !strings.Contains(string(r.Raw), "your own annotation") {
		t.Fatalf("an owner's review of their own annotation, of another version: %s", r.Raw)
	}
	d := reviewer.ok(review, map[string]any{"a": ann, "ok": true, "u": seen()})
	if path(d, "reviewAnnotation", "reviewState") != "ACCEPTED" || !strings.Contains(fmt.Sprint(d), "Negative") {
		t.Fatalf("the review of the version shown: %v", d)
	}
}

// TestLabelStreamStatus: the stream's counts say what is left for the
// viewer and how much of it someone else is labeling now.
func TestLabelStreamStatus(t *testing.T) {
	tm := MustTeam(t)
	p := tm.project(t, textClassification, nil)
	other := tm.joinAs(t, "ANNOTATOR")
	tm.addMember(t, p, other)
	tm.owner.ok(importTasks, map[string]any{"p": p, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	status := func(b *browser) (float64, float64) {
		d := b.ok(streamStatusQuery, map[string]any{"p": p})
		return path(d, "labelStreamStatus", "left").(float64), path(d, "labelStreamStatus", "lockedByOthers").(float64)
	}
	if l, o := status(tm.annotator); l != 2 || o != 0 {
		t.Fatalf("fresh project: left %v, locked by others %v; want 2, 0", l, o)
	}
	annotate(tm.annotator, p) // the first task is done (overlap 1)
	handOut(other, p)         // the second is held by the other annotator
	if l, o := status(tm.annotator); l != 1 || o != 1 {
		t.Fatalf("after one done and one held: left %v, locked by others %v; want 1, 1", l, o)
	}
	if got := path(tm.annotator.ok(nextTaskQuery, map[string]any{"p": p}), "nextTask"); got != nil {
		t.Fatalf("nextTask handed out a task another holds: %v", got)
	}
	if l, o := status(other); l != 1 || o != 0 {
		t.Fatalf("the holder: left %v, locked by others %v; want 1, 0", l, o)
	}
}
