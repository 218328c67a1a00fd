// Package audit keeps Gloss's audit log: every mutation (through an ent
// hook, so no code path can skip it) and every security event (sign-ins,
// token and invite resets, role changes, deactivations, downloads), each
// with actor, organization, target, client address, user agent, request id
// and time. Rows form a SHA-256 hash chain, so that a removed or edited row
// is detectable (Verify, `gloss audit verify`).
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/ent/auditevent"
	"gloss/ent/predicate"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// Event is what a caller records; the rest comes from the context.
type Event struct {
	Action     string // e.g. "login.failed", "project.create"
	TargetType string
	TargetID   string
	OrgID      *int           // defaults to the viewer's organization
	ActorID    *int           // defaults to the viewer
	Details    map[string]any // never secrets
}

// Request is the HTTP request metadata events carry.
type Request struct {
	ClientAddress string
	UserAgent     string
	RequestID     string
}

type requestKey struct{}

// NewContext returns ctx carrying the request's metadata.
func NewContext(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

func requestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

// Log appends events to the chain. One per process; appends are serialized
// by the database (SQLite's write lock; a transaction-scoped advisory lock
// on PostgreSQL) so several processes share one chain.
type Log struct {
	client  *ent.Client
	dialect string
	mu      sync.Mutex // spares SQLite's busy loop within one process
}

// NewLog returns the audit log over client, whose dialect is d.
func NewLog(client *ent.Client, d string) *Log {
	return &Log{client: client, dialect: d}
}

// chainLock is the PostgreSQL advisory lock key of the chain ("gloss-audit").
const chainLock = 0x676c6f7373

// Record appends one event; a nil Log records nothing. Inside a
// transaction (a GraphQL mutation) the event commits or rolls back with it;
// otherwise it gets its own.
func (l *Log) Record(ctx context.Context, e Event) error {
	if l == nil {
		return nil // no log configured (unit tests of other packages)
	}
	if tx := ent.TxFromContext(ctx); tx != nil {
		return l.append(ctx, tx.Client(), e)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tx, err := l.client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := l.append(ctx, tx.Client(), e); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (l *Log) append(ctx context.Context, client *ent.Client, e Event) error {
	// System context: events are the server's to write, whoever caused them.
	sys := viewer.NewSystemContext(ctx)
	if l.dialect == dialect.Postgres {
		if _, err := client.ExecContext(sys, "SELECT pg_advisory_xact_lock($1)", chainLock); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
	}
	prev := []byte{}
	last, err := client.AuditEvent.Query().Order(ent.Desc(auditevent.FieldID)).First(sys)
	switch {
	case err == nil:
		prev = last.Hash
	case !ent.IsNotFound(err):
		return err
	}
	row := l.row(ctx, e)
	row.PrevHash = prev
	row.Hash = Hash(row)
	c := client.AuditEvent.Create().
		SetCreatedAt(row.CreatedAt).
		SetNillableActorID(row.ActorID).
		SetNillableOrganizationID(row.OrganizationID).
		SetAction(row.Action).
		SetTargetType(row.TargetType).
		SetTargetID(row.TargetID).
		SetClientAddress(row.ClientAddress).
		SetUserAgent(row.UserAgent).
		SetRequestID(row.RequestID).
		SetPrevHash(row.PrevHash).
		SetHash(row.Hash)
	if row.Details != nil {
		c.SetDetails(row.Details)
	}
	return c.Exec(sys)
}

// row fills an event's row from ctx: actor and organization from the viewer
// unless given, and the request's metadata.
func (l *Log) row(ctx context.Context, e Event) *ent.AuditEvent {
	req := requestFrom(ctx)
	row := &ent.AuditEvent{
		// Stored with microseconds, which both databases keep exactly.
		CreatedAt:      time.Now().UTC().Truncate(time.Microsecond),
		ActorID:        e.ActorID,
		OrganizationID: e.OrgID,
		Action:         truncate(e.Action, 100),
		TargetType:     truncate(e.TargetType, 100),
		TargetID:       truncate(e.TargetID, 100),
		ClientAddress:  truncate(req.ClientAddress, 64),
		UserAgent:      truncate(req.UserAgent, 512),
		RequestID:      truncate(req.RequestID, 64),
		Details:        e.Details,
	}
	if v := viewer.FromContext(ctx); v != nil && !v.System {
		if row.ActorID == nil {
			id := v.UserID
			row.ActorID = &id
		}
		if row.OrganizationID == nil && v.OrgID != 0 {
			id := v.OrgID
			row.OrganizationID = &id
		}
	}
	return row
}

// Hash returns the chain hash of a row: SHA-256 over the previous hash and
// a canonical encoding of every other field.
func Hash(e *ent.AuditEvent) []byte {
	details, _ := json.Marshal(e.Details) // map keys are sorted
	fields := []string{
		e.CreatedAt.UTC().Format(time.RFC3339Nano),
		optional(e.ActorID), optional(e.OrganizationID),
		e.Action, e.TargetType, e.TargetID,
		e.ClientAddress, e.UserAgent, e.RequestID,
		string(details),
	}
	h := sha256.New()
	h.Write(e.PrevHash)
	for _, f := range fields {
		// Length-prefixed, so no two field lists encode alike.
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

func optional(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// ErrBroken is returned by Verify when the chain does not hold.
var ErrBroken = errors.New("audit chain is broken")

// Verify walks the whole log in order and checks every row's hash and link.
// The first row kept may point at rows removed by retention; every other
// break is reported with the id where it happens.
func Verify(ctx context.Context, client *ent.Client) (int, error) {
	sys := viewer.NewSystemContext(ctx)
	var prev []byte
	n, last := 0, 0
	for {
		page, err := client.AuditEvent.Query().Where(auditevent.IDGT(last)).
			Order(ent.Asc(auditevent.FieldID)).Limit(1000).All(sys)
		if err != nil {
			return n, err
		}
		for _, e := range page {
			if n > 0 && !bytes.Equal(e.PrevHash, prev) {
				return n, fmt.Errorf("%w at event %d: it does not follow event %d (a row was removed or reordered)", ErrBroken, e.ID, last)
			}
			if !bytes.Equal(Hash(e), e.Hash) {
				return n, fmt.Errorf("%w at event %d: its content does not match its hash (the row was edited)", ErrBroken, e.ID)
			}
			prev, last = e.Hash, e.ID
			n++
		}
		if len(page) < 1000 {
			return n, nil
		}
	}
}

// Prune deletes events older than the retention period and records that it
// did, so the log says where it starts.
func (l *Log) Prune(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, nil
	}
	sys := viewer.NewSystemContext(ctx)
	cutoff := time.Now().Add(-retention)
	n, err := l.client.AuditEvent.Delete().Where(auditevent.CreatedAtLT(cutoff)).Exec(sys)
	if err != nil || n == 0 {
		return n, err
	}
	return n, l.Record(sys, Event{Action: "audit.pruned", Details: map[string]any{
		"removed": n, "before": cutoff.UTC().Format(time.RFC3339),
	}})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Filter selects events; zero fields match everything.
type Filter struct {
	Action     string // exact, or a prefix ending in "."
	ActorID    *int
	TargetType string
	TargetID   string
	Since      *time.Time
	Until      *time.Time
}

// Predicates returns the filter as ent predicates over allowlisted columns.
func (f Filter) Predicates() ([]predicate.AuditEvent, error) {
	var ps []predicate.AuditEvent
	switch {
	case len(f.Action) > 100:
		return nil, fault.Invalid("action filter must be at most 100 characters")
	case strings.HasSuffix(f.Action, "."):
		ps = append(ps, auditevent.ActionHasPrefix(f.Action))
	case f.Action != "":
		ps = append(ps, auditevent.Action(f.Action))
	}
	if f.ActorID != nil {
		ps = append(ps, auditevent.ActorID(*f.ActorID))
	}
	if f.TargetType != "" {
		ps = append(ps, auditevent.TargetType(f.TargetType))
	}
	if f.TargetID != "" {
		ps = append(ps, auditevent.TargetID(f.TargetID))
	}
	if f.Since != nil {
		ps = append(ps, auditevent.CreatedAtGTE(*f.Since))
	}
	if f.Until != nil {
		ps = append(ps, auditevent.CreatedAtLT(*f.Until))
	}
	return ps, nil
}

// NewestFirst orders events from the latest.
func NewestFirst() *ent.AuditEventOrder {
	o := *ent.DefaultAuditEventOrder
	o.Direction = entgql.OrderDirectionDesc
	return &o
}
