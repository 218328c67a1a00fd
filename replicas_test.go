package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// replicaKey is the GLOSS_SECRET_KEY every replica of one test shares.
const replicaKey = "replicas-share-this-secret-key-of-32+"

// replica is one gloss started for a replica test: in-process by run() or
// as an operating-system process running the real main().
type replica struct {
	URL  string
	Out  *syncBuffer
	stop func() error // ends it (ctx cancel or SIGTERM) and returns how it ended
	cmd  *exec.Cmd    // nil for an in-process replica
	done chan error   // receives how it ended
}

// startReplica starts gloss on 127.0.0.1:0 in a fresh data dir with env
// once start is closed, and returns it when it serves (or an error: it is
// called from goroutines, so it must not fail the test itself).
func startReplica(t testing.TB, process bool, env map[string]string, start <-chan struct{}) (*replica, error) {
	dir := t.TempDir()
	out := &syncBuffer{}
	done := make(chan error, 1)
	r := &replica{Out: out, done: done}
	args := []string{"start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir}
	<-start
	if process {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "GLOSS_TEST_MAIN=1", "GLOSS_TEST_ARGS="+strings.Join(args, " "))
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v) // later entries win
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		r.cmd = cmd
		go func() { done <- cmd.Wait() }()
		r.stop = func() error {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			return <-done
		}
	} else {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { done <- run(ctx, args, func(k string) string { return env[k] }, out) }()
		r.stop = func() error {
			cancel()
			return <-done
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(out.String()); m != nil {
			r.URL = m[1]
			return r, nil
		}
		select {
		case err := <-done:
			return nil, fmt.Errorf("gloss exited before serving (%v):\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = r.stop()
			return nil, fmt.Errorf("gloss did not start in time:\n%s", out.String())
		}
	}
}

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
// run on PostgreSQL in the SQLite run too (see freshPostgresURL).
func replicaDatabase(t *testing.T) string {
	t.Helper()
	return freshPostgresURL(t)
}

// countRows runs a count query on the database at url.
func countRows(t *testing.T, url, query string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
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

// TestRevocationAcrossReplicas revokes on one replica and checks that the
// other refuses the revoked credential on its very next request (and still
// accepts what was not revoked): no process keeps a viewer in memory.
func TestRevocationAcrossReplicas(t *testing.T) {
	db := replicaDatabase(t)
	token := "replica-owner-token"
	rs := startReplicas(t, 2, false, map[string]string{
		"DATABASE_URL":            db,
		"GLOSS_SECRET_KEY":        replicaKey,
		"LABEL_STUDIO_USERNAME":   ownerEmail,
		"LABEL_STUDIO_PASSWORD":   ownerPassword,
		"LABEL_STUDIO_USER_TOKEN": token,
	})
	a, b := &testServer{URL: rs[0].URL}, &testServer{URL: rs[1].URL}
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
