package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A response is the data gqlgen wrote, framed as it is: characters that
// json.Marshal used to escape (<, >, &, U+2028) come back as valid JSON
// holding exactly what was stored, variables keep their numbers, and the
// content type and status follow the Accept header as gqlgen's POST
// transport decides them.
func TestGraphQLResponsesAreWhatWasStored(t *testing.T) {
	_, owner := MustOwner(t, nil)
	title := "<b>Tom & Jerry</b> \u2028 \"quoted\" \\ é 🐱"
	created := owner.ok(`mutation($i: CreateProjectInput!) { createProject(input: $i) { id title } }`,
		map[string]any{"i": map[string]any{"title": title, "labelConfig": textClassification}})
	id := str(created, "createProject", "id")

	req := func(accept, body string) (*gqlResponse, map[string]any) {
		t.Helper()
		r, _ := http.NewRequest(http.MethodPost, owner.s.URL+"/graphql", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", owner.origin)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		resp := owner.do(r)
		var whole map[string]any
		if err := json.Unmarshal([]byte(resp.Raw), &whole); err != nil {
			t.Fatalf("the response is not JSON: %v: %q", err, resp.Raw)
		}
		return resp, whole
	}
	body, _ := json.Marshal(map[string]any{"query": `query($id: ID!, $n: Int!) { project(id: $id) { title tasks(first: $n) { totalCount } } }`,
		"variables": map[string]any{"id": id, "n": 3}})
	for _, tc := range []struct{ accept, contentType string }{
		{"", "application/json"},
		{"application/json", "application/json"},
		{"*/*", "application/json"},
		{"application/graphql-response+json", "application/graphql-response+json"},
		{"text/html", "application/graphql-response+json"},
	} {
		resp, whole := req(tc.accept, string(body))
		if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != tc.contentType {
			t.Fatalf("Accept %q: status %d, content type %q: %s", tc.accept, resp.Status, resp.Header.Get("Content-Type"), resp.Raw)
		}
		if len(whole) != 1 {
			t.Fatalf("Accept %q: the response holds more than data: %s", tc.accept, resp.Raw)
		}
		got := whole["data"].(map[string]any)["project"].(map[string]any)["title"]
		if got != title {
			t.Fatalf("Accept %q: title %q came back as %q", tc.accept, title, got)
		}
	}

	// An operation that cannot be run: 422 (application/json) or 400
	// (application/graphql-response+json), with its error, as before.
	for _, tc := range []struct {
		accept string
		status int
	}{{"", http.StatusUnprocessableEntity}, {"application/graphql-response+json", http.StatusBadRequest}} {
		resp, whole := req(tc.accept, `{"query":"query { project(id: 1) { nope } }"}`)
		if errs, _ := whole["errors"].([]any); resp.Status != tc.status || len(errs) != 1 || !strings.Contains(resp.Raw, "nope") {
			t.Fatalf("Accept %q: status %d, want %d: %s", tc.accept, resp.Status, tc.status, resp.Raw)
		}
		if d, ok := whole["data"]; !ok || d != nil {
			t.Fatalf("a request that did not run: data should be null: %s", resp.Raw)
		}
	}
}

// Task data is written into responses as it is stored. Data that is not
// JSON (a restore, an edit in the database; every import checks what it
// stores) comes back as null and cannot become the structure of the
// response; on PostgreSQL the jsonb column refuses it in the first place.
func TestStoredDataThatIsNotJSONCannotShapeAResponse(t *testing.T) {
	tm := MustTeam(t)
	projectID := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": projectID, "t": []any{map[string]any{"text": "first"}, map[string]any{"text": "second"}}})
	token := str(tm.owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	tm.s.stop()
	db := openTestDB(t, tm.s)
	const broken = `{"text":"x"}}],"injected":{"edges":[{"node":{"id":"999","data":{}`
	_, err := db.Exec(`UPDATE tasks SET data = $1 WHERE id = (SELECT MIN(id) FROM tasks)`, broken)
	db.Close()
	if tm.s.env["DATABASE_URL"] != "" {
		if err == nil {
			t.Fatal("PostgreSQL stored task data that is not JSON")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	s2 := mustStartIn(t, tm.s.DataDir, tm.s.env)
	c := s2.tokenClient(t, token)
	r := c.gql(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id data } } } }`, map[string]any{"p": projectID})
	var whole map[string]any
	if err := json.Unmarshal([]byte(r.Raw), &whole); err != nil {
		t.Fatalf("the response is not JSON: %v: %s", err, r.Raw)
	}
	if len(whole) != 1 || strings.Contains(r.Raw, `"injected"`) && whole["injected"] != nil {
		t.Fatalf("stored bytes shaped the response: %s", r.Raw)
	}
	edges := path(whole, "data", "tasks", "edges").([]any)
	if len(edges) != 2 {
		t.Fatalf("%d tasks listed, want 2: %s", len(edges), r.Raw)
	}
	first, second := edges[0].(map[string]any)["node"].(map[string]any), edges[1].(map[string]any)["node"].(map[string]any)
	if first["data"] != nil || path(second, "data", "text") != "second" {
		t.Fatalf("the broken task's data should be null and the other's intact: %s", r.Raw)
	}
}
