package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/auditevent"
	"gloss/internal/viewer"
)

// The chain's own events.
const (
	// ActionPruned marks the removal of the oldest events by retention.
	ActionPruned = "audit.pruned"
	// ActionSealed is the first keyed event after an upgrade: it pins the
	// unkeyed chain of the earlier release (count, first link and head).
	ActionSealed = "audit.sealed"
)

// Purposes of the keys derived from the server secret.
const (
	rowPurpose        = "audit chain"
	checkpointPurpose = "audit checkpoint"
)

// chainHead is the newest event of the chain: its place and MAC.
type chainHead struct {
	seq  int64
	hash []byte
}

// lockedHead takes the chain lock for the rest of client's transaction and
// returns the newest event of the chain to append to; seq 0 when there is
// none. Before the first keyed event, rows of an earlier release are
// sealed, so the new chain continues theirs. On PostgreSQL with
// database.AuditHead installed, the lock and the read are one round trip.
func (l *Log) lockedHead(ctx context.Context, client *ent.Client) (chainHead, error) {
	call := l.headSQL.Load()
	if call == nil {
		if err := l.lock(ctx, client); err != nil {
			return chainHead{}, err
		}
		return l.head(ctx, client)
	}
	h, err := readHead(ctx, client, *call, chainLock)
	if err != nil || h.seq > 0 {
		return h, err
	}
	return l.head(ctx, client) // an empty chain: head seals an earlier release's rows
}

// head returns the newest event of the chain to append to, as lockedHead
// does; the chain lock is held.
func (l *Log) head(ctx context.Context, client *ent.Client) (chainHead, error) {
	h, err := newest(ctx, client)
	if err != nil || h.seq > 0 {
		return h, err
	}
	if err := l.seal(ctx, client); err != nil {
		return chainHead{}, err
	}
	return newest(ctx, client)
}

// newest returns the newest committed event of the chain; seq 0 when there
// is none. Like insert, it is a statement of its own rather than ent's
// query: it runs before every append.
func newest(ctx context.Context, client *ent.Client) (chainHead, error) {
	return readHead(ctx, client, newestSQL)
}

// readHead runs a statement that answers the chain's head, or no row or
// NULLs when the chain is empty.
func readHead(ctx context.Context, client *ent.Client, query string, args ...any) (chainHead, error) {
	rows, err := client.QueryContext(ctx, query, args...)
	if err != nil {
		return chainHead{}, fmt.Errorf("audit: read the chain's head: %w", err)
	}
	defer rows.Close()
	var h chainHead
	if rows.Next() {
		var seq sql.NullInt64
		if err := rows.Scan(&seq, &h.hash); err != nil {
			return chainHead{}, fmt.Errorf("audit: read the chain's head: %w", err)
		}
		h.seq = seq.Int64
	}
	// An error while reading is no row: without this check it would read
	// as an empty chain.
	if err := rows.Err(); err != nil {
		return chainHead{}, fmt.Errorf("audit: read the chain's head: %w", err)
	}
	return h, rows.Close()
}

// newestSQL is newest's statement: the same in both dialects.
var newestSQL = "SELECT " + auditevent.FieldSeq + ", " + auditevent.FieldHash + " FROM " + auditevent.Table +
	" WHERE " + auditevent.FieldSeq + " IS NOT NULL ORDER BY " + auditevent.FieldSeq + " DESC LIMIT 1"

// seal turns the unkeyed chain of an earlier release into the start of the
// keyed one: while no keyed event exists yet, it numbers the old rows
// 1..n in their chain order (by id) and appends an audit.sealed event, keyed,
// that links to the old head and records the count and the first link.
// From then on an old row cannot be edited, removed or added without
// breaking the keyed chain, even by recomputing the old SHA-256 hashes.
// The chain lock is held.
func (l *Log) seal(ctx context.Context, client *ent.Client) error {
	sys := viewer.NewSystemContext(ctx)
	if keyed, err := client.AuditEvent.Query().Where(auditevent.SeqNotNil()).Exist(sys); err != nil || keyed {
		return err
	}
	n, err := client.AuditEvent.Query().Where(auditevent.SeqIsNil()).Count(sys)
	if err != nil || n == 0 {
		return err
	}
	first, err := client.AuditEvent.Query().Where(auditevent.SeqIsNil()).Order(ent.Asc(auditevent.FieldID)).First(sys)
	if err != nil {
		return err
	}
	last, err := client.AuditEvent.Query().Where(auditevent.SeqIsNil()).Order(ent.Desc(auditevent.FieldID)).First(sys)
	if err != nil {
		return err
	}
	// One statement for the whole numbering; both SQLite (3.33+) and
	// PostgreSQL know UPDATE ... FROM and row_number().
	if _, err := client.ExecContext(sys, `UPDATE audit_events SET seq = numbered.n
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_events WHERE seq IS NULL) AS numbered
		WHERE audit_events.id = numbered.id`); err != nil {
		return fmt.Errorf("number the events of the earlier release: %w", err)
	}
	row := l.row(sys, Event{Action: ActionSealed, Details: map[string]any{
		"legacy_events":          n,
		"legacy_first_id":        first.ID,
		"legacy_last_id":         last.ID,
		"legacy_first_prev_hash": hex.EncodeToString(first.PrevHash),
		"legacy_head":            hex.EncodeToString(last.Hash),
	}})
	_, err = l.insert(ctx, client, chainHead{seq: int64(n), hash: last.Hash}, row)
	return err
}

// sign returns the MAC of a keyed row: HMAC-SHA256 under the chain key over
// its place, the previous row's MAC and a canonical encoding of every other
// field.
func (l *Log) sign(e *ent.AuditEvent) []byte {
	return signRow(l.rowMAC(), e)
}

func signRow(h hash.Hash, e *ent.AuditEvent) []byte {
	h.Write([]byte("gloss audit event v2\n"))
	var seq [8]byte
	if e.Seq != nil {
		binary.BigEndian.PutUint64(seq[:], uint64(*e.Seq))
	}
	h.Write(seq[:])
	writeField(h, string(e.PrevHash))
	for _, f := range fields(e) {
		writeField(h, f)
	}
	return h.Sum(nil)
}

// LegacyHash returns the hash of a row of the unkeyed chain that releases
// before the keyed one wrote: SHA-256 over the previous hash and a canonical
// encoding of every other field. Anyone can compute it, which is why such
// rows are trusted only as far as the audit.sealed event pins them.
func LegacyHash(e *ent.AuditEvent) []byte {
	h := sha256.New()
	h.Write(e.PrevHash)
	for _, f := range fields(e) {
		writeField(h, f)
	}
	return h.Sum(nil)
}

// fields is the canonical list of a row's content fields.
func fields(e *ent.AuditEvent) []string {
	details, _ := json.Marshal(e.Details) // map keys are sorted
	return []string{
		e.CreatedAt.UTC().Format(time.RFC3339Nano),
		optional(e.ActorID), optional(e.OrganizationID),
		e.Action, e.TargetType, e.TargetID,
		e.ClientAddress, e.UserAgent, e.RequestID,
		string(details),
	}
}

// writeField writes f length-prefixed, so no two field lists encode alike.
func writeField(h hash.Hash, f string) {
	h.Write([]byte(strconv.Itoa(len(f))))
	h.Write([]byte{':'})
	h.Write([]byte(f))
}

func optional(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// validRow reports whether a keyed row's MAC matches its content.
func (l *Log) validRow(e *ent.AuditEvent) bool {
	return hmac.Equal(l.sign(e), e.Hash)
}
