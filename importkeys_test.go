package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestImportRefusesMissingDataKeys: a task that lacks a data key the
// config reads ($text) is refused, as Label Studio refuses it, with an
// error naming the key and the row, for every file format and for the
// GraphQL importTasks; nothing is stored and no import is audited. A task
// with the key present but empty imports.
func TestImportRefusesMissingDataKeys(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	imported := func() int {
		d := tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.tasks_imported"}) { edges { node { action } } } }`, nil)
		return len(path(d, "auditEvents", "edges").([]any))
	}

	for _, tc := range []struct{ name, file, where string }{
		{"wrong.csv", "txt,x\na,1\nb,2\n", "line 2 (task 1)"},
		{"wrong.tsv", "text\tx\nfine\t1\n", ""}, // control: the key is there
		{"wrong.json", `[{"data":{"text":"a"}},{"data":{"txt":"b"}}]`, "line 1 (task 2)"},
		{"wrong.jsonl", "{\"text\":\"a\"}\n{\"text\":\"\"}\n{\"body\":\"c\"}\n", "line 3 (task 3)"},
	} {
		before, events := taskCount(t, tm.owner, id), imported()
		r := upload(t, tm.owner, id, map[string]string{tc.name: tc.file})
		if tc.where == "" {
			if r.Status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", tc.name, r.Status, r.Raw)
			}
			continue
		}
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, `\"text\" key is expected in task data`) ||
			!strings.Contains(r.Raw, tc.where) || !strings.Contains(r.Raw, "nothing was imported") {
			t.Fatalf("%s: status %d: %s", tc.name, r.Status, r.Raw)
		}
		if c := taskCount(t, tm.owner, id); c != before {
			t.Fatalf("%s: a refused import stored tasks: %d, want %d", tc.name, c, before)
		}
		if e := imported(); e != events {
			t.Fatalf("%s: a refused import was audited: %d events, want %d", tc.name, e, events)
		}
	}

	// GraphQL: the second task lacks the key; the empty value is fine.
	before, events := taskCount(t, tm.owner, id), imported()
	r := tm.owner.wantCode("BAD_USER_INPUT", importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"text": ""}, map[string]any{"data": map[string]any{"other": "x"}}}})
	if !strings.Contains(r.Raw, `task 2: \"text\" key is expected in task data`) {
		t.Fatalf("error does not name the key and task: %s", r.Raw)
	}
	if c := taskCount(t, tm.owner, id); c != before || imported() != events {
		t.Fatalf("a refused GraphQL import stored %d tasks (want %d) or was audited", c, before)
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": ""}, map[string]any{"text": nil, "extra": 1}}})
	if c := taskCount(t, tm.owner, id); c != before+2 {
		t.Fatalf("tasks with empty keys: %d, want %d", c, before+2)
	}
}
