package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestARestartKeepsAResetToken: the owner resets the API token that
// start-up set (after a theft, say). A restart of the server, or of any
// replica, with the same --user-token must not bring the old token back
// or end the new one; a different --user-token is the operator's change,
// and is set.
func TestARestartKeepsAResetToken(t *testing.T) {
	const first, second = "first-start-up-token-0123456789", "second-start-up-token-0123456789"
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": freshDatabaseURL(t)}
	with := func(token string) []string {
		return []string{"--username", ownerEmail, "--password", ownerPassword, "--user-token", token}
	}
	s := mustStartIn(t, dir, env, with(first)...)
	reset := str(s.tokenClient(t, first).ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	s.stop()

	s = mustStartIn(t, dir, env, with(first)...)
	s.tokenClient(t, first).wantCode("UNAUTHENTICATED", `mutation { resetApiToken { token } }`, nil)
	if v := s.tokenClient(t, reset).ok(`{ viewer { email } }`, nil); str(v, "viewer", "email") != ownerEmail {
		t.Fatalf("the reset token after a restart: %v", v)
	}
	s.stop()

	s = mustStartIn(t, dir, env, with(second)...)
	if v := s.tokenClient(t, second).ok(`{ viewer { email } }`, nil); str(v, "viewer", "email") != ownerEmail {
		t.Fatalf("a new start-up token: %v", v)
	}
	s.tokenClient(t, reset).wantCode("UNAUTHENTICATED", `mutation { resetApiToken { token } }`, nil)

	// An account of an earlier release kept no record of the start-up
	// token: one that differs from the account's is not set (a reset is
	// the safe guess), and the log says so.
	reset = str(s.tokenClient(t, second).ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	s.stop()
	mustExec(t, insider(t, s), "UPDATE users SET startup_token_hash = NULL")
	s = mustStartIn(t, dir, env, with(second)...)
	s.tokenClient(t, second).wantCode("UNAUTHENTICATED", `mutation { resetApiToken { token } }`, nil)
	s.tokenClient(t, reset).ok(`{ viewer { email } }`, nil)
	if !strings.Contains(s.Out.String(), "--user-token differs from the account's API token") {
		t.Errorf("no warning that the start-up token was not set:\n%s", s.Out.String())
	}
}

// TestTheSetupLinkDiesWhenStartUpMakesTheOwner: a first start without
// --username prints the one-time setup link (the organization's link,
// which makes its first user the owner). When a later start, or another
// replica, creates the owner from --username, that link must die, not
// live on as an annotator invite for whoever read it in a log.
func TestTheSetupLinkDiesWhenStartUpMakesTheOwner(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": freshDatabaseURL(t)}
	s := mustStartIn(t, dir, env)
	if s.SetupLink == "" {
		t.Fatalf("no setup link printed:\n%s", s.Out.String())
	}
	tok := inviteToken(s.SetupLink)
	s.stop()

	s = mustStartIn(t, dir, env, "--username", ownerEmail, "--password", ownerPassword)
	anon := s.browser(t)
	if inv := anon.ok(`query($t: String!) { invite(token: $t) { setup role } }`, map[string]any{"t": tok}); path(inv, "invite") != nil {
		t.Fatalf("the printed setup link still resolves: %v", inv)
	}
	r := anon.wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("reader-of-logs"), ownerPassword, tok))
	if !strings.Contains(strings.ToLower(r.Raw), "invite") {
		t.Errorf("the refusal does not say what is wrong: %s", r.Raw)
	}
	owner := s.browser(t)
	owner.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	if n := memberCount(t, owner); n != 1 {
		t.Fatalf("%d members, want the owner alone", n)
	}
	// The organization has a link of its own, which works.
	link := str(owner.ok(orgQuery, nil), "organization", "inviteUrl")
	anon.ok(signupMutation, signupVars(uniqueEmail("invited"), ownerPassword, inviteToken(link)))
}

// TestExposedSecretsAreWarnedAbout: Gloss makes its data directory and
// secret key private, but one restored from a backup or made by a
// deployment tool may let other local users in. Each start says so, and
// what to run, for the directory, the key and a password file; private
// ones pass without a word.
func TestExposedSecretsAreWarnedAbout(t *testing.T) {
	dir := t.TempDir() // made 0755 by the testing package
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte(ownerPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--username", ownerEmail, "--password-file", pw}
	s := mustStartIn(t, dir, nil, args...)
	s.stop()
	if strings.Contains(s.Out.String(), "has mode") {
		t.Fatalf("a warning about private files:\n%s", s.Out.String())
	}
	for path, mode := range map[string]os.FileMode{dir: 0o755, filepath.Join(dir, "secret.key"): 0o644, pw: 0o640} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	s = mustStartIn(t, dir, nil, args...)
	s.stop()
	for _, want := range []string{
		"the data directory (--data-dir / GLOSS_DATA_DIR) (" + dir + ") has mode 0755",
		"chmod 700 " + dir,
		"the secret key file (" + filepath.Join(dir, "secret.key") + ") has mode 0644",
		"--password-file (" + pw + ") has mode 0640",
	} {
		if !strings.Contains(s.Out.String(), want) {
			t.Errorf("no warning %q:\n%s", want, s.Out.String())
		}
	}
}
