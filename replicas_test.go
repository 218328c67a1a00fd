//go:build pg

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// startReplicas starts n replicas with env at the same moment and waits
// until all serve; every one that started is stopped when the test ends,
// and must stop cleanly.
func startReplicas(t *testing.T, n int, process bool, env map[string]string) []*replica {
	t.Helper()
	start := make(chan struct{})
	out := make([]*replica, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = startReplica(t, process, env, start)
		}()
	}
	close(start)
	wg.Wait()
	for _, r := range out {
		if r != nil {
			t.Cleanup(func() {
				if err := r.stop(); err != nil {
					t.Errorf("replica %s stopped with error: %v\n%s", r.URL, err, r.Out.String())
				}
			})
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d of %d did not come up: %v", i+1, n, err)
		}
	}
	return out
}

// replicaDatabase returns a fresh empty PostgreSQL database for replicas.
// Replicas share a database, which only PostgreSQL offers, so these tests
// are built only for the PostgreSQL suite (the pg build tag).
func replicaDatabase(t *testing.T) string {
	t.Helper()
	return freshPostgresURL(t)
}

// pgConnect opens a connection of the test's own to the database at url,
// closed when the test ends (or before, by the caller).
func pgConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// countRows runs a count query on the database at url.
func countRows(t *testing.T, url, query string) int {
	t.Helper()
	ctx := context.Background()
	conn := pgConnect(t, url)
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func mustReady(t *testing.T, r *replica) {
	t.Helper()
	resp, err := http.Get(r.URL + "/readyz")
	if err != nil {
		t.Fatalf("readyz of %s: %v", r.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz of %s: %d\n%s", r.URL, resp.StatusCode, r.Out.String())
	}
}

// TestReplicasStartTogether starts two and three gloss processes at the same
// moment on one empty PostgreSQL database, as an orchestrator does: all of
// them migrate (one after the other, under the advisory lock) and serve, and
// the owner given by --username, the default organization and its invite
// link exist once.
func TestReplicasStartTogether(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		process bool
	}{
		{"two in-process", 2, false},
		{"three in-process", 3, false},
		{"two processes", 2, true},
		{"three processes", 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := replicaDatabase(t)
			token := "replica-owner-token"
			env := map[string]string{
				"DATABASE_URL":            db,
				"GLOSS_SECRET_KEY":        replicaKey,
				"LABEL_STUDIO_USERNAME":   ownerEmail,
				"LABEL_STUDIO_PASSWORD":   ownerPassword,
				"LABEL_STUDIO_USER_TOKEN": token,
			}
			rs := startReplicas(t, tc.n, tc.process, env)
			for _, r := range rs {
				mustReady(t, r)
				if setupLine.MatchString(r.Out.String()) {
					t.Fatalf("a replica printed a setup link although the owner was given:\n%s", r.Out.String())
				}
			}
			if n := countRows(t, db, "SELECT count(*) FROM users"); n != 1 {
				t.Fatalf("users = %d, want exactly the one owner", n)
			}
			if n := countRows(t, db, "SELECT count(*) FROM memberships WHERE role = 'OWNER'"); n != 1 {
				t.Fatalf("owner memberships = %d, want 1", n)
			}
			if n := countRows(t, db, "SELECT count(*) FROM organizations"); n != 1 {
				t.Fatalf("organizations = %d, want the one default organization", n)
			}
			if n := countRows(t, db, "SELECT count(*) FROM api_tokens"); n != 1 {
				t.Fatalf("api tokens = %d, want 1", n)
			}
			// Every replica serves the same owner, with the same token and
			// the same invite link.
			var invite string
			for _, r := range rs {
				c := (&testServer{URL: r.URL}).tokenClient(t, token)
				d := c.ok(`{ viewer { email } organization { viewerRole inviteUrl } }`, nil)
				if str(d, "viewer", "email") != ownerEmail || str(d, "organization", "viewerRole") != "OWNER" {
					t.Fatalf("replica %s: %v", r.URL, d)
				}
				link := inviteToken(str(d, "organization", "inviteUrl"))
				if link == "" || (invite != "" && link != invite) {
					t.Fatalf("replica %s shows invite %q, another %q", r.URL, link, invite)
				}
				invite = link
			}
		})
	}
	t.Run("three without an owner print one setup link", func(t *testing.T) {
		db := replicaDatabase(t)
		rs := startReplicas(t, 3, false, map[string]string{"DATABASE_URL": db, "GLOSS_SECRET_KEY": replicaKey})
		var link string
		for _, r := range rs {
			mustReady(t, r)
			m := setupLine.FindStringSubmatch(r.Out.String())
			if m == nil {
				t.Fatalf("replica %s printed no setup link:\n%s", r.URL, r.Out.String())
			}
			if got := inviteToken(m[1]); link != "" && got != link {
				t.Fatalf("replicas printed different setup links (%s, %s): only the last one would work", link, got)
			} else {
				link = got
			}
		}
		if n := countRows(t, db, "SELECT count(*) FROM organizations"); n != 1 {
			t.Fatalf("organizations = %d, want 1", n)
		}
		// The link creates the owner on any replica, once.
		a, b := &testServer{URL: rs[0].URL}, &testServer{URL: rs[2].URL}
		a.browser(t).ok(signupMutation, signupVars(ownerEmail, ownerPassword, link))
		b.browser(t).wantCode("BAD_USER_INPUT", signupMutation, signupVars(uniqueEmail("late"), ownerPassword, link))
		if n := countRows(t, db, "SELECT count(*) FROM memberships WHERE role = 'OWNER'"); n != 1 {
			t.Fatalf("owners = %d, want 1", n)
		}
	})
}

