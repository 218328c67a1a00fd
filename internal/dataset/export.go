package dataset

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/prediction"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/export"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// exportBatch is the most tasks read per keyset page while exporting. A
// page ends sooner, after the task that brings its data and meta (and
// then its annotations' and predictions' results) to exportPageBytes or
// its annotations to exportPageAnnotations, so that an
// export of big tasks holds about as much as one of small ones (a page of
// 500 tasks of 1 MiB held 500 MB, per export); and each page asks for as
// many as the previous one's tasks would fit (taskStream).
const (
	exportBatch           = 500
	exportFirstPage       = 100 // before the size of the tasks is known
	exportPageBytes       = 8 << 20
	exportPageAnnotations = 2000
)

// Export is a prepared export download.
type Export struct {
	ContentType string
	Filename    string
	// WriteTo streams the export; memory does not grow with the project,
	// but for a zip's central directory (YOLO: about 200 bytes a task).
	WriteTo func(w io.Writer) error
}

// ExportOptions are the choices of Label Studio's export dialog.
type ExportOptions struct {
	// OnlyAnnotated leaves out tasks with no annotation that was not
	// skipped (Label Studio's download_all_tasks=false).
	OnlyAnnotated bool
	// OmitPredictions leaves predictions out of the JSON export, which
	// otherwise carries them as Label Studio's does.
	OmitPredictions bool
}

// PrepareExport checks that the viewer may export the project in format,
// and that the format fits the project's labeling config (export.Fit), and
// returns the download, not yet written. A refused export is not recorded.
func (s *Service) PrepareExport(ctx context.Context, projectID int, format string, o ExportOptions) (*Export, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return nil, fault.Invalid("%v", err)
	}
	p, err := s.client.Project.Get(ctx, projectID)
	if err != nil {
		return nil, err
	}
	cfg, err := projects.Config(p)
	if err != nil {
		return nil, err
	}
	if err := export.CheckFit(f, cfg); err != nil {
		return nil, err
	}
	schema := exportSchema(cfg)
	if f == export.CSV || f == export.TSV {
		// Label Studio's CSV has a column for every data key the tasks hold,
		// not only the config's.
		if schema.DataKeys, err = s.dataKeys(ctx, p, schema.DataKeys); err != nil {
			return nil, err
		}
	}
	if err := s.audit.Record(ctx, audit.Event{Action: "project.exported", TargetType: "Project",
		TargetID: strconv.Itoa(p.ID), Details: map[string]any{"format": string(f),
			"only_annotated": o.OnlyAnnotated, "include_predictions": !o.OmitPredictions}}); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("project-%d-at-%s%s", p.ID, time.Now().UTC().Format("2006-01-02-15-04-05"), f.FileExtension())
	return &Export{
		ContentType: f.ContentType(),
		Filename:    name,
		WriteTo: func(w io.Writer) error {
			return export.Write(w, f, schema, s.taskStream(ctx, v, p, o))
		},
	}, nil
}

