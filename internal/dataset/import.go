package dataset

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/prediction"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/importer"
	"gloss/internal/labelconfig"
	"gloss/internal/projects"
	"gloss/internal/safehttp"
	"gloss/internal/text"
	"gloss/internal/webhook"
)

// Source is one task file of an import: its name (for the format, and
// for errors) and a way to open it. Files are spooled to disk before the
// transaction starts, so a slow upload or download never holds the
// database's write lock.
type Source struct {
	Name string
	// Format is the file's format when its name does not give it (a
	// request body, a storage object read by its content); empty: the
	// name's extension.
	Format  importer.Format
	Open    func() (io.ReadCloser, error)
	Cleanup func() // removes a spooled file; may be nil
}

// ImportOptions are an import's choices besides its files.
type ImportOptions struct {
	// PredictionFields are data keys whose values become predictions
	// (importer.Options.PredictionFields).
	PredictionFields []string
}

// Imported is what an import stored.
type Imported struct {
	Tasks, Annotations, Predictions int
	// FirstInner is the inner id of the import's first task; its tasks
	// have the Tasks inner ids from it on (TaskIDs).
	FirstInner int
}

// Fetcher fetches a URL for importTasksFromUrl; the SSRF-safe client
// implements it.
type Fetcher interface {
	Fetch(ctx context.Context, url string, max int64) (body io.ReadCloser, name string, err error)
}

func (s *Service) importOptions(format importer.Format, keys importKeys) importer.Options {
	l := importer.DefaultLimits()
	if s.limits.MaxImportTasks > 0 {
		l.MaxTasks = s.limits.MaxImportTasks
	}
	if s.limits.MaxImportBytes > 0 {
		l.MaxBytes = s.limits.MaxImportBytes
	}
	o := importer.Options{Format: format, Limits: l, TextKey: keys.text, HTMLKey: keys.html}
	if o.HTMLKey == "" {
		o.HTMLKey = importer.NoHTML
	}
	if !s.limits.AllowMissingKeys {
		o.RequiredKeys = keys.required
	}
	return o
}

// importKeys are the data keys of a project's config an import uses: the
// key a plain text line goes to, and the keys every task must have.
type importKeys struct {
	text     string
	media    string // the key an uploaded media file goes to
	html     string // the key an HTML file's markup goes to
	required []string
}

// MaxImportBytes is the size cap of one import.
func (s *Service) MaxImportBytes() int64 {
	return s.importOptions("", importKeys{}).Limits.MaxBytes
}

// MaxImportTasks is the cap on the tasks of one import.
func (s *Service) MaxImportTasks() int {
	return s.importOptions("", importKeys{}).Limits.MaxTasks
}

// importProject returns the project to import into, as the viewer sees it.
func (s *Service) importProject(ctx context.Context, projectID int) (*ent.Project, importKeys, error) {
	keys := importKeys{text: "text", media: "text", html: "text"}
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, keys, err
	}
	p, err := database.ClientFrom(ctx, s.client).Project.Get(ctx, projectID)
	if err != nil {
		return nil, keys, err
	}
	if cfg, err := projects.Config(p); err == nil && len(cfg.DataKeys) > 0 {
		keys.text, keys.media, keys.html = TextKey(cfg), MediaKey(cfg), HTMLKey(cfg)
		keys.required = cfg.DataKeys
	}
	return p, keys, nil
}

// CheckImportTarget reports whether the viewer may be importing into the
// project at all (it exists and they see it), before an import's body is
// read: a body spooled for a project that then turns out not to be found
// was work and disk for nothing. Whether they may add tasks to it is
// decided by the import's writes.
func (s *Service) CheckImportTarget(ctx context.Context, projectID int) error {
	_, _, err := s.importProject(ctx, projectID)
	return err
}

// TextKey is the data key a line of a text file goes to: the first
// object's. A <Header value="$title"> reads task data too, but shows no
// line of text; cfg has at least one data key.
func TextKey(cfg *labelconfig.Config) string {
	for _, o := range cfg.Objects {
		if o.DataKey != "" {
			return o.DataKey
		}
	}
	return cfg.DataKeys[0]
}

