package webhook_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gloss/ent"
	"gloss/ent/webhookdelivery"
	"gloss/internal/database"
	"gloss/internal/safehttp"
	"gloss/internal/secret"
	"gloss/internal/viewer"
	"gloss/internal/webhook"
)

// rig is a database with one organization, user and project, and a
// webhook service whose client may reach loopback (as GLOSS_OUTBOUND_ALLOW
// lets an operator allow).
type rig struct {
	db      *database.DB
	svc     *webhook.Service
	project *ent.Project
	log     *strings.Builder
}

func MustRig(tb testing.TB, allow string) *rig {
	tb.Helper()
	ctx := viewer.NewSystemContext(context.Background())
	dir := tb.TempDir()
	db, err := database.Open(ctx, freshDatabaseURL(tb), dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	key, err := secret.Load(dir, "")
	if err != nil {
		tb.Fatal(err)
	}
	o := safehttp.DefaultOptions()
	o.Allow, err = safehttp.ParseAllowlist(allow)
	if err != nil {
		tb.Fatal(err)
	}
	o.Timeout, o.MaxRedirects = webhook.Timeout, -1
	log := &strings.Builder{}
	r := &rig{db: db, log: log,
		svc: webhook.NewService(db.Client, key, safehttp.New(o), slog.New(slog.NewTextHandler(&lockedWriter{w: log}, nil)))}
	r.project = r.newProject(tb, "owner@example.com")
	return r
}

// newProject makes an organization whose owner (email) has a project, and
// returns the project.
func (r *rig) newProject(tb testing.TB, email string) *ent.Project {
	tb.Helper()
	ctx := viewer.NewSystemContext(context.Background())
	c := r.db.Client
	org := c.Organization.Create().SetTitle("Org").SaveX(ctx)
	u := c.User.Create().SetEmail(email).SetPasswordHash("x").SetActiveOrganizationID(org.ID).SaveX(ctx)
	// The webhooks' creator, in standing (webhook.Service.inStanding).
	c.Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).SetRole("OWNER").SaveX(ctx)
	return c.Project.Create().SetOrganizationID(org.ID).SetCreatedByID(u.ID).SetTitle("P").
		SetLabelConfig(`<View><Text name="text" value="$text"/></View>`).SaveX(ctx)
}

// elsewhere returns the rig with its project in another organization, of
// another owner: its hooks and events are that organization's.
func (r *rig) elsewhere(tb testing.TB, email string) *rig {
	tb.Helper()
	o := *r
	o.project = r.newProject(tb, email)
	return &o
}

// freshDatabaseURL returns "" (SQLite) unless DATABASE_URL names a
// PostgreSQL server, on which it makes a new database for the test.
func freshDatabaseURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return ""
	}
	conn, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	name := fmt.Sprintf("gloss_webhook_%d", time.Now().UnixNano())
	if _, err := conn.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if c, err := sql.Open("pgx", base); err == nil {
			_, _ = c.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			c.Close()
		}
	})
	u, err := neturl.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// hook makes a webhook of the rig's organization to url (as its owner
// would; the policy is tested elsewhere) and returns its secret.
func (r *rig) hook(tb testing.TB, url string) string {
	tb.Helper()
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: r.project.CreatedByID, OrgID: r.project.OrganizationID, Role: "OWNER"})
	_, token, err := r.svc.Create(ctx, webhook.Input{URL: &url, Events: []webhook.Event{webhook.ProjectUpdated}})
	if err != nil {
		tb.Fatalf("create webhook: %v", err)
	}
	return token
}

func (r *rig) emit(tb testing.TB) {
	tb.Helper()
	if err := webhook.Emit(context.Background(), r.db.Client, webhook.ProjectUpdated, r.project, nil); err != nil {
		tb.Fatal(err)
	}
}

