package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

// Object is one object a listing found.
type Object struct {
	Key  string
	Size int64
}

// Reader is an opened object, or the part of it a Range asked for.
type Reader struct {
	Body io.ReadCloser
	// Size is the length of Body, or -1 when unknown.
	Size int64
	// ContentRange is the Content-Range of a partial answer, else "".
	ContentRange string
}

// Bucket is what Gloss does with every kind of storage, each through its
// official SDK handed the SSRF-safe client: list the objects under a
// prefix, open one (or a byte range of it), presign it for the browser,
// write and delete objects for a target storage, and check the connection.
type Bucket interface {
	// List calls fn with every object under prefix (only the top level
	// unless recursive), in the storage's order.
	List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error
	// Open opens the object key; rng is an HTTP Range header or "".
	Open(ctx context.Context, key, rng string) (*Reader, error)
	// Presign returns a URL the browser can GET the object at for ttl, or
	// errNoPresign when the kind cannot presign.
	Presign(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Write stores body as the object key, replacing it.
	Write(ctx context.Context, key string, body []byte) error
	// Delete removes the object key; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Check reports whether the storage is reachable with its settings.
	Check(ctx context.Context) error
}

// errNoPresign is what Presign returns for kinds with no presigned URLs
// (local files): the proxy streams those instead.
var errNoPresign = errors.New("this storage cannot presign")

// ErrNotFound is the error of an object that does not exist.
var ErrNotFound = errors.New("object not found")

// release frees what a Bucket holds (Redis keeps connections) once the
// work it was made for is done.
func release(b Bucket) {
	if c, ok := b.(io.Closer); ok {
		_ = c.Close()
	}
}
