package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gloss/ent"
	"gloss/ent/auditevent"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/viewer"
)

const auditQuery = `query($f: AuditFilter) { auditEvents(first: 100, filter: $f) { totalCount edges { node { action actorId targetType targetId clientAddress userAgent requestId details } } } }`

func actions(t *testing.T, b *browser, filter map[string]any) []string {
	t.Helper()
	d := b.ok(auditQuery, map[string]any{"f": filter})
	var out []string
	for _, e := range path(d, "auditEvents", "edges").([]any) {
		out = append(out, str(e, "node", "action"))
	}
	return out
}

func TestAuditLog(t *testing.T) {
	tm := MustTeam(t)
	s := tm.s
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": "not it at all"}})
	tm.owner.ok(`mutation { resetApiToken { token } }`, nil)
	tm.owner.ok(`mutation { resetInviteLink { id } }`, nil)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	ann := idOf(t, tm.annotator)
	tm.owner.ok(roleMutation, map[string]any{"u": ann, "r": "MANAGER"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/projects/"+id+"/export?format=CSV", nil)
	tm.owner.do(req)
	tid := str(tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { id } } } }`, map[string]any{"p": id}), "tasks", "edges", 0, "node", "id")
	tm.owner.ok(`query($t: ID!) { task(id: $t) { data } }`, map[string]any{"t": tid})

	got := strings.Join(actions(t, tm.owner, nil), " ")
	for _, want := range []string{"login.failed", "api_token.reset", "invite.reset", "project.create", "project.tasks_imported", "member.role_changed", "membership.update", "project.exported", "signup", "membership.create", "task.viewed"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %s: %s", want, got)
		}
	}
	if strings.Contains(got, "task.create") {
		t.Errorf("imports log one event, not one per task: %s", got)
	}
	// Events carry actor, address, user agent and request id.
	d := tm.owner.ok(auditQuery, map[string]any{"f": map[string]any{"action": "member.role_changed"}})
	e := path(d, "auditEvents", "edges", 0, "node")
	if str(e, "actorId") != idOf(t, tm.owner) || str(e, "targetId") != ann || str(e, "clientAddress") != "127.0.0.1" ||
		str(e, "requestId") == "" || str(e, "userAgent") == "" || path(e, "details", "to") != "MANAGER" {
		t.Fatalf("role change event: %v", e)
	}
	if n := len(actions(t, tm.owner, map[string]any{"action": "login."})); n < 1 {
		t.Fatal("prefix filter found no login events")
	}
	// Secrets never reach the log.
	raw := tm.owner.gql(auditQuery, nil).Raw
	if strings.Contains(raw, ownerPassword) || strings.Contains(raw, "gls_") {
		t.Fatal("a secret is in the audit log")
	}

	// Managers and annotators cannot read it; nor the download.
	tm.annotator.wantCode("FORBIDDEN", auditQuery, nil)
	dl := func(b *browser) *gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/audit-events.jsonl", nil)
		return b.do(req)
	}
	if r := dl(tm.annotator); r.Status != http.StatusForbidden {
		t.Fatalf("manager download: %d", r.Status)
	}
	r := dl(tm.owner)
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(r.Raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line["hash"] == nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		lines++
	}
	if r.Status != 200 || lines < 10 {
		t.Fatalf("download: %d, %d lines", r.Status, lines)
	}

	// Another organization's owner sees none of it.
	tm.annotator.ok(`mutation { createOrganization(title: "Elsewhere") { id } }`, nil)
	orgs := tm.annotator.ok(`{ organizations { id title } }`, nil)["organizations"].([]any)
	for _, o := range orgs {
		if str(o, "title") == "Elsewhere" {
			tm.annotator.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": str(o, "id")})
		}
	}
	if got := strings.Join(actions(t, tm.annotator, nil), " "); strings.Contains(got, "project.create") || strings.Contains(got, "invite.reset") {
		t.Fatalf("another organization's events leaked: %s", got)
	}
}

func TestAuditVerify(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"DATABASE_URL": ""})
	owner.ok(`mutation { resetApiToken { token } }`, nil)
	owner.ok(`mutation { resetInviteLink { id } }`, nil)
	s.stop()

	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), []string{"audit", "verify", "--data-dir", s.DataDir}, func(string) string { return "" }, &out)
		return out.String(), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify on an intact log: %q, %v", out, err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(s.DataDir, "gloss.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// An edited row breaks the chain...
	if _, err := db.Exec(`UPDATE audit_events SET action = 'nothing.happened' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "edited") {
		t.Fatalf("verify after an edit: %v", err)
	}
	// ...and so does a removed one, even with the edit undone.
	if _, err := db.Exec(`DELETE FROM audit_events WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "removed") {
		t.Fatalf("verify after a removal: %v", err)
	}
}

// auditVerify runs `gloss audit verify` on s's data dir and database, with
// s's environment, as an operator would after stopping it.
func auditVerify(t *testing.T, s *testServer) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), []string{"audit", "verify", "--data-dir", s.DataDir}, func(k string) string { return s.env[k] }, &out)
	return out.String(), err
}

// insider opens s's database directly, as someone who can write it but
// does not hold the server secret.
func insider(t *testing.T, s *testServer) *database.DB {
	t.Helper()
	db, err := database.Open(t.Context(), s.env["DATABASE_URL"], s.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *database.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.SQL.Exec(rebind(db, query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// rebind writes query's $1, $2, $3 placeholders as db's dialect wants them.
func rebind(db *database.DB, query string) string {
	if db.Dialect != "postgres" {
		query = strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(query)
	}
	return query
}

func eventCount(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow("SELECT count(*) FROM audit_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantBroken runs verify, wants exit 1 with a break that mentions want, and
// checks that verify changed nothing.
func wantBroken(t *testing.T, s *testServer, db *database.DB, want string) {
	t.Helper()
	before := eventCount(t, db)
	if out, err := auditVerify(t, s); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), want) || strings.Contains(out, "intact") {
		t.Fatalf("verify = %q, %v; want a break mentioning %q", out, err, want)
	}
	if after := eventCount(t, db); after != before {
		t.Fatalf("verify changed the log: %d events, then %d", before, after)
	}
}

// auditedServer starts a server (on PostgreSQL when DATABASE_URL is set),
// makes a few events, stops it and checks that its log verifies.
func auditedServer(t *testing.T) (*testServer, *database.DB) {
	t.Helper()
	s, owner := MustOwner(t, nil)
	owner.ok(`mutation { resetApiToken { token } }`, nil)
	owner.ok(`mutation { resetInviteLink { id } }`, nil)
	s.stop()
	out, err := auditVerify(t, s)
	if err != nil || !strings.Contains(out, "audit log intact") || !strings.Contains(out, "checkpoint of") {
		t.Fatalf("verify on an intact log: %q, %v", out, err)
	}
	t.Log(out)
	return s, insider(t, s)
}

func TestAuditVerifyNoticesTheNewestEventsCut(t *testing.T) {
	s, db := auditedServer(t)
	mustExec(t, db, "DELETE FROM audit_events WHERE seq >= (SELECT max(seq) - 1 FROM audit_events)")
	wantBroken(t, s, db, "the newest events were removed")
	// Deleting the newest checkpoints from the database as well does not
	// hide it: the checkpoint file outside the database still has them.
	mustExec(t, db, "DELETE FROM audit_checkpoints")
	wantBroken(t, s, db, "the newest events were removed")
}

func TestAuditVerifyNoticesTheOldestEventsCut(t *testing.T) {
	s, db := auditedServer(t)
	mustExec(t, db, "DELETE FROM audit_events WHERE seq <= 2")
	wantBroken(t, s, db, "the oldest events were removed")
}

func TestAuditVerifyNoticesARecomputedChain(t *testing.T) {
	s, db := auditedServer(t)
	// Edit one event and recompute every hash with plain SHA-256, as the
	// previous release's chain allowed; drop the checkpoints in the database.
	sys := viewer.NewSystemContext(t.Context())
	mustExec(t, db, "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 3")
	prev := []byte{}
	for _, e := range db.Client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldSeq)).AllX(sys) {
		e.PrevHash = prev
		e.Hash = audit.LegacyHash(e)
		mustExec(t, db, "UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3", e.PrevHash, e.Hash, e.ID)
		prev = e.Hash
	}
	mustExec(t, db, "DELETE FROM audit_checkpoints")
	wantBroken(t, s, db, "does not match its MAC")
}

// TestAuditLegacyDataDirIsSealed starts a data dir written by the previous
// release (testdata/audit-legacy: an unkeyed SHA-256 chain): it verifies
// before and after the first start, and after that start an edited old row
// is caught even with the old chain recomputed.
func TestAuditLegacyDataDirIsSealed(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"gloss.db", "secret.key"} {
		b, err := os.ReadFile(filepath.Join("testdata", "audit-legacy", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DATABASE_URL": ""}
	s := &testServer{DataDir: dir, env: env}
	if out, err := auditVerify(t, s); err != nil || !strings.Contains(out, "audit log intact: 10 events") || !strings.Contains(out, "not sealed yet") {
		t.Fatalf("verify of the previous release's log: %q, %v", out, err)
	}
	s = mustStartIn(t, dir, env)
	s.browser(t).ok(loginMutation, map[string]any{"i": map[string]any{"email": "owner@legacy.test", "password": "legacy-Pass-2026!"}})
	s.stop()
	out, err := auditVerify(t, s)
	if err != nil || !strings.Contains(out, "10 events from an earlier release, sealed") {
		t.Fatalf("verify after the first start: %q, %v", out, err)
	}
	db := insider(t, s)
	sys := viewer.NewSystemContext(t.Context())
	mustExec(t, db, "UPDATE audit_events SET action = 'nothing.happened' WHERE id = 8")
	rows := db.Client.AuditEvent.Query().Where(auditevent.SeqLTE(10)).Order(ent.Asc(auditevent.FieldSeq)).AllX(sys)
	prev := rows[0].PrevHash
	for _, e := range rows {
		e.PrevHash = prev
		e.Hash = audit.LegacyHash(e)
		mustExec(t, db, "UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3", e.PrevHash, e.Hash, e.ID)
		prev = e.Hash
	}
	wantBroken(t, s, db, "does not follow")
}

// TestTwoServersShareOneAuditChain runs two gloss processes on one
// database (PostgreSQL when DATABASE_URL is set, else one SQLite data dir)
// that both write audit events at once; the chain verifies against each
// one's checkpoints.
func TestTwoServersShareOneAuditChain(t *testing.T) {
	env := map[string]string{"GLOSS_SECRET_KEY": strings.Repeat("s3cret-", 6)}
	s1, owner := MustOwner(t, env)
	dir2 := s1.DataDir
	if s1.env["DATABASE_URL"] != "" {
		dir2 = t.TempDir()
	}
	s2 := mustStartIn(t, dir2, env)
	// The session is in the database, so the owner's cookie works on both.
	owner2 := &browser{t: t, s: s2, hc: owner.hc, origin: s2.URL}
	var wg sync.WaitGroup
	for _, b := range []*browser{owner, owner2, owner, owner2} {
		wg.Add(1)
		go func(b *browser) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				b.ok(`mutation { resetInviteLink { id } }`, nil)
			}
		}(b)
	}
	wg.Wait()
	s1.stop()
	s2.stop()
	for _, s := range []*testServer{s1, s2} {
		out, err := auditVerify(t, s)
		if err != nil || !strings.Contains(out, "audit log intact") {
			t.Fatalf("verify with %s's checkpoints: %q, %v", s.DataDir, out, err)
		}
	}
	db := insider(t, s1)
	var reset int
	if err := db.SQL.QueryRow("SELECT count(*) FROM audit_events WHERE action = 'invite.reset'").Scan(&reset); err != nil || reset != 40 {
		t.Fatalf("invite.reset events: %d, %v", reset, err)
	}
}

// TestAuditCheckpointFileElsewhere puts the checkpoints outside the data
// dir with GLOSS_AUDIT_CHECKPOINT_FILE; verify needs that file.
func TestAuditCheckpointFileElsewhere(t *testing.T) {
	file := filepath.Join(t.TempDir(), "elsewhere", "checkpoints.jsonl")
	s, owner := MustOwner(t, map[string]string{"GLOSS_AUDIT_CHECKPOINT_FILE": file})
	owner.ok(`mutation { resetApiToken { token } }`, nil)
	s.stop()
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file: %v, %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir, audit.CheckpointFileName)); err == nil {
		t.Fatal("checkpoints were written to the data dir too")
	}
	if out, err := auditVerify(t, s); err != nil || !strings.Contains(out, file) {
		t.Fatalf("verify with the file: %q, %v", out, err)
	}
	delete(s.env, "GLOSS_AUDIT_CHECKPOINT_FILE")
	if out, err := auditVerify(t, s); err == nil || !strings.Contains(err.Error(), "no audit checkpoint file") {
		t.Fatalf("verify without the file: %q, %v", out, err)
	}
}

// TestASignInWithStrayBytesInItsUserAgentIsAudited: a User-Agent that is not
// UTF-8 (HTTP lets any byte above 0x7f through) does not keep the failed and
// the successful sign-in out of the audit log. On PostgreSQL, which refuses
// such text, both events were lost, so a password could be guessed without
// a trace.
func TestASignInWithStrayBytesInItsUserAgentIsAudited(t *testing.T) {
	s, owner := MustOwner(t, nil)
	signIn := func(password string) *gqlResponse {
		b := s.browser(t)
		body, _ := json.Marshal(map[string]any{"query": loginMutation, "variables": loginVars(ownerEmail, password)})
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "probe \xff\xfe "+strings.Repeat("é", 300))
		return b.do(req)
	}
	if r := signIn("not the password"); len(r.Errors) == 0 {
		t.Fatalf("a wrong password signed in: %s", r.Raw)
	}
	if r := signIn(ownerPassword); len(r.Errors) != 0 {
		t.Fatalf("sign-in: %s", r.Raw)
	}
	events := owner.ok(`{ auditEvents(first: 20) { edges { node { action userAgent } } } }`, nil)
	seen := map[string]string{}
	for _, e := range path(events, "auditEvents", "edges").([]any) {
		seen[str(e, "node", "action")] = str(e, "node", "userAgent")
	}
	for _, action := range []string{"login.failed", "login.succeeded"} {
		if ua := seen[action]; !strings.HasPrefix(ua, "probe \uFFFD é") || len(ua) > 512 {
			t.Fatalf("no %s event with the cleaned user agent: %q", action, ua)
		}
	}
}

// TestAuditChainVerifiesAfterKill9: a real process is killed outright
// (SIGKILL: no shutdown, no last checkpoint) while four clients write
// audited changes at once; the chain it leaves verifies, its events
// since the last checkpoint reported as not covered yet.
func TestAuditChainVerifiesAfterKill9(t *testing.T) {
	token := "kill9-owner-token"
	r, env := ownedProcess(t, token, map[string]string{"GLOSS_SECRET_KEY": strings.Repeat("k1ll9-", 7)})
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			body := []byte(`{"query":"mutation { resetInviteLink { id } }"}`)
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, r.URL+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // killed
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					written.Add(1)
				}
			}
		})
	}
	// Past a checkpoint (every 100 events), then killed mid-writes.
	waitFor(t, "150 audited changes", func() bool { return written.Load() >= 150 })
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.done
	close(stop)
	wg.Wait()
	out, err := auditVerify(t, &testServer{DataDir: r.DataDir, env: env})
	if err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify after kill -9: %q, %v", out, err)
	}
	t.Log(out)
}

// TestAuditCheckpointFileTornByACrashStaysVerifiable: a crash (a power cut,
// a full disk) while a checkpoint line is written leaves it cut short at
// the end of the file, which verify passes over as the torn last line. The
// next start must not append after it: the torn line would then sit among
// whole ones, and verify would call the log broken. It is cut off at start
// instead, and said so in the log.
func TestAuditCheckpointFileTornByACrashStaysVerifiable(t *testing.T) {
	token := "torn-checkpoint-owner-token"
	s := MustStart(t, map[string]string{
		"LABEL_STUDIO_USERNAME": ownerEmail, "LABEL_STUDIO_PASSWORD": ownerPassword, "LABEL_STUDIO_USER_TOKEN": token,
	})
	s.tokenClient(t, token).ok(`mutation { resetInviteLink { id } }`, nil)
	s.stop()
	file := filepath.Join(s.DataDir, audit.CheckpointFileName)
	whole, err := os.ReadFile(file)
	if err != nil || len(whole) == 0 || whole[len(whole)-1] != '\n' {
		t.Fatalf("checkpoint file: %q, %v", whole, err)
	}
	torn := bytes.SplitAfter(whole, []byte("\n"))[0]
	torn = torn[:len(torn)/2] // the first half of a line, no newline
	if err := os.WriteFile(file, append(whole, torn...), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := auditVerify(t, s); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify with a torn last line: %q, %v", out, err)
	}

	again := mustStartIn(t, s.DataDir, s.env)
	again.tokenClient(t, token).ok(`mutation { resetInviteLink { id } }`, nil)
	again.stop()
	if !strings.Contains(again.Out.String(), "torn") {
		t.Errorf("the start did not say it cut a torn line:\n%s", again.Out.String())
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(after, whole) || bytes.Contains(after, append(torn, '{')) || bytes.Contains(after, append(torn, '\n')) {
		t.Fatalf("checkpoint file after the restart:\n%s", after)
	}
	if out, err := auditVerify(t, again); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify after a restart over a torn line: %q, %v", out, err)
	}
}

// TestStreamLogsHandOuts: the task the label stream hands an annotator is
// in the audit log (task.handed_out, by the annotator, naming the task; the
// generic event of the lock's bulk update named none) even when
// they never annotate it: an annotator reads the tasks they are handed.
// Then their submit is logged too.
func TestStreamLogsHandOuts(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "a"}, map[string]any{"text": "b"}}})
	me := idOf(t, tm.annotator)
	handedOut := func(task string) int {
		n := 0
		for _, e := range path(tm.owner.ok(auditQuery, map[string]any{"f": map[string]any{"action": "task.handed_out"}}), "auditEvents", "edges").([]any) {
			if str(e, "node", "targetId") == task && str(e, "node", "actorId") == me {
				n++
			}
		}
		return n
	}
	first := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	if handedOut(first) != 1 {
		t.Fatalf("handing out task %s is not in the audit log: %v", first, actions(t, tm.owner, nil))
	}
	result := []any{map[string]any{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []string{"Positive"}}}}
	ann := str(tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": first, "result": result}}), "createAnnotation", "id")
	second := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	if second == first || handedOut(second) != 1 {
		t.Fatalf("the second hand-out (task %s after %s) is not in the audit log once: %v", second, first, actions(t, tm.owner, nil))
	}
	e := path(tm.owner.ok(auditQuery, map[string]any{"f": map[string]any{"action": "annotation.create"}}), "auditEvents", "edges", 0, "node")
	if str(e, "targetId") != ann || str(e, "actorId") != me {
		t.Fatalf("the submit's event: %v", e)
	}
}