func (r *rig) deliveries(tb testing.TB) []*ent.WebhookDelivery {
	tb.Helper()
	ds, err := r.db.Client.WebhookDelivery.Query().Order(webhookdelivery.ByID()).All(viewer.NewSystemContext(context.Background()))
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// fast are worker options for tests: retries due at once.
var fast = webhook.WorkerOptions{Backoff: time.Nanosecond, MaxAttempts: 3}

func TestRetriesUntilTheReceiverRecovers(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	var calls atomic.Int64
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		mu.Lock()
		bodies = append(bodies, req.Header.Get("X-Gloss-Signature")+" "+string(b))
		mu.Unlock()
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "upstream secret body")
			return
		}
	}))
	defer srv.Close()
	r.hook(t, srv.URL+"/hook")
	r.emit(t)

	w := r.svc.NewWorker(r.db.Dialect, fast)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		d := r.deliveries(t)[0]
		if d.Status != webhookdelivery.StatusPending || d.ResponseCode == nil || *d.ResponseCode != 503 || d.Attempts != i+1 {
			t.Fatalf("after failure %d: status %s code %v attempts %d", i+1, d.Status, d.ResponseCode, d.Attempts)
		}
		if strings.Contains(d.Error, "upstream") || d.Error == "" {
			t.Fatalf("error %q: want our words, not the receiver's", d.Error)
		}
	}
	// A restart: a new worker (another process) on the same database.
	w2 := r.svc.NewWorker(r.db.Dialect, fast)
	if _, err := w2.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	d := r.deliveries(t)[0]
	if d.Status != webhookdelivery.StatusDelivered || *d.ResponseCode != 200 || d.Attempts != 3 || d.FinishedAt == nil || d.Error != "" {
		t.Fatalf("after recovery: %+v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 || bodies[0] != bodies[1] && strings.SplitN(bodies[0], " ", 2)[1] != strings.SplitN(bodies[2], " ", 2)[1] {
		t.Errorf("the receiver got %d requests: %q", len(bodies), bodies)
	}
	// Nothing more to send.
	if n, _ := w2.RunOnce(ctx); n != 0 {
		t.Errorf("claimed %d after delivery", n)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	r.hook(t, srv.URL)
	r.emit(t)
	w := r.svc.NewWorker(r.db.Dialect, fast)
	for i := 0; i < 5; i++ {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	d := r.deliveries(t)[0]
	if d.Status != webhookdelivery.StatusFailed || d.Attempts != 3 || calls.Load() != 3 {
		t.Fatalf("status %s attempts %d calls %d; want FAILED after 3", d.Status, d.Attempts, calls.Load())
	}
}

// TestAClaimSurvivesACrash shows that a worker that dies after claiming
// (the lease taken, nothing sent) loses nothing: the delivery stays
// pending and is sent once its lease has run out.
func TestAClaimSurvivesACrash(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	r.hook(t, srv.URL)
	r.emit(t)
	ctx := viewer.NewSystemContext(context.Background())
	// What a claim does, by a worker that then dies.
	d := r.deliveries(t)[0]
	r.db.Client.WebhookDelivery.UpdateOne(d).SetNextAttemptAt(time.Now().Add(time.Hour)).AddAttempts(1).ExecX(ctx)
	w := r.svc.NewWorker(r.db.Dialect, fast)
	if n, _ := w.RunOnce(context.Background()); n != 0 || calls.Load() != 0 {
		t.Fatalf("a leased delivery was taken again at once (claimed %d, sent %d)", n, calls.Load())
	}
	// The lease runs out.
	r.db.Client.WebhookDelivery.UpdateOneID(d.ID).SetNextAttemptAt(time.Now().Add(-time.Second)).ExecX(ctx)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := r.deliveries(t)[0]; d.Status != webhookdelivery.StatusDelivered || calls.Load() != 1 {
		t.Fatalf("status %s, sent %d", d.Status, calls.Load())
	}
}

// TestRefusedReceiversGetNothing runs deliveries to receivers that the
// SSRF rules refuse, by address, by name and by redirect: each fails at
// once, for good, and no request arrives.
func TestRefusedReceiversGetNothing(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.Listener.Addr().String()[strings.LastIndexByte(srv.Listener.Addr().String(), ':'):]
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, srv.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	// Not allowlisted: loopback by address and by name. Saving refuses
	// them; a delivery to a row saved before (or changed behind the
	// API's back) is refused when it dials.
	r := MustRig(t, "")
	for _, u := range []string{srv.URL, "http://localhost" + port, "http://[::1]" + port, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://metadata.google.internal/"} {
		url := u
		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: r.project.CreatedByID, OrgID: r.project.OrganizationID, Role: "OWNER"})
		if _, _, err := r.svc.Create(ctx, webhook.Input{URL: &url, Events: []webhook.Event{webhook.ProjectUpdated}}); err == nil {
			t.Errorf("Create(%s) succeeded", u)
		}
	}

	// Allowlisted loopback, but the receiver redirects (to the allowed
	// address, even): webhooks follow no redirects.
	r2 := MustRig(t, "127.0.0.1")
	r2.hook(t, redirector.URL)
	r2.emit(t)
	if _, err := r2.svc.NewWorker(r2.db.Dialect, fast).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := r2.deliveries(t)[0]; d.Status != webhookdelivery.StatusFailed || !strings.Contains(d.Error, "redirect") {
		t.Errorf("redirect: status %s error %q; want FAILED for the redirect", d.Status, d.Error)
	}
	if hits.Load() != 0 {
		t.Errorf("the refused receiver got %d requests", hits.Load())
	}
}