// HTMLKey is the data key an HTML file's markup goes to: the first
// HyperText's, else the first Text's; "" when the config has neither, and
// nothing would show the markup.
func HTMLKey(cfg *labelconfig.Config) string {
	for _, tag := range []string{"HyperText", "Text"} {
		for _, o := range cfg.Objects {
			if o.Tag == tag && o.DataKey != "" {
				return o.DataKey
			}
		}
	}
	return ""
}

// MediaKey is the data key an uploaded media file, or a storage object
// taken as a source file, goes to: the first Image's or Audio's, else the
// text key.
func MediaKey(cfg *labelconfig.Config) string {
	for _, o := range cfg.Objects {
		if o.DataKey != "" && (o.Tag == "Image" || o.Tag == "Audio") {
			return o.DataKey
		}
	}
	return TextKey(cfg)
}

// ImportJSON imports Label Studio task objects given inline (the GraphQL
// importTasks argument): all or nothing.
func (s *Service) ImportJSON(ctx context.Context, projectID int, raw json.RawMessage) (Imported, error) {
	p, keys, err := s.importProject(ctx, projectID)
	if err != nil {
		return Imported{}, err
	}
	st, err := newStage(s.MaxImportTasks())
	if err != nil {
		return Imported{}, err
	}
	defer st.discard()
	if _, err := importer.ParseJSONValue(raw, s.importOptions(importer.JSON, keys), st.add); err != nil {
		return Imported{}, importError("tasks", err)
	}
	return s.store(ctx, p, st, nil)
}

// ImportFiles imports task files (JSON, JSONL, CSV, TSV, TXT) in one
// transaction: on any bad row nothing is stored, and the error names the
// file, the row or line, and the problem. The files are parsed and checked
// into a staging file before the transaction starts, so the write lock is
// held only to insert.
func (s *Service) ImportFiles(ctx context.Context, projectID int, files []Source, o ImportOptions) (Imported, error) {
	p, keys, err := s.importProject(ctx, projectID)
	if err != nil {
		return Imported{}, err
	}
	if len(files) == 0 {
		return Imported{}, fault.Invalid("no task file was uploaded (send one or more files in the multipart field \"file\")")
	}
	// Media become uploads, one task each; the rest are task files.
	uploads, names, files, undo, err := s.storeUploads(files, keys.media)
	if err != nil {
		return Imported{}, err
	}
	n, err := s.importFiles(ctx, p, keys, files, uploads, names, o)
	if err != nil {
		undo()
	}
	return n, err
}

func (s *Service) importFiles(ctx context.Context, p *ent.Project, keys importKeys, files []Source, uploads []json.RawMessage, names []string, o ImportOptions) (Imported, error) {
	var err error
	formats := make([]importer.Format, len(files))
	for i, f := range files {
		if formats[i] = f.Format; formats[i] != "" {
			continue
		}
		if formats[i], err = importer.FormatOf(f.Name); err != nil {
			return Imported{}, fault.Invalid("%s: %v", f.Name, err)
		}
	}
	st, err := newStage(s.MaxImportTasks())
	if err != nil {
		return Imported{}, err
	}
	defer st.discard()
	for _, data := range uploads {
		if err := st.add(importer.Task{Data: data}); err != nil {
			return Imported{}, err
		}
	}
	for i, f := range files {
		r, err := f.Open()
		if err != nil {
			return Imported{}, err
		}
		opts := s.importOptions(formats[i], keys)
		opts.PredictionFields = o.PredictionFields
		_, err = importer.Parse(r, opts, st.add)
		r.Close()
		if err != nil {
			return Imported{}, importError(f.Name, err)
		}
	}
	return s.store(ctx, p, st, names)
}

