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
// head in one round trip (database.AuditHead); NoHeadFunction makes it
// take the lock and read the head in two statements.
func (l *Log) HeadFunction() bool { return l.headSQL.Load() != nil }
func (l *Log) NoHeadFunction()    { l.headSQL.Store(nil) }
