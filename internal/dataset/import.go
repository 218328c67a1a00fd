package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"gloss/ent"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/importer"
	"gloss/internal/projects"
	"gloss/internal/safehttp"
	"gloss/internal/webhook"
)

// importBatch is how many tasks are written per bulk insert.
const importBatch = 500

// Source is one task file of an import: its name (for the format) and a
// way to open it. Files are spooled to disk before the transaction starts,
// so a slow upload or download never holds the database's write lock.
type Source struct {
	Name    string
	Open    func() (io.ReadCloser, error)
	Cleanup func() // removes a spooled file; may be nil
}

// Fetcher fetches a URL for importTasksFromUrl; the SSRF-safe client
// implements it.
type Fetcher interface {
	Fetch(ctx context.Context, url string, max int64) (body io.ReadCloser, name string, err error)
}

func (s *Service) importOptions(format importer.Format, textKey string) importer.Options {
	l := importer.DefaultLimits()
	if s.limits.MaxImportTasks > 0 {
		l.MaxTasks = s.limits.MaxImportTasks
	}
	if s.limits.MaxImportBytes > 0 {
		l.MaxBytes = s.limits.MaxImportBytes
	}
	return importer.Options{Format: format, Limits: l, TextKey: textKey}
}

// MaxImportBytes is the size cap of one import.
func (s *Service) MaxImportBytes() int64 {
	return s.importOptions("", "").Limits.MaxBytes
}

// importProject returns the project to import into, as the viewer sees it.
func (s *Service) importProject(ctx context.Context, projectID int) (*ent.Project, string, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, "", err
	}
	p, err := database.ClientFrom(ctx, s.client).Project.Get(ctx, projectID)
	if err != nil {
		return nil, "", err
	}
	textKey := "text"
	if cfg, err := projects.Config(p); err == nil && len(cfg.DataKeys) > 0 {
		textKey = cfg.DataKeys[0]
	}
	return p, textKey, nil
}

// ImportJSON imports Label Studio task objects given inline (the GraphQL
// importTasks argument): all or nothing.
func (s *Service) ImportJSON(ctx context.Context, projectID int, raw json.RawMessage) (int, error) {
	p, textKey, err := s.importProject(ctx, projectID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		w, err := s.newWriter(ctx, p)
		if err != nil {
			return err
		}
		if _, err := importer.ParseJSONValue(raw, s.importOptions(importer.JSON, textKey), w.add); err != nil {
			return importError("tasks", err)
		}
		n, err = w.finish()
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ImportFiles imports task files (JSON, JSONL, CSV, TSV, TXT) in one
// transaction: on any bad row nothing is stored, and the error names the
// file, the row or line, and the problem.
func (s *Service) ImportFiles(ctx context.Context, projectID int, files []Source) (int, error) {
	p, textKey, err := s.importProject(ctx, projectID)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fault.Invalid("no task file was uploaded (send one or more files in the multipart field \"file\")")
	}
	// Media become uploads, one task each; the rest are task files.
	uploads, files, undo, err := s.storeUploads(files, textKey)
	if err != nil {
		return 0, err
	}
	n, err := s.importFiles(ctx, p, textKey, files, uploads)
	if err != nil {
		undo()
	}
	return n, err
}

func (s *Service) importFiles(ctx context.Context, p *ent.Project, textKey string, files []Source, uploads []json.RawMessage) (int, error) {
	var err error
	formats := make([]importer.Format, len(files))
	for i, f := range files {
		if formats[i], err = importer.FormatOf(f.Name); err != nil {
			return 0, fault.Invalid("%s: %v", f.Name, err)
		}
	}
	n := 0
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		w, err := s.newWriter(ctx, p)
		if err != nil {
			return err
		}
		for _, data := range uploads {
			if err := w.add(importer.Task{Data: data}); err != nil {
				return err
			}
		}
		for i, f := range files {
			r, err := f.Open()
			if err != nil {
				return err
			}
			_, err = importer.Parse(r, s.importOptions(formats[i], textKey), w.add)
			r.Close()
			if err != nil {
				return importError(f.Name, err)
			}
		}
		n, err = w.finish()
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ImportURL fetches a task file through the SSRF-safe client into a
// temporary file, then imports it in one transaction.
func (s *Service) ImportURL(ctx context.Context, projectID int, url string) (int, error) {
	if _, _, err := s.importProject(ctx, projectID); err != nil {
		return 0, err
	}
	if s.fetcher == nil {
		return 0, fault.Invalid("importing from a URL is not available")
	}
	body, name, err := s.fetcher.Fetch(ctx, url, s.MaxImportBytes())
	if err != nil {
		var fe *safehttp.Error
		if errors.As(err, &fe) {
			return 0, fault.Invalid("could not import from the URL: %s", fe.Msg)
		}
		return 0, fault.Invalid("could not import from the URL")
	}
	defer body.Close()
	src, err := Spool(name, body)
	if err != nil {
		return 0, fault.Invalid("could not fetch the URL: %v", err)
	}
	defer src.Cleanup()
	return s.ImportFiles(ctx, projectID, []Source{src})
}

// Spool copies r into a temporary file and returns it as a Source whose
// Cleanup removes the file.
func Spool(name string, r io.Reader) (Source, error) {
	f, err := os.CreateTemp("", "gloss-import-*")
	if err != nil {
		return Source{}, err
	}
	path := f.Name()
	cleanup := func() { os.Remove(path) }
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return Source{}, err
	}
	return Source{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(path) }, Cleanup: cleanup}, nil
}