// store writes the staged tasks into p in one transaction, and records
// the uploaded files named, whose tasks are the first staged.
func (s *Service) store(ctx context.Context, p *ent.Project, st *stage, uploads []string) (Imported, error) {
	if st.count == 0 {
		return Imported{}, fault.Invalid("the import holds no tasks")
	}
	if err := st.rewind(); err != nil {
		return Imported{}, err
	}
	n, first := 0, 0
	err := database.InTx(ctx, s.client, func(ctx context.Context) error {
		w, err := s.newWriter(ctx, p)
		if err != nil {
			return err
		}
		for {
			t, err := st.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("read staged tasks: %w", err)
			}
			if err := w.add(t); err != nil {
				return err
			}
		}
		w.keys.Add(st.keys.List())
		first = w.project.TaskNumber + 1 // the first task's inner id
		if n, err = w.finish(); err != nil {
			return err
		}
		if err := s.recordUploads(ctx, w.client, p.ID, p.OrganizationID, first, uploads); err != nil {
			return err
		}
		return recordImportUses(ctx, w.client, p, first, w.named)
	})
	if err != nil {
		return Imported{}, err
	}
	s.Analyze(ctx, n)
	return Imported{Tasks: n, Annotations: st.annotations, Predictions: st.predictions, FirstInner: first}, nil
}

// ImportedTaskIDs hands fn the ids of the tasks that import n stored in
// the project, in order, a batch at a time: an import's tasks are those
// of its inner ids (handed out under the project row's lock), read by the
// (project_id, inner_id) index as the viewer.
func (s *Service) ImportedTaskIDs(ctx context.Context, projectID int, n Imported, fn func([]int) error) error {
	const batch = 10_000
	client := database.ClientFrom(ctx, s.client)
	for from, end := n.FirstInner, n.FirstInner+n.Tasks; from < end; from += batch {
		ids, err := client.Task.Query().
			Where(task.ProjectID(projectID), task.InnerIDGTE(from), task.InnerIDLT(min(from+batch, end))).
			Order(ent.Asc(task.FieldInnerID)).IDs(ctx)
		if err != nil {
			return err
		}
		if err := fn(ids); err != nil {
			return err
		}
	}
	return nil
}

// analyzeAfter is the size of an import after which PostgreSQL's planner
// statistics are refreshed at once.
const analyzeAfter = 1000

// Analyze refreshes PostgreSQL's planner statistics of the tables an
// import of n tasks filled, after its commit. Until autovacuum gets to them
// (a minute or more later), the planner takes a freshly filled table for
// nearly empty: it read a whole project to sort out each data manager page
// (50 ms at 20,000 tasks, 200 ms at 100,000) and each export batch. ANALYZE
// samples a bounded number of rows, whatever the table's size. The import
// is committed whatever happens here: on an error the statistics wait for
// autovacuum. Inside a transaction (a storage sync's batch) it does
// nothing, as ANALYZE would not see the rows yet: whoever commits the
// transaction calls it afterwards.
func (s *Service) Analyze(ctx context.Context, n int) {
	if s.dialect != dialect.Postgres || n < analyzeAfter || ent.TxFromContext(ctx) != nil {
		return
	}
	_, _ = s.client.ExecContext(ctx, analyzeStatement)
}

// analyzeStatement is the ANALYZE of Analyze: every column of the three
// tables but the JSON ones (data, meta, result). The planner takes those
// from no statistics of the column (a filter on a data field is an
// expression, estimated without them), and their histograms were the bulk
// of the work: comparing sampled JSON values took three quarters of an
// ANALYZE of 100,000 tasks (140 ms of 180). The table's size, which the
// planner lacked, is counted all the same; autovacuum later analyzes every
// column as usual.
var analyzeStatement = func() string {
	var b strings.Builder
	b.WriteString("ANALYZE ")
	for i, t := range []struct {
		table   string
		columns []string
		json    []string
	}{
		{task.Table, task.Columns, []string{task.FieldData, task.FieldMeta}},
		{annotation.Table, annotation.Columns, []string{annotation.FieldResult}},
		{prediction.Table, prediction.Columns, []string{prediction.FieldResult}},
	} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.table + " (")
		first := true
		for _, c := range t.columns {
			if slices.Contains(t.json, c) {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(c)
		}
		b.WriteString(")")
	}
	return b.String()
}()

