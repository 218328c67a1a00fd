package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"gloss/ent"
	"gloss/ent/auditcheckpoint"
	"gloss/ent/auditevent"
	"gloss/internal/viewer"
)

// ErrBroken is returned by Verify when the chain does not hold.
var ErrBroken = errors.New("audit chain is broken")

// Report is what Verify found in an intact log.
type Report struct {
	Events           int   // events checked
	FirstSeq         int64 // the oldest event's place in the chain (after pruning)
	LastSeq          int64 // the newest event's place: the number of events ever written
	Legacy           int   // events of the unkeyed chain of an earlier release
	Unsealed         bool  // those events are not sealed yet (the server has not started since the upgrade)
	Checkpoints      int   // checkpoints checked, in the file and the database
	Newest           *Checkpoint
	NewestSource     string
	CheckpointFile   string
	NoCheckpointFile bool // no file and nothing that needs one (an empty or unsealed log)
}

// String is the one-line summary `gloss audit verify` prints.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "audit log intact: %d events", r.Events)
	switch {
	case r.Unsealed:
		fmt.Fprintf(&b, " (the unkeyed chain of an earlier release, not sealed yet: start the server once to seal it)")
	case r.Newest != nil:
		fmt.Fprintf(&b, " (checkpoint of %s in %s covers events through %d of %d",
			r.Newest.At.UTC().Format("2006-01-02T15:04:05Z"), r.NewestSource, r.Newest.Seq, r.LastSeq)
		if after := r.LastSeq - r.Newest.Seq; after > 0 {
			fmt.Fprintf(&b, "; the %d newer events are not covered by a checkpoint yet", after)
		}
		b.WriteString(")")
	}
	if r.Legacy > 0 && !r.Unsealed {
		fmt.Fprintf(&b, "; %d events from an earlier release, sealed", r.Legacy)
	}
	return b.String()
}

func broken(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBroken}, args...)...)
}