// importError turns a parse error into a BAD_USER_INPUT that names where.
func importError(where string, err error) error {
	var re *importer.RowError
	if errors.As(err, &re) {
		return fault.Invalid("%s: %v; nothing was imported", where, re)
	}
	if fault.As(err) != nil || ent.IsValidationError(err) {
		return err
	}
	return fault.Invalid("%s: %v; nothing was imported", where, err)
}

// writer batches imported tasks into bulk inserts, numbering them after the
// project's last inner id.
type writer struct {
	svc     *Service
	ctx     context.Context
	client  *ent.Client
	project *ent.Project
	next    int
	count   int
	batch   []importer.Task
	// The first tasks and annotations stored, for the webhook events.
	tasks       []*ent.Task
	annotations []*ent.Annotation
}

// newWriter locks the project row for the transaction (an UPDATE takes the
// row lock on PostgreSQL; SQLite has one writer) and reads its last inner
// id, so concurrent imports never hand out the same inner id.
func (s *Service) newWriter(ctx context.Context, p *ent.Project) (*writer, error) {
	client := database.ClientFrom(ctx, s.client)
	// One audit event for the whole import (in finish), not one per row.
	ctx = audit.Quiet(ctx)
	locked, err := client.Project.UpdateOneID(p.ID).AddTaskNumber(0).Save(ctx)
	if err != nil {
		return nil, err
	}
	return &writer{svc: s, ctx: ctx, client: client, project: locked, next: locked.TaskNumber}, nil
}

func (w *writer) add(t importer.Task) error {
	w.batch = append(w.batch, t)
	if len(w.batch) >= importBatch {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	creates := make([]*ent.TaskCreate, len(w.batch))
	for i, t := range w.batch {
		w.next++
		total, cancelled := 0, 0
		for _, a := range t.Annotations {
			if a.WasCancelled {
				cancelled++
			} else {
				total++
			}
		}
		c := w.client.Task.Create().
			SetProjectID(w.project.ID).
			SetOrganizationID(w.project.OrganizationID).
			SetInnerID(w.next).
			SetData(t.Data).
			SetTotalAnnotations(total).
			SetCancelledAnnotations(cancelled)
		if len(t.Meta) > 0 {
			c.SetMeta(t.Meta)
		}
		creates[i] = c
	}
	tasks, err := w.client.Task.CreateBulk(creates...).Save(w.ctx)
	if err != nil {
		return fmt.Errorf("store tasks: %w", err)
	}
	w.tasks = append(w.tasks, tasks[:min(len(tasks), webhook.MaxPayloadItems-len(w.tasks))]...)
	author := 0
	if v, err := fault.SignedIn(w.ctx); err == nil {
		author = v.UserID
	}
	var anns []*ent.AnnotationCreate
	var preds []*ent.PredictionCreate
	for i, t := range w.batch {
		for _, a := range t.Annotations {
			anns = append(anns, w.client.Annotation.Create().
				SetTaskID(tasks[i].ID).
				SetProjectID(w.project.ID).
				SetOrganizationID(w.project.OrganizationID).
				SetCompletedByID(author).
				SetResult(a.Result).
				SetWasCancelled(a.WasCancelled).
				SetGroundTruth(a.GroundTruth).
				SetLeadTime(max(0, a.LeadTime)))
		}
		for _, p := range t.Predictions {
			preds = append(preds, w.client.Prediction.Create().
				SetTaskID(tasks[i].ID).
				SetOrganizationID(w.project.OrganizationID).
				SetResult(p.Result).
				SetNillableScore(p.Score).
				SetModelVersion(truncate(p.ModelVersion, 200)))
		}
	}
	if len(anns) > 0 {
		stored, err := w.client.Annotation.CreateBulk(anns...).Save(w.ctx)
		if err != nil {
			return fmt.Errorf("store annotations: %w", err)
		}
		w.annotations = append(w.annotations, stored[:min(len(stored), webhook.MaxPayloadItems-len(w.annotations))]...)
	}
	if len(preds) > 0 {
		if err := w.client.Prediction.CreateBulk(preds...).Exec(w.ctx); err != nil {
			return fmt.Errorf("store predictions: %w", err)
		}
	}
	w.count += len(w.batch)
	w.batch = w.batch[:0]
	return nil
}

func (w *writer) finish() (int, error) {
	if err := w.flush(); err != nil {
		return 0, err
	}
	if w.count == 0 {
		return 0, fault.Invalid("the import holds no tasks")
	}
	if err := w.client.Project.UpdateOneID(w.project.ID).SetTaskNumber(w.next).Exec(w.ctx); err != nil {
		return 0, err
	}
	if err := webhook.Emit(w.ctx, w.client, webhook.TasksCreated, w.project, map[string]any{"tasks": webhook.Tasks(w.tasks)}); err != nil {
		return 0, err
	}
	if len(w.annotations) > 0 {
		if err := webhook.Emit(w.ctx, w.client, webhook.AnnotationsCreated, w.project, map[string]any{"annotation": webhook.Annotations(w.annotations)}); err != nil {
			return 0, err
		}
	}
	return w.count, w.svc.audit.Record(w.ctx, audit.Event{Action: "project.tasks_imported", TargetType: "Project",
		TargetID: strconv.Itoa(w.project.ID), Details: map[string]any{"tasks": w.count}})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
