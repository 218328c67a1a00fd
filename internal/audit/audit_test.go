package audit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"gloss/ent"
	"gloss/ent/auditevent"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

var sys = viewer.NewSystemContext(context.Background())

// backend is one database the tests run on: SQLite always, PostgreSQL too
// when DATABASE_URL is set. open opens another client on the same database,
// as a second process would.
type backend struct {
	name string
	open func(t *testing.T) *database.DB
}

func backends(t *testing.T) []backend {
	dir := t.TempDir()
	bs := []backend{{"sqlite", func(t *testing.T) *database.DB { return mustOpen(t, "", dir) }}}
	if os.Getenv("DATABASE_URL") != "" {
		var once sync.Once
		var u string
		bs = append(bs, backend{"postgres", func(t *testing.T) *database.DB {
			once.Do(func() { u = freshDatabaseURL(t) })
			return mustOpen(t, u, t.TempDir())
		}})
	}
	return bs
}

// each runs f on every backend, each with a fresh database.
func each(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

func mustOpen(t *testing.T, url, dir string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// freshDatabaseURL returns the URL of a new empty PostgreSQL database,
// dropped when the test ends.
func freshDatabaseURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("DATABASE_URL is set but PostgreSQL cannot be reached (%v)", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "gloss_audit_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

func mustKey(t *testing.T, s string) secret.Key {
	t.Helper()
	k, err := secret.Load(t.TempDir(), strings.Repeat(s, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is one database with a started log writing checkpoints to file.
type fixture struct {
	db   *database.DB
	key  secret.Key
	file string
	log  *audit.Log
}

func newFixture(t *testing.T, b backend) *fixture {
	t.Helper()
	f := &fixture{db: b.open(t), key: mustKey(t, "k"), file: filepath.Join(t.TempDir(), "checkpoints.jsonl")}
	f.log = f.newLog()
	return f
}

func (f *fixture) newLog() *audit.Log {
	return audit.NewLog(f.db.Client, f.db.Dialect, f.key, audit.Options{CheckpointFile: f.file})
}

func (f *fixture) record(t *testing.T, actions ...string) {
	t.Helper()
	for _, a := range actions {
		if err := f.log.Record(sys, audit.Event{Action: a, TargetType: "Thing", Details: map[string]any{"n": 1.5, "s": "x"}}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) checkpoint(t *testing.T) {
	t.Helper()
	if err := f.log.Checkpoint(sys); err != nil {
		t.Fatal(err)
	}
}

// verify runs Verify with a fresh Log, as `gloss audit verify` does.
func (f *fixture) verify() (audit.Report, error) { return f.newLog().Verify(sys) }

func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if f.db.Dialect != "postgres" {
		query = strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(query)
	}
	if _, err := f.db.SQL.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	n, err := f.db.Client.AuditEvent.Query().Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustIntact(t *testing.T, f *fixture, events int) audit.Report {
	t.Helper()
	r, err := f.verify()
	if err != nil {
		t.Fatalf("verify an intact log: %v", err)
	}
	if r.Events != events {
		t.Fatalf("verify counted %d events, want %d: %s", r.Events, events, r)
	}
	return r
}

func mustBroken(t *testing.T, f *fixture, want string) {
	t.Helper()
	before := f.count(t)
	_, err := f.verify()
	if !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), want) {
		t.Fatalf("verify = %v, want a break mentioning %q", err, want)
	}
	if after := f.count(t); after != before {
		t.Fatalf("verify changed the log: %d events, then %d", before, after)
	}
}

func TestChain(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two", "three")
		f.checkpoint(t)
		r := mustIntact(t, f, 3)
		if r.LastSeq != 3 || r.Newest == nil || r.Newest.Seq != 3 || !strings.Contains(r.String(), "checkpoint") {
			t.Fatalf("report: %+v", r)
		}
		// A reader without the system viewer cannot write or read events
		// or checkpoints.
		user := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 9, OrgID: 1})
		if err := f.db.Client.AuditEvent.Create().SetAction("forged").SetPrevHash(nil).SetHash(nil).Exec(context.Background()); err == nil {
			t.Fatal("an event was written without the system viewer")
		}
		if _, err := f.db.Client.AuditEvent.Query().All(user); err == nil {
			t.Fatal("an annotator read the audit log")
		}
		if err := f.db.Client.AuditCheckpoint.Create().SetSeq(99).SetHead(nil).SetMAC(nil).Exec(user); err == nil {
			t.Fatal("a user wrote a checkpoint")
		}
		if _, err := f.db.Client.AuditCheckpoint.Query().All(user); err == nil {
			t.Fatal("a user read the checkpoints")
		}
	})
}

// Events recorded in a transaction join the chain as it commits, in the
// order recorded; a rolled-back transaction leaves none; an event recorded
// in a transaction that has ended is refused, not dropped.
func TestEventsJoinTheChainAtCommit(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "before")
		inTx := func(actions ...string) (*ent.Tx, context.Context) {
			tx, err := f.db.Client.Tx(sys)
			if err != nil {
				t.Fatal(err)
			}
			ctx := ent.NewTxContext(sys, tx)
			for _, a := range actions {
				if err := f.log.Record(ctx, audit.Event{Action: a, TargetType: "Thing"}); err != nil {
					t.Fatal(err)
				}
			}
			return tx, ctx
		}
		count := func() int {
			n, err := f.db.Client.AuditEvent.Query().Count(sys)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		rolled, rctx := inTx("dropped.one", "dropped.two")
		if err := rolled.Rollback(); err != nil {
			t.Fatal(err)
		}
		kept, kctx := inTx("kept.one", "kept.two")
		if n := count(); n != 1 {
			t.Fatalf("before the commit the log holds %d events; want 1", n)
		}
		if err := kept.Commit(); err != nil {
			t.Fatal(err)
		}
		for name, ctx := range map[string]context.Context{"committed": kctx, "rolled back": rctx} {
			if err := f.log.Record(ctx, audit.Event{Action: "late", TargetType: "Thing"}); !errors.Is(err, database.ErrTxEnded) {
				t.Fatalf("an event recorded in a %s transaction: %v; want ErrTxEnded", name, err)
			}
		}
		events, err := f.db.Client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldSeq)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Action)
		}
		if strings.Join(got, " ") != "before kept.one kept.two" {
			t.Fatalf("the chain holds %v; want [before kept.one kept.two]", got)
		}
		f.checkpoint(t)
		mustIntact(t, f, 3)
	})
}

