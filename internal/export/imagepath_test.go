package export

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkArchivePath fails t unless name is a relative path that stays inside
// the archive: no NUL or other control character, no empty, "." or ".."
// segment, no leading separator, no drive letter and valid UTF-8.
func checkArchivePath(t *testing.T, what, src, name string) {
	t.Helper()
	switch {
	case name == "":
		t.Fatalf("%s(%q) is empty", what, src)
	case !utf8.ValidString(name):
		t.Fatalf("%s(%q) = %q is not valid UTF-8", what, src, name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		t.Fatalf("%s(%q) = %q holds a control character", what, src, name)
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`):
		t.Fatalf("%s(%q) = %q is absolute", what, src, name)
	case strings.ContainsRune(name, ':'):
		t.Fatalf("%s(%q) = %q holds a colon (a drive letter or stream name)", what, src, name)
	case strings.ContainsRune(name, '\\'):
		t.Fatalf("%s(%q) = %q holds a backslash", what, src, name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			t.Fatalf("%s(%q) = %q has the segment %q", what, src, name, seg)
		}
	}
}

// FuzzImagePath checks the names the COCO and YOLO exports derive from a
// task's image reference: never a panic, never a path that leaves the
// archive's folder (no "..", nothing absolute, no NUL), and the same answer
// every time.
func FuzzImagePath(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a.jpg", "s3://bucket/a.jpg", "http://example.com/../a.jpg",
		"file://host/etc/passwd", "relative/photo.jpg", "/data/upload/7/dog.png",
		"javascript:alert(1)//foo.png", "..", "a/..", "x/%2e%2e", "x/%2E%2E%2Fy", `C:\x\..\y.png`,
		"bad\nname:1.png", "data:image/png;base64,AAAA", "%00", "a%2f..%2f..%2fetc", "\xff\xfe.png",
		"http://h/a%00b.png?x=1#y", "gs://b/" + strings.Repeat("é", 200) + ".png", "...", "..jpg", ". .png",
		"http:\\\\host\\a.png", "HTTP://HOST/..%2f", "//host/a.png", "a\u202e.png",
	} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, src string, taskID int) {
		if taskID < 0 {
			taskID = -taskID
		}
		base := safeBaseName(src, taskID)
		if base != safeBaseName(src, taskID) {
			t.Fatalf("safeBaseName(%q) is not deterministic", src)
		}
		checkArchivePath(t, "safeBaseName", src, base)
		if strings.ContainsAny(base, "/") {
			t.Fatalf("safeBaseName(%q) = %q holds a separator", src, base)
		}
		if len(base) > maxNameBytes {
			t.Fatalf("safeBaseName(%q) is %d bytes long", src, len(base))
		}

		coco := cocoFileName(src, taskID)
		if coco != cocoFileName(src, taskID) {
			t.Fatalf("cocoFileName(%q) is not deterministic", src)
		}
		if isRemoteURL(src) {
			// A remote URL is kept as given: a reference, not a path.
			u, err := url.Parse(coco)
			if coco != src || err != nil || u.Host == "" || strings.EqualFold(u.Scheme, "file") ||
				strings.Contains(coco, "..") || strings.ContainsFunc(coco, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("cocoFileName(%q) = %q kept as a URL", src, coco)
			}
		} else {
			if !strings.HasPrefix(coco, "images/") {
				t.Fatalf("cocoFileName(%q) = %q is not under images/", src, coco)
			}
			checkArchivePath(t, "cocoFileName", src, coco)
		}

		names := func() []string {
			f := newFileNames()
			return []string{f.unique(src, taskID), f.unique(src, taskID+1), f.unique(src, taskID)}
		}
		first, again := names(), names()
		for i, n := range first {
			if n != again[i] {
				t.Fatalf("unique(%q) is not deterministic: %q then %q", src, first, again)
			}
			checkArchivePath(t, "fileNames.unique", src, "labels/"+n+".txt")
			if strings.Contains(n, "/") {
				t.Fatalf("unique(%q) = %q holds a separator", src, n)
			}
		}
		if first[0] == first[1] || first[0] == first[2] || first[1] == first[2] {
			t.Fatalf("unique(%q) repeats a name: %q", src, first)
		}

		// The same through the real writer: every entry of the archive.
		data, err := json.Marshal(map[string]any{"image": src})
		if err != nil {
			return // not valid UTF-8 as a JSON string; the task could not hold it
		}
		task := &Task{ID: taskID, Data: data, Annotations: []Annotation{{ID: 1, Result: json.RawMessage(
			`[{"from_name":"l","to_name":"i","type":"rectanglelabels","value":{"x":1,"y":1,"width":2,"height":2,"rectanglelabels":["a"]}}]`)}}}
		var buf bytes.Buffer
		if err := Write(&buf, YOLO, Schema{ImageKey: "image"}, func() func() (*Task, error) {
			done := false
			return func() (*Task, error) {
				if done {
					return nil, io.EOF
				}
				done = true
				return task, nil
			}
		}()); err != nil {
			t.Fatalf("YOLO export of %q: %v", src, err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("YOLO archive of %q: %v", src, err)
		}
		for _, e := range zr.File {
			checkArchivePath(t, "YOLO entry", src, strings.TrimSuffix(e.Name, "/"))
		}
	})
}