// A worker with nothing due does not wait for the write lock: on SQLite a
// long write transaction (a big import) holds the one writer, and the
// worker's poll every second used to queue behind it for the writer. (On
// PostgreSQL the claim never waited, as it locks only rows that are due.)
func TestAnIdleWorkerTakesNoWriteLock(t *testing.T) {
	r := MustRig(t, "127.0.0.0/8")
	ctx := viewer.NewSystemContext(context.Background())
	tx, err := r.db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	w := r.svc.NewWorker(r.db.Dialect, fast)
	poll, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := w.RunOnce(poll)
	if err != nil || n != 0 {
		t.Fatalf("an idle poll beside an open write transaction: %d claimed, %v", n, err)
	}
	// Once something is due, the worker does claim it (after the writer is
	// free again).
	tx.Rollback()
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	defer srv.Close()
	r.hook(t, srv.URL)
	r.emit(t)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 || got.Load() != 1 {
		t.Fatalf("a due delivery: %d claimed, %d received, %v", n, got.Load(), err)
	}
}

// TestAStopDuringTheLastAttemptDoesNotFailTheDelivery: an attempt that the
// server's stop cut short got no answer from the receiver, so even when it
// was the last one allowed the delivery stays pending, due at once, and the
// next worker delivers it.
func TestAStopDuringTheLastAttemptDoesNotFailTheDelivery(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	var hold atomic.Bool
	hold.Store(true)
	arrived := make(chan struct{}, 1)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if hold.Load() {
			arrived <- struct{}{}
			select { // answers only once the sender gives up
			case <-req.Context().Done():
			case <-done:
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	defer close(done)
	r.hook(t, srv.URL)
	r.emit(t)
	sys := viewer.NewSystemContext(context.Background())
	// Two attempts failed before: the next is the last of fast's three.
	d := r.deliveries(t)[0]
	r.db.Client.WebhookDelivery.UpdateOne(d).SetAttempts(fast.MaxAttempts - 1).ExecX(sys)

	ctx, stop := context.WithCancel(context.Background())
	go func() { <-arrived; stop() }()
	w := r.svc.NewWorker(r.db.Dialect, fast)
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	d = r.deliveries(t)[0]
	if d.Status != webhookdelivery.StatusPending || d.NextAttemptAt.After(time.Now()) || d.FinishedAt != nil {
		t.Fatalf("after a last attempt cut by the stop: status %s, due %s, finished %v; want pending and due now",
			d.Status, d.NextAttemptAt, d.FinishedAt)
	}
	hold.Store(false)
	if _, err := r.svc.NewWorker(r.db.Dialect, fast).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d = r.deliveries(t)[0]; d.Status != webhookdelivery.StatusDelivered || d.ResponseCode == nil || *d.ResponseCode != http.StatusNoContent {
		t.Fatalf("after the restart: status %s, code %v; want delivered, 204", d.Status, d.ResponseCode)
	}
}

// TestALateRecordDoesNotOverwriteAnother: an attempt that outlived its
// claim (a stalled process) while another process claimed the delivery
// again and delivered it must not record its own outcome over the other's:
// the delivery stays DELIVERED, with the other's attempt.
func TestALateRecordDoesNotOverwriteAnother(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	ctx := viewer.NewSystemContext(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Meanwhile another process claimed the delivery again and
		// recorded it delivered.
		d := r.deliveries(t)[0]
		r.db.Client.WebhookDelivery.UpdateOne(d).AddAttempts(1).SetStatus(webhookdelivery.StatusDelivered).
			SetResponseCode(200).SetFinishedAt(time.Now()).ExecX(ctx)
		w.WriteHeader(http.StatusServiceUnavailable) // this attempt's own answer
	}))
	defer srv.Close()
	r.hook(t, srv.URL+"/hook")
	r.emit(t)
	if _, err := r.svc.NewWorker(r.db.Dialect, fast).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := r.deliveries(t)[0]
	if d.Status != webhookdelivery.StatusDelivered || d.Attempts != 2 || d.ResponseCode == nil || *d.ResponseCode != 200 || d.Error != "" {
		t.Fatalf("the late attempt's record overwrote the other's: status %s attempts %d code %v error %q", d.Status, d.Attempts, d.ResponseCode, d.Error)
	}
}

