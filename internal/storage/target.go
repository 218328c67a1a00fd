package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/hook"
	"gloss/ent/storage"
	"gloss/ent/storagelink"
	"gloss/internal/audit"
	"gloss/internal/auth"
	"gloss/internal/database"
	"gloss/internal/export"
	"gloss/internal/viewer"
)

// exportPage is how many annotations a target sync reads at a time.
const exportPage = 200

// Hook returns the Annotation hook that keeps target storages up to date:
// a saved annotation is written to each EXPORT storage of its project, a
// deleted one removed where the storage may delete objects. The writes run
// after the transaction commits, never inside it, and never hold up the
// request: a background writer gathers what commits in targetWait
// (however many annotations a transaction changed: an import of a
// million), asks once per project whether there is any target at all, and
// writes each project's changes, in the order they committed, in a job of
// the project's own. A failed write is logged and done again by the
// storage's next sync.
func (s *Service) Hook() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.AnnotationFunc(func(ctx context.Context, m *ent.AnnotationMutation) (ent.Value, error) {
			var deleted *ent.Annotation
			if m.Op().Is(ent.OpDeleteOne) {
				if id, ok := m.ID(); ok {
					// Read before it goes, to know its project.
					deleted, _ = m.Client().Annotation.Get(viewer.NewSystemContext(ctx), id)
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			switch {
			case deleted != nil:
				err = s.changed(ctx, change{project: deleted.ProjectID, annotation: deleted.ID, deleted: true})
			case m.Op().Is(ent.OpCreate | ent.OpUpdateOne):
				if a, ok := v.(*ent.Annotation); ok {
					err = s.changed(ctx, change{project: a.ProjectID, annotation: a.ID})
				}
			}
			if err != nil {
				return nil, err
			}
			return v, nil
		})
	}, ent.OpCreate|ent.OpUpdateOne|ent.OpDeleteOne)
}

// change is one annotation saved or deleted.
type change struct {
	project, annotation int
	deleted             bool
}

// pending holds the changes of transactions in flight, by transaction.
var pending database.TxQueue[change]

// changed schedules c for the target storages: after the transaction in
// ctx commits (forgotten if it rolls back), or at once outside one.
func (s *Service) changed(ctx context.Context, c change) error {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		s.afterCommit([]change{c})
		return nil
	}
	return pending.Add(tx, c, func() ent.CommitHook {
		return func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(cctx context.Context, tx *ent.Tx) error {
				err := next.Commit(cctx, tx)
				list := pending.Take(tx)
				if err == nil {
					s.afterCommit(list)
				}
				return err
			})
		}
	})
}

// targetWait is how long the background writer gathers committed changes
// before it writes them: one look for a project's target storages then
// serves every change of the project in that time. In the label stream a
// look per submit was about 4% of the server's CPU, for projects that
// mostly have no target at all.
const targetWait = 50 * time.Millisecond

// afterCommit queues committed changes for the target storages, and starts
// the background writer unless it is running.
func (s *Service) afterCommit(list []change) {
	s.targetMu.Lock()
	defer s.targetMu.Unlock()
	s.targetQueue = append(s.targetQueue, list...)
	if s.targetBusy {
		return // the writer gathers them (at shutdown too, before it ends)
	}
	if !s.enter() {
		// Committed after the shutdown's grace, with nothing left running.
		s.log.Warn("storage: annotations saved after the shutdown began are not written to target storages; the next sync of their storages writes them",
			slog.Int("annotations", len(s.targetQueue)))
		s.targetQueue = nil
		return
	}
	s.targetBusy = true
	go s.writeTargets()
}

// writeTargets is the background writer: it writes what is queued, a
// gathering at a time, and ends when a gathering finds nothing. At
// shutdown it gathers no longer and writes what is left, until the grace
// period ends (s.halt).
func (s *Service) writeTargets() {
	defer s.leave()
	ctx, stop := until(viewer.NewSystemContext(context.Background()), s.halt)
	defer stop()
	for {
		select {
		case <-time.After(targetWait):
		case <-s.stop:
		}
		s.targetMu.Lock()
		list := s.targetQueue
		s.targetQueue = nil
		if len(list) == 0 {
			s.targetBusy = false
			s.targetMu.Unlock()
			return
		}
		s.targetMu.Unlock()
		s.writeChanges(ctx, list)
	}
}

