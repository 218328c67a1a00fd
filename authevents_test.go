package main

import (
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