func TestCuttingTheNewestEventsIsCaught(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two", "three", "four", "five")
		f.checkpoint(t)
		mustIntact(t, f, 5)
		f.exec(t, "DELETE FROM audit_events WHERE seq >= 4")
		mustBroken(t, f, "the newest events were removed")
		// Removing the newest checkpoints from the database too does not
		// help: the file still has them.
		f.exec(t, "DELETE FROM audit_checkpoints")
		mustBroken(t, f, "the newest events were removed")
		// Nor does appending forged events to make up the count: without
		// the server's key they cannot be signed.
		rows := f.db.Client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldSeq)).AllX(sys)
		prev := rows[len(rows)-1].Hash
		for seq := int64(4); seq <= 5; seq++ {
			e := &ent.AuditEvent{CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Action: "nothing.happened", Seq: &seq, PrevHash: prev}
			e.Hash = audit.LegacyHash(e)
			f.db.Client.AuditEvent.Create().SetCreatedAt(e.CreatedAt).SetAction(e.Action).SetSeq(seq).
				SetPrevHash(e.PrevHash).SetHash(e.Hash).ExecX(sys)
			prev = e.Hash
		}
		mustBroken(t, f, "does not match its MAC")
		// Without the file, verify refuses to call the log intact.
		if err := os.Remove(f.file); err != nil {
			t.Fatal(err)
		}
		if _, err := f.verify(); err == nil || !strings.Contains(err.Error(), "no audit checkpoint file") {
			t.Fatalf("verify without the checkpoint file: %v", err)
		}
	})
}

