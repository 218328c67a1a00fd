package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"entgo.io/ent/dialect"

	"gloss/ent"
	"gloss/internal/database"
	"gloss/internal/viewer"
)

// CheckpointFileName is the checkpoint file in the data directory unless
// GLOSS_AUDIT_CHECKPOINT_FILE names another.
const CheckpointFileName = "audit-checkpoints.jsonl"

// Checkpoint is a signed statement that the chain held Seq events, the
// newest with MAC Head, at At. Checkpoints are written to the database and,
// one JSON object per line, to an append-only file outside it.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Head []byte    `json:"head"`
	At   time.Time `json:"at"`
	MAC  []byte    `json:"mac"`
}

// checkpointState is what the last checkpoint of this process covered.
type checkpointState struct {
	mu      sync.Mutex
	written bool
	seq     int64
}

func (l *Log) signCheckpoint(cp Checkpoint) []byte {
	h := l.cpMAC()
	h.Write([]byte("gloss audit checkpoint v1\n"))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(cp.Seq))
	h.Write(seq[:])
	writeField(h, string(cp.Head))
	writeField(h, cp.At.UTC().Format(time.RFC3339Nano))
	return h.Sum(nil)
}

func (l *Log) validCheckpoint(cp Checkpoint) bool {
	return hmac.Equal(l.signCheckpoint(cp), cp.MAC)
}

// Checkpoint writes a checkpoint of the chain's committed head to the
// checkpoint file and the database, unless this process already wrote one
// for the same head.
func (l *Log) Checkpoint(ctx context.Context) error {
	return l.checkpoint(ctx, false)
}

func (l *Log) checkpoint(ctx context.Context, force bool) error {
	l.last.mu.Lock()
	defer l.last.mu.Unlock()
	l.sinceCheckpoint.Store(0)
	h, err := newest(ctx, l.client)
	if err != nil {
		return err
	}
	if !force && l.last.written && l.last.seq == h.seq {
		return nil
	}
	cp := Checkpoint{Seq: h.seq, Head: h.hash, At: time.Now().UTC().Truncate(time.Microsecond)}
	if cp.Head == nil {
		cp.Head = []byte{}
	}
	cp.MAC = l.signCheckpoint(cp)
	if err := l.appendCheckpointFile(cp); err != nil {
		return err
	}
	if err := l.client.AuditCheckpoint.Create().SetCreatedAt(cp.At).SetSeq(cp.Seq).SetHead(cp.Head).SetMAC(cp.MAC).
		Exec(viewer.NewSystemContext(ctx)); err != nil {
		return fmt.Errorf("store audit checkpoint: %w", err)
	}
	shrunk := l.last.written && cp.Seq < l.last.seq
	prev := l.last.seq
	l.last.written, l.last.seq = true, cp.Seq
	if shrunk {
		// Written all the same: the earlier checkpoint in the file keeps the
		// evidence, and the chain goes on from what is there.
		return fmt.Errorf("%w: the chain ends at seq %d, but this process checkpointed seq %d before: events were removed", ErrBroken, cp.Seq, prev)
	}
	return nil
}

// appendCheckpointFile appends cp as one line and syncs it to disk.
func (l *Log) appendCheckpointFile(cp Checkpoint) error {
	if l.opts.CheckpointFile == "" {
		return nil
	}
	line, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.opts.CheckpointFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	// One write of one line: appends of several processes do not
	// interleave. The file's lock keeps it from a start that is cutting off
	// a torn line (cutTornLine).
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoint file: lock: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	return f.Close() // and its lock
}

// cutTornLine cuts off a last line without its newline: what a crash (a
// power cut, a full disk) left of a checkpoint being written. The reader
// passes over such a line only at the very end; appended after, it would
// sit among whole lines and make verify call the log broken. It holds the
// file's lock, so an append of another process is never cut. It returns
// how many bytes it cut.
func cutTornLine(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return 0, fmt.Errorf("lock: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	// The newline before the torn line: searched from the end, a block at
	// a time (a line is a few hundred bytes).
	size, end := info.Size(), info.Size()
	buf := make([]byte, 4096)
	for end > 0 {
		n := min(int64(len(buf)), end)
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == size {
		return 0, nil
	}
	if err := f.Truncate(end); err != nil {
		return 0, err
	}
	return size - end, f.Sync()
}

// Start prepares the log for a serving process: it seals the rows of an
// earlier release (see seal), writes a checkpoint (so the checkpoint file
// exists from the first start on), and then writes one every
// CheckpointInterval and after every CheckpointEvery events while events
// arrive. Stop ends it. A checkpoint file that cannot be written stops the
// server from starting.
func (l *Log) Start(ctx context.Context, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	if l.opts.CheckpointFile != "" {
		if err := os.MkdirAll(filepath.Dir(l.opts.CheckpointFile), 0o700); err != nil {
			return fmt.Errorf("audit checkpoint file: %w", err)
		}
		cut, err := cutTornLine(l.opts.CheckpointFile)
		if err != nil {
			return fmt.Errorf("audit checkpoint file: %w", err)
		}
		if cut > 0 {
			logger.Warn("audit checkpoint file: cut off a torn last line (a crash while it was written)",
				slog.String("file", l.opts.CheckpointFile), slog.Int64("bytes", cut))
		}
	}
	if l.dialect == dialect.Postgres {
		call, err := database.AuditHeadCall(ctx, l.client)
		if err != nil {
			return fmt.Errorf("audit: look for the head function: %w", err)
		}
		if call != "" {
			l.headSQL.Store(&call)
		}
	}
	if err := l.inTx(ctx, func(client *ent.Client) error { return l.seal(ctx, client) }); err != nil {
		return fmt.Errorf("seal the audit log of the earlier release: %w", err)
	}
	if err := l.checkpoint(ctx, true); err != nil {
		return err
	}
	loop, cancel := context.WithCancel(context.Background())
	l.stop, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.opts.CheckpointInterval)
		defer t.Stop()
		for {
			select {
			case <-loop.Done():
				return
			case <-t.C:
			case <-l.kick:
			}
			if err := l.Checkpoint(loop); err != nil && loop.Err() == nil {
				logger.Error("audit checkpoint", slog.Any("error", err))
			}
		}
	}()
	return nil
}

// Stop ends the checkpoints that Start began and writes a last one, so a
// clean shutdown leaves no event uncovered.
func (l *Log) Stop() error {
	if l.stop == nil {
		return nil
	}
	l.stop()
	<-l.done
	l.stop = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return l.Checkpoint(ctx)
}

// readCheckpointFile returns the checkpoints of the file at path, each with
// its line number, or fs.ErrNotExist. A last line cut short (a crash while
// writing it) is ignored; any other line that does not parse, or whose
// signature does not hold, is an error.
func (l *Log) readCheckpointFile(path string) ([]sourced, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []sourced
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var cp Checkpoint
		if err := json.Unmarshal(line, &cp); err != nil {
			if !bytes.HasSuffix(b, []byte("\n")) && n == bytes.Count(b, []byte("\n"))+1 {
				break // the torn last line of a crash
			}
			return nil, fmt.Errorf("%w: checkpoint file %s line %d does not parse", ErrBroken, path, n)
		}
		if !l.validCheckpoint(cp) {
			return nil, fmt.Errorf("%w: checkpoint file %s line %d has a bad signature (forged, or written under another secret key)", ErrBroken, path, n)
		}
		out = append(out, sourced{cp, fmt.Sprintf("%s line %d", path, n)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoint file %s: %w", path, err)
	}
	return out, nil
}

// sourced is a checkpoint and where it was found.
type sourced struct {
	Checkpoint
	source string
}
