package dataset

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/task"
	"gloss/ent/upload"
	"gloss/ent/uploaduse"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/media"
	"gloss/internal/viewer"
)

// UploadPath is where an uploaded file is served; task data names it so.
const UploadPath = "/api/uploads/"

// uploadExts are the files the import page stores as uploads (one task
// each, naming the file) rather than reading as task files. What is served
// inline is decided again, by sniffing, when the file is served.
var uploadExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true, ".svg": true,
	".mp3": true, ".wav": true, ".ogg": true, ".oga": true, ".flac": true, ".m4a": true, ".webm": true, ".mp4": true,
}

// servedExts are the extensions of the uploads served: uploadExts', and
// HTML, which earlier releases stored as uploads too (an .html file is now
// read as a task of its markup, as Label Studio reads it).
var servedExts = func() map[string]bool {
	m := maps.Clone(uploadExts)
	m[".html"], m[".htm"] = true, true
	return m
}()

// uploadName is the form of every stored upload's name: random hex, and
// the lower-case extension from uploadExts. No part of it comes from the
// uploader but the extension, which is one of a fixed set.
var uploadName = regexp.MustCompile(`^[0-9a-f]{32}\.[a-z0-9]{2,5}$`)

func uploadExt(name string) string {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	if dot := strings.LastIndexByte(base, '.'); dot >= 0 {
		if ext := strings.ToLower(base[dot:]); uploadExts[ext] {
			return ext
		}
	}
	return ""
}

// storeUploads copies the media files among files into the upload
// directory under generated names, before any transaction, and returns
// the tasks that name them, the names, and a function that removes them
// again (for a failed import). The rest are task files.
func (s *Service) storeUploads(files []Source, dataKey string) (tasks []json.RawMessage, names []string, rest []Source, undo func(), err error) {
	var stored []string
	undo = func() {
		for _, p := range stored {
			os.Remove(p)
		}
	}
	for _, f := range files {
		ext := uploadExt(f.Name)
		if ext == "" || f.Format != "" { // a task file whatever its name
			rest = append(rest, f)
			continue
		}
		if s.limits.UploadDir == "" {
			undo()
			return nil, nil, nil, nil, fault.Invalid("%s: this server stores no uploaded media", f.Name)
		}
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			undo()
			return nil, nil, nil, nil, err
		}
		name := hex.EncodeToString(b) + ext
		path := filepath.Join(s.limits.UploadDir, name)
		if err := copyTo(path, f); err != nil {
			undo()
			return nil, nil, nil, nil, fmt.Errorf("store upload %s: %w", f.Name, err)
		}
		stored = append(stored, path)
		data, _ := json.Marshal(map[string]string{dataKey: UploadPath + name})
		tasks = append(tasks, data)
		names = append(names, name)
	}
	return tasks, names, rest, undo, nil
}

// recordUploads records, in an import's transaction, the uploaded files
// names, one for each of the first tasks the import made from the inner
// id first on (storeUploads staged their tasks first, in order).
func (s *Service) recordUploads(ctx context.Context, client *ent.Client, projectID, orgID, first int, names []string) error {
	if len(names) == 0 {
		return nil
	}
	// The server's bookkeeping: the import's one audit event says it all.
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	ids, err := client.Task.Query().
		Where(task.ProjectID(projectID), task.InnerIDGTE(first), task.InnerIDLT(first+len(names))).
		Order(ent.Asc(task.FieldInnerID)).IDs(sys)
	if err != nil {
		return err
	}
	if len(ids) != len(names) {
		return fmt.Errorf("record uploads: the import made %d tasks for %d uploads", len(ids), len(names))
	}
	rows := make([]*ent.UploadCreate, len(names))
	for i, name := range names {
		rows[i] = client.Upload.Create().SetName(name).SetTaskID(ids[i]).SetOrganizationID(orgID)
	}
	for chunk := range slices.Chunk(rows, uploadChunk) {
		if err := client.Upload.CreateBulk(chunk...).Exec(sys); err != nil {
			return err
		}
	}
	return nil
}

func copyTo(path string, f Source) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		os.Remove(path)
		return err
	}
	return out.Close()
}

