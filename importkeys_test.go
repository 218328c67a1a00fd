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
			if r.Status != http.StatusCreated {
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

// TestImportRefusesLongDataKeys: a project records the data keys its
// imports bring on its own row, which nearly every request reads, so a data
// key longer than importer.MaxDataKeyLength characters is refused, in every
// format, naming the row; nothing is stored, audited or recorded. Before,
// each import of tasks holding one key of a megabyte added that megabyte to
// the project's row (up to a thousand keys).
func TestImportRefusesLongDataKeys(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	imported := func() int {
		d := tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.tasks_imported"}) { edges { node { action } } } }`, nil)
		return len(path(d, "auditEvents", "edges").([]any))
	}
	// The recorded keys are the CSV export's columns.
	dataKeys := func() string {
		r := exportGet(tm, id, "format=CSV")
		if r.Status != http.StatusOK {
			t.Fatalf("CSV export: status %d: %.300s", r.Status, r.Raw)
		}
		header, _, _ := strings.Cut(r.Raw, "\n")
		return header
	}
	long := strings.Repeat("é", 257) // characters, not bytes, count
	for _, tc := range []struct{ name, file, where string }{
		{"long.json", `[{"data":{"text":"a"}},{"data":{"text":"b","` + long + `":1}}]`, "line 1 (task 2): the data key"},
		{"long.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\",\"" + long + "\":1}\n", "line 2 (task 2): the data key"},
		{"long.csv", "text," + long + "\na,1\n", "line 1: column 2 of the header"},
		{"long.tsv", "text\t" + long + "\na\t1\n", "line 1: column 2 of the header"},
	} {
		before, events, keys := taskCount(t, tm.owner, id), imported(), dataKeys()
		r := upload(t, tm.owner, id, map[string]string{tc.name: tc.file})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, tc.where) ||
			!strings.Contains(r.Raw, "is 257 characters long; the limit is 256") || !strings.Contains(r.Raw, "nothing was imported") {
			t.Fatalf("%s: status %d: %.500s", tc.name, r.Status, r.Raw)
		}
		if len(r.Raw) > 1000 {
			t.Fatalf("%s: the error echoes the key whole (%d bytes)", tc.name, len(r.Raw))
		}
		if c := taskCount(t, tm.owner, id); c != before || imported() != events || dataKeys() != keys {
			t.Fatalf("%s: a refused import stored tasks (%d, want %d), was audited or recorded keys (%s)", tc.name, c, before, dataKeys())
		}
	}
	before := taskCount(t, tm.owner, id)
	r := tm.owner.wantCode("BAD_USER_INPUT", importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "a", long: 1}}})
	if !strings.Contains(r.Raw, "task 1: the data key") || !strings.Contains(r.Raw, "is 257 characters long") {
		t.Fatalf("GraphQL: %.500s", r.Raw)
	}
	if c := taskCount(t, tm.owner, id); c != before || strings.Contains(dataKeys(), "éé") {
		t.Fatalf("a refused GraphQL import stored %d tasks (want %d) or recorded keys", c, before)
	}
	// A key of the limit's length imports.
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "a", long[2:]: 1}}})
	if c := taskCount(t, tm.owner, id); c != before+1 || !strings.Contains(dataKeys(), long[2:]) {
		t.Fatalf("a key of 256 characters: %d tasks, keys %s", c, dataKeys())
	}
}