// writeChanges looks once for the target storages of each project that
// list changed, and hands each such project's changes to the project's
// job (writeProject), so that a slow storage holds up neither the other
// projects nor the next gathering.
func (s *Service) writeChanges(ctx context.Context, list []change) {
	var projects []int
	byProject := map[int][]change{}
	for _, c := range list {
		if _, seen := byProject[c.project]; !seen {
			projects = append(projects, c.project)
		}
		byProject[c.project] = append(byProject[c.project], c)
	}
	for _, p := range projects {
		sts, err := s.targets(ctx, p)
		if err != nil {
			s.log.Warn("storage: find target storages", slog.Int("project", p), slog.Any("error", err))
			continue
		}
		if len(sts) > 0 {
			s.writeProject(p, targetBatch{storages: sts, changes: byProject[p]})
		}
	}
}

// targetBatch is changes of one project and the target storages they go
// to.
type targetBatch struct {
	storages []*ent.Storage
	changes  []change
}

// writeProject writes b in the project's one job, after what the job has
// yet to write: a project's changes reach its storages in the order they
// committed, across gatherings too (a later update or delete of an
// annotation never lands before an earlier write of it).
func (s *Service) writeProject(project int, b targetBatch) {
	s.targetMu.Lock()
	defer s.targetMu.Unlock()
	if queued, running := s.targetJobs[project]; running {
		s.targetJobs[project] = append(queued, b)
		return
	}
	if s.targetJobs == nil {
		s.targetJobs = map[int][]targetBatch{}
	}
	// Admitted: writeTargets, which calls this, is counted.
	if !s.enter() {
		return
	}
	s.targetJobs[project] = nil
	go func() {
		defer s.leave()
		ctx, stop := until(viewer.NewSystemContext(context.Background()), s.halt)
		defer stop()
		for {
			for _, c := range b.changes {
				wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				if c.deleted {
					s.removeAnnotation(wctx, b.storages, c.annotation)
				} else {
					s.writeAnnotation(wctx, b.storages, c.annotation)
				}
				cancel()
			}
			s.targetMu.Lock()
			queued := s.targetJobs[project]
			if len(queued) == 0 {
				delete(s.targetJobs, project)
				s.targetMu.Unlock()
				return
			}
			b, s.targetJobs[project] = queued[0], queued[1:]
			s.targetMu.Unlock()
		}
	}()
}

// targets returns the EXPORT storages of a project (ctx is the system's)
// whose creator is in standing (inStanding). Most projects have none, and
// every submit asks: whether there is any is a read of one column, and the
// whole rows are read only when there is.
func (s *Service) targets(ctx context.Context, projectID int) ([]*ent.Storage, error) {
	q := s.client.Storage.Query().Where(storage.ProjectID(projectID), storage.DirectionEQ(storage.DirectionEXPORT))
	if found, err := q.Clone().Exist(ctx); err != nil || !found {
		return nil, err
	}
	all, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	var sts []*ent.Storage
	for _, st := range all {
		ok, err := s.inStanding(ctx, st)
		if err != nil {
			return nil, err
		}
		if !ok {
			s.log.Warn("storage: not written: its creator may no longer manage it (removed, deactivated or given a lesser role)",
				slog.Int("storage", st.ID), slog.Int("project", projectID))
			continue
		}
		sts = append(sts, st)
	}
	return sts, nil
}

// inStanding reports whether st's creator (whoever made it, or last pointed
// it somewhere else) may still manage it: an active member of its
// organization whom the storage policy lets see it, with the role they
// hold now. A target storage is only as good as its creator's standing, as
// a webhook is: one a manager pointed at their own bucket stops receiving
// the project's annotations when they are removed or demoted. A storage of
// an earlier release, which kept no creator, is in standing.
func (s *Service) inStanding(ctx context.Context, st *ent.Storage) (bool, error) {
	if st.CreatedByID == nil {
		return true, nil
	}
	creator, err := auth.MemberViewer(ctx, s.client, *st.CreatedByID, st.OrganizationID)
	if err != nil || creator == nil {
		return false, err
	}
	return s.client.Storage.Query().Where(storage.ID(st.ID)).Exist(viewer.NewContext(ctx, creator))
}

// objectKey is the key of annotation id in st, as Label Studio names it.
func objectKey(st *ent.Storage, id int) string {
	key := strconv.Itoa(id)
	if st.Prefix != "" {
		return st.Prefix + "/" + key
	}
	return key
}

