package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gloss/internal/webhook"
)

const updateWebhook = `mutation($id: ID!, $i: UpdateWebhookInput!) { updateWebhook(id: $id, input: $i) { id url headerNames events } }`

// TestWebhookHeadersGoOnlyWhereTheyWereSet gives a webhook Label Studio's
// custom headers (a receiver's credentials) and send_for_all_actions: the
// requests carry them, nothing reads them back or keeps them in the open,
// and a manager who points the webhook elsewhere does not take them along.
func TestWebhookHeadersGoOnlyWhereTheyWereSet(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner := tm.owner
	pid := tm.project(t, textClassification, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, pid, manager)

	const credential = "Bearer receiver-credential-7f3a"
	created := owner.ok(`mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id events headerNames } } }`,
		map[string]any{"i": map[string]any{"projectId": pid, "url": recv.URL + "/hook", "sendForAllActions": true,
			"headers": []any{map[string]any{"name": "authorization", "value": credential}, map[string]any{"name": "X-Api-Key", "value": "k1"}}}})
	hook := path(created, "createWebhook", "webhook").(map[string]any)
	id := str(hook, "id")
	if names := fmt.Sprint(hook["headerNames"]); names != "[Authorization X-Api-Key]" {
		t.Fatalf("headerNames %s", names)
	}
	if n := len(hook["events"].([]any)); n != len(webhook.Events) {
		t.Fatalf("sendForAllActions gave %d events, want all %d", n, len(webhook.Events))
	}

	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "one"}}})
	waitFor(t, "the delivery", func() bool { return len(recv.requests()) >= 1 })
	got := recv.requests()[0]
	if got.Header.Get("Authorization") != credential || got.Header.Get("X-Api-Key") != "k1" ||
		got.Header.Get("Content-Type") != "application/json" || got.Header.Get("X-Gloss-Signature") == "" {
		t.Fatalf("request headers %v", got.Header)
	}

	// Nothing reads the value back, and the database does not hold it in
	// the open.
	read := owner.gql(`query($p: ID!) { project(id: $p) { webhooks { id url events headerNames deliveries(first: 5) { edges { node { error } } } } } }`, map[string]any{"p": pid})
	if strings.Contains(read.Raw, "receiver-credential") {
		t.Fatalf("a read shows the header's value: %s", read.Raw)
	}
	for _, f := range []string{"gloss.db", "gloss.db-wal"} {
		b, err := os.ReadFile(filepath.Join(tm.s.DataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("receiver-credential")) {
			t.Fatalf("%s holds the header's value in the open", f)
		}
	}

	// Bad headers are refused and change nothing.
	for _, tc := range []struct {
		name    string
		headers []any
		message string
	}{
		{"reserved", []any{map[string]any{"name": "Host", "value": "x"}}, "set by Gloss"},
		{"gloss's own", []any{map[string]any{"name": "x-gloss-signature", "value": "sha256=0"}}, "set by Gloss"},
		{"framing", []any{map[string]any{"name": "Content-Type", "value": "text/html"}}, "set by Gloss"},
		{"not a name", []any{map[string]any{"name": "Bad Name", "value": "x"}}, "HTTP header name"},
		{"line break in value", []any{map[string]any{"name": "X-A", "value": "a\r\nX-Injected: 1"}}, "line breaks"},
		{"repeated", []any{map[string]any{"name": "X-A", "value": "1"}, map[string]any{"name": "x-a", "value": "2"}}, "twice"},
		{"too many", func() []any {
			var hs []any
			for i := range webhook.MaxHeaders + 1 {
				hs = append(hs, map[string]any{"name": fmt.Sprintf("X-H%d", i), "value": "v"})
			}
			return hs
		}(), "at most"},
	} {
		r := owner.wantCode("BAD_USER_INPUT", updateWebhook, map[string]any{"id": id, "i": map[string]any{"headers": tc.headers}})
		if !strings.Contains(r.Raw, tc.message) {
			t.Errorf("%s: %s, want a message saying %q", tc.name, r.Raw, tc.message)
		}
	}
	owner.wantCode("BAD_USER_INPUT", updateWebhook, map[string]any{"id": id, "i": map[string]any{"events": []string{"TASKS_CREATED"}, "sendForAllActions": true}})
	after := path(owner.ok(`query($p: ID!) { project(id: $p) { webhooks { headerNames events } } }`, map[string]any{"p": pid}), "project", "webhooks").([]any)[0]
	if fmt.Sprint(path(after, "headerNames")) != "[Authorization X-Api-Key]" || len(path(after, "events").([]any)) != len(webhook.Events) {
		t.Fatalf("a refused change changed the webhook: %v", after)
	}

	// A manager points the owner's webhook at their own server: the
	// owner's credential stays behind.
	moved := manager.ok(updateWebhook, map[string]any{"id": id, "i": map[string]any{"url": recv.URL + "/elsewhere"}})
	if names := path(moved, "updateWebhook", "headerNames").([]any); len(names) != 0 {
		t.Fatalf("headers followed the new URL: %v", names)
	}
	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "two"}}})
	waitFor(t, "the delivery elsewhere", func() bool {
		return slices.ContainsFunc(recv.requests(), func(r hookRequest) bool { return r.Path == "/elsewhere" })
	})
	for _, r := range recv.requests() {
		if r.Path == "/elsewhere" && (r.Header.Get("Authorization") != "" || r.Header.Get("X-Api-Key") != "") {
			t.Fatalf("the moved webhook sent the old URL's headers: %v", r.Header)
		}
	}

	// Headers given with the new URL go with it; an empty list removes them.
	again := owner.ok(updateWebhook, map[string]any{"id": id, "i": map[string]any{"url": recv.URL + "/hook",
		"headers": []any{map[string]any{"name": "Authorization", "value": credential}}}})
	if fmt.Sprint(path(again, "updateWebhook", "headerNames")) != "[Authorization]" {
		t.Fatalf("%v", again)
	}
	cleared := owner.ok(updateWebhook, map[string]any{"id": id, "i": map[string]any{"headers": []any{}}})
	if names := path(cleared, "updateWebhook", "headerNames").([]any); len(names) != 0 {
		t.Fatalf("%v", cleared)
	}
}

