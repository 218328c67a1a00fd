package export

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"gloss/internal/text"
)

// maxNameBytes bounds file names, as Label Studio's YOLO export does (255
// bytes less room for an extension).
const maxNameBytes = 251

// taskImage returns the image reference of t's data under key
// (imageSource); ok is false when there is none.
func taskImage(t *Task, key string) (src string, ok bool, err error) {
	data, err := jsonObjectOrEmpty(t.Data, "data")
	if err != nil {
		return "", false, err
	}
	obj, err := parseObject(data)
	if err != nil {
		return "", false, err
	}
	src, ok = imageSource(obj, key)
	return src, ok, nil
}

// imageSource returns the image reference in the task's data under key: a
// string, or the last string of a list (Label Studio's YOLO export tries the
// candidates from the end). ok is false when there is none.
func imageSource(data *object, key string) (string, bool) {
	raw, ok := data.get(key)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, s != ""
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 && list[len(list)-1] != "" {
		return list[len(list)-1], true
	}
	return "", false
}

// cocoFileName is the "file_name" of an image in COCO's result.json. A remote
// URL (a scheme other than file, a host, and no "..") is kept as given, as
// Label Studio keeps what it cannot download. Anything else (a relative or
// absolute path, a file: URL, anything with "..") becomes images/<basename>,
// where Label Studio would have copied the file; Gloss reads nothing, so the
// name only records which image was meant.
func cocoFileName(src string, taskID int) string {
	if isRemoteURL(src) {
		return src
	}
	return "images/" + safeBaseName(src, taskID)
}

// isRemoteURL reports whether src is an absolute URL on a remote host.
func isRemoteURL(src string) bool {
	if strings.Contains(src, "..") || strings.ContainsFunc(src, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(src)
	if err != nil {
		return false
	}
	return u.Scheme != "" && !strings.EqualFold(u.Scheme, "file") && u.Host != ""
}

// safeBaseName returns the last path element of src (a path or a URL,
// percent-decoded, without query or fragment), safe to use as a file name in
// an archive: no separators, no control or reserved characters, not "." or
// "..", and at most maxNameBytes long. When nothing usable is left it returns
// "task-<id>".
func safeBaseName(src string, taskID int) string {
	p := src
	if strings.HasPrefix(strings.ToLower(p), "data:") {
		p = ""
	}
	if i := strings.Index(p, "://"); i > 0 && validScheme(p[:i]) {
		p = p[i+3:]
		if j := strings.IndexAny(p, "?#"); j >= 0 {
			p = p[:j]
		}
		if k := strings.IndexByte(p, '/'); k >= 0 {
			p = p[k:]
		} else {
			p = "" // only a host
		}
	}
	p = lastElement(p)
	if un, err := url.PathUnescape(p); err == nil {
		p = lastElement(un)
	}
	p = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			return '_'
		case strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		}
		return r
	}, p)
	p = text.Clip(p, maxNameBytes)
	if p == "" || p == "." || p == ".." {
		return "task-" + strconv.Itoa(taskID)
	}
	return p
}

// lastElement returns what follows the last / or \ in p.
func lastElement(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// validScheme reports whether s is a URL scheme (RFC 3986).
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// stem returns name without its extension, as Python's os.path.splitext
// splits it (leading dots are not an extension).
func stem(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i > 0 && strings.TrimLeft(name[:i], ".") != "" {
		return name[:i]
	}
	return name
}
