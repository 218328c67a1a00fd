//go:build pg

package main

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestAWebhookBatchOutlastingItsClaimIsNotSentTwice: two processes on one
// PostgreSQL database; one claims a batch of eight due deliveries (one of
// each of eight webhooks: the organization's share of a process's ten
// sends) to a receiver that takes its full time over the first request of
// each, while the other process, idle, looks for due deliveries every
// second. No delivery may be sent by both. (Sent one after the other, the
// batch once outlasted its claim, and the idle process took the last ones
// over while the first still sent them; the batch is now sent at once,
// within the claim.)
func TestAWebhookBatchOutlastingItsClaimIsNotSentTwice(t *testing.T) {
	const n, share = 11, 8 // a batch of eight for the first process, the rest for the other
	db := replicaDatabase(t)
	var mu sync.Mutex
	refuse := true
	inFlight := map[string]bool{}
	seen := map[string]int{}
	var dups []string
	recv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.ReadAll(req.Body)
		id := req.Header.Get("X-Gloss-Delivery")
		mu.Lock()
		if refuse {
			mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if inFlight[id] {
			dups = append(dups, id)
		}
		seen[id]++
		first := seen[id] == 1
		inFlight[id] = true
		mu.Unlock()
		defer func() { mu.Lock(); delete(inFlight, id); mu.Unlock() }()
		if first { // a slow receiver: it answers the first request of each event as Gloss gives up
			<-req.Context().Done()
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	token := "webhook-batch-owner-token"
	env := map[string]string{
		"DATABASE_URL":            db,
		"GLOSS_SECRET_KEY":        replicaKey,
		"GLOSS_OUTBOUND_ALLOW":    "127.0.0.1",
		"LABEL_STUDIO_USERNAME":   ownerEmail,
		"LABEL_STUDIO_PASSWORD":   ownerPassword,
		"LABEL_STUDIO_USER_TOKEN": token,
	}
	first := startReplicas(t, 1, false, env)[0]
	owner := (&testServer{URL: first.URL}).tokenClient(t, token)
	// A batch takes one delivery of each webhook: n webhooks, one event.
	for range n {
		owner.ok(createWebhook, map[string]any{"i": map[string]any{"url": recv, "events": []string{"PROJECT_CREATED"}}})
	}
	owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Batch", "labelConfig": textClassification}})
	// Each is tried once and refused, and waits for its retry.
	waitFor(t, "the first attempts to be recorded", func() bool {
		return countRows(t, db, `SELECT count(*) FROM webhook_deliveries
			WHERE status = 'PENDING' AND error <> '' AND next_attempt_at < now() + interval '30 seconds'`) == n
	})
	// All due at one moment, to a receiver that now takes its time: the
	// only process claims a batch of its share.
	mu.Lock()
	refuse = false
	mu.Unlock()
	pgExec(t, db, `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE next_attempt_at < now() + interval '30 seconds'`)
	waitFor(t, "a batch to be claimed", func() bool {
		return countRows(t, db, `SELECT count(*) FROM webhook_deliveries WHERE next_attempt_at > now() + interval '30 seconds'`) == share
	})
	// The second process takes those left and then has nothing to do.
	startReplicas(t, 1, false, env)
	// The first process's batch: eight sends at once, of up to 10 s each.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		mu.Lock()
		done, d := len(seen) == n && len(inFlight) == 0, append([]string(nil), dups...)
		mu.Unlock()
		if len(d) > 0 {
			t.Fatalf("deliveries %v were sent by both processes at once", d)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deliveries were not all tried in time: %v", seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pgExec runs a statement on the database at url.
func pgExec(t *testing.T, url, query string) {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
