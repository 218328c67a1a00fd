//go:build pg

package main

import (
	"testing"
)

// TestOwnersCannotAllGoAtOnce: two owners who demote each other, who
// both leave, or who deactivate each other at the same moment do not leave the organization without an
// owner. Each change counted the owners after its own change, while the
// other's had not committed, so on PostgreSQL both saw one owner left and
// both committed. An organization with no owner is one whose invite link is
// the one-time setup link: the annotator link then made its next user the
// owner.
func TestOwnersCannotAllGoAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		vars  func(self, other string) map[string]any
	}{
		{"demote each other", roleMutation, func(self, other string) map[string]any { return map[string]any{"u": other, "r": "ADMIN"} }},
		{"both leave", removeMutation, func(self, other string) map[string]any { return map[string]any{"u": self} }},
		{"deactivate each other", `mutation($u: ID!) { deactivateUser(userId: $u) { id } }`,
			func(self, other string) map[string]any { return map[string]any{"u": other} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := MustTeam(t)
			url := tm.s.env["DATABASE_URL"]
			annotatorLink := inviteToken(str(tm.owner.ok(orgQuery, nil), "organization", "inviteUrl"))
			second := tm.joinAs(t, "OWNER")
			a, b := idOf(t, tm.owner), idOf(t, second)

			release := holdAuditChain(t, url)
			first, other := make(chan *gqlResponse, 1), make(chan *gqlResponse, 1)
			go func() { first <- tm.owner.gql(tc.query, tc.vars(a, b)) }()
			waitForLockWaits(t, url, 1) // the first change waits to commit
			go func() { other <- second.gql(tc.query, tc.vars(b, a)) }()
			waitForLockWaits(t, url, 2)
			release()
			r1, r2 := <-first, <-other
			if len(r1.Errors) > 0 {
				t.Fatalf("the first change: %s", r1.Raw)
			}
			if r2.Code() != "BAD_USER_INPUT" {
				t.Errorf("the second change: %s; want BAD_USER_INPUT (an organization keeps an owner)", r2.Raw)
			}
			if n := countRows(t, url, `SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
				WHERE m.role = 'OWNER' AND u.active`); n != 1 {
				t.Errorf("%d owners who can sign in left; want 1", n)
			}
			d := tm.s.browser(t).ok(inviteQuery, map[string]any{"t": annotatorLink})
			if path(d, "invite", "setup") != false || str(d, "invite", "role") != "ANNOTATOR" {
				t.Fatalf("the annotator link leads to %v", d)
			}
		})
	}
}