// writeAnnotation writes one annotation to the target storages of its
// project.
func (s *Service) writeAnnotation(ctx context.Context, sts []*ent.Storage, id int) {
	a, err := s.client.Annotation.Query().Where(annotation.ID(id)).WithTask().Only(ctx)
	if err != nil {
		return // deleted meanwhile
	}
	body, err := annotationJSON(a)
	if err != nil {
		s.log.Error("storage: encode annotation", slog.Int("annotation", id), slog.Any("error", err))
		return
	}
	for _, st := range sts {
		if err := s.put(ctx, st, a, body); err != nil {
			s.log.Warn("storage: write annotation", slog.Int("storage", st.ID), slog.Int("annotation", id),
				slog.String("reason", syncMessage(err)))
		}
	}
}

// putTries bounds how many times put writes an annotation that keeps
// changing while it writes: each change's own write follows.
const putTries = 3

// putBookkeeping bounds the database work that follows a write to a bucket
// (the annotation's version read again, the link), which runs even when
// the write's context has ended: see put.
const putBookkeeping = 10 * time.Second

// put writes body, annotation a's object as it was when read, in st and
// records which version the object holds: a's updated_at, not the time of
// the write, so that a version whose own write is lost (a shutdown past
// its grace, a crash) is written by the storage's next sync.
//
// A sync and the background writer may write one annotation at the same
// moment, one of them a version read before the other's: its write can
// land last. So after writing, put reads the annotation's version again;
// when it is no longer the one written, the newer version's writer may
// already be done, and put writes the current version itself (for a
// deleted annotation, removes the object and its link). The link is set
// only after that check, to the version the object was last found
// current at. When that cannot be finished (the write's context ended at
// shutdown, a database error) the link is cleared, so the next sync writes
// the object again. Whichever write lands last, the object ends up holding
// the current version or its link names none newer than the object's; only
// a crash between a write and its check can leave an older version under
// a newer link. A storage that may not delete objects keeps the last
// object of a deleted annotation, whichever version landed last.
func (s *Service) put(ctx context.Context, st *ent.Storage, a *ent.Annotation, body []byte) error {
	b, err := s.bucket(st)
	if err != nil {
		return err
	}
	defer release(b)
	key := objectKey(st, a.ID)
	if err := b.Write(ctx, key, body); err != nil {
		return err
	}
	// The object changed: the bookkeeping runs to its end.
	db, cancel := context.WithTimeout(context.WithoutCancel(ctx), putBookkeeping)
	defer cancel()
	db = audit.Quiet(db)
	err = s.settle(ctx, db, b, st, key, a)
	if err != nil {
		_, _ = s.client.StorageLink.Update().Where(storagelink.StorageID(st.ID), storagelink.Key(key)).
			ClearWrittenAt().Save(db)
	}
	return err
}

// settle is put after its first write: it writes again, through ctx, while
// the version written is no longer the annotation's, then records the
// version the object holds; its database work goes through db.
func (s *Service) settle(ctx, db context.Context, b Bucket, st *ent.Storage, key string, a *ent.Annotation) error {
	id := a.ID
	for tries := 1; ; tries++ {
		now, err := s.client.Annotation.Query().Where(annotation.ID(id)).Select(annotation.FieldUpdatedAt).Only(db)
		if err == nil && (now.UpdatedAt.Equal(a.UpdatedAt) || tries == putTries) {
			break
		}
		var current *ent.Annotation
		if err == nil {
			current, err = s.client.Annotation.Query().Where(annotation.ID(id)).WithTask().Only(db)
		}
		if ent.IsNotFound(err) {
			// Deleted meanwhile; its removal may have run before this
			// write landed. The sync goes on whatever becomes of it.
			if err := s.forget(ctx, b, st, key); err != nil {
				s.log.Warn("storage: delete annotation object", slog.Int("storage", st.ID), slog.Int("annotation", id),
					slog.String("reason", syncMessage(err)))
			}
			return nil
		}
		if err != nil {
			return err
		}
		a = current
		body, err := annotationJSON(a)
		if err != nil {
			return err
		}
		if err := b.Write(ctx, key, body); err != nil {
			return err
		}
	}
	n, err := s.client.StorageLink.Update().Where(storagelink.StorageID(st.ID), storagelink.Key(key)).
		SetWrittenAt(a.UpdatedAt).Save(db)
	if err == nil && n == 0 {
		err = s.client.StorageLink.Create().SetStorageID(st.ID).SetKey(key).SetAnnotationID(a.ID).
			SetTaskID(a.TaskID).SetWrittenAt(a.UpdatedAt).Exec(db)
	}
	return err
}

