package dataset

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"gloss/internal/media"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent/task"
	"gloss/internal/database"
	"gloss/internal/fault"
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
// the tasks that name them and a function that removes them again (for a
// failed import). The rest are task files.
func (s *Service) storeUploads(files []Source, dataKey string) (tasks []json.RawMessage, rest []Source, undo func(), err error) {
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
			return nil, nil, nil, fault.Invalid("%s: this server stores no uploaded media", f.Name)
		}
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			undo()
			return nil, nil, nil, err
		}
		name := hex.EncodeToString(b) + ext
		path := filepath.Join(s.limits.UploadDir, name)
		if err := copyTo(path, f); err != nil {
			undo()
			return nil, nil, nil, fmt.Errorf("store upload %s: %w", f.Name, err)
		}
		stored = append(stored, path)
		data, _ := json.Marshal(map[string]string{dataKey: UploadPath + name})
		tasks = append(tasks, data)
	}
	return tasks, rest, undo, nil
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
// read a task whose data names it. Anything else — a malformed name, a
// file no visible task names, a file that is gone — is not found, so the
// answer tells nothing about other projects.
func (s *Service) OpenUpload(ctx context.Context, name string) (*Upload, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	notFound := fault.New(fault.NotFound, "no such upload")
	if !uploadName.MatchString(name) || !uploadExts[filepath.Ext(name)] || s.limits.UploadDir == "" {
		return nil, notFound
	}
	// The name is hex and a fixed extension: nothing in it is a LIKE
	// wildcard. The viewer's task policy decides which tasks count.
	needle := `%"` + UploadPath + name + `"%`
	named, err := database.ClientFrom(ctx, s.client).Task.Query().Where(func(sel *sql.Selector) {
		col := sel.C(task.FieldData)
		if sel.Dialect() == dialect.Postgres {
			col += "::text"
		}
		sel.Where(sql.P(func(b *sql.Builder) { b.WriteString(col).WriteString(" LIKE ").Arg(needle) }))
	}).Exist(ctx)
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
