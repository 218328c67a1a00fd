package main

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gloss/internal/config"
	"gloss/internal/viewer"
)

func TestSetupLinkCreatesTheOwnerOnce(t *testing.T) {
	s := MustStart(t, nil)
	if s.SetupLink == "" {
		t.Fatalf("first start printed no setup link:\n%s", s.Out.String())
	}
	tok := inviteToken(s.SetupLink)
	anon := s.browser(t)
	inv := anon.ok(`query($t: String!) { invite(token: $t) { organizationTitle setup } }`, map[string]any{"t": tok})
	if path(inv, "invite", "setup") != true {
		t.Fatalf("setup link not recognised: %v", inv)
	}

	owner := s.browser(t)
	owner.ok(signupMutation, signupVars(ownerEmail, ownerPassword, tok))
	if role := str(owner.ok(orgQuery, nil), "organization", "viewerRole"); role != "OWNER" {
		t.Fatalf("first signup through the setup link is %s, want OWNER", role)
	}

	// The link is dead: it neither resolves nor signs anyone up.
	if inv := anon.ok(`query($t: String!) { invite(token: $t) { setup } }`, map[string]any{"t": tok}); path(inv, "invite") != nil {
		t.Fatalf("setup link still resolves after use: %v", inv)
	}
	s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("late"), ownerPassword, tok))
	if n := memberCount(t, owner); n != 1 {
		t.Fatalf("members = %d after refused signup, want 1", n)
	}
	// The organization has a fresh invite link, which is not the setup link.
	if u := str(owner.ok(orgQuery, nil), "organization", "inviteUrl"); u == "" || inviteToken(u) == tok {
		t.Fatalf("invite link after setup = %q", u)
	}
}