func TestTheServerNoticesACutTail(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two", "three")
		f.checkpoint(t)
		f.exec(t, "DELETE FROM audit_events WHERE seq = 3")
		if err := f.log.Checkpoint(sys); !errors.Is(err, audit.ErrBroken) {
			t.Fatalf("checkpoint after a cut: %v", err)
		}
		// Events appended after the cut take its places, but not its MACs.
		f.record(t, "three again")
		f.checkpoint(t)
		mustBroken(t, f, "checkpoint")
	})
}

func TestCuttingTheOldestEventsIsCaught(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two", "three", "four")
		f.checkpoint(t)
		f.exec(t, "DELETE FROM audit_events WHERE seq <= 2")
		mustBroken(t, f, "the oldest events were removed")
	})
}

func TestCuttingTheMiddleIsCaught(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two", "three", "four")
		f.checkpoint(t)
		f.exec(t, "DELETE FROM audit_events WHERE seq = 2")
		mustBroken(t, f, "events were removed or reordered")
	})
}

func TestPruneByRetentionStaysIntact(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "old", "old", "old", "old")
		if n, err := f.log.Prune(sys, 0); n != 0 || err != nil {
			t.Fatalf("retention 0 pruned: %d, %v", n, err)
		}
		// A day later, the four are past a retention of one hour.
		f.log.SetClock(func() time.Time { return time.Now().Add(24 * time.Hour) })
		f.record(t, "new")
		f.log.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
		f.checkpoint(t)
		removed, err := f.log.Prune(sys, time.Hour)
		if err != nil || removed != 5 {
			t.Fatalf("prune = %d, %v", removed, err)
		}
		f.record(t, "after")
		f.checkpoint(t)
		r := mustIntact(t, f, 2) // audit.pruned and "after"
		if r.FirstSeq != 6 || r.LastSeq != 7 {
			t.Fatalf("report after prune: %+v", r)
		}
		marker, err := f.db.Client.AuditEvent.Query().Where(auditevent.Action(audit.ActionPruned)).Only(sys)
		if err != nil || marker.Details["removed"] != float64(5) || marker.Details["through_seq"] != float64(5) {
			t.Fatalf("prune event: %+v, %v", marker, err)
		}
		// A prune that keeps recent events cuts exactly before them.
		f.log.SetClock(time.Now)
		if n, err := f.log.Prune(sys, time.Hour); n != 0 || err != nil {
			t.Fatalf("prune of fresh events: %d, %v", n, err)
		}
		// The marker accounts for exactly the pruned events: removing one
		// more from the head is caught.
		f.exec(t, "DELETE FROM audit_events WHERE seq = 6")
		mustBroken(t, f, "the oldest events were removed")
	})
}

func TestPruneKeepsNewerEvents(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "a", "b", "c")
		// The clock of retention stands a day ahead, but the cut is made
		// before the first event that is not old enough: none here.
		removed, err := f.log.Prune(sys, 48*time.Hour)
		if err != nil || removed != 0 {
			t.Fatalf("prune = %d, %v", removed, err)
		}
		f.checkpoint(t)
		mustIntact(t, f, 3)
	})
}

func TestRecomputedChainIsCaught(t *testing.T) {
	for _, how := range []string{"sha256", "wrong key"} {
		t.Run(how, func(t *testing.T) {
			each(t, func(t *testing.T, b backend) {
				f := newFixture(t, b)
				f.record(t, "one", "two", "three", "four")
				f.checkpoint(t)
				wrong := mustKey(t, "w")
				// Edit event 2, then recompute every hash and link from
				// the start, as an insider with the database can.
				f.exec(t, "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2")
				rows := f.db.Client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldSeq)).AllX(sys)
				prev := []byte{}
				for _, e := range rows {
					e.PrevHash = prev
					if how == "sha256" {
						e.Hash = audit.LegacyHash(e)
					} else {
						e.Hash = audit.SignWith(wrong, e)
					}
					f.exec(t, "UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3", e.PrevHash, e.Hash, e.ID)
					prev = e.Hash
				}
				// ...and the checkpoints in the database too.
				f.exec(t, "DELETE FROM audit_checkpoints")
				mustBroken(t, f, "does not match its MAC")
				if got := f.db.Client.AuditEvent.Query().Where(auditevent.Seq(2)).OnlyX(sys); got.Action != "nothing.happened" {
					t.Fatal("the edit did not happen")
				}
			})
		})
	}
}