// A batch is sent at once, at most one delivery of each webhook: three
// webhooks to a receiver that answers only once all three requests are
// in are all delivered by one run (sent one after the other, each would
// have waited for the others in vain).
func TestABatchIsSentAtOnce(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	const n = 3
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.ReadAll(req.Body)
		arrived.Done()
		select {
		case <-all:
		case <-time.After(3 * time.Second):
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	for range n {
		r.hook(t, srv.URL+"/hook")
	}
	r.emit(t)
	if _, err := r.svc.NewWorker(r.db.Dialect, fast).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, d := range r.deliveries(t) {
		if d.Status != webhookdelivery.StatusDelivered {
			t.Fatalf("delivery %d: %s %q; want every one delivered by one run", d.ID, d.Status, d.Error)
		}
	}
}

// The deliveries of webhooks that answer go before those of webhooks
// whose attempts fail, however many of those are due: a manager's fifty
// webhooks to a receiver that never answers do not hold back an owner's.
func TestFailingReceiversWaitBehindAnsweringOnes(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	failing, answering, got := twoReceivers(t)
	const failers = 12 // more than a batch (10)
	for range failers {
		r.hook(t, failing.URL+"/hook")
	}
	r.hook(t, answering.URL+"/hook") // made last: its deliveries come last by id
	w := r.svc.NewWorker(r.db.Dialect, webhook.WorkerOptions{Backoff: time.Nanosecond, MaxAttempts: 100})
	ctx := context.Background()
	r.emit(t)
	for got.Load() == 0 {
		if n, err := w.RunOnce(ctx); err != nil || n == 0 {
			t.Fatalf("run: %d claimed, %v; the answering webhook got nothing", n, err)
		}
	}
	// Each failing webhook has failed once by now, and its delivery is
	// due again (at once) before the next event's.
	r.emit(t)
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 2 {
		t.Fatalf("the answering webhook got %d events after one more run; want the second event at once", got.Load())
	}
}

// One webhook's backlog is sent one delivery after another without
// waiting for the next poll: a batch takes one delivery of each webhook,
// and the worker claims again at once while it passed some over.
func TestAWebhooksBacklogIsSentAtOnce(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { got.Add(1) }))
	defer srv.Close()
	r.hook(t, srv.URL+"/hook")
	const n = 25
	for range n {
		r.emit(t)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.svc.NewWorker(r.db.Dialect, webhook.WorkerOptions{Poll: time.Hour}).Run(ctx)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for got.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if got.Load() != n {
		t.Fatalf("%d of %d deliveries sent before the next poll", got.Load(), n)
	}
}