// Verify checks the whole log: every event's MAC and link in seq order with
// no gap, a gap at the head only where an audit.pruned event accounts for
// it exactly, the rows of an earlier release against the audit.sealed event
// that pins them, and every checkpoint, in the checkpoint file and in the
// database, against the chain: a log shorter than a checkpoint, or one with
// another event at a checkpoint's place, has lost its newest events. It
// reads the checkpoints first, so events appended meanwhile do no harm.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	sys := viewer.NewSystemContext(ctx)
	r := Report{CheckpointFile: l.opts.CheckpointFile}

	// Checkpoints: the file's, then the database's.
	var cps []sourced
	fileCps, err := l.readCheckpointFile(l.opts.CheckpointFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.NoCheckpointFile = true
	case err != nil:
		return r, err
	}
	cps = append(cps, fileCps...)
	rows, err := l.client.AuditCheckpoint.Query().Order(ent.Asc(auditcheckpoint.FieldID)).All(sys)
	if err != nil {
		return r, err
	}
	for _, c := range rows {
		cp := Checkpoint{Seq: c.Seq, Head: c.Head, At: c.CreatedAt, MAC: c.MAC}
		if !l.validCheckpoint(cp) {
			return r, broken("checkpoint %d in the database has a bad signature (forged, or written under another secret key)", c.ID)
		}
		cps = append(cps, sourced{cp, "the database"})
	}
	bySeq := map[int64]sourced{}
	for _, cp := range cps {
		if prev, ok := bySeq[cp.Seq]; ok && !bytes.Equal(prev.Head, cp.Head) {
			return r, broken("the checkpoints in %s and %s disagree on event %d", prev.source, cp.source, cp.Seq)
		}
		bySeq[cp.Seq] = cp
		if r.Newest == nil || cp.Seq > r.Newest.Seq {
			c := cp.Checkpoint
			r.Newest, r.NewestSource = &c, cp.source
		}
	}
	r.Checkpoints = len(cps)
	// The report names the file's checkpoint over the database's copy.
	for _, cp := range fileCps {
		if cp.Seq >= r.Newest.Seq {
			c := cp.Checkpoint
			r.Newest, r.NewestSource = &c, cp.source
		}
	}

	unsealed, err := l.client.AuditEvent.Query().Where(auditevent.SeqIsNil()).Order(ent.Asc(auditevent.FieldID)).First(sys)
	if err != nil && !ent.IsNotFound(err) {
		return r, err
	}
	keyed, err := l.client.AuditEvent.Query().Where(auditevent.SeqNotNil()).Exist(sys)
	if err != nil {
		return r, err
	}
	switch {
	case unsealed != nil && keyed:
		return r, broken("event %d has no place in the chain: it was inserted outside it (by hand, or by an older Gloss still running after the upgrade)", unsealed.ID)
	case unsealed != nil:
		return l.verifyUnsealed(ctx, r)
	}
	if keyed && r.NoCheckpointFile {
		return r, fmt.Errorf("no audit checkpoint file at %s: without it, cut-off events cannot be noticed (set GLOSS_AUDIT_CHECKPOINT_FILE to the file the server writes)", l.opts.CheckpointFile)
	}
	if keyed && len(fileCps) == 0 && l.opts.CheckpointFile != "" {
		return r, fmt.Errorf("%w: the audit checkpoint file %s holds no checkpoint", ErrBroken, l.opts.CheckpointFile)
	}

	// The seal of an earlier release's rows, if they are still there.
	var legacy int64
	var legacyFirstPrev string
	seals, err := l.client.AuditEvent.Query().Where(auditevent.SeqNotNil(), auditevent.Action(ActionSealed)).All(sys)
	if err != nil {
		return r, err
	}
	if len(seals) > 1 {
		return r, broken("event %d: a second %s event", seals[1].ID, ActionSealed)
	}
	if len(seals) == 1 {
		s := seals[0]
		n, ok1 := s.Details["legacy_events"].(float64)
		first, ok2 := s.Details["legacy_first_prev_hash"].(string)
		if !l.validRow(s) || !ok1 || !ok2 || int64(n)+1 != *s.Seq {
			return r, broken("event %d (seq %d): its content does not match its MAC (the row was edited, or signed with another key)", s.ID, *s.Seq)
		}
		legacy, legacyFirstPrev = int64(n), first
	}

	// The walk.
	var (
		prev      *ent.AuditEvent
		firstPrev []byte
		first     *ent.AuditEvent
		pruned    = map[int64]string{} // through_seq -> through_hash of audit.pruned events
	)
	var after int64
	for {
		page, err := l.client.AuditEvent.Query().Where(auditevent.SeqNotNil(), auditevent.SeqGT(after)).
			Order(ent.Asc(auditevent.FieldSeq)).Limit(1000).All(sys)
		if err != nil {
			return r, err
		}
		for _, e := range page {
			seq := *e.Seq
			if prev == nil {
				first, firstPrev = e, e.PrevHash
			} else if seq != *prev.Seq+1 || !bytes.Equal(e.PrevHash, prev.Hash) {
				return r, broken("event %d (seq %d) does not follow event %d (seq %d): events were removed or reordered", e.ID, seq, prev.ID, *prev.Seq)
			}
			if seq <= legacy {
				if !bytes.Equal(LegacyHash(e), e.Hash) {
					return r, broken("event %d (seq %d, from the earlier release): its content does not match its hash (the row was edited)", e.ID, seq)
				}
				if seq == 1 && hex.EncodeToString(e.PrevHash) != legacyFirstPrev {
					return r, broken("event %d (seq 1, from the earlier release) is not the first event the seal recorded", e.ID)
				}
				r.Legacy++
			} else {
				if !l.validRow(e) {
					return r, broken("event %d (seq %d): its content does not match its MAC (the row was edited, or signed with another key)", e.ID, seq)
				}
				if e.Action == ActionPruned {
					if through, ok := e.Details["through_seq"].(float64); ok {
						h, _ := e.Details["through_hash"].(string)
						pruned[int64(through)] = h
					}
				}
			}
			if cp, ok := bySeq[seq]; ok && !bytes.Equal(cp.Head, e.Hash) {
				return r, broken("event %d (seq %d) is not the event that the checkpoint of %s in %s recorded there",
					e.ID, seq, cp.At.UTC().Format("2006-01-02T15:04:05Z"), cp.source)
			}
			prev, after = e, seq
			r.Events++
		}
		if len(page) < 1000 {
			break
		}
	}
	if first != nil {
		r.FirstSeq, r.LastSeq = *first.Seq, *prev.Seq
		switch {
		case *first.Seq < 1:
			return r, broken("event %d has seq %d: the chain starts at 1", first.ID, *first.Seq)
		case *first.Seq == 1 && legacy == 0 && len(firstPrev) != 0:
			return r, broken("event %d (seq 1) links to an event before the chain's start", first.ID)
		case *first.Seq > 1:
			if h, ok := pruned[*first.Seq-1]; !ok || h != hex.EncodeToString(firstPrev) {
				return r, broken("events before event %d (seq %d) are missing and no %s event accounts for them: the oldest events were removed",
					first.ID, *first.Seq, ActionPruned)
			}
		}
	}
	// Checkpoints beyond the end: the newest events were cut off.
	if r.Newest != nil && r.Newest.Seq > r.LastSeq {
		return r, broken("the chain ends at seq %d, but the checkpoint of %s in %s covers %d events: the newest events were removed",
			r.LastSeq, r.Newest.At.UTC().Format("2006-01-02T15:04:05Z"), r.NewestSource, r.Newest.Seq)
	}
	for seq, cp := range bySeq {
		if seq > r.LastSeq {
			return r, broken("the chain ends at seq %d, but the checkpoint of %s in %s covers %d events: the newest events were removed",
				r.LastSeq, cp.At.UTC().Format("2006-01-02T15:04:05Z"), cp.source, seq)
		}
	}
	return r, nil
}

// verifyUnsealed checks the unkeyed chain of an earlier release that the
// server has not sealed yet, as that release did: every hash and link, in
// id order. No checkpoint may exist, for none was written before the seal.
func (l *Log) verifyUnsealed(ctx context.Context, r Report) (Report, error) {
	sys := viewer.NewSystemContext(ctx)
	if r.Checkpoints > 0 {
		return r, broken("the log holds only unsealed events of an earlier release, but the checkpoint of %s in %s covers %d events: the log was replaced",
			r.Newest.At.UTC().Format("2006-01-02T15:04:05Z"), r.NewestSource, r.Newest.Seq)
	}
	r.Unsealed = true
	var prev []byte
	last := 0
	for {
		page, err := l.client.AuditEvent.Query().Where(auditevent.SeqIsNil(), auditevent.IDGT(last)).
			Order(ent.Asc(auditevent.FieldID)).Limit(1000).All(sys)
		if err != nil {
			return r, err
		}
		for _, e := range page {
			if r.Events > 0 && !bytes.Equal(e.PrevHash, prev) {
				return r, broken("event %d does not follow event %d (a row was removed or reordered)", e.ID, last)
			}
			if !bytes.Equal(LegacyHash(e), e.Hash) {
				return r, broken("event %d: its content does not match its hash (the row was edited)", e.ID)
			}
			prev, last = e.Hash, e.ID
			r.Events++
			r.Legacy++
		}
		if len(page) < 1000 {
			return r, nil
		}
	}
}
