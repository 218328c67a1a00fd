package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Local is the local files settings of the operator, as Label Studio names
// them: serving is off unless LOCAL_FILES_SERVING_ENABLED, and every local
// storage's path lies inside LOCAL_FILES_DOCUMENT_ROOT.
type Local struct {
	Enabled bool
	Root    string
}

// localBucket is a folder under the document root.
type localBucket struct {
	dir string // absolute, cleaned, symlinks resolved, inside the root
}

// errLocalOff refuses local storages when the operator has not enabled them.
var errLocalOff = errors.New("local files are not enabled on this server (LOCAL_FILES_SERVING_ENABLED)")

// LocalPath checks a local storage's path (absolute, or relative to the
// document root) and returns it cleaned and with symlinks resolved, and
// relative to the root with slashes (as task URIs name it). It is
// refused unless it lies inside the root after both; NUL bytes, ".."
// segments and percent-encoded forms are refused outright, whatever they
// would resolve to.
func (l Local) LocalPath(path string) (dir, rel string, err error) {
	if !l.Enabled || l.Root == "" {
		return "", "", errLocalOff
	}
	if err := plainPath(path); err != nil {
		return "", "", err
	}
	root, err := filepath.EvalSymlinks(l.Root)
	if err != nil {
		return "", "", errors.New("LOCAL_FILES_DOCUMENT_ROOT does not exist on the server")
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return "", "", err
	}
	p := path
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	p = filepath.Clean(p)
	if !inside(root, p) {
		p2, err := filepath.EvalSymlinks(p)
		if err != nil || !inside(root, p2) {
			return "", "", errors.New("the path must lie inside LOCAL_FILES_DOCUMENT_ROOT")
		}
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", "", errors.New("the path does not exist on the server")
	}
	if !inside(root, resolved) {
		return "", "", errors.New("the path must lie inside LOCAL_FILES_DOCUMENT_ROOT")
	}
	st, err := os.Stat(resolved)
	if err != nil || !st.IsDir() {
		return "", "", errors.New("the path is not a folder")
	}
	rel, _ = filepath.Rel(root, resolved)
	return resolved, filepath.ToSlash(rel), nil
}

// plainPath refuses what no honest path or key needs: NUL and other control
// bytes, ".." segments and percent-encoding (which a later decoding could
// turn into either).
func plainPath(p string) error {
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return errors.New("the path holds a control character")
		}
	}
	if strings.Contains(p, "%") {
		return errors.New("the path holds a percent-encoded form")
	}
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return errors.New(`the path holds a ".." segment`)
		}
	}
	return nil
}

// inside reports whether p is root or below it.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// file returns the path of key in b after the same checks, and refuses a
// key whose resolved path (through any symlink) leaves the folder.
func (b *localBucket) file(key string) (string, error) {
	if err := plainPath(key); err != nil || key == "" {
		return "", ErrNotFound
	}
	p := filepath.Join(b.dir, filepath.FromSlash(key))
	if !inside(b.dir, p) {
		return "", ErrNotFound
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil || !inside(b.dir, resolved) {
		return "", ErrNotFound
	}
	return resolved, nil
}

// folderInside reports whether the folder of p, which lies lexically in
// b.dir, is still inside it once symlinks are followed: its deepest part
// that exists is resolved, since creating the rest (MkdirAll) or removing
// p (Remove) follows every symlink on the way.
func (b *localBucket) folderInside(p string) bool {
	for d := filepath.Dir(p); inside(b.dir, d); d = filepath.Dir(d) {
		resolved, err := filepath.EvalSymlinks(d)
		if err == nil {
			return inside(b.dir, resolved)
		}
		if _, lerr := os.Lstat(d); lerr == nil {
			return false // there, but not resolvable: a dangling or looping link
		}
	}
	return false
}

func (b *localBucket) List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error {
	return filepath.WalkDir(b.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(b.dir, path)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if path != b.dir && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil // symlinks are not listed: they could point anywhere
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		return fn(Object{Key: key, Size: info.Size()})
	})
}

func (b *localBucket) Open(_ context.Context, key, rng string) (*Reader, error) {
	p, err := b.file(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, ErrNotFound
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, ErrNotFound
	}
	size := st.Size()
	if rng == "" {
		return &Reader{Body: f, Size: size}, nil
	}
	start, end, ok := parseRange(rng, size)
	if !ok {
		return &Reader{Body: f, Size: size}, nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &Reader{
		Body:         readCloser{io.LimitReader(f, end-start+1), f},
		Size:         end - start + 1,
		ContentRange: fmt.Sprintf("bytes %d-%d/%d", start, end, size),
	}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// parseRange reads one "bytes=a-b", "bytes=a-" or "bytes=-n" range; any
// other form is ignored and the whole object served.
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") || size == 0 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	var err error
	switch {
	case a == "":
		var n int64
		if n, err = parseInt(b); err != nil || n <= 0 {
			return 0, 0, false
		}
		start, end = max(size-n, 0), size-1
	default:
		if start, err = parseInt(a); err != nil || start >= size {
			return 0, 0, false
		}
		end = size - 1
		if b != "" {
			if end, err = parseInt(b); err != nil || end < start {
				return 0, 0, false
			}
			end = min(end, size-1)
		}
	}
	return start, end, true
}

func parseInt(s string) (int64, error) {
	var n int64
	if s == "" || len(s) > 18 {
		return 0, errors.New("bad number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("bad number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

func (b *localBucket) Presign(context.Context, string, time.Duration) (string, error) {
	return "", errNoPresign
}

func (b *localBucket) Write(_ context.Context, key string, body []byte) error {
	if err := plainPath(key); err != nil || key == "" {
		return fmt.Errorf("bad object key")
	}
	p := filepath.Join(b.dir, filepath.FromSlash(key))
	if !inside(b.dir, p) || !b.folderInside(p) {
		return fmt.Errorf("bad object key")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return errors.New("cannot create the folder")
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err != nil || !inside(b.dir, d) {
		return fmt.Errorf("bad object key")
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".gloss-*")
	if err != nil {
		return errors.New("cannot write to the folder")
	}
	_, err = tmp.Write(body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p) // replaces a symlink itself, never its target
	}
	if err != nil {
		os.Remove(tmp.Name())
		return errors.New("cannot write to the folder")
	}
	return nil
}

func (b *localBucket) Delete(_ context.Context, key string) error {
	if err := plainPath(key); err != nil || key == "" {
		return nil
	}
	p := filepath.Join(b.dir, filepath.FromSlash(key))
	if !inside(b.dir, p) || !b.folderInside(p) {
		return nil // not an object of this folder
	}
	// (Remove does not follow p itself if it is a symlink: the link goes.)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errors.New("cannot delete the object")
	}
	return nil
}

func (b *localBucket) Check(context.Context) error {
	if _, err := os.ReadDir(b.dir); err != nil {
		return errors.New("cannot read the folder")
	}
	return nil
}
