package main

import (
	"strings"
	"testing"
)

// TestLengthsCountCharacters: the ent schema is the one home of length
// rules, and it counts characters, not bytes. A title of 200 emoji (800
// bytes) is accepted on create and update, 201 are refused with a message
// that names the field, and a refused write changes nothing.
func TestLengthsCountCharacters(t *testing.T) {
	tm := MustTeam(t)
	emoji := func(n int) string { return strings.Repeat("😀", n) }
	const (
		createP = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id title } }`
		updateP = `mutation($p: ID!, $i: UpdateProjectInput!) { updateProject(id: $p, input: $i) { id title } }`
		readP   = `query($p: ID!) { project(id: $p) { title description } }`
		countP  = `{ projects(first: 50) { totalCount } }`
	)
	refused := func(r *gqlResponse, field, limit string) {
		t.Helper()
		if want := field + " is longer than " + limit + " characters"; r.Errors[0].Message != want {
			t.Errorf("message %q, want %q", r.Errors[0].Message, want)
		}
	}

	// Create: 200 emoji are 200 characters; 201 are one too many.
	id := str(tm.owner.ok(createP, map[string]any{"i": map[string]any{
		"title": emoji(200), "description": emoji(10000), "labelConfig": textClassification,
	}}), "createProject", "id")
	refused(tm.owner.wantCode("BAD_USER_INPUT", createP, map[string]any{"i": map[string]any{
		"title": emoji(201), "labelConfig": textClassification,
	}}), "title", "200")
	refused(tm.owner.wantCode("BAD_USER_INPUT", createP, map[string]any{"i": map[string]any{
		"title": "x", "description": emoji(10001), "labelConfig": textClassification,
	}}), "description", "10000")
	if n := path(tm.owner.ok(countP, nil), "projects", "totalCount"); n != 1.0 {
		t.Fatalf("%v projects after one accepted and two refused creates", n)
	}

	// Update: the same limits, and a refused update leaves the title.
	tm.owner.ok(updateP, map[string]any{"p": id, "i": map[string]any{"title": emoji(199) + "a"}})
	refused(tm.owner.wantCode("BAD_USER_INPUT", updateP, map[string]any{"p": id, "i": map[string]any{"title": emoji(201)}}), "title", "200")
	if got := str(tm.owner.ok(readP, map[string]any{"p": id}), "project", "title"); got != emoji(199)+"a" {
		t.Fatalf("title after a refused update: %q", got)
	}
	if got := str(tm.owner.ok(readP, map[string]any{"p": id}), "project", "description"); got != emoji(10000) {
		t.Fatalf("description of %d bytes not kept", len(got))
	}

	// The other titles people type follow the same rule.
	tm.owner.ok(`mutation($t: String!) { createWorkspace(title: $t) { id } }`, map[string]any{"t": emoji(200)})
	refused(tm.owner.wantCode("BAD_USER_INPUT", `mutation($t: String!) { createWorkspace(title: $t) { id } }`,
		map[string]any{"t": emoji(201)}), "title", "200")
	tm.owner.ok(`mutation($t: String!) { createOrganization(title: $t) { id } }`, map[string]any{"t": emoji(200)})
	refused(tm.owner.wantCode("BAD_USER_INPUT", `mutation($t: String!) { createOrganization(title: $t) { id } }`,
		map[string]any{"t": emoji(201)}), "title", "200")
	r := tm.owner.wantCode("BAD_USER_INPUT", createP, map[string]any{"i": map[string]any{"title": "   ", "labelConfig": textClassification}})
	if r.Errors[0].Message != "title must not be empty" {
		t.Errorf("blank title: message %q", r.Errors[0].Message)
	}
}
