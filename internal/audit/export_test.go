package audit

import (
	"time"

	"gloss/ent"
	"gloss/internal/secret"
)

// SetClock moves the clock that retention reads.
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// SignWith returns the MAC a keyed row would carry under key: what a forger
// holding another key would write.
func SignWith(key secret.Key, e *ent.AuditEvent) []byte { return signRow(key.MAC(rowPurpose)(), e) }

// HeadFunction reports whether the log takes the chain lock and reads the
// head in one round trip (database.AuditHead); UseHeadFunction sets it.
func (l *Log) HeadFunction() bool       { return l.headFn.Load() }
func (l *Log) UseHeadFunction(use bool) { l.headFn.Store(use) }
