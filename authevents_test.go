package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// eventsOf returns the details of the events named action in b's
// organization's audit log, each with its target id as "targetId".
func eventsOf(t *testing.T, b *browser, action string) []map[string]any {
	t.Helper()
	var out []map[string]any
	d := b.ok(auditQuery, map[string]any{"f": map[string]any{"action": action}})
	for _, e := range path(d, "auditEvents", "edges").([]any) {
		details, _ := path(e, "node", "details").(map[string]any)
		if details == nil {
			details = map[string]any{}
		}
		details["targetId"] = path(e, "node", "targetId")
		details["actorId"] = path(e, "node", "actorId")
		out = append(out, details)
	}
	return out
}

// mustOwnOrganization signs up a member through invite who then makes an
// organization of their own and acts in it; it returns their browser.
func mustOwnOrganization(t *testing.T, s *testServer, invite string) (*browser, string) {
	t.Helper()
	b := s.browser(t)
	email := uniqueEmail("mallory")
	b.ok(signupMutation, signupVars(email, "correct horse battery", invite))
	org := str(b.ok(`mutation { createOrganization(title: "Mine") { id } }`, nil), "createOrganization", "id")
	b.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": org})
	return b, email
}

// TestSessionsEndedByTheLimitAreAudited: a sign-in beyond a user's 50
// sessions ends the oldest, which signed a browser out with no trace: one
// more sign-in with a stolen password each time would quietly log the
// owner out. Each ending is now an event of the user's, filed under their
// organization, even when the sign-in came from a browser signed in to
// another organization, whose log holds nothing of it.
func TestSessionsEndedByTheLimitAreAudited(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	mallory, malloryEmail := mustOwnOrganization(t, s, invite)
	ownerID := str(owner.ok(viewerID, nil), "viewer", "id")
	for range 49 { // with the owner's own: 50
		s.browser(t).ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	}
	if got := eventsOf(t, owner, "session.evicted"); len(got) != 0 {
		t.Fatalf("events at 50 sessions: %v", got)
	}
	// The 51st, from Mallory's browser, ends the owner's oldest: the
	// owner's first browser.
	mallory.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	if path(owner.ok(viewerID, nil), "viewer") != nil {
		t.Fatal("the oldest session still works")
	}
	owner = s.browser(t)
	owner.ok(loginMutation, loginVars(ownerEmail, ownerPassword)) // ends the next oldest
	got := eventsOf(t, owner, "session.evicted")
	if len(got) != 2 {
		t.Fatalf("session.evicted events in the owner's log: %v, want 2", got)
	}
	for _, e := range got {
		if e["targetId"] != ownerID || e["actorId"] != ownerID || e["sessions"] != float64(1) || e["limit"] != float64(50) {
			t.Fatalf("event %v, want the owner's, one session ended at the limit of 50", e)
		}
	}
	m := s.browser(t)
	m.ok(loginMutation, loginVars(malloryEmail, "correct horse battery"))
	if got := eventsOf(t, m, "session.evicted"); len(got) != 0 {
		t.Fatalf("the signing-in browser's organization holds %v", got)
	}
}

// TestRefusedSignupsAreAudited: a refused sign-up left no trace. Those
// worth an event are now recorded, each where it tells no one whether an
// email has an account: an address that reads like a member's under the
// organization it would have joined, a dead invite under the invite's
// organization, and an email that has an account under that account's
// organization, never under the organization of the invite used or of the
// caller. An unknown invite token is no event. The events cannot flood a
// log: each is a refusal counted against the address's budget, and past it
// the answer is RATE_LIMITED and nothing is recorded.
func TestRefusedSignupsAreAudited(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"GLOSS_TRUSTED_PROXIES": "127.0.0.1/32"})
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	mallory, _ := mustOwnOrganization(t, s, invite)
	members := memberCount(t, owner)
	reasons := func(b *browser) map[string]int {
		seen := map[string]int{}
		for _, e := range eventsOf(t, b, "signup.refused") {
			seen[e["reason"].(string)]++
		}
		return seen
	}

	// Someone with the owner's link signs up as the owner with a Cyrillic о.
	s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars("\u043ewner@example.com", ownerPassword, invite))
	lookalikes := eventsOf(t, owner, "signup.refused")
	if len(lookalikes) != 1 || lookalikes[0]["reason"] != "lookalike_email" || !strings.Contains(lookalikes[0]["email"].(string), `\u043ewner@example.com`) {
		t.Fatalf("the owner's log after a lookalike sign-up: %v", lookalikes)
	}

	// A revoked invite of the owner's is tried.
	dead, deadID := makeInvite(t, owner, map[string]any{"role": "ANNOTATOR"})
	owner.ok(`mutation($id: ID!) { revokeInvite(id: $id) { id } }`, map[string]any{"id": deadID})
	s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("late"), ownerPassword, dead))

	// Mallory, signed in to her own organization, probes with her own
	// organization's link whether the owner's email has an account.
	own := inviteToken(str(mallory.ok(orgQuery, nil), "organization", "inviteUrl"))
	mallory.wantCode("BAD_USER_INPUT", signupMutation, signupVars(ownerEmail, ownerPassword, own))
	s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars("nobody@example.com", ownerPassword, "no-such-invite"))

	if got := reasons(owner); got["lookalike_email"] != 1 || got["invite_dead"] != 1 || got["account_exists"] != 1 || len(got) != 3 {
		t.Fatalf("the owner's log holds refused sign-ups %v, want one of each", got)
	}
	for _, e := range eventsOf(t, owner, "signup.refused") {
		if e["reason"] == "invite_dead" && e["targetId"] != deadID {
			t.Fatalf("the dead invite's event names %v, want invite %s", e["targetId"], deadID)
		}
	}
	if got := reasons(mallory); len(got) != 0 {
		t.Fatalf("Mallory's log tells her about refused sign-ups: %v", got)
	}
	if memberCount(t, owner) != members {
		t.Fatal("a refused sign-up added a member")
	}

	// A flood of lookalikes: 16 more refusals use up the address's 20 (the
	// unknown invite counted too); the
	// rest are RATE_LIMITED, and recorded no more.
	codes := map[string]int{}
	for range 30 {
		codes[s.browser(t).gql(signupMutation, signupVars("\u043ewner@example.com", ownerPassword, invite)).Code()]++
	}
	if codes["BAD_USER_INPUT"] != 16 || codes["RATE_LIMITED"] != 14 {
		t.Fatalf("30 more lookalike sign-ups answered %v, want 16 refused and 14 RATE_LIMITED", codes)
	}
	if got := reasons(owner)["lookalike_email"]; got != 1 {
		t.Fatalf("%d lookalike events, want 1: one per organization and window", got)
	}
	if memberCount(t, owner) != members {
		t.Fatal("a refused sign-up added a member")
	}

	// Mallory probes the owner's email from five addresses, 25 times
	// each: the owner's log takes one event for the account in the
	// window, not one per request.
	for a := range 5 {
		for range 25 {
			body, _ := json.Marshal(map[string]any{"query": signupMutation, "variables": signupVars(ownerEmail, "whatever whatever 1", own)})
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", a+1))
			s.browser(t).do(req)
		}
	}
	if got := reasons(owner)["account_exists"]; got != 1 {
		t.Fatalf("%d account_exists events after a flood from five addresses, want 1 per window", got)
	}
}
