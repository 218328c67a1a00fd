package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/ent"
	"gloss/ent/throttle"
	"gloss/internal/viewer"
)

// burst sends n operations at once, each from its own browser, and counts
// the answers by code ("" for success).
func burst(t *testing.T, n int, op func(i int) *gqlResponse) map[string]int {
	t.Helper()
	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := op(i)
			mu.Lock()
			codes[r.Code()]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func loginVars(email, password string) map[string]any {
	return map[string]any{"i": map[string]any{"email": email, "password": password}}
}

// TestLoginBurstAtOneAccount: 40 simultaneous guesses at one account get at
// most 5 password checks; the rest are refused before any check, and the
// right password is refused too while the account is locked.
func TestLoginBurstAtOneAccount(t *testing.T) {
	s, owner := MustOwner(t, nil)
	codes := burst(t, 40, func(i int) *gqlResponse {
		return s.browser(t).gql(loginMutation, loginVars(ownerEmail, "wrong password!"))
	})
	if codes["UNAUTHENTICATED"] > 5 || codes["UNAUTHENTICATED"]+codes["RATE_LIMITED"] != 40 {
		t.Fatalf("40 concurrent guesses at one account answered %v; want at most 5 checked (UNAUTHENTICATED), the rest RATE_LIMITED", codes)
	}
	late := s.browser(t)
	r := late.wantCode("RATE_LIMITED", loginMutation, loginVars(ownerEmail, ownerPassword))
	if !strings.Contains(r.Errors[0].Message, "try again") {
		t.Fatalf("message %q", r.Errors[0].Message)
	}
	if path(late.ok(`{ viewer { id } }`, nil), "viewer") != nil {
		t.Fatal("a refused sign-in signed in")
	}
	if list := owner.ok(`{ sessions { id } }`, nil)["sessions"].([]any); len(list) != 1 {
		t.Fatalf("the burst created sessions: %d", len(list))
	}
}

// TestLoginBurstFromOneAddress: successful sign-ins do not use up the
// address's budget (an office behind one NAT), but a concurrent spray of
// wrong guesses at many accounts gets at most 30 checks, and then even the
// right password from that address is refused.
func TestLoginBurstFromOneAddress(t *testing.T) {
	s, _ := MustOwner(t, nil)
	for i := 0; i < 32; i++ {
		s.browser(t).ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	}
	codes := burst(t, 60, func(i int) *gqlResponse {
		return s.browser(t).gql(loginMutation, loginVars(uniqueEmail("spray"), "wrong password!"))
	})
	if codes["UNAUTHENTICATED"] > 30 || codes["UNAUTHENTICATED"]+codes["RATE_LIMITED"] != 60 {
		t.Fatalf("60 concurrent guesses from one address answered %v; want at most 30 checked, the rest RATE_LIMITED", codes)
	}
	b := s.browser(t)
	b.wantCode("RATE_LIMITED", loginMutation, loginVars(ownerEmail, ownerPassword))
	if path(b.ok(`{ viewer { id } }`, nil), "viewer") != nil {
		t.Fatal("a refused sign-in signed in")
	}
}

// TestChangePasswordIsNoOracle: a stolen session cannot guess the current
// password. Of a burst of wrong guesses at most 5 are checked; then even
// the right one is refused with RATE_LIMITED, the password stays as it was
// and no session is ended. Another user's changes are not affected.
func TestChangePasswordIsNoOracle(t *testing.T) {
	s, owner := MustOwner(t, nil)
	other := s.browser(t)
	other.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	change := `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`
	vars := func(current string) map[string]any {
		return map[string]any{"i": map[string]any{"currentPassword": current, "newPassword": "a brand new phrase"}}
	}
	// A weak new password is refused before the current one is looked at,
	// and costs no attempt.
	for i := 0; i < 6; i++ {
		owner.wantCode("BAD_USER_INPUT", change, map[string]any{"i": map[string]any{"currentPassword": "guess", "newPassword": "qwerty"}})
	}
	codes := burst(t, 20, func(i int) *gqlResponse {
		return owner.gql(change, vars("guess number "+strings.Repeat("x", i)))
	})
	if codes["BAD_USER_INPUT"] > 5 || codes["BAD_USER_INPUT"]+codes["RATE_LIMITED"] != 20 {
		t.Fatalf("20 concurrent guesses answered %v; want at most 5 checked (BAD_USER_INPUT), the rest RATE_LIMITED", codes)
	}
	owner.wantCode("RATE_LIMITED", change, vars(ownerPassword))
	if path(other.ok(`{ viewer { id } }`, nil), "viewer") == nil {
		t.Fatal("a refused change ended another session")
	}
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a brand new phrase"))
	s.browser(t).ok(loginMutation, loginVars(ownerEmail, ownerPassword))

	// The limit is the user's own: a colleague changes theirs.
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	colleague := s.browser(t)
	email := uniqueEmail("colleague")
	colleague.ok(signupMutation, signupVars(email, ownerPassword, invite))
	colleague.ok(change, vars(ownerPassword))
	s.browser(t).ok(loginMutation, loginVars(email, "a brand new phrase"))
}

// TestPasswordTypedAsEmailIsNotAudited: a password typed into the email
// field at sign-in is stored nowhere in the audit log: not in the events an
// owner reads (auditEvents, the JSON lines download) and not in the
// database rows of the anonymous failures, which no owner sees. A real
// email address is still kept.
func TestPasswordTypedAsEmailIsNotAudited(t *testing.T) {
	s, owner := MustOwner(t, nil)
	const typed = "Correct-Horse-Battery-Staple-42"
	lower := strings.ToLower(typed)
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(typed, typed))
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars("  "+strings.ToUpper(typed)+" ", "x"))
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars("Nobody@Example.com", "wrong password!"))
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, typed))
	// Past the account's limit the throttled event must not keep it either.
	for i := 0; i < 6; i++ {
		s.browser(t).gql(loginMutation, loginVars(typed+" ", "wrong password!"))
	}

	events := owner.ok(`{ auditEvents(first: 100) { edges { node { action targetId details } } } }`, nil)
	raw, _ := json.Marshal(events)
	if strings.Contains(strings.ToLower(string(raw)), lower) {
		t.Fatalf("the audit log keeps the password typed as email: %s", raw)
	}
	if !strings.Contains(string(raw), "login.failed") {
		t.Fatalf("the owner's failed sign-in is not in the log: %s", raw)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/audit-events.jsonl", nil)
	r := owner.do(req)
	if r.Status != http.StatusOK || !strings.Contains(r.Raw, "login.failed") {
		t.Fatalf("download: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(strings.ToLower(r.Raw), lower) {
		t.Fatal("the audit download keeps the password typed as email")
	}

	// The rows themselves, read from the database.
	driver, dsn := "sqlite3", "file:"+filepath.Join(s.DataDir, "gloss.db")+"?_busy_timeout=5000"
	if u := s.env["DATABASE_URL"]; u != "" {
		driver, dsn = "pgx", u
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT action, target_type, target_id, client_address, user_agent, details FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all strings.Builder
	for rows.Next() {
		var action, ttype, tid, addr, agent string
		var details []byte
		if err := rows.Scan(&action, &ttype, &tid, &addr, &agent, &details); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&all, "%s %s %s %s %s %s\n", action, ttype, tid, addr, agent, details)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	stored := all.String()
	if strings.Contains(strings.ToLower(stored), lower) {
		t.Fatalf("the audit rows keep the password typed as email:\n%s", stored)
	}
	for _, want := range []string{`"email_invalid": true`, "nobody@example.com", "login.throttled"} {
		if !strings.Contains(strings.ReplaceAll(stored, `":true`, `": true`), want) {
			t.Fatalf("the audit rows lost %s:\n%s", want, stored)
		}
	}
}

// TestLoginThrottlePerIPv6Network: an IPv6 client is its /64, as a home or
// office line is handed a whole /64 and picks any address in it. Before,
// each of its 2^64 addresses had a budget of its own, so one client could
// spray guesses across every account without meeting the per-address
// limit. Another /64, and IPv4 clients, keep their own budgets.
func TestLoginThrottlePerIPv6Network(t *testing.T) {
	s, _ := MustOwner(t, map[string]string{"GLOSS_TRUSTED_PROXIES": "127.0.0.1/32"})
	b := s.browser(t)
	failLogins(t, b, 30, func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) })
	for _, tc := range []struct {
		xff, want string
	}{
		{"2001:db8:1:2:ffff:ffff:ffff:fffe", "RATE_LIMITED"}, // the same /64
		{"2001:db8:1:3::1", "UNAUTHENTICATED"},               // the next one
		{"198.51.100.7", "UNAUTHENTICATED"},
	} {
		body := fmt.Sprintf(`{"query":%q,"variables":{"i":{"email":%q,"password":"wrong password!"}}}`, loginMutation, uniqueEmail("spray"))
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", b.origin)
		req.Header.Set("X-Forwarded-For", tc.xff)
		if r := b.do(req); r.Code() != tc.want {
			t.Errorf("a guess from %s: %s; want %s", tc.xff, r.Raw, tc.want)
		}
	}
	// The owner, from the throttled network, is refused too.
	if r := loginAs(t, b, "2001:db8:1:2::beef"); r.Code() != "RATE_LIMITED" {
		t.Errorf("the right password from the throttled /64: %s; want RATE_LIMITED", r.Raw)
	}
}