// ImportURL fetches a task file through the SSRF-safe client into a
// temporary file, then imports it in one transaction.
func (s *Service) ImportURL(ctx context.Context, projectID int, url string, o ImportOptions) (Imported, error) {
	if _, _, err := s.importProject(ctx, projectID); err != nil {
		return Imported{}, err
	}
	if s.fetcher == nil {
		return Imported{}, fault.Invalid("importing from a URL is not available")
	}
	body, name, err := s.fetcher.Fetch(ctx, url, s.MaxImportBytes())
	if err != nil {
		var fe *safehttp.Error
		if errors.As(err, &fe) {
			return Imported{}, fault.Invalid("could not import from the URL: %s", fe.Msg)
		}
		return Imported{}, fault.Invalid("could not import from the URL")
	}
	defer body.Close()
	src, err := Spool(name, body)
	if err != nil {
		return Imported{}, fault.Invalid("could not fetch the URL: %v", err)
	}
	defer src.Cleanup()
	return s.ImportFiles(ctx, projectID, []Source{src}, o)
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

// writer batches imported tasks into multi-row inserts, numbering them
// after the project's last inner id. Who may import is decided once per
// import: the first task is created through ent, so the task privacy policy
// (internal/rule) admits or refuses it; the rest of the same import, into the
// same project by the same viewer in the same transaction, is inserted
// directly. One audit event records the import.
type writer struct {
	svc       *Service
	ctx       context.Context
	client    *ent.Client
	project   *ent.Project
	author    int
	created   time.Time // the time of the import: every task's created_at and updated_at
	next      int
	count     int
	checked   bool      // the policy admitted the first task
	annotated bool      // the import held annotations (for the webhook event)
	stmt      *sql.Stmt // the prepared INSERT of preparedRows tasks (SQLite)
	batch     []stagedTask
	bytes     int                // of the batch's data, meta, annotations and predictions
	keys      *projects.DataKeys // the project's data keys, with the import's
	added     int                // tasks added so far
	named     map[int][]string   // the uploads each task names, by its place (recordImportUses)
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
	author := 0
	if v, err := fault.SignedIn(ctx); err == nil {
		author = v.UserID
	}
	return &writer{svc: s, ctx: ctx, client: client, project: locked, author: author,
		created: time.Now(), next: locked.TaskNumber, keys: projects.NewDataKeys(locked.TaskDataKeys)}, nil
}

func (w *writer) add(t stagedTask) error {
	if names := namedUploads(t.Data); len(names) > 0 {
		if w.named == nil {
			w.named = map[int][]string{}
		}
		w.named[w.added] = names
	}
	w.added++
	w.batch = append(w.batch, t)
	w.bytes += t.size()
	if len(w.batch) >= w.rowsPerInsert() || w.bytes >= batchBytes {
		return w.flush()
	}
	return nil
}

// batchBytes bounds the task data one batch holds: a batch of thousands of
// tasks of up to 1 MiB each, held with the driver's copies of its values,
// made an import of 150 tasks of 1 MB peak at 400 MB.
const batchBytes = 8 << 20

// taskColumns are the columns a task insert sets; the others keep their
// defaults (NULL lock).
var taskColumns = []string{
	task.FieldCreatedAt, task.FieldUpdatedAt, task.FieldProjectID, task.FieldOrganizationID,
	task.FieldInnerID, task.FieldData, task.FieldMeta, task.FieldTotalAnnotations, task.FieldCancelledAnnotations,
}

// rowsPerInsert is how many tasks are written at once: as many as one
// INSERT may carry under the dialect's limit on bound parameters
// (PostgreSQL 65535; SQLite 32766, rounded down to whole prepared
// statements), which is also one COPY's worth on PostgreSQL.
func (w *writer) rowsPerInsert() int {
	if w.svc.dialect == dialect.Postgres {
		return 65535 / len(taskColumns)
	}
	return 32766 / len(taskColumns) / preparedRows * preparedRows
}

func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	batch := w.batch
	first := w.next + 1
	if !w.checked {
		// The first task goes through ent and its privacy policy.
		t := batch[0]
		w.next++
		c := w.client.Task.Create().
			SetCreatedAt(w.created).
			SetUpdatedAt(w.created).
			SetProjectID(w.project.ID).
			SetOrganizationID(w.project.OrganizationID).
			SetInnerID(w.next).
			SetData(t.Data).
			SetTotalAnnotations(t.total()).
			SetCancelledAnnotations(t.cancelled())
		if len(t.Meta) > 0 {
			c.SetMeta(t.Meta)
		}
		created, err := c.Save(w.ctx)
		if err != nil {
			return fmt.Errorf("store tasks: %w", err)
		}
		w.checked = true
		if err := w.related(map[int]int{created.InnerID: created.ID}, batch[:1], first); err != nil {
			return err
		}
		batch = batch[1:]
		first++
	}
	if len(batch) > 0 {
		related := false
		for _, t := range batch {
			related = related || len(t.Annotations) > 0 || len(t.Predictions) > 0
		}
		var err error
		switch tx := database.TxOf(w.ctx); {
		case related:
			err = w.insertReturning(batch, first)
		case tx != nil && w.svc.dialect == dialect.Postgres:
			err = w.copy(tx, batch, first)
		case tx != nil:
			err = w.insertPrepared(tx, batch, first)
		default:
			err = w.insert(batch, first)
		}
		if err != nil {
			return fmt.Errorf("store tasks: %w", err)
		}
		w.next += len(batch)
	}
	w.count += len(w.batch)
	clear(w.batch) // the written tasks' data goes with them
	w.batch, w.bytes = w.batch[:0], 0
	return nil
}

