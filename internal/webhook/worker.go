package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/predicate"
	hook "gloss/ent/webhook"
	"gloss/ent/webhookdelivery"
	"gloss/internal/audit"
	"gloss/internal/safehttp"
	"gloss/internal/viewer"
)

// Delivery limits. A receiver has Timeout to answer; a failed delivery is
// tried MaxAttempts times in all, the n-th retry Backoff·2^(n-1) after the
// previous attempt (capped at MaxBackoff): with the defaults, the last
// attempt comes about 5.7 hours after the first.
const (
	Timeout     = 10 * time.Second
	MaxAttempts = 12
	Backoff     = 10 * time.Second
	MaxBackoff  = 6 * time.Hour
)

// Worker options; zero fields take the defaults above. Tests shorten them.
type WorkerOptions struct {
	Poll        time.Duration // how often due deliveries are looked for; default 1 s
	Backoff     time.Duration
	MaxAttempts int
	Batch       int // deliveries claimed at once; default 10
}

// Worker sends due deliveries. Every process runs one; they share the work
// through the database: a delivery is claimed by moving its next attempt
// past the time its send may take (a lease), under FOR UPDATE SKIP LOCKED on
// PostgreSQL and the single writer on SQLite, so two workers never send one
// attempt and a process that dies mid-send leaves the delivery to be
// retried when the lease ends.
//
// A worker has Batch sends in flight at most, at most one of each webhook
// and at most orgShare of one organization's, and claims again as soon as
// one ends: a receiver that answers slowly holds its own send, not the
// others' (when a batch was sent and waited for as a whole, a manager's
// webhooks to a receiver answering in 9 s held every organization's
// deliveries back 9 s a batch).
type Worker struct {
	svc     *Service
	dialect string
	opts    WorkerOptions

	mu    sync.Mutex
	hooks map[int]bool // webhooks with a send in flight
	orgs  map[int]int  // sends in flight by organization
	sends int          // sends in flight
	wake  chan struct{}
}

// NewWorker returns the Worker of s on a database of dialect.
func (s *Service) NewWorker(dialectName string, o WorkerOptions) *Worker {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = Backoff
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = MaxAttempts
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	return &Worker{svc: s, dialect: dialectName, opts: o, hooks: map[int]bool{}, orgs: map[int]int{}, wake: make(chan struct{}, 1)}
}

// orgShare is how many of a worker's sends one organization may have in
// flight: all but two of them, so that another organization's deliveries
// go out beside its slow receivers (with one organization, which is most
// installations, it may use nearly all).
func (w *Worker) orgShare() int { return max(1, w.opts.Batch-2) }