func TestStartFlagsCreateTheOwnerAndToken(t *testing.T) {
	const token = "my-label-studio-token"
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flags", nil, []string{"--username", ownerEmail, "--password", ownerPassword, "--user-token", token}},
		{"environment", map[string]string{
			"LABEL_STUDIO_USERNAME": ownerEmail, "LABEL_STUDIO_PASSWORD": ownerPassword, "LABEL_STUDIO_USER_TOKEN": token,
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustStart(t, tc.env, tc.args...)
			if s.SetupLink != "" {
				t.Fatalf("setup link printed although an owner was given")
			}
			for _, scheme := range []string{"Bearer", "Token"} {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql",
					strings.NewReader(`{"query":"{ viewer { email } organization { viewerRole } }"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", scheme+" "+token)
				r := s.tokenClient(t, "").do(req)
				if str(r.Data, "viewer", "email") != ownerEmail || str(r.Data, "organization", "viewerRole") != "OWNER" {
					t.Fatalf("%s token: %s", scheme, r.Raw)
				}
			}
			login := s.browser(t)
			login.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
			if u := str(login.ok(orgQuery, nil), "organization", "inviteUrl"); !strings.Contains(u, "/signup?invite=") {
				t.Fatalf("the bootstrapped organization has no invite link: %q", u)
			}
		})
	}
}

func TestStartRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name, args, want string
	}{
		{"short token", "--username a@example.com --password " + "longenough1 --user-token abcd", "--user-token"},
		{"short password", "--username a@example.com --password short", "--password"},
		{"password without username", "--password longenough1", "--username"},
		{"unknown flag", "--nope", "nope"},
		{"bad port", "--port 70000", "--port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"start", "--data-dir", dir}, strings.Fields(tc.args)...)
			var out bytes.Buffer
			err := run(t.Context(), args, func(string) string { return "" }, &out)
			var cerr *config.Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%v) = %v, want a config error naming %s", tc.args, err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "gloss.db")); err == nil {
				t.Fatalf("a refused start created the database")
			}

			// The real binary exits with code 2 and says why.
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "GLOSS_TEST_MAIN=1", "GLOSS_TEST_ARGS="+strings.Join(args, " "))
			stderr, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(stderr), tc.want) {
				t.Fatalf("exit code %d, output %q; want 2 naming %s", code, stderr, tc.want)
			}
		})
	}
	t.Run("short token from the environment", func(t *testing.T) {
		err := run(t.Context(), []string{"start", "--data-dir", t.TempDir()}, func(k string) string {
			return map[string]string{"LABEL_STUDIO_USERNAME": "a@example.com", "LABEL_STUDIO_PASSWORD": "longenough1", "LABEL_STUDIO_USER_TOKEN": "abc"}[k]
		}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "LABEL_STUDIO_USER_TOKEN") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSignupRules(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	for _, tc := range []struct {
		name, email, password, invite, code, message string
	}{
		{"no invite while signup is closed", uniqueEmail("a"), ownerPassword, "", "BAD_USER_INPUT", "invite link"},
		{"forged invite", uniqueEmail("a"), ownerPassword, "not-a-real-token", "BAD_USER_INPUT", "not valid"},
		{"short password", uniqueEmail("a"), "1234567", invite, "BAD_USER_INPUT", "at least 8"},
		{"long password", uniqueEmail("a"), strings.Repeat("x", 129), invite, "BAD_USER_INPUT", "at most 128"},
		{"common password", uniqueEmail("a"), "password", invite, "BAD_USER_INPUT", "common"},
		{"common password, other case", uniqueEmail("a"), "Football", invite, "BAD_USER_INPUT", "common"},
		{"bad email", "not-an-email", ownerPassword, invite, "BAD_USER_INPUT", "email"},
		{"taken email", strings.ToUpper(ownerEmail), ownerPassword, invite, "BAD_USER_INPUT", "already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.browser(t).wantCode(tc.code, signupMutation, signupVars(tc.email, tc.password, tc.invite))
			if !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("message %q does not say %q", r.Errors[0].Message, tc.message)
			}
			if n := memberCount(t, owner); n != 1 {
				t.Fatalf("members = %d after a refused signup, want 1", n)
			}
		})
	}
	t.Run("128 characters is fine", func(t *testing.T) {
		s.browser(t).ok(signupMutation, signupVars(uniqueEmail("long"), strings.Repeat("abcdefgh", 16), invite))
	})
}

func TestOpenSignupJoinsAsAnnotator(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "false"})
	u := s.browser(t)
	if path(u.ok(`{ signupOpen }`, nil), "signupOpen") != true {
		t.Fatal("signupOpen is false")
	}
	u.ok(signupMutation, signupVars(uniqueEmail("open"), ownerPassword, ""))
	if role := str(u.ok(`{ organization { viewerRole } }`, nil), "organization", "viewerRole"); role != "ANNOTATOR" {
		t.Fatalf("open signup role = %s", role)
	}
	if n := memberCount(t, owner); n != 2 {
		t.Fatalf("members = %d", n)
	}
}

func TestInviteLinks(t *testing.T) {
	s, owner := MustOwner(t, nil)
	link := str(owner.ok(orgQuery, nil), "organization", "inviteUrl")
	if !strings.HasPrefix(link, s.URL+"/signup?invite=") || len(inviteToken(link)) < 22 {
		t.Fatalf("invite link %q", link)
	}
	member := s.browser(t)
	member.ok(signupMutation, signupVars(uniqueEmail("member"), ownerPassword, inviteToken(link)))

	// An annotator reads the organization but not its invite link, and
	// cannot reset it.
	r := member.gql(orgQuery, nil)
	if str(r.Data, "organization", "viewerRole") != "ANNOTATOR" || path(r.Data, "organization", "inviteUrl") != nil || r.Code() != "FORBIDDEN" {
		t.Fatalf("annotator reading the invite link: %s", r.Raw)
	}
	if strings.Contains(r.Raw, inviteToken(link)) {
		t.Fatal("the invite token leaked to an annotator")
	}
	member.wantCode("FORBIDDEN", `mutation { resetInviteLink { id } }`, nil)
	if got := str(owner.ok(orgQuery, nil), "organization", "inviteUrl"); got != link {
		t.Fatalf("a refused reset changed the link: %q -> %q", link, got)
	}

	// The owner resets: the old link dies at once, the new one works.
	fresh := str(owner.ok(`mutation { resetInviteLink { inviteUrl } }`, nil), "resetInviteLink", "inviteUrl")
	if fresh == link || fresh == "" {
		t.Fatalf("reset gave %q", fresh)
	}
	s.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("late"), ownerPassword, inviteToken(link)))
	s.browser(t).ok(signupMutation, signupVars(uniqueEmail("new"), ownerPassword, inviteToken(fresh)))
	if n := memberCount(t, owner); n != 3 {
		t.Fatalf("members = %d, want 3", n)
	}

	// Members see each other's display names but not their emails.
	r = member.gql(`{ members(first: 10) { edges { node { user { displayName email } } } } }`, nil)
	if r.Code() != "FORBIDDEN" || strings.Contains(r.Raw, ownerEmail) {
		t.Fatalf("annotator read other members' emails: %s", r.Raw)
	}
}

func TestLogin(t *testing.T) {
	s, _ := MustOwner(t, nil)
	creds := func(email, pw string) map[string]any {
		return map[string]any{"i": map[string]any{"email": email, "password": pw}}
	}
	wrong := s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, creds(ownerEmail, "not the password"))
	unknown := s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, creds("nobody@example.com", "not the password"))
	if wrong.Errors[0].Message != unknown.Errors[0].Message {
		t.Fatalf("unknown email reads differently: %q vs %q", wrong.Errors[0].Message, unknown.Errors[0].Message)
	}

	// Login rotates the session: a cookie planted before sign-in is dead after.
	b := s.browser(t)
	b.ok(loginMutation, creds(ownerEmail, ownerPassword))
	before := sessionCookie(t, b)
	b.ok(loginMutation, creds(strings.ToUpper(ownerEmail), ownerPassword))
	after := sessionCookie(t, b)
	if before == after {
		t.Fatal("login did not rotate the session cookie")
	}
	stale := s.browser(t)
	setSessionCookie(t, stale, before)
	if v := stale.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatal("the pre-login session still works")
	}

	// Logout kills the session on the server: replaying the cookie fails.
	b.ok(`mutation { logout }`, nil)
	replay := s.browser(t)
	setSessionCookie(t, replay, after)
	if v := replay.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatal("a logged-out session still works")
	}
}

// TestLogoutWithATokenAndAnOldSession: a logout that authenticates with an
// API token and also carries a session cookie not seen for a while ends
// that session at once. Reading the session to end it writes its last-seen
// time, and that write used to go outside the mutation's transaction: on
// SQLite it waited for the one writer, which the request itself held, so
// the request hung, and every write of the server with it, until the
// client gave up.
func TestLogoutWithATokenAndAnOldSession(t *testing.T) {
	s, owner := MustOwner(t, nil)
	token := str(owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	cookie := sessionCookie(t, owner)
	db := insider(t, s)
	db.Client.Session.Update().SetLastSeenAt(time.Now().Add(-time.Hour)).
		ExecX(viewer.NewSystemContext(t.Context()))

	both := s.browser(t)
	both.hc.Timeout = 20 * time.Second
	both.token = token
	setSessionCookie(t, both, cookie)
	both.ok(`mutation { logout }`, nil)

	replay := s.browser(t)
	setSessionCookie(t, replay, cookie)
	if v := replay.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatal("the session the logout carried still works")
	}
	// The server writes on.
	api := s.tokenClient(t, token)
	api.ok(createProject, map[string]any{"i": map[string]any{"title": "After the logout", "labelConfig": textClassification}})
}

func TestLoginIsThrottled(t *testing.T) {
	s, owner := MustOwner(t, nil)
	creds := map[string]any{"i": map[string]any{"email": ownerEmail, "password": "wrong password!"}}
	for i := 0; i < 5; i++ {
		s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, creds)
	}
	r := s.browser(t).wantCode("RATE_LIMITED", loginMutation,
		map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	if !strings.Contains(r.Errors[0].Message, "try again") {
		t.Fatalf("message %q", r.Errors[0].Message)
	}
	if list := owner.ok(`{ sessions { id } }`, nil)["sessions"].([]any); len(list) != 1 {
		t.Fatal("a throttled login created a session")
	}

	t.Run("per client address", func(t *testing.T) {
		s, _ := MustOwner(t, nil)
		for i := 0; i < 30; i++ {
			s.browser(t).wantCode("UNAUTHENTICATED", loginMutation,
				map[string]any{"i": map[string]any{"email": uniqueEmail("spray"), "password": "wrong password!"}})
		}
		s.browser(t).wantCode("RATE_LIMITED", loginMutation,
			map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	})
}

func TestSessionsSurviveARestartAndCanBeRevoked(t *testing.T) {
	s, owner := MustOwner(t, nil)
	cookie := sessionCookie(t, owner)
	s.stop()
	s2 := mustStartIn(t, s.DataDir, s.env)
	if s2.SetupLink != "" {
		t.Fatal("a restart with an owner printed a setup link")
	}
	b := s2.browser(t)
	setSessionCookie(t, b, cookie)
	if str(b.ok(`{ viewer { email } }`, nil), "viewer", "email") != ownerEmail {
		t.Fatal("session did not survive a restart")
	}

	// A second browser signs in; the first lists both and revokes it.
	other := s2.browser(t)
	other.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	list := b.ok(`{ sessions { id current } }`, nil)["sessions"].([]any)
	if len(list) != 2 {
		t.Fatalf("sessions: %v", list)
	}
	var otherID string
	for _, x := range list {
		if path(x, "current") == false {
			otherID = str(x, "id")
		}
	}
	b.ok(`mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": otherID})
	if v := other.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatal("a revoked session still works")
	}
}

func TestSessionsOfOthersCannotBeRevoked(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	member := s.browser(t)
	member.ok(signupMutation, signupVars(uniqueEmail("m"), ownerPassword, invite))
	ownerSession := str(owner.ok(`{ sessions { id } }`, nil), "sessions", 0, "id")
	if list := member.ok(`{ sessions { id } }`, nil)["sessions"].([]any); len(list) != 1 || str(list[0], "id") == ownerSession {
		t.Fatalf("member sees sessions %v", list)
	}
	member.wantCode("NOT_FOUND", `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": ownerSession})
	if path(owner.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("the owner's session was revoked by another user")
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	s, owner := MustOwner(t, nil)
	other := s.browser(t)
	other.ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	change := `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`
	owner.wantCode("BAD_USER_INPUT", change, map[string]any{"i": map[string]any{"currentPassword": "wrong one!", "newPassword": "another fine phrase"}})
	if path(other.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("a refused change ended other sessions")
	}
	owner.wantCode("BAD_USER_INPUT", change, map[string]any{"i": map[string]any{"currentPassword": ownerPassword, "newPassword": "qwerty"}})
	// A copy of the changing session's own cookie, taken before the change
	// (the reason for one, often), ends with it: the caller gets a new one.
	thief := s.browser(t)
	stolen := sessionCookie(t, owner)
	setSessionCookie(t, thief, stolen)
	if path(thief.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("the copied cookie does not sign in before the change")
	}
	owner.ok(change, map[string]any{"i": map[string]any{"currentPassword": ownerPassword, "newPassword": "another fine phrase"}})
	if path(other.ok(`{ viewer { id } }`, nil), "viewer") != nil {
		t.Fatal("other session survived a password change")
	}
	if path(thief.ok(`{ viewer { id } }`, nil), "viewer") != nil {
		t.Fatal("a copy of the changing session's cookie, taken before the change, still signs in")
	}
	if sessionCookie(t, owner) == stolen {
		t.Fatal("the changing session kept its cookie")
	}
	if path(owner.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("the changing session was ended")
	}
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	s.browser(t).ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": "another fine phrase"}})
}

func TestAPITokens(t *testing.T) {
	s, owner := MustOwner(t, nil)
	s.tokenClient(t, "").wantCode("UNAUTHENTICATED", `mutation { resetApiToken { token } }`, nil)
	first := str(owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	if len(first) < 40 {
		t.Fatalf("token %q is short", first)
	}
	api := s.tokenClient(t, first)
	if str(api.ok(`{ viewer { email } }`, nil), "viewer", "email") != ownerEmail {
		t.Fatal("token does not authenticate")
	}
	second := str(api.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	if r := api.gql(`{ viewer { email } }`, nil); r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("old token after reset: %d %s", r.Status, r.Raw)
	}
	if str(s.tokenClient(t, second).ok(`{ viewer { email } }`, nil), "viewer", "email") != ownerEmail {
		t.Fatal("new token does not work")
	}
	if r := s.tokenClient(t, "gls_forged").gql(`{ viewer { id } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", r.Status)
	}
	if log := s.log(t); strings.Contains(log, second) || strings.Contains(log, ownerPassword) {
		t.Fatal("the log holds a token or password")
	}
	// Tokens are stored hashed: the raw token is nowhere in the database.
	if s.env["DATABASE_URL"] == "" {
		s.stop()
		for _, name := range []string{"gloss.db", "gloss.db-wal"} {
			b, _ := os.ReadFile(filepath.Join(s.DataDir, name))
			if bytes.Contains(b, []byte(second)) || bytes.Contains(b, []byte(ownerPassword)) {
				t.Fatalf("%s holds a token or password in the clear", name)
			}
		}
	}
}

func TestSecretKeyFile(t *testing.T) {
	s := MustStart(t, nil)
	st, err := os.Stat(filepath.Join(s.DataDir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v mode %v", err, st.Mode())
	}
	s2 := MustStart(t, map[string]string{"GLOSS_SECRET_KEY": strings.Repeat("k", 40)})
	if _, err := os.Stat(filepath.Join(s2.DataDir, "secret.key")); err == nil {
		t.Fatal("secret.key written although GLOSS_SECRET_KEY is set")
	}
}

// TestSignupRefusesLookalikeEmails: an email that reads exactly like a
// member's is not a second account. Invisible characters (a zero-width
// space, a right-to-left override) made "owner<U+200B>@example.com" an account
// of its own that showed as the owner to every admin and, as the display
// name "owner", to every member; a decomposed "é" made a second "josé".
// Signing in with the decomposed form finds the composed account.
func TestSignupRefusesLookalikeEmails(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	composed := "jos\u00e9@example.com"
	s.browser(t).ok(signupMutation, signupVars(composed, ownerPassword, invite))
	for _, tc := range []struct{ name, email, message string }{
		{"zero-width space", "owner\u200b@example.com", "invisible"},
		{"zero-width joiner", "ow\u200dner@example.com", "invisible"},
		{"right-to-left override", "\u202emoc.elpmaxe@renwo", "invisible"},
		{"byte order mark", "\ufeffowner@example.com", "invisible"},
		{"decomposed accent", "jose\u0301@example.com", "already exists"},
		// One Cyrillic letter among Latin ones reads exactly like the owner.
		{"cyrillic o", "\u043ewner@example.com", "mixes scripts"},
		{"cyrillic a in the domain", "owner@ex\u0430mple.com", "mixes scripts"},
		{"greek omicron", "\u03bfwner@example.com", "mixes scripts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser(t)
			r := b.wantCode("BAD_USER_INPUT", signupMutation, signupVars(tc.email, ownerPassword, invite))
			if !strings.Contains(r.Errors[0].Message, tc.message) {
				t.Fatalf("message %q does not say %q", r.Errors[0].Message, tc.message)
			}
			if path(b.ok(viewerID, nil), "viewer") != nil || memberCount(t, owner) != 2 {
				t.Fatal("a refused sign-up made an account")
			}
		})
	}
	b := s.browser(t)
	if got := str(b.ok(loginMutation, loginVars("jose\u0301@example.com", ownerPassword)), "login", "user", "email"); got != composed {
		t.Fatalf("signed in as %q, want %q", got, composed)
	}
	// A part in one script, or in the mixes Unicode allows (Latin with Han
	// and kana), is an address like any other.
	for _, email := range []string{"\u0438\u0432\u0430\u043d@example.com", "\u5c71\u7530\u305f\u308d\u3046.taro@example.jp", "m\u00fcller-2@example.de"} {
		s.browser(t).ok(signupMutation, signupVars(email, ownerPassword, invite))
	}
}

// TestStartNormalizesEmailsOfEarlierReleases: an earlier release stored
// addresses as they were typed. At start, one stored decomposed is composed,
// so its owner signs in again under either spelling; one whose composed form
// is another account's, and one holding a character that shows nothing,
// read like another member's address: those accounts are deactivated (their
// sessions and API tokens refused), the warning names them, and the owner
// finds each change in the audit log. A second start changes nothing more.
func TestStartNormalizesEmailsOfEarlierReleases(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	signup := func(email string) (id, token string) {
		b := s.browser(t)
		id = str(b.ok(signupMutation, signupVars(email, ownerPassword, invite)), "signup", "user", "id")
		return id, str(b.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	}
	jose, joseToken := signup("jose@example.com")
	maria, mariaToken := signup("maria@example.com")
	signup("mar\u00eda@example.com")
	zed, zedToken := signup("zed@example.com")
	s.stop()
	db := openTestDB(t, s)
	for id, email := range map[string]string{jose: "jose\u0301@example.com", maria: "mari\u0301a@example.com", zed: "ze\u200bd@example.com"} {
		if _, err := db.Exec("UPDATE users SET email = $1 WHERE id = $2", email, id); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s = mustStartIn(t, s.DataDir, s.env)
	for _, spelling := range []string{"jos\u00e9@example.com", "jose\u0301@example.com"} {
		if got := str(s.browser(t).ok(loginMutation, loginVars(spelling, ownerPassword)), "login", "user", "email"); got != "jos\u00e9@example.com" {
			t.Fatalf("signing in as %q reached %q", spelling, got)
		}
	}
	if r := s.tokenClient(t, joseToken).gql(viewerID, nil); str(r.Data, "viewer", "id") != jose {
		t.Fatalf("the composed account's token: %s", r.Raw)
	}
	for name, token := range map[string]string{"the decomposed twin": mariaToken, "the invisible character": zedToken} {
		if r := s.tokenClient(t, token).gql(viewerID, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s's token still works: %d %s", name, r.Status, r.Raw)
		}
	}
	log := s.Out.String()
	for _, id := range []string{maria, zed} {
		if !strings.Contains(log, "account deactivated") || !strings.Contains(log, "user="+id) {
			t.Errorf("the log does not name deactivated account %s:\n%s", id, log)
		}
	}
	owner = s.browser(t)
	owner.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	var got []string
	for _, e := range path(owner.ok(auditQuery, map[string]any{"f": map[string]any{"targetType": "User"}}), "auditEvents", "edges").([]any) {
		if a := str(e, "node", "action"); a == "user.email_normalized" || a == "user.deactivated" {
			got = append(got, a+" "+str(e, "node", "targetId"))
		}
	}
	slices.Sort(got)
	want := []string{"user.deactivated " + maria, "user.deactivated " + zed, "user.email_normalized " + jose}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("audit events %v, want %v", got, want)
	}

	s.stop()
	s = mustStartIn(t, s.DataDir, s.env)
	if strings.Contains(s.Out.String(), "earlier release") {
		t.Fatalf("a second start changed accounts again:\n%s", s.Out.String())
	}
}

// TestNoSignInOutlivesAPasswordChange: sign-ins with the old password run
// in a loop (someone who stole it) while its owner changes it. A sign-in
// whose password check overlapped the change must not keep a session:
// once every attempt has ended, no session but the owner's works.
func TestNoSignInOutlivesAPasswordChange(t *testing.T) {
	s, owner := MustOwner(t, nil)
	const newPassword = "a brand new phrase"
	var stop atomic.Bool
	var mu sync.Mutex
	var signedIn []*browser
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				b := s.browser(t)
				if r := b.gql(loginMutation, loginVars(ownerEmail, ownerPassword)); len(r.Errors) == 0 {
					mu.Lock()
					signedIn = append(signedIn, b)
					mu.Unlock()
				}
			}
		}()
	}
	waitFor(t, "some sign-ins", func() bool { mu.Lock(); defer mu.Unlock(); return len(signedIn) >= 6 })
	owner.ok(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`,
		map[string]any{"i": map[string]any{"currentPassword": ownerPassword, "newPassword": newPassword}})
	stop.Store(true)
	wg.Wait()
	alive := 0
	for _, b := range signedIn {
		if path(b.ok(`{ viewer { id } }`, nil), "viewer") != nil {
			alive++
		}
	}
	if alive > 0 {
		t.Fatalf("%d of %d sessions signed in with the old password outlived its change", alive, len(signedIn))
	}
	if path(owner.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("the changing session was ended")
	}
}

// TestLogoutEndsTheSessionOrNothing: a logout beside another mutation
// that fails ran its end of the session in the operation's transaction,
// which rolled back, while its answer cleared the cookie: the session
// lived on for whoever kept it. A logout is the only field of its
// operation; beside another it is refused before anything runs.
func TestLogoutEndsTheSessionOrNothing(t *testing.T) {
	s, owner := MustOwner(t, nil)
	cookie := sessionCookie(t, owner)
	r := owner.wantCode("BAD_USER_INPUT", `mutation { logout p: createProject(input: {title: "", labelConfig: ""}) { id } }`, nil)
	if !strings.Contains(r.Raw, "logout must be the only field") {
		t.Fatalf("the refusal does not say what is wrong: %s", r.Raw)
	}
	kept := s.browser(t)
	setSessionCookie(t, kept, cookie)
	if v := kept.ok(`{ viewer { id } }`, nil); path(v, "viewer") == nil {
		t.Fatal("a refused operation ended the session")
	}
	owner.ok(`mutation { logout }`, nil)
	if v := kept.ok(`{ viewer { id } }`, nil); path(v, "viewer") != nil {
		t.Fatal("a logged-out session still works")
	}
}

// TestSignInsKeepAtMostFiftySessions: a sign-in deletes the user's expired
// sessions and ends those beyond the newest 50, the oldest first, so that
// signing in again and again grows nothing.
func TestSignInsKeepAtMostFiftySessions(t *testing.T) {
	s, first := MustOwner(t, nil)
	db := insider(t, s)
	sessions := func() int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	creds := map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}}
	var last *browser
	for range 50 {
		last = s.browser(t)
		last.ok(loginMutation, creds)
	}
	if n := sessions(); n != 50 {
		t.Fatalf("%d sessions after 51 sign-ins, want 50", n)
	}
	if path(first.ok(viewerID, nil), "viewer") != nil {
		t.Fatal("the oldest session still works after 50 newer ones")
	}
	if path(last.ok(viewerID, nil), "viewer") == nil {
		t.Fatal("the newest session does not work")
	}
	mustExec(t, db, `UPDATE sessions SET expires_at = created_at WHERE id IN (SELECT id FROM sessions ORDER BY id LIMIT 10)`)
	s.browser(t).ok(loginMutation, creds)
	if n := sessions(); n != 41 {
		t.Fatalf("%d sessions after a sign-in beside 10 expired ones, want 41", n)
	}
	if path(last.ok(viewerID, nil), "viewer") == nil {
		t.Fatal("a live session ended with the expired ones")
	}
}