// TestSignupFailuresAreThrottled: a refused sign-up says whether an email
// has an account (or an invite token is good), so the refusals of one
// address are limited, at once (a concurrent burst gets no more answers
// than the limit) and for every process. Sign-ups that succeed do not
// count: a class of 30 signing up together from one network, all at once,
// is not held up. Once the refusals are used up, every sign-up from the
// address is refused, good ones too: a success beside RATE_LIMITED would
// tell whether an email has an account.
func TestSignupFailuresAreThrottled(t *testing.T) {
	s, owner := MustOwner(t, nil)
	link := str(owner.ok(`mutation($i: CreateInviteInput!) { createInvite(input: $i) { url } }`,
		map[string]any{"i": map[string]any{"role": "ANNOTATOR"}}), "createInvite", "url")
	class := burst(t, 30, func(i int) *gqlResponse {
		return s.browser(t).gql(signupMutation, signupVars(uniqueEmail("class"), ownerPassword, inviteToken(link)))
	})
	if class[""] != 30 {
		t.Fatalf("30 sign-ups at once from one address answered %v; want all made", class)
	}
	// Probing which emails have accounts.
	codes := burst(t, 40, func(i int) *gqlResponse {
		return s.browser(t).gql(signupMutation, signupVars(ownerEmail, ownerPassword, inviteToken(link)))
	})
	if codes["BAD_USER_INPUT"] > 20 || codes["BAD_USER_INPUT"]+codes["RATE_LIMITED"] != 40 {
		t.Fatalf("40 concurrent sign-ups as an existing account answered %v; want at most 20 checked, the rest RATE_LIMITED", codes)
	}
	// Then the address gets no more answers (a bad invite included), and
	// nothing is made, not even by a good sign-up.
	s.browser(t).wantCode("RATE_LIMITED", signupMutation, signupVars(uniqueEmail("probe"), ownerPassword, "not-an-invite"))
	late := uniqueEmail("late")
	s.browser(t).wantCode("RATE_LIMITED", signupMutation, signupVars(late, ownerPassword, inviteToken(link)))
	if n := memberCount(t, owner); n != 31 {
		t.Fatalf("the organization has %d members after the refused sign-ups, want the owner and the class of 30", n)
	}
}