// removeAnnotation deletes a deleted annotation's object from the target
// storages that may delete objects, and forgets it in all.
func (s *Service) removeAnnotation(ctx context.Context, sts []*ent.Storage, id int) {
	for _, st := range sts {
		var b Bucket
		var err error
		if st.CanDeleteObjects {
			b, err = s.bucket(st)
		}
		if err == nil {
			err = s.forget(ctx, b, st, objectKey(st, id))
			if b != nil {
				release(b)
			}
		}
		if err != nil {
			s.log.Warn("storage: delete annotation object", slog.Int("storage", st.ID), slog.Int("annotation", id),
				slog.String("reason", syncMessage(err)))
		}
	}
}

// forget removes the object key of a deleted annotation from st, through
// b, when st may delete objects (b may be nil when it may not), and then
// its link; an object that could not be deleted keeps its link.
func (s *Service) forget(ctx context.Context, b Bucket, st *ent.Storage, key string) error {
	if st.CanDeleteObjects {
		if err := b.Delete(ctx, key); err != nil {
			return err
		}
	}
	_, err := s.client.StorageLink.Delete().Where(storagelink.StorageID(st.ID), storagelink.Key(key)).Exec(audit.Quiet(ctx))
	return err
}

// exportAnnotations is a target storage's sync: every annotation of the
// project not written since it last changed is written now.
func (s *Service) exportAnnotations(ctx context.Context, st *ent.Storage, run *ent.StorageSync) error {
	sys := viewer.NewSystemContext(ctx)
	b, err := s.bucket(st)
	if err != nil {
		return err
	}
	defer release(b)
	if err := b.Check(ctx); err != nil {
		return err
	}
	total, err := s.client.Annotation.Query().Where(annotation.ProjectID(st.ProjectID)).Count(sys)
	if err != nil {
		return err
	}
	s.progress(ctx, run, 0, &total)
	done, last := 0, 0
	for {
		page, err := s.client.Annotation.Query().
			Where(annotation.ProjectID(st.ProjectID), annotation.IDGT(last)).
			Order(ent.Asc(annotation.FieldID)).Limit(exportPage).WithTask().All(sys)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		ids := make([]int, len(page))
		for i, a := range page {
			ids[i] = a.ID
		}
		links, err := s.client.StorageLink.Query().
			Where(storagelink.StorageID(st.ID), storagelink.AnnotationIDIn(ids...)).All(sys)
		if err != nil {
			return err
		}
		written := map[int]time.Time{}
		for _, l := range links {
			if l.AnnotationID != nil && l.WrittenAt != nil {
				written[*l.AnnotationID] = *l.WrittenAt
			}
		}
		for _, a := range page {
			last = a.ID
			// Written as it is now. Links of an earlier release hold the
			// time of the write instead: those objects are written once
			// more. A later version is never passed over for an earlier
			// updated_at (a clock set back, replicas' clocks).
			if w, ok := written[a.ID]; ok && w.Equal(a.UpdatedAt) {
				continue
			}
			body, err := annotationJSON(a)
			if err != nil {
				return err
			}
			if err := s.put(sys, st, a, body); err != nil {
				return err
			}
		}
		done += len(page)
		s.progress(ctx, run, done, nil)
	}
}

// annotationJSON is the object written for an annotation: its task in Label
// Studio's JSON export shape, holding this annotation — what Label Studio's
// target storages write, one object per annotation.
func annotationJSON(a *ent.Annotation) ([]byte, error) {
	t := a.Edges.Task
	if t == nil {
		return nil, errors.New("annotation without its task")
	}
	et := &export.Task{
		ID: t.ID, InnerID: t.InnerID, ProjectID: t.ProjectID, Data: t.Data, Meta: t.Meta,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		Annotations: []export.Annotation{{
			ID: a.ID, CompletedBy: a.CompletedByID, Result: a.Result, WasCancelled: a.WasCancelled,
			GroundTruth: a.GroundTruth, LeadTime: a.LeadTime, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		}},
	}
	sent := false
	var buf bytes.Buffer
	err := export.Write(&buf, export.JSON, export.Schema{}, func() (*export.Task, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return et, nil
	})
	if err != nil {
		return nil, err
	}
	// The JSON export is a list; the object is its one item.
	out := bytes.TrimSpace(buf.Bytes())
	out = bytes.TrimSuffix(bytes.TrimPrefix(out, []byte("[")), []byte("]"))
	return out, nil
}
