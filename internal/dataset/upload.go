package dataset

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/task"
	"gloss/ent/upload"
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
	".html": true, ".htm": true,
}

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
		if ext == "" {
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
func (s *Service) recordUploads(ctx context.Context, client *ent.Client, projectID, first int, names []string) error {
	if len(names) == 0 {
		return nil
	}
	sys := viewer.NewSystemContext(ctx)
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
		rows[i] = client.Upload.Create().SetName(name).SetTaskID(ids[i])
	}
	return client.Upload.CreateBulk(rows...).Exec(sys)
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
// read the task its import made for it, and that task still names it.
// Anything else — a malformed name, an unknown one, a task the viewer may
// not read (another project's or organization's, though a task there
// names the file too), a file that is gone — is not found, so the answer
// tells nothing about other projects. Two indexed reads: by the file's
// name, then its task's id.
func (s *Service) OpenUpload(ctx context.Context, name string) (*Upload, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	notFound := fault.New(fault.NotFound, "no such upload")
	if !uploadName.MatchString(name) || !uploadExts[filepath.Ext(name)] || s.limits.UploadDir == "" {
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
	// wildcard. The viewer's task policy decides whether the task counts.
	named, err := client.Task.Query().Where(task.ID(up.TaskID), dataHolds(`"`+UploadPath+name+`"`)).Exist(ctx)
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

// namedUpload finds the uploads a task's data names.
var namedUpload = regexp.MustCompile(`"` + regexp.QuoteMeta(UploadPath) + `([0-9a-f]{32}\.[a-z0-9]{2,5})"`)

// RecordEarlierUploads records the uploads of an earlier release, which
// kept no record of them, so that they are served as they were: each to
// whoever may read the first task that names it. It runs at start while
// no upload is recorded and the upload folder holds files, in one
// transaction (a start stopped half way does it again), reading the tasks
// that name an upload in pages of 1,000.
func (s *Service) RecordEarlierUploads(ctx context.Context) error {
	if s.limits.UploadDir == "" {
		return nil
	}
	dir, err := os.Open(s.limits.UploadDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	some, _ := dir.Readdirnames(1)
	dir.Close()
	sys := viewer.NewSystemContext(ctx)
	if len(some) == 0 {
		return nil
	}
	if recorded, err := s.client.Upload.Query().Exist(sys); err != nil || recorded {
		return err
	}
	return database.InTx(sys, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		seen := map[string]bool{}
		for after := 0; ; {
			page, err := client.Task.Query().Where(task.IDGT(after), dataHolds(`"`+UploadPath)).
				Order(ent.Asc(task.FieldID)).Limit(1000).Select(task.FieldID, task.FieldData).All(ctx)
			if err != nil || len(page) == 0 {
				return err
			}
			var rows []*ent.UploadCreate
			for _, t := range page {
				for _, m := range namedUpload.FindAllSubmatch(t.Data, -1) {
					if name := string(m[1]); !seen[name] {
						seen[name] = true
						rows = append(rows, client.Upload.Create().SetName(name).SetTaskID(t.ID))
					}
				}
			}
			if len(rows) > 0 {
				if err := client.Upload.CreateBulk(rows...).Exec(ctx); err != nil {
					return err
				}
			}
			after = page[len(page)-1].ID
		}
	})
}