// replicaOwnerToken is the owner's API token of ownedReplicas' tests.
const replicaOwnerToken = "replica-owner-token"

// ownedReplicas starts two processes on a fresh PostgreSQL database whose
// owner (ownerEmail) has the API token token.
func ownedReplicas(t *testing.T, token string) (a, b *testServer) {
	t.Helper()
	rs := startReplicas(t, 2, false, map[string]string{
		"DATABASE_URL":            replicaDatabase(t),
		"GLOSS_SECRET_KEY":        replicaKey,
		"LABEL_STUDIO_USERNAME":   ownerEmail,
		"LABEL_STUDIO_PASSWORD":   ownerPassword,
		"LABEL_STUDIO_USER_TOKEN": token,
	})
	return &testServer{URL: rs[0].URL}, &testServer{URL: rs[1].URL}
}

// TestRevocationAcrossReplicas revokes on one replica and checks that the
// other refuses the revoked credential on its very next request (and still
// accepts what was not revoked): no process keeps a viewer in memory.
func TestRevocationAcrossReplicas(t *testing.T) {
	a, b := ownedReplicas(t, replicaOwnerToken)
	token := replicaOwnerToken
	owner := a.tokenClient(t, token)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	email := uniqueEmail("member")
	password := "a member's long passphrase"
	onA := a.browser(t)
	onA.ok(signupMutation, signupVars(email, password, invite))
	memberID := idOf(t, onA)

	// onB carries the session of onA to replica B.
	carry := func(from *browser, to *testServer) *browser {
		c := to.browser(t)
		setSessionCookie(t, c, sessionCookie(t, from))
		return c
	}
	signedIn := func(c *browser) bool { return path(c.ok(viewerID, nil), "viewer") != nil }
	login := func(s *testServer) *browser {
		c := s.browser(t)
		c.ok(loginMutation, map[string]any{"i": map[string]any{"email": email, "password": password}})
		return c
	}

	t.Run("token reset", func(t *testing.T) {
		old := str(onA.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
		if r := s2token(t, b, old); r.Status != http.StatusOK || str(r.Data, "viewer", "id") != memberID {
			t.Fatalf("the token does not work on B: %d %s", r.Status, r.Raw)
		}
		fresh := str(onA.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
		if r := s2token(t, b, old); r.Status != http.StatusUnauthorized {
			t.Fatalf("B accepts a token reset on A: %d %s", r.Status, r.Raw)
		}
		if r := s2token(t, b, fresh); r.Status != http.StatusOK || str(r.Data, "viewer", "id") != memberID {
			t.Fatalf("B refuses the new token: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("sign-out", func(t *testing.T) {
		staying := login(a)
		onB := carry(onA, b)
		if !signedIn(onB) {
			t.Fatal("the session does not work on B")
		}
		onA.ok(`mutation { logout }`, nil)
		if signedIn(onB) {
			t.Fatal("B accepts a session signed out on A")
		}
		if !signedIn(carry(staying, b)) {
			t.Fatal("signing out one session ended another on B")
		}
		onA = staying
	})

	t.Run("revoke session", func(t *testing.T) {
		other := login(b)
		otherID := ""
		for _, s := range onA.ok(`{ sessions { id current } }`, nil)["sessions"].([]any) {
			if path(s, "current") != true {
				otherID = str(s, "id")
			}
		}
		if otherID == "" || !signedIn(other) {
			t.Fatal("no other session")
		}
		onA.ok(`mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": otherID})
		if signedIn(other) {
			t.Fatal("B accepts a session revoked on A")
		}
		if !signedIn(carry(onA, b)) {
			t.Fatal("the revoking session stopped working on B")
		}
	})

	t.Run("password change", func(t *testing.T) {
		other := login(b)
		change := `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`
		onA.ok(change, map[string]any{"i": map[string]any{"currentPassword": password, "newPassword": "another member passphrase"}})
		password = "another member passphrase"
		if signedIn(other) {
			t.Fatal("B accepts a session ended by a password change on A")
		}
		if !signedIn(carry(onA, b)) {
			t.Fatal("the changing session stopped working on B")
		}
		b.browser(t).wantCode("UNAUTHENTICATED", loginMutation, map[string]any{"i": map[string]any{"email": email, "password": "a member's long passphrase"}})
	})

	t.Run("deactivation", func(t *testing.T) {
		fresh := str(onA.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
		onB := login(b)
		if !signedIn(onB) || s2token(t, b, fresh).Status != http.StatusOK {
			t.Fatal("the member cannot work on B")
		}
		owner.ok(deactivate, map[string]any{"u": memberID})
		if signedIn(onB) {
			t.Fatal("B accepts the session of a user deactivated on A")
		}
		if r := s2token(t, b, fresh); r.Status != http.StatusUnauthorized {
			t.Fatalf("B accepts the token of a user deactivated on A: %d", r.Status)
		}
		if r := s2token(t, b, token); r.Status != http.StatusOK {
			t.Fatalf("the owner's token stopped working on B: %d", r.Status)
		}
	})
}

// TestOverlapTwoProcesses is TestOverlapUnderConcurrency with two gloss
// servers on one PostgreSQL database: workers alternate between them, and
// the two tabs of one annotator are on different servers.
func TestOverlapTwoProcesses(t *testing.T) {
	token := "overlap-owner-token"
	a, b := ownedReplicas(t, token)
	servers := []*testServer{a, b}
	owner := servers[0].tokenClient(t, token)
	crew := newOverlapCrew(t, servers[0], owner, 10)
	for _, overlap := range []int{1, 2} {
		t.Run(fmt.Sprintf("overlap %d", overlap), func(t *testing.T) {
			owner := owner.in(t)
			project := overlapProject(t, owner, crew, overlap)
			raceOverlap(t, servers, owner, crew, project, overlap)
			checkUnskip(t, servers[1], owner, crew, project, overlap)
			checkLateSubmits(t, servers[1], owner, crew, project, overlap)
		})
	}
}

// freshPostgresURL returns the URL of a new empty PostgreSQL database, dropped
// when the test ends, on the server of DATABASE_URL, else PG_URL, else
// defaultPostgresURL. It fails the test, naming the variables, when no
// server answers: this file is built only for the PostgreSQL suite
// (`make test-pg`, `go test -tags pg`), which runs when the server can be used.
func freshPostgresURL(t testing.TB) string {
	t.Helper()
	base, from := os.Getenv("DATABASE_URL"), "DATABASE_URL"
	if base == "" {
		base, from = os.Getenv("PG_URL"), "PG_URL"
	}
	if base == "" {
		base, from = defaultPostgresURL, "the default PG_URL"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("this test needs PostgreSQL, which cannot be reached at %s (%v); point DATABASE_URL or PG_URL at a server whose role may create databases", from, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "gloss_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

// freshDatabaseURL is the database of one test server: in the PostgreSQL
// suite a new empty PostgreSQL database, dropped when the test ends.
func freshDatabaseURL(t testing.TB) string {
	t.Helper()
	return freshPostgresURL(t)
}

// defaultPostgresURL is the server `make test-pg` uses (the Makefile's PG_URL).
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