// Upload is a stored upload opened for serving. The caller closes File.
type Upload struct {
	File        *os.File
	Size        int64
	ContentType string // the sniffed type when Inline, else application/octet-stream
	Inline      bool   // whether it may be shown in the browser rather than downloaded
	Name        string
}

// OpenUpload opens the upload name for the viewer in ctx: only when they may
// read a task of the file's organization that names it (the task its
// import made for it, looked up by id, or failing that another one).
// Anything else — a malformed name, an unknown one, a task of another
// organization that names the file, a file that is gone — is not found,
// so the answer tells nothing about other projects.
func (s *Service) OpenUpload(ctx context.Context, name string) (*Upload, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	notFound := fault.New(fault.NotFound, "no such upload")
	if !uploadName.MatchString(name) || !servedExts[filepath.Ext(name)] || s.limits.UploadDir == "" {
		return nil, notFound
	}
	client := database.ClientFrom(ctx, s.client)
	up, err := client.Upload.Query().Where(upload.Name(name)).Only(viewer.NewSystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	// The name is hex and a fixed extension: nothing in it is a LIKE
	// wildcard. The viewer's task policy decides whether a task counts:
	// the file's own, or (a task exported and imported again into another
	// project) another of its organization that names it, found through
	// the uses its import recorded (UploadUse), never by a search of task
	// data, and looked for only when the viewer may not read the file's
	// own. Either must still name the file.
	holds := dataHolds(`"` + UploadPath + name + `"`)
	named, err := client.Task.Query().Where(task.ID(up.TaskID), holds).Exist(ctx)
	if err == nil && !named && up.OrganizationID != 0 {
		named, err = client.Task.Query().Where(usedIn(name), task.OrganizationID(up.OrganizationID), holds).Exist(ctx)
	}
	if err != nil {
		return nil, err
	}
	if !named {
		return nil, notFound
	}
	f, err := os.Open(filepath.Join(s.limits.UploadDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	u := &Upload{File: f, Size: st.Size(), Name: name}
	u.ContentType, u.Inline = media.Served(head[:n], name)
	return u, nil
}

// dataHolds holds for tasks whose data, as stored JSON text, holds text.
// The caller's text holds no LIKE wildcard.
func dataHolds(text string) predicate.Task {
	return func(sel *sql.Selector) {
		col := sel.C(task.FieldData)
		if sel.Dialect() == dialect.Postgres {
			col += "::text"
		}
		sel.Where(sql.P(func(b *sql.Builder) { b.WriteString(col).WriteString(" LIKE ").Arg("%" + text + "%") }))
	}
}

// usedIn holds for the tasks recorded as using the upload name.
func usedIn(name string) predicate.Task {
	return func(sel *sql.Selector) {
		u := sql.Table(uploaduse.Table)
		sel.Where(sql.In(sel.C(task.FieldID),
			sql.Select(u.C(uploaduse.FieldTaskID)).From(u).Where(sql.EQ(u.C(uploaduse.FieldName), name))))
	}
}

// namedUploads returns the upload names data names, or none.
func namedUploads(data []byte) []string {
	if !bytes.Contains(data, []byte(`"`+UploadPath)) {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range namedUpload.FindAllSubmatch(data, -1) {
		if name := string(m[1]); !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

// use is a task naming uploads: by its id, or by its place in an import.
type use struct {
	task  int
	names []string
}

// recordUses records, in an import's transaction or at start, the uses
// of uploaded files that tasks of organization orgID make: a task naming
// a file of its organization that is not its own. Names of other
// organizations' files, or of none, are passed over.
func recordUses(ctx context.Context, client *ent.Client, orgID int, uses []use) error {
	if len(uses) == 0 {
		return nil
	}
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	var names []string
	seen := map[string]bool{}
	for _, u := range uses {
		for _, n := range u.names {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	// The files' records are held until the transaction ends (on
	// PostgreSQL), so that a deletion of a file's last task, which holds
	// them while it decides whether the file still serves anybody
	// (ForgetTasksUploads), either sees these uses or has removed the
	// file before they are recorded. Both take them in name order.
	slices.Sort(names)
	owner := map[string]int{} // name: its own task, for the organization's files
	for chunk := range slices.Chunk(names, uploadChunk) {
		ups, err := client.Upload.Query().Where(upload.NameIn(chunk...), upload.OrganizationID(orgID)).
			Order(ent.Asc(upload.FieldName)).Modify(database.ForShare).UploadQuery.All(sys)
		if err != nil {
			return err
		}
		for _, up := range ups {
			owner[up.Name] = up.TaskID
		}
	}
	var rows []*ent.UploadUseCreate
	for _, u := range uses {
		for _, n := range u.names {
			if own, ok := owner[n]; ok && own != u.task {
				rows = append(rows, client.UploadUse.Create().SetName(n).SetTaskID(u.task))
			}
		}
	}
	for chunk := range slices.Chunk(rows, uploadChunk) {
		if err := client.UploadUse.CreateBulk(chunk...).OnConflict().DoNothing().Exec(sys); err != nil {
			return err
		}
	}
	return nil
}

// recordImportUses records the uses of the tasks an import made from the
// inner id first on: named holds the names each task's data holds, by its
// place in the import (those with none left out).
func recordImportUses(ctx context.Context, client *ent.Client, p *ent.Project, first int, named map[int][]string) error {
	if len(named) == 0 {
		return nil
	}
	sys := viewer.NewSystemContext(ctx)
	inner := make([]int, 0, len(named))
	for i := range named {
		inner = append(inner, first+i)
	}
	var uses []use
	for chunk := range slices.Chunk(inner, uploadChunk) {
		ts, err := client.Task.Query().Where(task.ProjectID(p.ID), task.InnerIDIn(chunk...)).
			Select(task.FieldID, task.FieldInnerID).All(sys)
		if err != nil {
			return err
		}
		for _, t := range ts {
			uses = append(uses, use{task: t.ID, names: named[t.InnerID-first]})
		}
	}
	return recordUses(ctx, client, p.OrganizationID, uses)
}

// usesRecorded is the name of the UploadUse row whose task id is the last
// task whose uses RecordEarlierUses has recorded.
const usesRecorded = "-"

// RecordEarlierUses records the uses of uploaded files that tasks made
// since the last start make, when whoever made them kept no record: an
// earlier release, or an older replica during a rolling upgrade (this
// release's imports record their own). It reads the tasks that name an
// upload among those made since (usesRecorded), at start under the
// start-up lock, in one transaction.
func (s *Service) RecordEarlierUses(ctx context.Context) error {
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	return database.InTx(sys, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		after := 0
		if m, err := client.UploadUse.Query().Where(uploaduse.Name(usesRecorded)).Only(ctx); err == nil {
			after = m.TaskID
		} else if !ent.IsNotFound(err) {
			return err
		}
		last, err := client.Task.Query().Order(ent.Desc(task.FieldID)).FirstID(ctx)
		if ent.IsNotFound(err) || err == nil && last <= after {
			return nil
		} else if err != nil {
			return err
		}
		err = eachNaming(ctx, client, after, last, func(page []*ent.Task) error {
			byOrg := map[int][]use{}
			for _, t := range page {
				if names := namedUploads(t.Data); len(names) > 0 {
					byOrg[t.OrganizationID] = append(byOrg[t.OrganizationID], use{task: t.ID, names: names})
				}
			}
			for org, uses := range byOrg {
				if err := recordUses(ctx, client, org, uses); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := client.UploadUse.Delete().Where(uploaduse.Name(usesRecorded)).Exec(ctx); err != nil {
			return err
		}
		return client.UploadUse.Create().SetName(usesRecorded).SetTaskID(last).Exec(ctx)
	})
}

// eachNaming calls fn with the tasks with ids after after, up to last
// (0: every one), whose data names an upload, a page at a time in id
// order: a read of those tasks' data, for start-up work.
func eachNaming(ctx context.Context, client *ent.Client, after, last int, fn func([]*ent.Task) error) error {
	for {
		q := client.Task.Query().Where(task.IDGT(after), dataHolds(`"`+UploadPath))
		if last > 0 {
			q.Where(task.IDLTE(last))
		}
		page, err := q.
			Order(ent.Asc(task.FieldID)).Limit(1000).
			Select(task.FieldID, task.FieldOrganizationID, task.FieldData).All(ctx)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		after = page[len(page)-1].ID
	}
}

// namedUpload finds the uploads a task's data names.
var namedUpload = regexp.MustCompile(`"` + regexp.QuoteMeta(UploadPath) + `([0-9a-f]{32}\.[a-z0-9]{2,5})"`)

// RecordEarlierUploads records the uploaded files that have none: those
// of an earlier release, which kept no record, and those an older replica
// stored during a rolling upgrade. Each is recorded for the first task
// that names it, so it is served as before to whoever may read that task
// (or another of its organization that names it); a file that no task
// names is recorded for none, served to nobody and not looked for again.
// It runs at start, under the start-up lock, in one transaction (a start
// stopped half way does it again): a listing of the upload folder and a
// lookup of its names, and only when some file has no record, one read of
// the tasks that name an upload.
func (s *Service) RecordEarlierUploads(ctx context.Context) error {
	if s.limits.UploadDir == "" {
		return nil
	}
	entries, err := os.ReadDir(s.limits.UploadDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	missing := map[string]bool{}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !uploadName.MatchString(e.Name()) {
			continue
		}
		// A file newer than uploadSettle may be one whose import another
		// replica sharing the folder is still committing, with its own
		// record: it is left to a later start.
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < uploadSettle {
			continue
		}
		names = append(names, e.Name())
	}
	for chunk := range slices.Chunk(names, uploadChunk) {
		have, err := s.client.Upload.Query().Where(upload.NameIn(chunk...)).Select(upload.FieldName).Strings(sys)
		if err != nil {
			return err
		}
		for _, n := range chunk {
			missing[n] = true
		}
		for _, n := range have {
			delete(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return database.InTx(sys, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		first := map[string]*ent.Task{}
		err := eachNaming(ctx, client, 0, 0, func(page []*ent.Task) error {
			for _, t := range page {
				for _, name := range namedUploads(t.Data) {
					if missing[name] && first[name] == nil {
						first[name] = t
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		var rows []*ent.UploadCreate
		for name := range missing {
			row := client.Upload.Create().SetName(name).SetTaskID(0).SetOrganizationID(0)
			if t := first[name]; t != nil {
				row.SetTaskID(t.ID).SetOrganizationID(t.OrganizationID)
			}
			rows = append(rows, row)
		}
		for chunk := range slices.Chunk(rows, uploadChunk) {
			if err := client.Upload.CreateBulk(chunk...).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// uploadSettle is how old an upload file with no record must be for the
// start-up recording to take it for an earlier one.
const uploadSettle = 10 * time.Minute

// uploadChunk is how many upload names one statement carries, well under
// SQLite's limit on bound values.
const uploadChunk = 500

// ForgetOrganization deletes, in the transaction of ctx (the server's,
// as the organization's deletion runs what it holds), the record of the
// uploads of organization orgID and every use of them or by its tasks, and
// returns what removes their files: the caller runs it once that
// transaction has committed (a rollback keeps them). The records stay as
// ones of no organization, which serve nobody.
func (s *Service) ForgetOrganization(ctx context.Context, orgID int) (remove func(), err error) {
	client := database.ClientFrom(ctx, s.client)
	names, err := client.Upload.Query().Where(upload.OrganizationID(orgID)).Select(upload.FieldName).Strings(ctx)
	if err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(names, uploadChunk) {
		if _, err := client.UploadUse.Delete().Where(uploaduse.NameIn(chunk...)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	ofOrg := func(s *sql.Selector) {
		t := sql.Table(task.Table)
		s.Where(sql.In(s.C(uploaduse.FieldTaskID), sql.Select(t.C(task.FieldID)).From(t).Where(sql.EQ(t.C(task.FieldOrganizationID), orgID))))
	}
	// Not the row that records how far the uses were recorded (usesRecorded),
	// which names a task and no upload.
	if _, err := client.UploadUse.Delete().Where(ofOrg, uploaduse.NameNEQ(usesRecorded)).Exec(ctx); err != nil {
		return nil, err
	}
	if _, err := client.Upload.Delete().Where(upload.OrganizationID(orgID)).Exec(ctx); err != nil {
		return nil, err
	}
	if err := recordNobodys(ctx, client, names); err != nil {
		return nil, err
	}
	return func() { s.removeFiles(names) }, nil
}

// recordNobodys records the uploads names, whose records the caller has
// deleted, as ones of no task and no organization, which serve nobody: a
// file whose removal fails, or that a crash leaves behind, is then not
// taken at the next start for an earlier release's and handed to a task
// of another organization that names it.
func recordNobodys(ctx context.Context, client *ent.Client, names []string) error {
	for chunk := range slices.Chunk(names, uploadChunk) {
		rows := make([]*ent.UploadCreate, len(chunk))
		for i, name := range chunk {
			rows[i] = client.Upload.Create().SetName(name).SetTaskID(0).SetOrganizationID(0)
		}
		if err := client.Upload.CreateBulk(rows...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// removeFiles removes the files of the uploads names, as far as it can.
func (s *Service) removeFiles(names []string) {
	if s.limits.UploadDir == "" {
		return
	}
	for _, name := range names {
		os.Remove(filepath.Join(s.limits.UploadDir, name))
	}
}

// ForgetTasksUploads forgets, in the transaction of ctx (as the server),
// the uses of uploaded files by the tasks ids, which are being deleted,
// and the uploads their deletion leaves unreachable, and removes the files
// of those once the transaction commits. A file is served only through a
// task of its organization that names it, its own or one recorded as
// using it; once the last of those is gone it serves nobody, and stayed on
// disk for good with whatever it showed. Call it after the tasks' rows
// are deleted.
func (s *Service) ForgetTasksUploads(ctx context.Context, client *ent.Client, ids []int) error {
	var names []string
	for chunk := range slices.Chunk(ids, uploadChunk) {
		own, err := client.Upload.Query().Where(upload.TaskIDIn(chunk...)).Select(upload.FieldName).Strings(ctx)
		if err != nil {
			return err
		}
		// Not the row that records how far the uses were recorded
		// (usesRecorded), which names a task and no upload.
		used := uploaduse.And(uploaduse.TaskIDIn(chunk...), uploaduse.NameNEQ(usesRecorded))
		named, err := client.UploadUse.Query().Where(used).Select(uploaduse.FieldName).Strings(ctx)
		if err != nil {
			return err
		}
		if len(named) > 0 {
			if _, err := client.UploadUse.Delete().Where(used).Exec(ctx); err != nil {
				return err
			}
		}
		names = append(append(names, own...), named...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var gone []string
	for chunk := range slices.Chunk(names, uploadChunk) {
		// The records of the files are held first (on PostgreSQL), in name
		// order as recordUses holds them: an import that records a use of
		// one of them in a transaction still running is waited for, and
		// its use is then seen below (each statement reads what committed
		// before it); one that comes later waits, and finds the file gone.
		if _, err := client.Upload.Query().Where(upload.NameIn(chunk...)).Order(ent.Asc(upload.FieldName)).
			Modify(database.ForUpdate).Select(upload.FieldName).Strings(ctx); err != nil {
			return err
		}
		// Still served: through its own task, or a use left.
		ownTask := func(sel *sql.Selector) {
			t := sql.Table(task.Table)
			sel.Where(sql.In(sel.C(upload.FieldTaskID), sql.Select(t.C(task.FieldID)).From(t)))
		}
		live, err := client.Upload.Query().Where(upload.NameIn(chunk...), ownTask).Select(upload.FieldName).Strings(ctx)
		if err != nil {
			return err
		}
		used, err := client.UploadUse.Query().Where(uploaduse.NameIn(chunk...)).Select(uploaduse.FieldName).Strings(ctx)
		if err != nil {
			return err
		}
		served := make(map[string]bool, len(live)+len(used))
		for _, name := range append(live, used...) {
			served[name] = true
		}
		for _, name := range chunk {
			if !served[name] {
				gone = append(gone, name)
			}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	for chunk := range slices.Chunk(gone, uploadChunk) {
		if _, err := client.Upload.Delete().Where(upload.NameIn(chunk...)).Exec(ctx); err != nil {
			return err
		}
	}
	if err := recordNobodys(ctx, client, gone); err != nil {
		return err
	}
	database.AfterCommit(ctx, func() { s.removeFiles(gone) })
	return nil
}
