package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"gloss/ent"
	"gloss/ent/storage"
	"gloss/ent/storagelink"
	"gloss/ent/storagesync"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/importer"
	"gloss/internal/projects"
	"gloss/internal/text"
	"gloss/internal/viewer"
)

// blobBatch is how many objects a source sync turns into tasks per
// transaction.
const blobBatch = 200

// undefinedKey is the data key of object references when the labeling
// configuration names none (Label Studio's "$undefined$").
const undefinedKey = "$undefined$"

// errShuttingDown refuses a sync asked for by a request that outlived the
// shutdown's grace (its client has been cut off by then).
var errShuttingDown = errors.New("storage: a sync was asked for after the shutdown ended the background work")

var errSyncRunning = fault.Invalid("a sync of this storage is already running; wait for it to finish")

// Sync starts a sync of a storage the viewer may see and returns its row at
// once; the work runs in the background with the viewer's rights. Only
// one sync of a storage runs at a time, across every process on the
// database (a lease on the storage row).
func (s *Service) Sync(ctx context.Context, id int) (*ent.StorageSync, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !s.enter() {
		return nil, errShuttingDown
	}
	started := false
	defer func() {
		if !started {
			s.leave()
		}
	}()
	st, err := s.client.Storage.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	// The viewer may see the storage (above); the lease and the sync row
	// are the server's bookkeeping, written as the system.
	sys := bookkeeping(ctx)
	now := time.Now()
	l, err := takeLease(ctx, s.client, id)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, errSyncRunning
	}
	// A sync whose process died keeps saying RUNNING: it is over.
	if err := s.client.StorageSync.Update().
		Where(storagesync.StorageID(id), storagesync.StatusIn(storagesync.StatusQUEUED, storagesync.StatusRUNNING)).
		SetStatus(storagesync.StatusFAILED).SetMessage("interrupted: the server stopped during the sync").
		SetFinishedAt(now).Exec(sys); err != nil {
		return nil, err
	}
	run, err := s.client.StorageSync.Create().SetStorageID(id).SetOrganizationID(st.OrganizationID).
		SetStatus(storagesync.StatusRUNNING).SetStartedAt(now).Save(viewer.NewSystemContext(ctx))
	if err != nil {
		return nil, err
	}
	bg := viewer.NewContext(database.WithoutReadBudget(context.WithoutCancel(ctx)), v)
	started = true
	go func() {
		defer s.leave()
		s.runSync(bg, st, run, l)
	}()
	return run, nil
}

