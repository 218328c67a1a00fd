package main

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"

	"gloss/internal/database"
)

// plainHash is a token's plain SHA-256, the form in which releases before
// keyed token hashes stored API and session tokens.
func plainHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// storedHashes returns the token hashes of a table's rows (or of one
// column of users), read as an insider would.
func storedHashes(t *testing.T, db *database.DB, query string) [][]byte {
	t.Helper()
	rows, err := db.SQL.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenHashesAreKeyed: API and session tokens were stored as their
// plain SHA-256, so whoever could read the database tested guesses at a
// `--user-token` the operator chose offline, at the speed of SHA-256. They
// are now stored keyed with the server secret. The tokens and sessions of
// an earlier release (its rows written here as it wrote them) keep working
// after the upgrade, and are stored keyed from its first start; a plain
// hash planted in the database afterwards opens nothing, not even after a
// restart.
func TestTokenHashesAreKeyed(t *testing.T) {
	const token = "an-operator-chose-this-one"
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": freshDatabaseURL(t)}
	args := []string{"--username", ownerEmail, "--password", ownerPassword, "--user-token", token}
	s := mustStartIn(t, dir, env, args...)
	b := s.browser(t)
	b.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	cookie := sessionCookie(t, b)
	s.stop()

	db := insider(t, s)
	const (
		apiTokens     = "SELECT token_hash FROM api_tokens"
		sessions      = "SELECT token_hash FROM sessions"
		startupTokens = "SELECT startup_token_hash FROM users WHERE startup_token_hash IS NOT NULL"
	)
	for _, q := range []string{apiTokens, sessions, startupTokens} {
		for _, h := range storedHashes(t, db, q) {
			if bytes.Equal(h, plainHash(token)) || bytes.Equal(h, plainHash(cookie)) {
				t.Fatalf("%s: a token is stored as its plain SHA-256", q)
			}
		}
	}

	// A new install records that its hashes are keyed, though there was
	// nothing to key: else a plain hash planted before anything keyed
	// was stored (nobody signed in, no token reset) was keyed at the next
	// start.
	var marked int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'token_hashes.keyed'").Scan(&marked); err != nil || marked != 1 {
		t.Fatalf("%d token_hashes.keyed events after a new install's start (%v), want 1", marked, err)
	}

	// The database as an earlier release left it (which had no such event).
	mustExec(t, db, "DELETE FROM audit_events WHERE action = 'token_hashes.keyed'")
	mustExec(t, db, "UPDATE api_tokens SET token_hash = $1", plainHash(token))
	mustExec(t, db, "UPDATE sessions SET token_hash = $1", plainHash(cookie))
	mustExec(t, db, "UPDATE users SET startup_token_hash = $1", plainHash(token))
	s = mustStartIn(t, dir, env, args...)
	if v := s.tokenClient(t, token).ok(`{ viewer { email } }`, nil); str(v, "viewer", "email") != ownerEmail {
		t.Fatalf("the API token of the earlier release: %v", v)
	}
	again := s.browser(t)
	setSessionCookie(t, again, cookie)
	if v := again.ok(`{ viewer { email } }`, nil); str(v, "viewer", "email") != ownerEmail {
		t.Fatalf("the session of the earlier release: %v", v)
	}
	if out := s.Out.String(); strings.Contains(out, "changed since the last start") || strings.Contains(out, "differs from the account's API token") {
		t.Fatalf("start-up took the keyed record for another --user-token:\n%s", s.Out.String())
	}
	for q, plain := range map[string][]byte{apiTokens: plainHash(token), sessions: plainHash(cookie), startupTokens: plainHash(token)} {
		hs := storedHashes(t, db, q)
		if len(hs) != 1 || bytes.Equal(hs[0], plain) || len(hs[0]) != sha256.Size+1 {
			t.Fatalf("%s after the upgrade: %x, want one keyed hash", q, hs)
		}
	}
	var keyed int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'token_hashes.keyed'").Scan(&keyed); err != nil || keyed != 1 {
		t.Fatalf("%d token_hashes.keyed events (%v), want 1", keyed, err)
	}

	// A token made now is stored keyed too.
	reset := str(s.tokenClient(t, token).ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	if hs := storedHashes(t, db, apiTokens); len(hs) != 1 || bytes.Equal(hs[0], plainHash(reset)) {
		t.Fatalf("a new token is stored as %x", hs)
	}

	// An insider plants the plain hash of a token of their own: it opens
	// nothing, now or after a restart, which leaves the row as it is.
	const planted = "planted-by-an-insider"
	mustExec(t, db, "UPDATE api_tokens SET token_hash = $1", plainHash(planted))
	refused := func() {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { email } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+planted)
		if r := s.browser(t).do(req); r.Status != http.StatusUnauthorized || strings.Contains(r.Raw, ownerEmail) {
			t.Fatalf("the planted token: %d %s", r.Status, r.Raw)
		}
	}
	refused()
	s.stop()
	s = mustStartIn(t, dir, env, args...)
	refused()
	if hs := storedHashes(t, db, apiTokens); len(hs) != 1 || !bytes.Equal(hs[0], plainHash(planted)) {
		t.Fatalf("the restart rewrote the planted row: %x", hs)
	}
}