// TestSignInEventsAreFiledWithTheAccountTried: a failed sign-in was filed
// under the caller's organization when the caller was signed in and the
// email had no account (and under the account's otherwise), so any member,
// owner of an organization of their own, read in their own audit log
// whether an email has an account. Sign-in events are now filed under the
// account tried, or none. A throttled sign-in was filed under none: the
// account's administrators never saw it locked out.
func TestSignInEventsAreFiledWithTheAccountTried(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	attacker := s.browser(t)
	attacker.ok(signupMutation, signupVars(uniqueEmail("mallory"), "correct horse battery", invite))
	org := str(attacker.ok(`mutation { createOrganization(title: "Mine") { id } }`, nil), "createOrganization", "id")
	attacker.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": org})
	const nobody = "nobody-here@example.com"
	attacker.wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	attacker.wantCode("UNAUTHENTICATED", loginMutation, loginVars(nobody, "a wrong guess!"))
	emails := func(b *browser, action string) map[string]int {
		seen := map[string]int{}
		d := b.ok(auditQuery, map[string]any{"f": map[string]any{"action": action}})
		for _, e := range path(d, "auditEvents", "edges").([]any) {
			email, _ := path(e, "node", "details", "email").(string)
			seen[email]++
		}
		return seen
	}
	if seen := emails(attacker, "login.failed"); len(seen) != 0 {
		t.Fatalf("the caller's own audit log holds their failed sign-ins as another: %v", seen)
	}
	if seen := emails(owner, "login.failed"); seen[ownerEmail] != 1 || seen[nobody] != 0 {
		t.Fatalf("the owner's log holds failed sign-ins %v, want the one at their account", seen)
	}
	// Four more wrong guesses use up the account's five; the sixth is
	// throttled, and the account's organization sees it.
	for range 4 {
		s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	}
	s.browser(t).wantCode("RATE_LIMITED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	if seen := emails(owner, "login.throttled"); seen[ownerEmail] != 1 {
		t.Fatalf("the owner's log holds throttled sign-ins %v, want the one at their account", seen)
	}
	if seen := emails(attacker, "login.throttled"); len(seen) != 0 {
		t.Fatalf("the caller's log holds throttled sign-ins %v", seen)
	}
	// A sign-in refused for its address (a spray from it), not its account,
	// is not filed as the account locked out: the attacker's own account,
	// whose organization is theirs, has every attempt left.
	mallory := str(attacker.ok(`{ viewer { email } }`, nil), "viewer", "email")
	for {
		r := s.browser(t).gql(loginMutation, loginVars(uniqueEmail("spray"), "a wrong guess!"))
		if r.Code() == "RATE_LIMITED" {
			break
		}
		if r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a spray's guess answered %s", r.Raw)
		}
	}
	s.browser(t).wantCode("RATE_LIMITED", loginMutation, loginVars(mallory, "correct horse battery"))
	if seen := emails(attacker, "login.throttled"); len(seen) != 0 {
		t.Fatalf("a sign-in refused for its address was filed as the account locked out: %v", seen)
	}
}