// row returns the column values of task t with inner id inner, in the
// order of taskColumns.
func (w *writer) row(t stagedTask, inner int) []any {
	var meta any
	if len(t.Meta) > 0 {
		meta = []byte(t.Meta)
	}
	return []any{w.created, w.created, w.project.ID, w.project.OrganizationID, inner, []byte(t.Data), meta, t.total(), t.cancelled()}
}

// insert writes batch (inner ids from first) in one multi-row INSERT.
func (w *writer) insert(batch []stagedTask, first int) error {
	ins := entsql.Dialect(w.svc.dialect).Insert(task.Table).Columns(taskColumns...)
	for i, t := range batch {
		ins.Values(w.row(t, first+i)...)
	}
	query, args := ins.Query()
	_, err := w.client.ExecContext(w.ctx, query, args...)
	return err
}

// preparedRows is how many tasks one prepared INSERT carries on SQLite.
const preparedRows = 256

// insertPrepared writes batch with one multi-row INSERT prepared once and
// run for every preparedRows tasks, the rest in one more statement.
func (w *writer) insertPrepared(tx *database.Tx, batch []stagedTask, first int) error {
	if w.stmt == nil {
		query, _ := w.insertQuery(preparedRows)
		stmt, err := tx.Tx.PrepareContext(w.ctx, query)
		if err != nil {
			return err
		}
		w.stmt = stmt
	}
	args := make([]any, 0, preparedRows*len(taskColumns))
	for len(batch) >= preparedRows {
		args = args[:0]
		for i, t := range batch[:preparedRows] {
			args = append(args, w.row(t, first+i)...)
		}
		if _, err := w.stmt.ExecContext(w.ctx, args...); err != nil {
			return err
		}
		batch, first = batch[preparedRows:], first+preparedRows
	}
	if len(batch) > 0 {
		return w.insert(batch, first)
	}
	return nil
}

// insertQuery is the INSERT of n tasks.
func (w *writer) insertQuery(n int) (string, []any) {
	ins := entsql.Dialect(w.svc.dialect).Insert(task.Table).Columns(taskColumns...)
	row := make([]any, len(taskColumns)) // placeholders: nil would be written as NULL
	for i := range row {
		row[i] = 0
	}
	for range n {
		ins.Values(row...)
	}
	return ins.Query()
}

// copy writes batch with PostgreSQL's COPY on the transaction's connection.
func (w *writer) copy(tx *database.Tx, batch []stagedTask, first int) error {
	rows := make([][]any, len(batch))
	for i, t := range batch {
		rows[i] = w.row(t, first+i)
	}
	return tx.Conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs the pgx driver, not %T", dc)
		}
		_, err := c.Conn().CopyFrom(w.ctx, pgx.Identifier{task.Table}, taskColumns, pgx.CopyFromRows(rows))
		return err
	})
}

