package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestStoragesAndWebhooksFitTheirLists: Project.storages and the webhook
// lists show at most 50, so a project may have no more storages, and a
// project (or the organization, for all its projects) no more webhooks:
// a 51st, which its managers could not see, would still receive every
// annotation or event. The last places are taken by creates at once, and
// exactly the cap is made (the scope's row is locked while counting); the
// refusals say why and make nothing.
func TestStoragesAndWebhooksFitTheirLists(t *testing.T) {
	tm := MustTeamWith(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	owner := tm.owner
	project := tm.project(t, textClassification, nil)
	const limit = 50
	storage := func(i int) map[string]any {
		return map[string]any{"i": map[string]any{"projectId": project, "direction": "IMPORT", "kind": "S3",
			"s3": map[string]any{"bucket": fmt.Sprintf("media-%d", i), "endpoint": "http://127.0.0.1:9"}}}
	}
	hook := func(scope string, i int) map[string]any {
		in := map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/%s/%d", scope, i), "events": []string{"ANNOTATION_CREATED"}}
		if scope == "project" {
			in["projectId"] = project
		}
		return map[string]any{"i": in}
	}
	for _, tc := range []struct {
		name     string
		mutation string
		input    func(i int) map[string]any
		count    func() int
		word     string
	}{
		{"storages", createStorageMutation, storage, func() int {
			return len(path(owner.ok(storagesQuery, map[string]any{"p": project}), "project", "storages").([]any))
		}, "storages"},
		{"project webhooks", createWebhook, func(i int) map[string]any { return hook("project", i) }, func() int {
			return len(path(owner.ok(`query($p: ID!) { project(id: $p) { webhooks { id } } }`, map[string]any{"p": project}), "project", "webhooks").([]any))
		}, "webhooks"},
		{"organization webhooks", createWebhook, func(i int) map[string]any { return hook("org", i) }, func() int {
			return len(path(owner.ok(`{ organization { webhooks { id } } }`, nil), "organization", "webhooks").([]any))
		}, "webhooks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range limit - 2 {
				owner.ok(tc.mutation, tc.input(i))
			}
			// Four at once for the last two places.
			var wg sync.WaitGroup
			results := make([]*gqlResponse, 4)
			for i := range results {
				wg.Add(1)
				go func() { defer wg.Done(); results[i] = owner.gql(tc.mutation, tc.input(limit+i)) }()
			}
			wg.Wait()
			refused := 0
			for _, r := range results {
				if len(r.Errors) == 0 {
					continue
				}
				refused++
				if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "the most") || !strings.Contains(r.Errors[0].Message, tc.word) {
					t.Errorf("a create past the cap: want BAD_USER_INPUT saying the cap, got %s", r.Raw)
				}
			}
			if n := tc.count(); n != limit || refused != 2 {
				t.Fatalf("%d exist after four creates at once for the last two places (%d refused); want %d", n, refused, limit)
			}
			owner.wantCode("BAD_USER_INPUT", tc.mutation, tc.input(2*limit))
			if n := tc.count(); n != limit {
				t.Fatalf("%d exist after a refused create; want %d", n, limit)
			}
		})
	}
}
