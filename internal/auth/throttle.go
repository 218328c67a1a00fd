package auth

import (
	"context"
	"encoding/hex"
	"math"
	"time"

	"gloss/ent/throttle"
	"gloss/internal/fault"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// Sign-in limits: failures allowed per window, per account and per client
// address. Counts live in the database so every process shares them.
const (
	throttleWindow     = 15 * time.Minute
	accountFailures    = 5
	addressFailures    = 30
	throttleKeyAccount = "account:"
	throttleKeyAddress = "address:"
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

func addressKey(addr string) throttleKey {
	return throttleKey{throttleKeyAddress + addr, addressFailures}
}

// checkThrottle refuses with RATE_LIMITED when any key is over its limit in
// the current window.
func (s *Service) checkThrottle(ctx context.Context, keys []throttleKey) error {
	// System context: throttles are server-internal rows.
	ctx = viewer.NewSystemContext(ctx)
	for _, k := range keys {
		t, err := s.client.Throttle.Query().Where(throttle.Key(k.key)).Only(ctx)
		if err != nil {
			continue // not found: no failures yet
		}
		left := time.Until(t.WindowStart.Add(throttleWindow))
		if left > 0 && t.Failures >= k.limit {
			mins := int(math.Ceil(left.Minutes()))
			return fault.New(fault.RateLimited, "too many failed sign-in attempts; try again in %d minute(s)", mins)
		}
	}
	return nil
}

// recordFailure counts one failed sign-in against every key and returns
// err. Counting errors are not shown: the caller's answer stays the same.
func (s *Service) recordFailure(ctx context.Context, keys []throttleKey, err error) error {
	ctx = viewer.NewSystemContext(ctx)
	now := time.Now()
	for _, k := range keys {
		t, qerr := s.client.Throttle.Query().Where(throttle.Key(k.key)).Only(ctx)
		switch {
		case qerr != nil:
			_ = s.client.Throttle.Create().SetKey(k.key).SetFailures(1).SetWindowStart(now).
				OnConflictColumns(throttle.FieldKey).AddFailures(1).Exec(ctx)
		case now.Sub(t.WindowStart) > throttleWindow:
			_ = s.client.Throttle.UpdateOne(t).SetFailures(1).SetWindowStart(now).Exec(ctx)
		default:
			_ = s.client.Throttle.UpdateOne(t).AddFailures(1).Exec(ctx)
		}
	}
	return err
}

// clearThrottle forgets an account's failures after a successful sign-in.
func (s *Service) clearThrottle(ctx context.Context, k throttleKey) {
	ctx = viewer.NewSystemContext(ctx)
	_, _ = s.client.Throttle.Delete().Where(throttle.Key(k.key)).Exec(ctx)
}
