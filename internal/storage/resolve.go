package storage

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"path"
	"strings"
	"time"

	"gloss/ent"
	"gloss/ent/storage"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// errNoObject is the one answer of the data proxy to anything it will not
// serve, whoever asks and whatever the reason, so that a refusal tells
// nothing about other projects, organizations or keys.
var errNoObject = fault.New(fault.NotFound, "not found")

// Resolved is the data proxy's answer for a task's object: a presigned
// URL to send the browser to, or the object itself.
type Resolved struct {
	Redirect string
	Object   *Reader
}

// Resolve answers GET /api/tasks/{id}/resolve for uri: only when the viewer
// may read the task (its privacy policy), uri occurs in the task's data,
// and it names an object inside a source storage of the task's project
// (same bucket, under its prefix). Anything else is errNoObject. rng is the
// request's Range header; redirect says whether a presigned URL may be the
// answer (not to a navigation: see handleResolve).
func (s *Service) Resolve(ctx context.Context, taskID int, uri, rng string, redirect bool) (*Resolved, error) {
	if viewer.User(ctx) == nil || uri == "" || len(uri) > 4096 {
		return nil, errNoObject
	}
	t, err := s.client.Task.Get(ctx, taskID) // as the viewer: their policy decides
	if err != nil {
		return nil, errNoObject
	}
	if !occurs(t.Data, uri) {
		return nil, errNoObject
	}
	kind, bucket, key, ok := parseURI(uri)
	if !ok {
		return nil, errNoObject
	}
	// The viewer may read the task (above) but may not read storages
	// (annotators); which storage serves the object is the server's lookup.
	sys := viewer.NewSystemContext(ctx)
	sts, err := s.client.Storage.Query().Where(storage.ProjectID(t.ProjectID),
		storage.DirectionEQ(storage.DirectionIMPORT), storage.KindEQ(kind)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, st := range sts {
		k, ok := within(st, bucket, key)
		if !ok {
			continue
		}
		b, err := s.bucket(st)
		if err != nil {
			return nil, errNoObject
		}
		defer release(b)
		if st.Presign && redirect {
			u, err := b.Presign(ctx, k, time.Duration(st.PresignTTLMinutes)*time.Minute)
			if err == nil {
				return &Resolved{Redirect: u}, nil
			}
			if !errors.Is(err, errNoPresign) {
				return nil, errNoObject
			}
		}
		r, err := b.Open(ctx, k, rng)
		if err != nil {
			return nil, errNoObject
		}
		return &Resolved{Object: r}, nil
	}
	return nil, errNoObject
}

// Sniff opens the first bytes of the object a Resolve for the same
// arguments would serve, for the proxy to tell its type by content when
// the request asked for a later range.
func (s *Service) Sniff(ctx context.Context, taskID int, uri string) ([]byte, error) {
	r, err := s.Resolve(ctx, taskID, uri, "bytes=0-511", false)
	if err != nil || r.Object == nil {
		return nil, errNoObject
	}
	defer r.Object.Body.Close()
	buf := make([]byte, 512)
	n, _ := readFull(r.Object.Body, buf)
	return buf[:n], nil
}

func readFull(r interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// occurs reports whether uri is one of the string values in data.
func occurs(data json.RawMessage, uri string) bool {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return x == uri
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// parseURI reads a storage URI as Label Studio writes them into tasks:
// s3://bucket/key, gs://bucket/key, azure-blob://container/key, or /data/local-files/?d=path for local files (where the
// "bucket" is empty and the key the path under the document root).
func parseURI(uri string) (kind storage.Kind, bucket, key string, ok bool) {
	if rest, found := strings.CutPrefix(uri, "s3://"); found {
		bucket, key, found = strings.Cut(rest, "/")
		return storage.KindS3, bucket, key, found && bucket != "" && key != ""
	}
	if rest, found := strings.CutPrefix(uri, "gs://"); found {
		bucket, key, found = strings.Cut(rest, "/")
		return storage.KindGCS, bucket, key, found && bucket != "" && key != ""
	}
	if rest, found := strings.CutPrefix(uri, "azure-blob://"); found {
		bucket, key, found = strings.Cut(rest, "/")
		return storage.KindAZURE, bucket, key, found && bucket != "" && key != ""
	}
	if rest, found := strings.CutPrefix(uri, "/data/local-files/?"); found {
		q, err := url.ParseQuery(rest)
		if err != nil || len(q) != 1 || len(q["d"]) != 1 {
			return "", "", "", false
		}
		d := q.Get("d")
		if d == "" || plainPath(d) != nil || path.IsAbs(d) {
			return "", "", "", false
		}
		return storage.KindLOCAL, "", d, true
	}
	return "", "", "", false
}

// within returns the key of bucket/key inside st, if it lies there: the
// same bucket and under st's prefix (for local storages, under its folder).
func within(st *ent.Storage, bucket, key string) (string, bool) {
	if st.Kind == storage.KindLOCAL {
		dir := strings.Trim(st.Bucket, "/")
		if dir != "." && dir != "" {
			var found bool
			if key, found = strings.CutPrefix(key, dir+"/"); !found {
				return "", false
			}
		}
	} else if bucket != st.Bucket {
		return "", false
	}
	if key == "" || !strings.HasPrefix(key, st.Prefix) || dotSegment(key) {
		return "", false
	}
	return key, true
}

// dotSegment reports whether key holds a "." or ".." segment (between
// slashes or backslashes). The prefix check reads a key as text, but a
// store, a gateway or a proxy before it may resolve such segments as a
// path does: "images/../private/c.png" passes the prefix "images/" and
// would name private/c.png there. No honest object a task names needs one.
func dotSegment(key string) bool {
	for _, seg := range strings.FieldsFunc(key, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
