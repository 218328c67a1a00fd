//go:build pg

package main

import (
	"context"
	"testing"
)

// holdAuditChain takes the audit chain's advisory lock (internal/audit's
// chainLock, "gloss" in ASCII) from a connection of the test's own, so
// that every writing transaction stops as it commits, with its other
// statements done, until the returned function lets them go.
func holdAuditChain(t *testing.T, url string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(0x676c6f7373)); err != nil {
		t.Fatal(err)
	}
	released := false
	release = func() {
		if !released {
			released = true
			conn.Close(ctx) // ends the session and its lock
		}
	}
	t.Cleanup(release)
	return release
}

// TestSetupLinkMakesOneOwnerWhenUsedAtOnce: the one-time setup link, used
// by a second sign-up while the first commits (two people given the link,
// a double click, two processes behind a load balancer), makes one owner.
// The second found no owner yet, as the first had not committed; it is
// refused when it comes to retire the link the first retired, and leaves
// no account behind. Before, both became owners.
func TestSetupLinkMakesOneOwnerWhenUsedAtOnce(t *testing.T) {
	s := MustStart(t, nil)
	url := s.env["DATABASE_URL"]
	token := inviteToken(s.SetupLink)
	release := holdAuditChain(t, url)
	signup := func(out chan<- *gqlResponse) {
		out <- s.browser(t).gql(signupMutation, signupVars(uniqueEmail("setup"), ownerPassword, token))
	}
	first, second := make(chan *gqlResponse, 1), make(chan *gqlResponse, 1)
	go signup(first)
	waitForLockWaits(t, url, 1) // the first commits: the link retired, the owner made
	go signup(second)
	waitForLockWaits(t, url, 2) // the second has found no owner and waits for the first
	release()
	if r := <-first; len(r.Errors) > 0 {
		t.Fatalf("the first sign-up: %s\n%s", r.Raw, s.log(t))
	}
	if r := <-second; r.Code() != "BAD_USER_INPUT" {
		t.Errorf("the second sign-up through the setup link: %s; want BAD_USER_INPUT", r.Raw)
	}
	owners := countRows(t, url, `SELECT count(*) FROM memberships WHERE role = 'OWNER'`)
	users := countRows(t, url, `SELECT count(*) FROM users`)
	if owners != 1 || users != 1 {
		t.Fatalf("the setup link made %d owners and %d accounts; want one of each", owners, users)
	}
}