func TestLegacyChainIsSealed(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		// Rows as the earlier release wrote them: an unkeyed SHA-256 chain,
		// no seq.
		prev := []byte{}
		for _, a := range []string{"user.create", "login.failed", "project.create"} {
			e := &ent.AuditEvent{CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Action: a, PrevHash: prev,
				Details: map[string]any{"email": "a@b.test"}}
			e.Hash = audit.LegacyHash(e)
			f.db.Client.AuditEvent.Create().SetCreatedAt(e.CreatedAt).SetAction(a).SetDetails(e.Details).
				SetPrevHash(e.PrevHash).SetHash(e.Hash).ExecX(sys)
			prev = e.Hash
		}
		if r := mustIntact(t, f, 3); !r.Unsealed {
			t.Fatalf("an unsealed log: %s", r)
		}
		if err := f.log.Start(sys, nil); err != nil {
			t.Fatal(err)
		}
		f.record(t, "after.upgrade")
		if err := f.log.Stop(); err != nil {
			t.Fatal(err)
		}
		r := mustIntact(t, f, 5) // three old, the seal, one new
		if r.Legacy != 3 || r.Unsealed {
			t.Fatalf("report: %s", r)
		}
		// A second start seals nothing again.
		if err := f.log.Start(sys, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.log.Stop(); err != nil {
			t.Fatal(err)
		}
		mustIntact(t, f, 5)

		// An old row edited, and the old chain recomputed: the seal pins
		// its head.
		f.exec(t, "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2")
		rows := f.db.Client.AuditEvent.Query().Where(auditevent.SeqLTE(3)).Order(ent.Asc(auditevent.FieldSeq)).AllX(sys)
		prev = rows[0].PrevHash
		for _, e := range rows {
			e.PrevHash = prev
			e.Hash = audit.LegacyHash(e)
			f.exec(t, "UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3", e.PrevHash, e.Hash, e.ID)
			prev = e.Hash
		}
		mustBroken(t, f, "does not follow")
	})
}

func TestLegacyHeadCutIsCaught(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		prev := []byte{}
		for _, a := range []string{"a", "b", "c"} {
			e := &ent.AuditEvent{CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Action: a, PrevHash: prev}
			e.Hash = audit.LegacyHash(e)
			f.db.Client.AuditEvent.Create().SetCreatedAt(e.CreatedAt).SetAction(a).SetPrevHash(e.PrevHash).SetHash(e.Hash).ExecX(sys)
			prev = e.Hash
		}
		if err := f.log.Start(sys, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.log.Stop(); err != nil {
			t.Fatal(err)
		}
		mustIntact(t, f, 4)
		f.exec(t, "DELETE FROM audit_events WHERE seq = 1")
		mustBroken(t, f, "the oldest events were removed")
	})
}