// dataKeys returns keys followed by the other top-level data keys of the
// project's tasks (the CSV header sorts them): those the project keeps a
// record of, or, for a project whose record is yet to be made (one from
// before, created by an older replica during an upgrade), those read from
// its tasks. The viewer may export the project, which PrepareExport
// checked through the privacy policy; this reads only key names of that
// project's tasks.
func (s *Service) dataKeys(ctx context.Context, p *ent.Project, keys []string) ([]string, error) {
	found := p.TaskDataKeys
	if found == nil {
		var err error
		if found, err = s.readDataKeys(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	if len(found) > projects.MaxDataKeys {
		return nil, fault.Invalid("the project's tasks have more than %d different data keys, too many columns for CSV or TSV: export JSON instead", projects.MaxDataKeys)
	}
	out := slices.Clone(keys)
	for _, k := range found {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// readDataKeys reads up to MaxDataKeys+1 distinct data keys of the project's
// tasks, in the database's order.
func (s *Service) readDataKeys(ctx context.Context, projectID int) ([]string, error) {
	query := `SELECT DISTINCT j.key FROM tasks t, json_each(t.data) j WHERE t.project_id = ? LIMIT ?`
	if s.dialect == dialect.Postgres {
		query = `SELECT DISTINCT jsonb_object_keys(data::jsonb) FROM tasks WHERE project_id = $1 LIMIT $2`
	}
	rows, err := s.client.QueryContext(ctx, query, projectID, projects.MaxDataKeys+1)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("read data keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// taskStream reads the project's tasks in id order, a keyset page at a time,
// with their annotations and predictions, as v may see them:
// the privacy policies decide which rows exist for v (annotations, authors),
// and the projection rules in internal/rule which of their fields v sees.
func (s *Service) taskStream(ctx context.Context, v *viewer.Viewer, p *ent.Project, o ExportOptions) func() (*export.Task, error) {
	var page []*export.Task
	last := 0
	more := true
	limit := exportFirstPage
	return func() (*export.Task, error) {
		if len(page) == 0 && more {
			var err error
			var size int
			if page, size, more, err = s.exportPage(ctx, v, p, last, limit, o); err != nil {
				return nil, err
			}
			// The next page asks for as many tasks as fit exportPageBytes
			// at this page's average: a page cut short by its bytes had
			// the database send the rest of its rows anyway (PostgreSQL
			// reads a statement's rows to the end).
			if len(page) > 0 {
				limit = max(1, min(exportBatch, exportPageBytes/max(1, size/len(page))))
			}
		}
		if len(page) == 0 {
			return nil, io.EOF
		}
		t := page[0]
		page = page[1:]
		last = t.ID
		return t, nil
	}
}

// exportColumns are the task columns the export reads.
var exportColumns = []string{
	task.FieldID, task.FieldInnerID, task.FieldProjectID, task.FieldData, task.FieldMeta,
	task.FieldCreatedAt, task.FieldUpdatedAt, task.FieldTotalAnnotations, task.FieldCancelledAnnotations,
}

// exportPage reads the tasks of project p after id last, with their
// annotations and predictions, as v may see them: at most limit tasks,
// fewer past exportPageBytes or exportPageAnnotations. It returns the
// size of their data and meta, and whether more may follow (the page was
// cut by its count, its bytes or its annotations): three queries, or two
// when no task of the page has an annotation (its counters say so). The
// tasks' query is ent's, with the task privacy policy's filters
// (database.Statement), and its rows are scanned straight into what the
// writers take: data and meta stay the stored JSON, never decoded, and no
// ent object is made per row. Annotations and predictions are read by the
// page's task ids, one index lookup each: by the range of those ids, a
// page whose tasks were imported before and after a big import into
// another project read every annotation of that project (a million rows
// into memory, to be thrown away). The privacy policies decide which of
// them exist for the viewer either way.
func (s *Service) exportPage(ctx context.Context, v *viewer.Viewer, p *ent.Project, last, limit int, o ExportOptions) (page []*export.Task, size int, more bool, err error) {
	query, args, err := database.Statement(ctx, s.dialect, func(c *ent.Client) error {
		q := c.Task.Query().
			Where(task.ProjectID(p.ID), task.IDGT(last)).
			Order(ent.Asc(task.FieldID)).
			Limit(limit)
		if o.OnlyAnnotated {
			q.Where(task.HasAnnotationsWith(annotation.WasCancelled(false)))
		}
		return q.Select(exportColumns...).Scan(ctx, &[]struct{}{})
	})
	if err != nil {
		return nil, 0, false, err
	}
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, false, fmt.Errorf("read tasks: %w", err)
	}
	defer rows.Close()
	page = make([]*export.Task, 0, limit)
	byID := make(map[int]*export.Task, limit)
	var annotated []int
	anns := 0
	for rows.Next() {
		t := &export.Task{}
		var total, cancelled int
		if err := rows.Scan(&t.ID, &t.InnerID, &t.ProjectID, (*[]byte)(&t.Data), (*[]byte)(&t.Meta),
			&t.CreatedAt, &t.UpdatedAt, &total, &cancelled); err != nil {
			return nil, 0, false, fmt.Errorf("read tasks: %w", err)
		}
		if len(t.Meta) == 0 {
			t.Meta = nil
		}
		page = append(page, t)
		byID[t.ID] = t
		if total+cancelled > 0 {
			annotated = append(annotated, t.ID)
		}
		size, anns = size+len(t.Data)+len(t.Meta), anns+total+cancelled
		if size >= exportPageBytes || anns >= exportPageAnnotations {
			more = true
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, fmt.Errorf("read tasks: %w", err)
	}
	rows.Close()
	more = more || len(page) == limit
	if len(page) == 0 {
		return nil, 0, false, nil
	}
	// The page also ends where its tasks' annotations and predictions
	// bring it past exportPageBytes: their sizes are read first (a task
	// may carry a MiB of predictions, a manager may annotate a task many
	// times), so that the page holds about exportPageBytes whatever its
	// tasks carry, and at least one task.
	ids := make([]int, len(page))
	for i, t := range page {
		ids[i] = t.ID
	}
	extra, err := s.resultBytes(ctx, annotation.Table, annotated)
	if err != nil {
		return nil, 0, false, err
	}
	if !o.OmitPredictions {
		if err := s.addResultBytes(ctx, prediction.Table, ids, extra); err != nil {
			return nil, 0, false, err
		}
	}
	size = 0
	for i, t := range page {
		size += len(t.Data) + len(t.Meta) + extra[t.ID]
		if size >= exportPageBytes && i+1 < len(page) {
			page, ids, more = page[:i+1], ids[:i+1], true
			annotated = slices.DeleteFunc(annotated, func(id int) bool { return id > t.ID })
			break
		}
	}
	if len(annotated) > 0 {
		list, err := s.client.Annotation.Query().Where(annotation.TaskIDIn(annotated...)).
			Order(ent.Asc(annotation.FieldID)).All(ctx)
		if err != nil {
			return nil, 0, false, err
		}
		for _, a := range list {
			if t := byID[a.TaskID]; t != nil {
				t.Annotations = append(t.Annotations, exportAnnotation(v, p, a))
			}
		}
	}
	if o.OmitPredictions {
		return page, size, more, nil
	}
	preds, err := s.client.Prediction.Query().Where(prediction.TaskIDIn(ids...)).
		Order(ent.Asc(prediction.FieldID)).All(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	for _, pr := range preds {
		if t := byID[pr.TaskID]; t != nil {
			t.Predictions = append(t.Predictions, export.Prediction{
				ID: pr.ID, Result: pr.Result, Score: pr.Score, ModelVersion: pr.ModelVersion, CreatedAt: pr.CreatedAt,
			})
		}
	}
	return page, size, more, nil
}

// resultBytes returns the bytes of the results of table's rows
// (annotations or predictions) of each of the tasks ids that has any.
func (s *Service) resultBytes(ctx context.Context, table string, ids []int) (map[int]int, error) {
	out := map[int]int{}
	return out, s.addResultBytes(ctx, table, ids, out)
}

// addResultBytes adds to sizes, by task, the bytes of the results of
// table's rows of the tasks ids: one grouped read of an index and the
// rows' lengths, not of their results. Only the export's paging sees it.
func (s *Service) addResultBytes(ctx context.Context, table string, ids []int, sizes map[int]int) error {
	if len(ids) == 0 {
		return nil
	}
	length := "length(CAST(result AS BLOB))"
	if s.dialect == dialect.Postgres {
		length = "octet_length(result::text)"
	}
	query, args := entsql.Dialect(s.dialect).Select("task_id", entsql.As("SUM("+length+")", "n")).
		From(entsql.Table(table)).Where(entsql.InInts("task_id", ids...)).GroupBy("task_id").Query()
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read result sizes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("read result sizes: %w", err)
		}
		sizes[id] += n
	}
	return rows.Err()
}

// exportAnnotation turns a into what the export writers show, leaving out
// what the API refuses v: an author hidden from v (rule.SeesAuthor) becomes
// 0. Every format names annotators by user id, as Label Studio's converter
// does, never by email.
func exportAnnotation(v *viewer.Viewer, p *ent.Project, a *ent.Annotation) export.Annotation {
	ea := export.Annotation{
		ID: a.ID, Result: a.Result,
		WasCancelled: a.WasCancelled, GroundTruth: a.GroundTruth, LeadTime: a.LeadTime,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if rule.SeesAuthor(v, p.RevealAnnotators, a.CompletedByID) {
		ea.CompletedBy = a.CompletedByID
	}
	switch a.ReviewState {
	case annotation.ReviewStateAccepted, annotation.ReviewStateRejected:
		reviewed := a.ReviewState == annotation.ReviewStateAccepted
		ea.Reviewed = &reviewed
	}
	return ea
}