// An answering webhook's delivery is claimed however many deliveries to
// failing webhooks are due before it: more than a claim reads in their
// due order.
func TestAnAnsweringWebhookIsNotBehindABacklog(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	failing, answering, got := twoReceivers(t)
	r.hook(t, failing.URL+"/hook")
	w := r.svc.NewWorker(r.db.Dialect, webhook.WorkerOptions{Backoff: time.Nanosecond, MaxAttempts: 100, Batch: 2})
	ctx := context.Background()
	r.emit(t)
	if _, err := w.RunOnce(ctx); err != nil { // the failing webhook fails once
		t.Fatal(err)
	}
	for range 20 { // a backlog longer than a claim reads (2 × 4)
		r.emit(t)
	}
	r.hook(t, answering.URL+"/hook")
	r.emit(t)
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 1 {
		t.Fatalf("the answering webhook got %d events after one run; want its event at once", got.Load())
	}
}

// twoReceivers starts a receiver that always answers 503 and one that
// answers 200 and counts what it got; both close with the test.
func twoReceivers(t *testing.T) (failing, answering *httptest.Server, got *atomic.Int64) {
	got = new(atomic.Int64)
	failing = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	answering = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { got.Add(1) }))
	t.Cleanup(answering.Close)
	return failing, answering, got
}

// A slow receiver holds its own sends, not another organization's: a
// manager's eight webhooks to a receiver that answers only when the test
// lets it, and another organization's webhook to one that answers at once,
// whose delivery goes out while the eight are still waiting. When a batch
// was sent and waited for as a whole, it went out only once they answered.
func TestSlowReceiversHoldOnlyTheirOwnSends(t *testing.T) {
	r := MustRig(t, "127.0.0.1")
	let := make(chan struct{})
	var arrived atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.ReadAll(req.Body)
		arrived.Add(1)
		select {
		case <-let:
		case <-time.After(webhook.Timeout):
		}
	}))
	defer slow.Close()
	defer close(let)
	quick := make(chan struct{}, 1)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case quick <- struct{}{}:
		default:
		}
	}))
	defer fast.Close()
	for range 20 { // more than a claim reads beside the eight in flight
		r.hook(t, slow.URL+"/hook")
	}
	r.emit(t)
	other := r.elsewhere(t, "other@example.com")
	other.hook(t, fast.URL+"/hook")

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.svc.NewWorker(r.db.Dialect, webhook.WorkerOptions{Poll: 10 * time.Millisecond}).Run(ctx)
	}()
	// The slow organization takes its share of the sends, and no more.
	for deadline := time.Now().Add(webhook.Timeout / 2); arrived.Load() < 8 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := arrived.Load(); n != 8 {
		t.Errorf("%d slow sends in flight, want 8 (one organization's share of 10)", n)
	}
	// Another organization's event, due after the twelve of the slow one
	// still waiting: more than a claim for two free sends reads.
	other.emit(t)
	select {
	case <-quick:
	case <-time.After(webhook.Timeout / 2):
		t.Fatalf("the other organization's delivery did not go out while %d slow sends waited", arrived.Load())
	}
	stop()
	<-done
}
