//go:build pg

package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestACommitThatFailsLeavesTheSessionCookie: a sign-in or a password
// change stores its new session in a transaction, and set the cookie
// naming it at once. When the commit then failed, the session's row rolled
// back but the browser had the new cookie: it was signed out (the change)
// or given a cookie that names nothing (the sign-in). The cookie is now set
// once the transaction has committed. An insider's deferred trigger makes
// every commit that stores a session fail.
func TestACommitThatFailsLeavesTheSessionCookie(t *testing.T) {
	s, owner := MustOwner(t, nil)
	db := insider(t, s)
	mustExec(t, db, `CREATE FUNCTION gloss_test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the disk is full'; END $$`)
	mustExec(t, db, `CREATE CONSTRAINT TRIGGER gloss_test_fail_commit AFTER INSERT ON sessions
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gloss_test_fail_commit()`)

	before := sessionCookie(t, owner)
	r := owner.gql(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`,
		map[string]any{"i": map[string]any{"currentPassword": ownerPassword, "newPassword": "another fine phrase"}})
	if len(r.Errors) == 0 {
		t.Fatalf("the change committed past the trigger: %s", r.Raw)
	}
	if got := sessionCookie(t, owner); got != before {
		t.Fatal("a password change whose commit failed replaced the session cookie")
	}
	if path(owner.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("a password change whose commit failed signed the caller out")
	}

	b := s.browser(t)
	if r := b.gql(loginMutation, loginVars(ownerEmail, ownerPassword)); len(r.Errors) == 0 {
		t.Fatalf("the sign-in committed past the trigger: %s", r.Raw)
	}
	u, _ := url.Parse(s.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "gloss_session") {
			t.Fatal("a sign-in whose commit failed set a session cookie")
		}
	}

	mustExec(t, db, `DROP TRIGGER gloss_test_fail_commit ON sessions`)
	s.browser(t).ok(loginMutation, loginVars(ownerEmail, ownerPassword)) // the password is as it was
}