// insertReturning writes batch in one multi-row INSERT that returns the new
// ids, then the batch's annotations and predictions.
func (w *writer) insertReturning(batch []stagedTask, first int) error {
	ins := entsql.Dialect(w.svc.dialect).Insert(task.Table).Columns(taskColumns...)
	for i, t := range batch {
		ins.Values(w.row(t, first+i)...)
	}
	query, args := ins.Returning(task.FieldID, task.FieldInnerID).Query()
	rows, err := w.client.QueryContext(w.ctx, query, args...)
	if err != nil {
		return err
	}
	ids := make(map[int]int, len(batch))
	for rows.Next() {
		var id, inner int
		if err := rows.Scan(&id, &inner); err != nil {
			rows.Close()
			return err
		}
		ids[inner] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return w.related(ids, batch, first)
}

// related stores the annotations and predictions of batch, whose tasks
// have inner ids first, first+1, ... and the ids in ids (by inner id);
// they go through ent and its policies.
func (w *writer) related(ids map[int]int, batch []stagedTask, first int) error {
	var anns []*ent.AnnotationCreate
	var preds []*ent.PredictionCreate
	for i, t := range batch {
		id, ok := ids[first+i]
		if !ok && (len(t.Annotations) > 0 || len(t.Predictions) > 0) {
			return fmt.Errorf("store tasks: no id returned for inner id %d", first+i)
		}
		for _, a := range t.Annotations {
			anns = append(anns, w.client.Annotation.Create().
				SetTaskID(id).
				SetProjectID(w.project.ID).
				SetOrganizationID(w.project.OrganizationID).
				SetCompletedByID(w.author).
				SetResult(a.Result).
				SetWasCancelled(a.WasCancelled).
				SetGroundTruth(a.GroundTruth).
				SetLeadTime(max(0, a.LeadTime)))
		}
		for _, p := range t.Predictions {
			preds = append(preds, w.client.Prediction.Create().
				SetTaskID(id).
				SetOrganizationID(w.project.OrganizationID).
				SetResult(p.Result).
				SetNillableScore(p.Score).
				SetModelVersion(text.Clip(p.ModelVersion, 200)))
		}
	}
	w.annotated = w.annotated || len(anns) > 0
	for len(anns) > 0 {
		n := min(len(anns), 500)
		if err := w.client.Annotation.CreateBulk(anns[:n]...).Exec(w.ctx); err != nil {
			return fmt.Errorf("store annotations: %w", err)
		}
		anns = anns[n:]
	}
	for len(preds) > 0 {
		n := min(len(preds), 500)
		if err := w.client.Prediction.CreateBulk(preds[:n]...).Exec(w.ctx); err != nil {
			return fmt.Errorf("store predictions: %w", err)
		}
		preds = preds[n:]
	}
	return nil
}

func (w *writer) finish() (int, error) {
	err := w.flush()
	if w.stmt != nil {
		w.stmt.Close()
	}
	if err != nil {
		return 0, err
	}
	if w.count == 0 {
		return 0, fault.Invalid("the import holds no tasks")
	}
	u := w.client.Project.UpdateOneID(w.project.ID).SetTaskNumber(w.next)
	if keys := w.keys.Changed(); keys != nil {
		u.SetTaskDataKeys(keys)
	}
	if err := u.Exec(w.ctx); err != nil {
		return 0, err
	}
	if err := projects.TasksAdded(w.ctx, w.client, w.project.ID, w.project.TaskNumber, w.next); err != nil {
		return 0, err
	}
	if err := w.emit(); err != nil {
		return 0, err
	}
	return w.count, w.svc.audit.Record(w.ctx, audit.Event{Action: "project.tasks_imported", TargetType: "Project",
		TargetID: strconv.Itoa(w.project.ID), Details: map[string]any{"tasks": w.count}})
}

// emit queues TASKS_CREATED (and ANNOTATIONS_CREATED when the import held
// annotations) for the webhooks that listen, with the import's first tasks
// and annotations read back by inner id: the bulk insert keeps no objects.
func (w *writer) emit() error {
	mine := task.And(task.ProjectID(w.project.ID), task.InnerIDGT(w.project.TaskNumber), task.InnerIDLTE(w.next))
	err := webhook.EmitLazy(w.ctx, w.client, webhook.TasksCreated, w.project, func(ctx context.Context) (map[string]any, error) {
		ts, err := w.client.Task.Query().Where(mine).Order(ent.Asc(task.FieldInnerID)).Limit(webhook.MaxPayloadItems).All(ctx)
		return map[string]any{"tasks": webhook.Tasks(ts)}, err
	})
	if err != nil || !w.annotated {
		return err
	}
	return webhook.EmitLazy(w.ctx, w.client, webhook.AnnotationsCreated, w.project, func(ctx context.Context) (map[string]any, error) {
		as, err := w.client.Annotation.Query().Where(annotation.HasTaskWith(mine)).
			Order(ent.Asc(annotation.FieldID)).Limit(webhook.MaxPayloadItems).All(ctx)
		return map[string]any{"annotation": webhook.Annotations(as)}, err
	})
}

// stagedTask is a parsed task as it will be stored: Data and Meta as ent
// would marshal them.
type stagedTask struct {
	importer.Task
}

// size is the bytes of t's data, meta, annotations' results and
// predictions' results, and what each annotation and prediction costs
// besides its result while a batch holds it (rowCost): a batch of empty
// results is not free.
func (t stagedTask) size() int {
	n := len(t.Data) + len(t.Meta) + rowCost*(len(t.Annotations)+len(t.Predictions))
	for _, a := range t.Annotations {
		n += len(a.Result)
	}
	for _, p := range t.Predictions {
		n += len(p.Result)
	}
	return n
}

// rowCost is about what an annotation or prediction of an import costs in
// memory besides its result: ent's create builder with its mutation, and
// the driver's copies of its values.
const rowCost = 1 << 10

func (t stagedTask) total() int {
	n := 0
	for _, a := range t.Annotations {
		if !a.WasCancelled {
			n++
		}
	}
	return n
}

func (t stagedTask) cancelled() int { return len(t.Annotations) - t.total() }

// stage holds an import's parsed tasks in a temporary file between parsing
// (before the transaction) and inserting (inside it), so memory stays flat
// however many tasks there are and the write lock is never held to parse.
type stage struct {
	f     *os.File
	w     *bufio.Writer
	r     *bufio.Reader
	count int
	// annotations and predictions staged
	annotations, predictions int
	max                      int // the most tasks one import may hold, across its files, and the most annotations and predictions
	buf                      []byte
	keys                     *projects.DataKeys // the data keys of the staged tasks
}

func newStage(max int) (*stage, error) {
	f, err := os.CreateTemp("", "gloss-stage-*")
	if err != nil {
		return nil, fmt.Errorf("stage import: %w", err)
	}
	return &stage{f: f, w: bufio.NewWriterSize(f, 256<<10), max: max, keys: projects.NewDataKeys([]string{})}, nil
}

// discard removes the staging file.
func (st *stage) discard() {
	st.f.Close()
	os.Remove(st.f.Name())
}

// add stages one task (the importer's callback). The import's cap counts
// every task it holds, whatever file (or uploaded media file) it came
// from: a file's own cap alone let a hundred files of a million lines
// each through.
func (st *stage) add(t importer.Task) error {
	if st.count >= st.max {
		return fault.Invalid("the import holds more than %d tasks, the most one import may (GLOSS_IMPORT_MAX_TASKS); nothing was imported", st.max)
	}
	// Annotations and predictions are rows too, in the same transaction:
	// an import brings as many of them as it may bring tasks.
	st.annotations += len(t.Annotations)
	st.predictions += len(t.Predictions)
	if st.annotations+st.predictions > st.max {
		return fault.Invalid("the import holds more than %d annotations and predictions, the most one import may (GLOSS_IMPORT_MAX_TASKS); nothing was imported", st.max)
	}
	data, err := asEntStores(t.Data)
	if err != nil {
		return err
	}
	var meta []byte
	if len(t.Meta) > 0 {
		if meta, err = asEntStores(t.Meta); err != nil {
			return err
		}
	}
	b := st.buf[:0]
	b = appendBytes(b, data)
	b = appendBytes(b, meta)
	b = binary.AppendUvarint(b, uint64(len(t.Annotations)))
	for _, a := range t.Annotations {
		b = appendBytes(b, a.Result)
		b = append(b, flag(a.WasCancelled), flag(a.GroundTruth))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.LeadTime))
	}
	b = binary.AppendUvarint(b, uint64(len(t.Predictions)))
	for _, p := range t.Predictions {
		b = appendBytes(b, p.Result)
		if p.Score != nil {
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(*p.Score))
		} else {
			b = append(b, 0)
		}
		b = appendBytes(b, []byte(p.ModelVersion))
	}
	st.buf = b
	st.keys.Add(t.Keys)
	if _, err := st.w.Write(b); err != nil {
		return fmt.Errorf("stage import: %w", err)
	}
	st.count++
	return nil
}