// TestWebhookHeadersAnswerForTheirSetter: a receiver that tells accounts
// apart by a credential (a shared collector) sends the data to whoever set
// the credential. A manager who replaces only an owner's webhook's headers
// answers for it from then on, as for a new URL: removed, their webhook
// sends nothing more.
func TestWebhookHeadersAnswerForTheirSetter(t *testing.T) {
	recv := MustReceiver(t)
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner := tm.owner
	pid := tm.project(t, textClassification, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, pid, manager)
	created := owner.ok(`mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }`,
		map[string]any{"i": map[string]any{"projectId": pid, "url": recv.URL + "/ingest", "events": []string{"TASKS_CREATED"},
			"headers": []any{map[string]any{"name": "Authorization", "value": "Bearer owner-account"}}}})
	id := str(path(created, "createWebhook", "webhook").(map[string]any), "id")
	manager.ok(updateWebhook, map[string]any{"id": id, "i": map[string]any{
		"headers": []any{map[string]any{"name": "Authorization", "value": "Bearer manager-account"}}}})
	owner.ok(removeMutation, map[string]any{"u": idOf(t, manager)})
	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "after the removal"}}})
	waitFor(t, "the delivery to be refused", func() bool {
		d := owner.ok(`query($p: ID!) { project(id: $p) { webhooks { deliveries(first: 5) { edges { node { status error } } } } } }`, map[string]any{"p": pid})
		edges := path(path(d, "project", "webhooks").([]any)[0], "deliveries", "edges").([]any)
		return len(edges) == 1 && str(edges[0], "node", "status") == "FAILED" && strings.Contains(str(edges[0], "node", "error"), "creator may no longer manage it")
	})
	if got := recv.requests(); len(got) != 0 {
		t.Fatalf("the removed manager's webhook sent %d requests (Authorization %q)", len(got), got[0].Header.Get("Authorization"))
	}
}