// runSync does the work of one sync and records how it ended.
func (s *Service) runSync(ctx context.Context, st *ent.Storage, run *ent.StorageSync, l *lease) {
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	ctx, cancel := until(ctx, s.stop)
	defer cancel()
	// Renew the lease while the sync runs; losing it stops the sync.
	renewed := make(chan struct{})
	renew, stopRenew := context.WithCancel(ctx)
	go func() {
		defer close(renewed)
		t := time.NewTicker(leaseTime / 4)
		defer t.Stop()
		for {
			select {
			case <-renew.Done():
				return
			case <-t.C:
				if err := l.renew(ctx, s.client); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	var err error
	if st.Direction == storage.DirectionIMPORT {
		err = s.importObjects(ctx, st, run, l)
	} else {
		err = s.exportAnnotations(ctx, st, run)
	}
	stopRenew()
	<-renewed // no renewal may land after the release below
	status, msg := storagesync.StatusCOMPLETED, ""
	if l.lost {
		err = errLeaseLost
	} else if err != nil && ctx.Err() != nil {
		err = errStopped
	}
	if err != nil {
		status, msg = storagesync.StatusFAILED, syncMessage(err)
		s.log.Warn("storage sync failed", slog.Int("storage", st.ID), slog.String("reason", msg))
	}
	// The end and the release in one transaction: whoever sees the sync
	// finished may start the next one.
	err = database.InTx(sys, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		u := client.StorageSync.UpdateOneID(run.ID).SetFinishedAt(time.Now()).SetStatus(status)
		if msg != "" {
			u.SetMessage(msg)
		}
		if err := u.Exec(ctx); err != nil {
			return err
		}
		return l.release(ctx, client)
	})
	if err != nil {
		s.log.Error("storage sync: record the end", slog.Int("storage", st.ID), slog.Any("error", err))
	}
}

// syncMessage is the short reason a sync failed: our own words, the
// importer's for a bad task file, never an upstream body.
func syncMessage(err error) string {
	msg := text.Clean(safeMessage(err))
	if r := []rune(msg); len(r) > 480 {
		msg = string(r[:480]) + "…"
	}
	return msg
}

// progress records how far a sync got.
func (s *Service) progress(ctx context.Context, run *ent.StorageSync, done int, total *int) {
	u := s.client.StorageSync.UpdateOneID(run.ID).SetDone(done)
	if total != nil {
		u.SetTotal(*total)
	}
	if err := u.Exec(audit.Quiet(viewer.NewSystemContext(ctx))); err != nil {
		s.log.Warn("storage sync: record progress", slog.Any("error", err))
	}
}

// errEnough ends a listing that found as many new objects as one sync
// imports.
var errEnough = errors.New("storage: enough new objects for one sync")

// newObjects lists the objects of a source storage that pass its filter
// and have no task yet, up to max of them (more reports whether the
// listing stopped there), and counts those it passes over because a task
// cannot name them: names that are not UTF-8 or hold a NUL (PostgreSQL
// refuses them), and in a local storage names it would not serve (a
// control character, a percent sign, a ".." segment). The keys are held
// in memory until they are imported, so max bounds what a bucket of a
// hundred million objects costs; the links of objects imported before
// are looked up a listed chunk at a time (linkChunk), not loaded whole.
func (s *Service) newObjects(ctx context.Context, st *ent.Storage, b Bucket, max int) (keys []string, unnamable int, more bool, err error) {
	var filter *regexp.Regexp
	if st.RegexFilter != "" {
		var err error
		if filter, err = regexp.Compile(st.RegexFilter); err != nil {
			return nil, 0, false, fault.Invalid("regexFilter is not a valid regular expression")
		}
	}
	sys := viewer.NewSystemContext(ctx)
	listed := make([]string, 0, linkChunk)
	// take keeps the listed objects that have no link yet.
	take := func() error {
		if len(listed) == 0 {
			return nil
		}
		linked, err := s.client.StorageLink.Query().Where(storagelink.StorageID(st.ID), storagelink.KeyIn(listed...)).
			Select(storagelink.FieldKey).Strings(sys)
		if err != nil {
			return err
		}
		known := make(map[string]bool, len(linked))
		for _, k := range linked {
			known[k] = true
		}
		for _, k := range listed {
			switch {
			case known[k]:
			case len(keys) == max:
				return errEnough
			default:
				keys = append(keys, k)
			}
		}
		listed = listed[:0]
		return nil
	}
	err = b.List(ctx, st.Prefix, st.RecursiveScan, func(o Object) error {
		if filter != nil && !filter.MatchString(o.Key) {
			return nil
		}
		// Passed over before the lookup: no task (and so no link) can
		// name it, and PostgreSQL refuses it as a value.
		if !text.IsClean(o.Key) || dotSegment(o.Key) || st.Kind == storage.KindLOCAL && plainPath(o.Key) != nil {
			unnamable++
			return nil
		}
		if listed = append(listed, o.Key); len(listed) == linkChunk {
			return take()
		}
		return nil
	})
	if err == nil {
		err = take()
	}
	if errors.Is(err, errEnough) {
		return keys, unnamable, true, nil
	}
	return keys, unnamable, false, err
}

// linkChunk is how many listed objects a sync looks up among its links at
// once.
const linkChunk = 500

// importObjects makes tasks from a source storage's new objects: one task
// per object naming it (useBlobUrls), or the tasks in each JSON/JSONL
// object, through the project's importer. Each batch commits on its own,
// so a failure keeps what earlier batches made and a re-sync goes on from
// there.
func (s *Service) importObjects(ctx context.Context, st *ent.Storage, run *ent.StorageSync, l *lease) error {
	b, err := s.bucket(st)
	if err != nil {
		return err
	}
	defer release(b)
	max := s.dataset.MaxImportTasks()
	keys, unnamable, more, err := s.newObjects(ctx, st, b, max)
	if err != nil {
		return err
	}
	// Said on the run (a failure later says its own reason instead).
	var notes []string
	if more {
		notes = append(notes, fmt.Sprintf("this sync imports the first %d new objects (GLOSS_IMPORT_MAX_TASKS): sync again for the rest", max))
	}
	if unnamable > 0 {
		notes = append(notes, fmt.Sprintf("%d objects were passed over: their names are not text a task can name (not UTF-8, or holding a NUL, a \".\" or \"..\" segment, or in a local storage a control character or a percent sign)", unnamable))
	}
	if len(notes) > 0 {
		if err := s.client.StorageSync.UpdateOneID(run.ID).SetMessage(strings.Join(notes, "; ")).Exec(audit.Quiet(viewer.NewSystemContext(ctx))); err != nil {
			return err
		}
	}
	total := len(keys)
	s.progress(ctx, run, 0, &total)
	// The planner's statistics, once the batches are committed (each
	// batch's import leaves them to its committer).
	made := 0
	defer func() { s.dataset.Analyze(ctx, made) }()
	if st.UseBlobUrls {
		p, err := s.client.Project.Get(ctx, st.ProjectID)
		if err != nil {
			return err
		}
		dataKey := undefinedKey
		if cfg, err := projects.Config(p); err == nil && len(cfg.DataKeys) > 0 {
			dataKey = dataset.MediaKey(cfg)
		}
		for i := 0; i < len(keys); i += blobBatch {
			batch := keys[i:min(i+blobBatch, len(keys))]
			tasks := make([]map[string]map[string]string, len(batch))
			for j, k := range batch {
				tasks[j] = map[string]map[string]string{"data": {dataKey: s.uri(st, k)}}
			}
			raw, _ := json.Marshal(tasks)
			n, err := s.importBatch(ctx, st, l, func(ctx context.Context) ([]string, error) {
				if _, err := s.dataset.ImportJSON(ctx, st.ProjectID, raw); err != nil {
					return nil, err
				}
				return batch, nil
			})
			made += n
			if err != nil {
				return err
			}
			s.progress(ctx, run, i+len(batch), nil)
		}
		return nil
	}
	for i, k := range keys {
		name := path.Base(k)
		ext := strings.ToLower(path.Ext(k))
		if st.Kind == storage.KindREDIS {
			name, ext = "value.json", ".json" // Redis values are task JSON, whatever the key
		}
		src, err := s.download(ctx, b, k, name)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if ext != ".json" && ext != ".jsonl" {
			// Read by its content, as Label Studio reads task files
			// whatever their names.
			f, ok, err := sniff(src)
			if err != nil || !ok {
				src.Cleanup()
				if err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
				return fault.Invalid("%s holds no JSON or JSONL tasks; to label files such as images, turn on useBlobUrls (treat every object as a source file)", k)
			}
			src.Format = f
		}
		n, err := s.importBatch(ctx, st, l, func(ctx context.Context) ([]string, error) {
			n, err := s.dataset.ImportFiles(ctx, st.ProjectID, []dataset.Source{src}, dataset.ImportOptions{})
			keys := make([]string, n.Tasks)
			for j := range keys {
				keys[j] = k
			}
			return keys, err
		})
		made += n
		src.Cleanup()
		if err != nil {
			return err
		}
		s.progress(ctx, run, i+1, nil)
	}
	return nil
}

// sniff tells a spooled task file's format from its content.
func sniff(src dataset.Source) (importer.Format, bool, error) {
	r, err := src.Open()
	if err != nil {
		return "", false, err
	}
	defer r.Close()
	f, ok := importer.Sniff(r)
	return f, ok, nil
}

// download spools an object to a temporary file, capped at the import
// size limit, outside any transaction.
func (s *Service) download(ctx context.Context, b Bucket, key, name string) (dataset.Source, error) {
	r, err := b.Open(ctx, key, "")
	if err != nil {
		return dataset.Source{}, err
	}
	defer r.Body.Close()
	max := s.dataset.MaxImportBytes()
	src, err := dataset.Spool(name, io.LimitReader(r.Body, max+1))
	if err != nil {
		return dataset.Source{}, networkError(err)
	}
	return src, nil
}

// importBatch runs one import in a transaction and links each task it made
// to its object key (keys[i] for the i-th task made), and returns how many
// tasks it committed. The sync's lease is extended in the transaction,
// which so commits only while the sync owns the storage; then the project
// row is locked so the new tasks are exactly those numbered after its last
// task.
func (s *Service) importBatch(ctx context.Context, st *ent.Storage, l *lease, imp func(context.Context) ([]string, error)) (int, error) {
	made := 0
	l.mu.Lock()
	defer l.mu.Unlock()
	var until time.Time
	err := database.InTx(ctx, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		sys := audit.Quiet(viewer.NewSystemContext(ctx))
		// The storage row first, then the project's: the order in which
		// deleting a project (or organization) locks them.
		var err error
		if until, err = l.extend(ctx, client); err != nil {
			return err
		}
		p, err := client.Project.UpdateOneID(st.ProjectID).AddTaskNumber(0).Save(sys)
		if err != nil {
			return err
		}
		keys, err := imp(ctx)
		if err != nil {
			return err
		}
		ids, err := client.Task.Query().Where(task.ProjectID(p.ID), task.InnerIDGT(p.TaskNumber)).
			Order(ent.Asc(task.FieldInnerID)).IDs(sys)
		if err != nil {
			return err
		}
		if len(ids) != len(keys) {
			return fmt.Errorf("import made %d tasks for %d objects", len(ids), len(keys))
		}
		links := make([]*ent.StorageLinkCreate, len(ids))
		for i, id := range ids {
			links[i] = client.StorageLink.Create().SetStorageID(st.ID).SetKey(keys[i]).SetTaskID(id)
		}
		made = len(ids)
		return client.StorageLink.CreateBulk(links...).Exec(sys)
	})
	if err != nil {
		return 0, err
	}
	l.until = until
	return made, nil
}

// uri is how task data names object key of st, as Label Studio writes it.
func (s *Service) uri(st *ent.Storage, key string) string {
	switch st.Kind {
	case storage.KindS3:
		return "s3://" + st.Bucket + "/" + key
	case storage.KindGCS:
		return "gs://" + st.Bucket + "/" + key
	case storage.KindAZURE:
		return "azure-blob://" + st.Bucket + "/" + key
	case storage.KindLOCAL:
		return "/data/local-files/?d=" + localParam(path.Join(st.Bucket, key))
	}
	return ""
}

// localParam escapes a local path for the d parameter, keeping slashes.
func localParam(p string) string {
	return strings.ReplaceAll(url.QueryEscape(p), "%2F", "/")
}

// errStopped is why a sync cut short by the server stopping failed.
var errStopped = errors.New("the sync was stopped (the server shut down or lost its lease); sync again to go on")