// Run sends deliveries until ctx ends, then waits for the sends in flight
// (each records its outcome: see send). Beside, it empties the payloads
// that an earlier release kept of finished deliveries (emptyFinished).
func (w *Worker) Run(ctx context.Context) {
	go func() {
		if err := w.emptyFinished(ctx); err != nil && ctx.Err() == nil {
			w.svc.log.Error("webhook deliveries: empty the payloads of finished deliveries", slog.Any("error", err))
		}
	}()
	logErr := func(err error) {
		if err != nil && ctx.Err() == nil {
			w.svc.log.Error("webhook deliveries", slog.Any("error", err))
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(w.opts.Poll)
	defer t.Stop()
	for {
		n, more, err := w.start(ctx, &wg, logErr)
		logErr(err)
		if n > 0 && more && err == nil {
			continue // more are due: claim again at once, for the free sends
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake: // a send ended: its place is free
		}
	}
}

// RunOnce claims the deliveries that are due, as many as the worker has
// free sends, at most one of each webhook, sends them at once and waits for
// them. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	n, _, err := w.start(ctx, &wg, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	})
	wg.Wait()
	return n, errors.Join(append(errs, err)...)
}

// start claims due deliveries for the worker's free sends and starts their
// sends on wg, each reporting its error to report; it says how many it
// claimed and whether more may be due now (the claim passed some over).
func (w *Worker) start(ctx context.Context, wg *sync.WaitGroup, report func(error)) (int, bool, error) {
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	w.mu.Lock()
	free := w.opts.Batch - w.sends
	busy := make([]int, 0, len(w.hooks))
	for id := range w.hooks {
		busy = append(busy, id)
	}
	orgs := maps.Clone(w.orgs)
	w.mu.Unlock()
	if free <= 0 {
		return 0, false, nil
	}
	claimed, more, err := w.claim(sys, free, busy, orgs)
	if err != nil {
		return 0, false, err
	}
	if ctx.Err() != nil {
		// The server is stopping: what was claimed is handed back, due
		// now, rather than left claimed until its lease ends.
		return len(claimed), false, w.release(sys, claimed)
	}
	for _, d := range claimed {
		w.mu.Lock()
		w.hooks[d.WebhookID] = true
		w.orgs[d.OrganizationID]++
		w.sends++
		w.mu.Unlock()
		// One delivery's failure to be read or recorded does not leave
		// the rest claimed until the lease ends: each is tried.
		wg.Go(func() {
			if err := w.send(sys, d); err != nil {
				report(err)
			}
			w.mu.Lock()
			delete(w.hooks, d.WebhookID)
			if w.orgs[d.OrganizationID]--; w.orgs[d.OrganizationID] == 0 {
				delete(w.orgs, d.OrganizationID)
			}
			w.sends--
			w.mu.Unlock()
			select {
			case w.wake <- struct{}{}:
			default:
			}
		})
	}
	return len(claimed), more, nil
}

// emptyFinished empties the payloads of the finished deliveries that
// still hold one (send empties them since), a thousand at a time by id, so
// that a long log does not hold the write lock; once none is left it reads
// the log once and writes nothing.
func (w *Worker) emptyFinished(ctx context.Context) error {
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	client := w.svc.client
	held := func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("length(").Ident(s.C(webhookdelivery.FieldPayload)).WriteString(") > 0")
		}))
	}
	for after := 0; ; {
		ids, err := client.WebhookDelivery.Query().
			Where(webhookdelivery.IDGT(after), webhookdelivery.StatusNEQ(webhookdelivery.StatusPending), held).
			Order(ent.Asc(webhookdelivery.FieldID)).Limit(1000).IDs(sys)
		if err != nil || len(ids) == 0 {
			return err
		}
		// Judged again: a delivery is finished for good.
		if _, err := client.WebhookDelivery.Update().Where(webhookdelivery.IDIn(ids...),
			webhookdelivery.StatusNEQ(webhookdelivery.StatusPending)).SetPayload([]byte{}).Save(sys); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// lease is how long a claimed delivery is held before another worker may
// try it: longer than any send.
const lease = Timeout + 50*time.Second

// release hands claimed deliveries that were not tried back: due now, the
// claim's attempt not counted.
func (w *Worker) release(ctx context.Context, ds []*ent.WebhookDelivery) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := time.Now()
	for _, d := range ds {
		// Only while still this claim's, as send records: another process
		// may have claimed it since (a stall past the lease).
		_, err := w.svc.client.WebhookDelivery.UpdateOne(d).Where(webhookdelivery.Attempts(d.Attempts)).
			SetNextAttemptAt(now).AddAttempts(-1).Save(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// recordTimeout bounds the writes that record an attempt, or hand back a
// claim, once the server is stopping (which waits for them).
const recordTimeout = 5 * time.Second

// claim claims at most n due deliveries, at most one of each webhook and
// none of the webhooks busy (a send of theirs is in flight), and keeps each
// organization to orgShare sends with those in flight (inFlight, by
// organization): of the first due (in the order of an index), those of
// webhooks that answer first, then those of webhooks whose last attempts
// failed. more reports whether it passed some due ones over.
func (w *Worker) claim(ctx context.Context, n int, busy []int, inFlight map[int]int) (ds []*ent.WebhookDelivery, more bool, err error) {
	now := time.Now()
	due := []predicate.WebhookDelivery{webhookdelivery.StatusEQ(webhookdelivery.StatusPending), webhookdelivery.NextAttemptAtLTE(now)}
	if len(busy) > 0 {
		due = append(due, webhookdelivery.WebhookIDNotIn(busy...))
	}
	// Organizations at their share are left out of the read itself: passed
	// over after it, a backlog of theirs filled the few rows a claim for
	// two free sends reads, and another organization's delivery behind it
	// waited for their slow receivers after all.
	var full []int
	for org, n := range inFlight {
		if n >= w.orgShare() {
			full = append(full, org)
		}
	}
	if len(full) > 0 {
		due = append(due, webhookdelivery.OrganizationIDNotIn(full...))
	}
	// A plain read first (an index seek): a worker with nothing due, which
	// is every second of most days, takes no write lock (SQLite's one
	// writer, which submits queue for) and no row locks.
	if found, err := w.svc.client.WebhookDelivery.Query().Where(due...).Exist(ctx); err != nil || !found {
		return nil, false, err
	}
	tx, err := w.svc.client.Tx(ctx)
	if err != nil {
		return nil, false, err
	}
	// claim reads, and locks on PostgreSQL past rows another claim holds,
	// the first limit due deliveries that match where, in due order.
	claim := func(limit int, where ...predicate.WebhookDelivery) ([]*ent.WebhookDelivery, error) {
		q := tx.WebhookDelivery.Query().Where(due...).Where(where...).
			Order(webhookdelivery.ByNextAttemptAt(), webhookdelivery.ByID()).Limit(limit)
		if w.dialect == dialect.Postgres {
			q.ForUpdate(sql.WithLockAction(sql.SkipLocked))
		}
		return q.All(ctx)
	}
	limit := n * claimRead
	read, err := claim(limit)
	if err != nil {
		_ = tx.Rollback()
		return nil, false, err
	}
	// And the first due of webhooks that answer, wherever they stand: a
	// backlog to failing webhooks may fill the first due, and answering
	// ones must not wait behind it.
	answering, err := claim(n, webhookdelivery.HasWebhookWith(hook.Failures(0)))
	if err != nil {
		_ = tx.Rollback()
		return nil, false, err
	}
	window := len(read)
	read = append(answering, read...)
	var hooks []int
	for _, d := range read {
		if !slices.Contains(hooks, d.WebhookID) {
			hooks = append(hooks, d.WebhookID)
		}
	}
	failing, err := tx.Webhook.Query().Where(hook.IDIn(hooks...), hook.FailuresGT(0)).IDs(ctx)
	if err != nil {
		_ = tx.Rollback()
		return nil, false, err
	}
	taken := map[int]bool{} // by webhook
	orgs := maps.Clone(inFlight)
	if orgs == nil {
		orgs = map[int]int{}
	}
	for _, answering := range []bool{true, false} {
		for _, d := range read {
			if len(ds) < n && !taken[d.WebhookID] && orgs[d.OrganizationID] < w.orgShare() && slices.Contains(failing, d.WebhookID) != answering {
				taken[d.WebhookID] = true
				orgs[d.OrganizationID]++
				ds = append(ds, d)
			}
		}
	}
	for _, d := range ds {
		// The batch is sent at once: each claim lasts the lease.
		if err := tx.WebhookDelivery.UpdateOne(d).SetNextAttemptAt(now.Add(lease)).AddAttempts(1).Exec(ctx); err != nil {
			_ = tx.Rollback()
			return nil, false, err
		}
		d.Attempts++
	}
	// More are due when some read were passed over (a delivery read by
	// both reads counts twice: at worst one more claim finds nothing).
	return ds, len(read) > len(ds) || window == limit, tx.Commit()
}

// claimRead is how many due deliveries a claim reads for each it may
// take, to find ones of different webhooks.
const claimRead = 4

// send makes one attempt at d and records its outcome.
func (w *Worker) send(ctx context.Context, d *ent.WebhookDelivery) error {
	client := w.svc.client
	// The attempt's reads and its record run to the end even when the
	// server is stopping, which waits for them: left unrecorded, the
	// delivery would stay claimed until its lease ends (a minute) instead
	// of being retried after its backoff. Each has recordTimeout of its
	// own: the record's starts after the receiver answered, which may take
	// up to Timeout (with one deadline for both, an answer after 5 s went
	// unrecorded and the delivery was sent again a minute later).
	read, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	h, err := client.Webhook.Get(read, d.WebhookID)
	if ent.IsNotFound(err) {
		return nil // deleted meanwhile: its deliveries went with it
	} else if err != nil {
		return err
	}
	u := client.WebhookDelivery.UpdateOne(d)
	code, failure, permanent := 0, "", false
	standing, err := w.svc.inStanding(read, h)
	if err != nil {
		return err
	}
	switch {
	case !h.Active:
		failure, permanent = "the webhook is inactive", true
	case !standing:
		failure, permanent = errNoStanding, true
	default:
		code, failure, permanent = w.post(ctx, h, d)
	}
	if code != 0 {
		u.SetResponseCode(code)
	}
	now := time.Now()
	stopped := code == 0 && !permanent && ctx.Err() != nil // no answer: the server stopped while the attempt was made
	switch {
	case failure == "":
		u.SetStatus(webhookdelivery.StatusDelivered).SetError("").SetFinishedAt(now).SetPayload([]byte{})
	case stopped:
		// Cut short by the stop, not refused by the receiver: due again
		// at once, for this server once restarted or for another one,
		// even after the last attempt allowed (which got no answer).
		u.SetError("the server stopped during the attempt").SetNextAttemptAt(now)
	case permanent || d.Attempts >= w.opts.MaxAttempts:
		u.SetStatus(webhookdelivery.StatusFailed).SetError(failure).SetFinishedAt(now).SetPayload([]byte{})
	default:
		u.SetError(failure).SetNextAttemptAt(now.Add(w.backoff(d.Attempts)))
	}
	if failure != "" {
		w.svc.log.Warn("webhook delivery failed", slog.Int("webhook", h.ID), slog.Int("delivery", d.ID),
			slog.Int("attempt", d.Attempts), slog.String("error", failure))
	}
	record, cancelRecord := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancelRecord()
	// Recorded only while the delivery is still this attempt's: after a
	// stall past the claim's lease another process may have claimed it
	// again (counting an attempt) and recorded its own outcome, which this
	// one must not overwrite. A delivery deleted meanwhile (with its
	// webhook or project) has nothing to record.
	_, err = u.Where(webhookdelivery.Attempts(d.Attempts)).Save(record)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// The webhook's record of failures in a row, which orders the claims:
	// the worker's bookkeeping, not a change to the webhook (its
	// updated_at stays).
	if failure == "" && h.Failures == 0 {
		return nil
	}
	hu := client.Webhook.Update().Where(hook.ID(h.ID)).Modify(func(u *sql.UpdateBuilder) {
		u.Set(hook.FieldUpdatedAt, sql.ExprFunc(func(b *sql.Builder) { b.Ident(hook.FieldUpdatedAt) }))
	})
	if failure == "" {
		hu.SetFailures(0)
	} else {
		hu.AddFailures(1)
	}
	_, err = hu.Save(record)
	return err
}

// backoff is the wait after the attempt-th attempt failed.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.opts.Backoff << min(attempt-1, 20)
	return min(d, MaxBackoff)
}

// post sends d to h. It returns the status code (0 when no answer came),
// a short reason in Gloss's words when the attempt failed, and whether
// retrying cannot help (the URL is refused by policy).
func (w *Worker) post(ctx context.Context, h *ent.Webhook, d *ent.WebhookDelivery) (int, string, bool) {
	key, err := w.svc.sealer.Open(h.SecretSealed, bind(h.OrganizationID))
	if err != nil {
		return 0, "the webhook's secret cannot be read (was the server secret changed?)", true
	}
	headers, err := w.svc.openHeaders(h)
	if err != nil {
		return 0, "the webhook's headers cannot be read (was the server secret changed?)", true
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, "invalid URL", true
	}
	for _, hd := range headers {
		req.Header.Set(hd.Name, hd.Value)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gloss-Event", d.Event)
	req.Header.Set("X-Gloss-Delivery", strconv.Itoa(d.ID))
	req.Header.Set("X-Gloss-Timestamp", ts)
	req.Header.Set("X-Gloss-Signature", "sha256="+Sign(key, ts, d.Payload))
	resp, err := w.svc.http.Do(req)
	if err != nil {
		var e *safehttp.Error
		if errors.As(err, &e) {
			return e.Status, e.Msg, e.Kind == safehttp.KindBlocked
		}
		return 0, "request failed", false
	}
	resp.Body.Close() // never read: nothing of the answer is kept but its status
	return resp.Status, "", false
}

// Sign returns the hex HMAC-SHA256 of "<timestamp>.<body>" under secret,
// the value of X-Gloss-Signature after "sha256=". Receivers compute the
// same and compare in constant time, and refuse old timestamps.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
