package accounts

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"gloss/ent/throttle"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// Limits on guessing a password: attempts allowed per window, per account
// and per client address at sign-in, and per user at changePassword; and on
// sign-ups that fail, per client address. Counts live in the database so
// every process shares them.
const (
	throttleWindow      = 15 * time.Minute
	accountFailures     = 5
	addressFailures     = 30
	passwordFailures    = 5
	signupFailures      = 20
	throttleKeyAccount  = "account:"
	throttleKeyAddress  = "address:"
	throttleKeyPassword = "password:"
	throttleKeySignup   = "signup:"
	throttleKeyRefused  = "signup-refused:" // one signup.refused event per target and window
)

type throttleKey struct {
	key   string
	limit int
}

// accountKey keys an account by a hash of its email, so the table holds no
// email addresses (nor guesses at them).
func accountKey(email string) throttleKey {
	return throttleKey{throttleKeyAccount + hex.EncodeToString(secret.Hash(email))[:40], accountFailures}
}

// addressKey keys a client address: an IPv4 address as it is, an IPv6
// address by its /64. A home or office line is handed a whole /64 and its
// hosts pick any address in it at will, so keyed by the full address one
// client had 2^64 budgets and could spray guesses across every account
// without meeting the per-address limit.
func addressKey(addr string) throttleKey {
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && !a.Is4In6() {
		addr = netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return throttleKey{throttleKeyAddress + addr, addressFailures}
}

// signupKey keys the sign-ups that fail from a client address (an IPv6
// client by its /64, as addressKey): each answer tells whether an email has
// an account, or an invite token is good, and each costs a password hash.
func signupKey(addr string) throttleKey {
	k := addressKey(addr)
	return throttleKey{throttleKeySignup + k.key[len(throttleKeyAddress):], signupFailures}
}

// passwordKey keys the current-password check of changePassword by user.
func passwordKey(userID int) throttleKey {
	return throttleKey{throttleKeyPassword + strconv.Itoa(userID), passwordFailures}
}

// reserve takes one attempt from every key, in order, before any secret is
// compared, so that a burst of concurrent guesses cannot all pass a check
// made before any of them is counted. Each take is one atomic statement. At
// the first key with no attempt left in its window, the keys already taken
// are given back and reserve refuses with RATE_LIMITED. A caller whose
// attempt then succeeds gives its attempts back (refund, clear); a failed
// attempt keeps them, so the count is the number of failures plus the
// attempts in flight.
func (s *Service) reserve(ctx context.Context, keys ...throttleKey) error {
	// System context: throttles are server-internal rows.
	ctx = viewer.NewSystemContext(ctx)
	now := time.Now().UTC()
	for i, k := range keys {
		ok, err := s.take(ctx, k, now)
		if err != nil {
			s.refund(ctx, keys[:i]...)
			return fmt.Errorf("throttle: %w", err)
		}
		if !ok {
			s.refund(ctx, keys[:i]...)
			return &refusedBy{k, s.firstRefusal(ctx, k, now), s.limited(ctx, k, now)}
		}
	}
	return nil
}

// refusedBy is reserve's refusal: the key with no attempt left, whether
// this is the first refusal of its window (the one to record), and the
// RATE_LIMITED answer.
type refusedBy struct {
	key   throttleKey
	first bool
	error
}

func (r *refusedBy) Unwrap() error { return r.error }

// take reserves one attempt under k in one statement: insert the key's row
// at 1, or on conflict start an expired window again at 1 or add 1 to a
// window with room left. A full window is left as it is and the statement
// returns no row; take then reports false.
//
//	INSERT INTO throttles (key, failures, window_start) VALUES (k, 1, now)
//	ON CONFLICT (key) DO UPDATE SET
//	  failures     = CASE WHEN throttles.window_start <= cutoff THEN 1 ELSE throttles.failures + 1 END,
//	  window_start = CASE WHEN throttles.window_start <= cutoff THEN now ELSE throttles.window_start END
//	WHERE throttles.window_start <= cutoff OR throttles.failures < limit
//	RETURNING failures
//
// Both SQLite (3.35+) and PostgreSQL run it as one atomic upsert. It goes
// through the driver, not the ent client, because ent's upsert builder
// cannot return a row for a conditional update.
func (s *Service) take(ctx context.Context, k throttleKey, now time.Time) (bool, error) {
	d := s.dialect
	if d == "" {
		d = dialect.SQLite
	}
	cutoff := now.Add(-throttleWindow)
	col := func(b *entsql.Builder, c string) *entsql.Builder {
		return b.WriteString(b.Quote(throttle.Table) + "." + b.Quote(c))
	}
	expired := func(b *entsql.Builder) *entsql.Builder {
		col(b.WriteString("CASE WHEN "), throttle.FieldWindowStart).WriteString(" <= ").Arg(cutoff).WriteString(" THEN ")
		return b
	}
	query, args := entsql.Dialect(d).
		Insert(throttle.Table).
		Columns(throttle.FieldKey, throttle.FieldFailures, throttle.FieldWindowStart).
		Values(k.key, 1, now).
		OnConflict(
			entsql.ConflictColumns(throttle.FieldKey),
			entsql.ResolveWith(func(u *entsql.UpdateSet) {
				u.Set(throttle.FieldFailures, entsql.ExprFunc(func(b *entsql.Builder) {
					col(expired(b).WriteString("1 ELSE "), throttle.FieldFailures).WriteString(" + 1 END")
				}))
				u.Set(throttle.FieldWindowStart, entsql.ExprFunc(func(b *entsql.Builder) {
					col(expired(b).Arg(now).WriteString(" ELSE "), throttle.FieldWindowStart).WriteString(" END")
				}))
			}),
			entsql.UpdateWhere(entsql.P(func(b *entsql.Builder) {
				col(b, throttle.FieldWindowStart).WriteString(" <= ").Arg(cutoff).WriteString(" OR ")
				col(b, throttle.FieldFailures).WriteString(" < ").Arg(k.limit)
			})),
		).
		Returning(throttle.FieldFailures).
		Query()
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	taken := rows.Next()
	if err := rows.Err(); err != nil {
		return false, err
	}
	return taken, rows.Close()
}

// firstRefusal reports whether a refusal under k's full window is its
// first, claiming the window in k's row so that no other refusal, in this
// process or another on the same database, is the first again:
//
//	UPDATE throttles SET refused_window = window_start
//	WHERE key = k AND failures >= limit AND window_start > cutoff
//	  AND (refused_window IS NULL OR refused_window <> window_start)
//
// One statement: of concurrent refusals exactly one matches (PostgreSQL
// checks the condition again on the row another has just updated; SQLite
// runs one writer). Callers record the first refusal of a window and no
// other, so a locked account's log takes one event per window, not one per
// request. On an error it reports true: an event twice is better than none.
func (s *Service) firstRefusal(ctx context.Context, k throttleKey, now time.Time) bool {
	n, err := s.client.Throttle.Update().
		Where(throttle.Key(k.key), throttle.FailuresGTE(k.limit), throttle.WindowStartGT(now.Add(-throttleWindow)),
			throttle.Or(throttle.RefusedWindowIsNil(), func(sel *entsql.Selector) {
				sel.Where(entsql.ColumnsNEQ(sel.C(throttle.FieldRefusedWindow), sel.C(throttle.FieldWindowStart)))
			})).
		Modify(func(u *entsql.UpdateBuilder) {
			u.Set(throttle.FieldRefusedWindow, entsql.Expr(u.Quote(throttle.FieldWindowStart)))
		}).
		Save(ctx)
	return err != nil || n > 0
}

// usedUp is the refusal for k when its window is full (as limited), or
// nil. It only reads: what it lets through still reserves, or not, as its
// outcome decides.
func (s *Service) usedUp(ctx context.Context, k throttleKey) error {
	ctx = viewer.NewSystemContext(ctx)
	now := time.Now().UTC()
	full, err := s.client.Throttle.Query().Where(throttle.Key(k.key), throttle.FailuresGTE(k.limit),
		throttle.WindowStartGT(now.Add(-throttleWindow))).Exist(ctx)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if full {
		return s.limited(ctx, k, now)
	}
	return nil
}

// limited is the refusal for a full key, saying when to try again.
func (s *Service) limited(ctx context.Context, k throttleKey, now time.Time) error {
	mins := int(throttleWindow.Minutes())
	if t, err := s.client.Throttle.Query().Where(throttle.Key(k.key)).Only(ctx); err == nil {
		if left := t.WindowStart.Add(throttleWindow).Sub(now); left > 0 && left < throttleWindow {
			mins = int(math.Ceil(left.Minutes()))
		}
	}
	return fault.New(fault.RateLimited, "too many failed attempts; try again in %d minute(s)", mins)
}

// refund gives back one attempt under each key (an attempt that succeeded,
// or was refused by a later key before any secret was compared), in the
// transaction ctx carries if any. Errors are not shown: the caller's answer
// stays the same.
func (s *Service) refund(ctx context.Context, keys ...throttleKey) {
	ctx = viewer.NewSystemContext(ctx)
	for _, k := range keys {
		_ = database.ClientFrom(ctx, s.client).Throttle.Update().
			Where(throttle.Key(k.key), throttle.FailuresGT(0)).
			AddFailures(-1).Exec(ctx)
	}
}

// clearThrottle forgets a key's failures after the secret was right: the
// account's after a successful sign-in, the user's after a password change;
// in the transaction ctx carries if any.
func (s *Service) clearThrottle(ctx context.Context, k throttleKey) {
	ctx = viewer.NewSystemContext(ctx)
	_, _ = database.ClientFrom(ctx, s.client).Throttle.Delete().Where(throttle.Key(k.key)).Exec(ctx)
}

// throttleKept is how long a throttle row is kept after its window
// started: an expired window counts as none (reserve starts it again), and
// the margin leaves room for processes whose clocks differ.
const throttleKept = throttleWindow + time.Hour

// forgetBatch is how many expired throttle rows one statement deletes, so
// that a large sweep holds SQLite's writer a moment at a time.
const forgetBatch = 1000

// ForgetThrottles deletes the throttle rows whose window ended long ago
// and returns how many. Without it every failed sign-in at a new email
// (or from a new address) left a row for good, and a spray of guesses grew
// the table without end. It walks the table by id, a batch per
// transaction.
func (s *Service) ForgetThrottles(ctx context.Context) (int, error) {
	sys := viewer.NewSystemContext(ctx)
	cutoff := time.Now().Add(-throttleKept)
	removed, after := 0, 0
	for {
		ids, err := s.client.Throttle.Query().
			Where(throttle.IDGT(after), throttle.WindowStartLT(cutoff)).
			Order(throttle.ByID()).Limit(forgetBatch).IDs(sys)
		if err != nil || len(ids) == 0 {
			return removed, err
		}
		// The condition again: a window started anew since the read stays.
		n, err := s.client.Throttle.Delete().
			Where(throttle.IDIn(ids...), throttle.WindowStartLT(cutoff)).Exec(sys)
		removed += n
		if err != nil {
			return removed, fmt.Errorf("forget expired throttles: %w", err)
		}
		if len(ids) < forgetBatch {
			return removed, nil
		}
		after = ids[len(ids)-1]
	}
}