// TestExpiredThrottlesAreForgotten: every failed sign-in at a new email,
// or from a new address, left a throttle row for good, so a spray of
// guesses grew the table without end. Rows whose window ended over an hour
// ago are deleted at start and hourly, in batches; live windows stay.
func TestExpiredThrottlesAreForgotten(t *testing.T) {
	s, _ := MustOwner(t, nil)
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(uniqueEmail("guess"), "a wrong guess!"))
	db := insider(t, s)
	sys := viewer.NewSystemContext(t.Context())
	live, err := db.Client.Throttle.Query().Count(sys)
	if err != nil || live != 2 {
		t.Fatalf("a failed sign-in left %d throttle rows (%v), want its account's and its address's", live, err)
	}
	const expired = 2500 // more than one batch
	old := time.Now().Add(-2 * time.Hour)
	for i := 0; i < expired; i += 500 {
		var rows []*ent.ThrottleCreate
		for j := i; j < i+500; j++ {
			rows = append(rows, db.Client.Throttle.Create().SetKey(fmt.Sprintf("account:spray%d", j)).SetFailures(5).SetWindowStart(old))
		}
		db.Client.Throttle.CreateBulk(rows...).ExecX(sys)
	}
	// A window that ended only just now is kept too: another process's
	// clock may be behind.
	db.Client.Throttle.Create().SetKey("account:recent").SetFailures(5).SetWindowStart(time.Now().Add(-20 * time.Minute)).ExecX(sys)
	s.stop()
	s = mustStartIn(t, s.DataDir, s.env)
	waitFor(t, "the expired throttles forgotten", func() bool {
		return db.Client.Throttle.Query().Where(throttle.KeyHasPrefix("account:spray")).CountX(sys) == 0
	})
	if n := db.Client.Throttle.Query().CountX(sys); n != live+1 {
		t.Fatalf("%d throttle rows left, want the %d live ones and the recent one", n, live)
	}
	if !strings.Contains(s.log(t), "rows=2500") {
		t.Fatalf("the start did not log the rows it forgot:\n%s", s.log(t))
	}
}

// TestThrottledSignInsAreRecordedOncePerWindow: every refused sign-in at a
// locked account was a login.throttled event, so whoever hammered an
// account wrote one event per request into its organization's log. Only
// the first refusal of a throttle window is recorded now, however many
// come, at once or one after the other; a later window's first is recorded
// again. The refusals themselves are as before.
func TestThrottledSignInsAreRecordedOncePerWindow(t *testing.T) {
	s, owner := MustOwner(t, nil)
	throttled := func() int {
		t.Helper()
		return len(eventsOf(t, owner, "login.throttled"))
	}
	for range 5 {
		s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	}
	codes := burst(t, 20, func(i int) *gqlResponse {
		return s.browser(t).gql(loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	})
	for range 10 {
		s.browser(t).wantCode("RATE_LIMITED", loginMutation, loginVars(ownerEmail, ownerPassword))
	}
	if codes["RATE_LIMITED"] != 20 {
		t.Fatalf("20 guesses at a locked account answered %v, want all RATE_LIMITED", codes)
	}
	if n := throttled(); n != 1 {
		t.Fatalf("%d login.throttled events for 30 refusals in one window, want 1", n)
	}

	// The window ends; the next one fills and is recorded once more.
	mustExec(t, insider(t, s), "UPDATE throttles SET window_start = $1", time.Now().Add(-time.Hour).UTC())
	for range 5 {
		s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	}
	for range 5 {
		s.browser(t).wantCode("RATE_LIMITED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	}
	if n := throttled(); n != 2 {
		t.Fatalf("%d login.throttled events after a second window, want 2", n)
	}
}