// rewind ends staging and readies next to read the tasks back.
func (st *stage) rewind() error {
	if err := st.w.Flush(); err != nil {
		return fmt.Errorf("stage import: %w", err)
	}
	if _, err := st.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("stage import: %w", err)
	}
	st.r = bufio.NewReaderSize(st.f, 256<<10)
	return nil
}

// next returns the next staged task, or io.EOF after the last.
func (st *stage) next() (stagedTask, error) {
	var t stagedTask
	data, err := readBytes(st.r)
	if err != nil {
		return t, err // io.EOF at the end
	}
	t.Data = data
	if t.Meta, err = readBytes(st.r); err != nil {
		return t, unexpected(err)
	}
	if len(t.Meta) == 0 {
		t.Meta = nil
	}
	n, err := binary.ReadUvarint(st.r)
	if err != nil {
		return t, unexpected(err)
	}
	for range n {
		var a importer.Annotation
		if a.Result, err = readBytes(st.r); err != nil {
			return t, unexpected(err)
		}
		var fl [10]byte
		if _, err := io.ReadFull(st.r, fl[:]); err != nil {
			return t, unexpected(err)
		}
		a.WasCancelled, a.GroundTruth = fl[0] == 1, fl[1] == 1
		a.LeadTime = math.Float64frombits(binary.LittleEndian.Uint64(fl[2:]))
		t.Annotations = append(t.Annotations, a)
	}
	if n, err = binary.ReadUvarint(st.r); err != nil {
		return t, unexpected(err)
	}
	for range n {
		var p importer.Prediction
		if p.Result, err = readBytes(st.r); err != nil {
			return t, unexpected(err)
		}
		has, err := st.r.ReadByte()
		if err != nil {
			return t, unexpected(err)
		}
		if has == 1 {
			var sb [8]byte
			if _, err := io.ReadFull(st.r, sb[:]); err != nil {
				return t, unexpected(err)
			}
			score := math.Float64frombits(binary.LittleEndian.Uint64(sb[:]))
			p.Score = &score
		}
		mv, err := readBytes(st.r)
		if err != nil {
			return t, unexpected(err)
		}
		p.ModelVersion = string(mv)
		t.Predictions = append(t.Predictions, p)
	}
	return t, nil
}

// asEntStores returns v (compact, valid JSON from the importer) as ent
// stores a JSON field: json.Marshal's form, which differs from v only by
// escaping <, > and & and U+2028/U+2029; without those, v is returned as is.
func asEntStores(v json.RawMessage) ([]byte, error) {
	if bytes.IndexAny(v, "<>&") < 0 && !bytes.Contains(v, lineSep) && !bytes.Contains(v, paraSep) {
		return v, nil
	}
	return json.Marshal(v)
}

var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func readBytes(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	v := make([]byte, n)
	if _, err := io.ReadFull(r, v); err != nil {
		return nil, unexpected(err)
	}
	return v, nil
}

// unexpected turns an end of file inside a staged task into an error.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