func TestConcurrentWritersShareOneChain(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		// A second process: its own client and log on the same database,
		// its own checkpoint file.
		other := &fixture{db: b.open(t), key: f.key, file: filepath.Join(t.TempDir(), "other.jsonl")}
		other.log = other.newLog()
		for _, x := range []*fixture{f, other} {
			if err := x.log.Start(sys, nil); err != nil {
				t.Fatal(err)
			}
		}
		// On PostgreSQL the migration installed database.AuditHead, which
		// a started log uses; the other process takes the lock and reads
		// the head in two statements, as one whose role may not create
		// functions does: both ways take the same lock.
		if got, want := f.log.HeadFunction(), f.db.Dialect == "postgres"; got != want {
			t.Fatalf("the log uses the head function: %v, want %v", got, want)
		}
		other.log.NoHeadFunction()
		const writers, perWriter = 4, 15
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers*perWriter)
		for _, x := range []*fixture{f, other} {
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(x *fixture, w int) {
					defer wg.Done()
					for i := 0; i < perWriter; i++ {
						if w%2 == 0 {
							errs <- x.log.Record(sys, audit.Event{Action: "concurrent"})
							continue
						}
						// Inside a transaction of its own, as a GraphQL
						// mutation records.
						tx, err := x.db.Client.Tx(sys)
						if err != nil {
							errs <- err
							continue
						}
						if err := x.log.Record(ent.NewTxContext(sys, tx), audit.Event{Action: "in.tx"}); err != nil {
							_ = tx.Rollback()
							errs <- err
							continue
						}
						errs <- tx.Commit()
					}
				}(x, w)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, x := range []*fixture{f, other} {
			if err := x.log.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		mustIntact(t, f, 2*writers*perWriter)
		mustIntact(t, other, 2*writers*perWriter)
	})
}

// TestStrayBytesAreRecorded: a request's User-Agent or address with bytes
// that are not UTF-8 or a NUL, cut in the middle of a character or not, and
// details holding such strings, are recorded (PostgreSQL refuses such text
// as it stands, which lost the events of sign-ins), stored as valid UTF-8
// within the column's length, and the chain verifies.
func TestStrayBytesAreRecorded(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		ctx := audit.NewContext(sys, audit.Request{
			ClientAddress: "10.0.0.1\xff\x00",
			UserAgent:     strings.Repeat("a", 511) + "é",
			RequestID:     "id\x00\xfe",
		})
		details := map[string]any{"email": "x\x00@y\xff", "fields": []string{"\x00"}, "nested": map[string]any{"s": "\xc3"}}
		if err := f.log.Record(ctx, audit.Event{Action: "login.failed", TargetType: "User\xff", Details: details}); err != nil {
			t.Fatalf("record: %v", err)
		}
		if details["email"] != "x\x00@y\xff" {
			t.Fatal("recording changed the caller's details")
		}
		e, err := f.db.Client.AuditEvent.Query().Where(auditevent.Action("login.failed")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{e.ClientAddress, e.UserAgent, e.RequestID, e.TargetType, e.Details["email"].(string)} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("stored %q: not valid UTF-8 without NUL", s)
			}
		}
		if e.UserAgent != strings.Repeat("a", 511) || e.ClientAddress != "10.0.0.1\uFFFD" || e.Details["email"] != "x@y\uFFFD" {
			t.Fatalf("stored user agent %q (%d bytes), address %q, email %q", e.UserAgent, len(e.UserAgent), e.ClientAddress, e.Details["email"])
		}
		f.checkpoint(t)
		mustIntact(t, f, 1)
	})
}

// TestAnAppendThatDidNotCommitIsNotLinkedTo: an append goes after the
// newest event this process appended, a guess the insert checks. An event
// appended in a transaction whose commit then failed is no event: the next
// append must not link to it (a gap that reads as events removed).
func TestAnAppendThatDidNotCommitIsNotLinkedTo(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		f := newFixture(t, b)
		f.record(t, "one", "two")
		tx, err := f.db.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.log.Record(ent.NewTxContext(sys, tx), audit.Event{Action: "lost"}); err != nil {
			t.Fatal(err)
		}
		// A commit hook after the log's fails: the log has appended its
		// event by then, and the transaction rolls back.
		tx.OnCommit(func(ent.Committer) ent.Committer {
			return ent.CommitFunc(func(context.Context, *ent.Tx) error { return errors.New("disk full") })
		})
		if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("commit = %v, want the hook's failure", err)
		}
		f.record(t, "three")
		f.checkpoint(t)
		mustIntact(t, f, 3)
		if n := f.db.Client.AuditEvent.Query().Where(auditevent.Action("lost")).CountX(sys); n != 0 {
			t.Fatalf("%d events of the failed commit are in the log", n)
		}
	})
}
