package main

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// TestRevocationIsSeenByTheNextRequestUnderLoad: every revocation is seen by the very next
// request of the same client, while other clients keep the readers and the
// writer busy.
func TestRevocationIsSeenByTheNextRequestUnderLoad(t *testing.T) {
	tm := MustTeam(t)
	s, owner := tm.s, tm.owner
	member := tm.joinAs(t, "MANAGER")
	memberID := str(member.ok(`{ viewer { id } }`, nil), "viewer", "id")
	pid := tm.project(t, textClassification, nil)
	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})

	// Background load: readers and writers.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		bg := s.browser(t)
		bg.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					bg.gql(`query($p: ID!) { project(id: $p) { taskCount } tasks(projectId: $p, first: 10) { edges { node { id } } } }`, map[string]any{"p": pid})
				} else {
					bg.gql(`mutation { resetInviteLink { id } }`, nil)
				}
			}
		}(i)
	}
	defer func() { close(stop); wg.Wait() }()

	// 1. Token reset: the old token is refused at once.
	tok := str(member.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	for i := 0; i < 150; i++ {
		api := s.tokenClient(t, tok)
		next := str(api.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
		if r := api.gql(`{ viewer { id } }`, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("iteration %d: old token after reset: %d %s", i, r.Status, r.Raw)
		}
		tok = next
	}

	// 2. Role changes: the next request sees the new role.
	roles := []string{"ANNOTATOR", "REVIEWER", "MANAGER", "ADMIN"}
	for i := 0; i < 150; i++ {
		role := roles[i%len(roles)]
		owner.ok(`mutation($u: ID!, $r: Role!) { updateMemberRole(userId: $u, role: $r) { role } }`, map[string]any{"u": memberID, "r": role})
		if got := str(member.ok(`{ organization { viewerRole } }`, nil), "organization", "viewerRole"); got != role {
			t.Fatalf("iteration %d: role %s after change to %s", i, got, role)
		}
	}

	// 3. Sign-out and session revocation: the same cookie names nobody.
	for i := 0; i < 100; i++ {
		b := s.browser(t)
		b.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
		c := sessionCookie(t, b)
		b.ok(`mutation { logout }`, nil)
		replay := s.browser(t)
		setSessionCookie(t, replay, c)
		if v := replay.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
			t.Fatalf("iteration %d: a signed-out session still works", i)
		}
	}

	// 4. Org switch: the next request is in the new organization.
	first := str(member.ok(`{ organization { id } }`, nil), "organization", "id")
	second := str(member.ok(`mutation { createOrganization(title: "Second") { id } }`, nil), "createOrganization", "id")
	for i := 0; i < 100; i++ {
		want := first
		if i%2 == 0 {
			want = second
		}
		member.ok(`mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": want})
		if got := str(member.ok(`{ organization { id } }`, nil), "organization", "id"); got != want {
			t.Fatalf("iteration %d: organization %s after switch to %s", i, got, want)
		}
	}
	// The second organization goes, so that the member belongs to the
	// owner's alone: a member of other organizations too is not theirs to
	// deactivate.
	member.ok(`mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": second})
	member.ok(`mutation($id: ID!) { deleteOrganization(id: $id) }`, map[string]any{"id": second})
	member.ok(`mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": first})

	// 5. Deactivation, concurrent with the member's own requests.
	var seenAfter atomic.Int64
	done := make(chan struct{})
	var deactivated atomic.Bool
	var mwg sync.WaitGroup
	for i := 0; i < 4; i++ {
		mwg.Add(1)
		go func() {
			defer mwg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				after := deactivated.Load()
				r := member.gql(`{ viewer { id } }`, nil)
				if after && path(r.Data, "viewer") != nil {
					seenAfter.Add(1)
				}
			}
		}()
	}
	owner.ok(`mutation($u: ID!) { deactivateUser(userId: $u) { id } }`, map[string]any{"u": memberID})
	deactivated.Store(true)
	for i := 0; i < 50; i++ {
		if v := member.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
			t.Fatalf("request %d after deactivation is still signed in", i)
		}
	}
	close(done)
	mwg.Wait()
	if n := seenAfter.Load(); n > 0 {
		t.Fatalf("%d requests started after deactivation returned were still signed in", n)
	}
}
