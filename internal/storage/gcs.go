package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// GCSSettings are a Google Cloud Storage storage's non-secret settings.
type GCSSettings struct {
	Bucket    string
	ProjectID string
	Endpoint  string // empty for Google itself; else the base URL of a GCS-compatible server
}

// serviceAccount is the part of a service-account key Gloss reads.
type serviceAccount struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
}

// gcsCredentials checks a credentials JSON: only a service-account key is
// taken. Other kinds (external accounts, authorized users) make the Google
// libraries fetch URLs named inside the file, which is SSRF by design.
func gcsCredentials(raw string) (serviceAccount, error) {
	var sa serviceAccount
	if err := json.Unmarshal([]byte(raw), &sa); err != nil {
		return sa, errors.New("gcs.credentialsJson must be the JSON key of a service account")
	}
	if sa.Type != "service_account" || sa.ClientEmail == "" || sa.PrivateKey == "" {
		return sa, errors.New(`gcs.credentialsJson must be a service-account key (type "service_account" with client_email and private_key)`)
	}
	if _, err := google.JWTAccessTokenSourceWithScope([]byte(raw), storage.ScopeReadWrite); err != nil {
		return sa, errors.New("gcs.credentialsJson holds a private key that cannot be read")
	}
	return sa, nil
}

// gcsBucket is a GCS bucket reached through cloud.google.com/go/storage,
// whose every request goes through the SSRF-safe HTTP client.
type gcsBucket struct {
	client *storage.Client
	bucket *storage.BucketHandle
	sa     serviceAccount // empty without credentials: then no presigning
	host   string         // the endpoint's host for signed URLs, or ""
	http   bool           // the endpoint is plain http
}

// newGCS returns the bucket of set and sec over hc. With a service-account
// key, requests carry self-signed JWTs made from it (no token endpoint is
// ever called); without one they are anonymous (public buckets). Neither
// the environment's credentials nor the metadata server are ever used.
func newGCS(ctx context.Context, set GCSSettings, sec Secrets, hc *http.Client) (*gcsBucket, error) {
	b := &gcsBucket{}
	client := hc
	if sec.GCSCredentials != "" {
		sa, err := gcsCredentials(sec.GCSCredentials)
		if err != nil {
			return nil, err
		}
		ts, err := google.JWTAccessTokenSourceWithScope([]byte(sec.GCSCredentials), storage.ScopeReadWrite)
		if err != nil {
			return nil, errors.New("the GCS credentials cannot be used")
		}
		b.sa = sa
		authed := *hc
		authed.Transport = &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, ts), Base: hc.Transport}
		client = &authed
	}
	opts := []option.ClientOption{
		option.WithHTTPClient(client), option.WithoutAuthentication(), storage.WithDisabledClientMetrics(),
	}
	if set.Endpoint != "" {
		base := strings.TrimSuffix(set.Endpoint, "/")
		opts = append(opts, option.WithEndpoint(base+"/storage/v1/"))
		if u := strings.SplitN(strings.SplitN(base, "://", 2)[1], "/", 2); len(u) > 0 {
			b.host = u[0]
		}
		b.http = strings.HasPrefix(base, "http://")
	}
	c, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, errors.New("the GCS client cannot be made with these settings")
	}
	c.SetRetry(storage.WithMaxAttempts(2))
	b.client = c
	b.bucket = c.Bucket(set.Bucket)
	if set.ProjectID != "" {
		b.bucket = b.bucket.UserProject(set.ProjectID)
	}
	return b, nil
}

func (b *gcsBucket) Close() error { return b.client.Close() }

func (b *gcsBucket) List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error {
	q := &storage.Query{Prefix: prefix}
	if !recursive {
		q.Delimiter = "/"
	}
	if err := q.SetAttrSelection([]string{"Name", "Size"}); err != nil {
		return err
	}
	it := b.bucket.Objects(ctx, q)
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return gcsError(err)
		}
		if o.Name == "" || strings.HasSuffix(o.Name, "/") {
			continue // a common prefix or a folder marker
		}
		if err := fn(Object{Key: o.Name, Size: o.Size}); err != nil {
			return err
		}
	}
}

func (b *gcsBucket) Open(ctx context.Context, key, rng string) (*Reader, error) {
	obj := b.bucket.Object(key)
	if rng == "" {
		r, err := obj.NewReader(ctx)
		if err != nil {
			return nil, gcsError(err)
		}
		return &Reader{Body: r, Size: r.Attrs.Size}, nil
	}
	attrs, err := obj.Attrs(ctx)
	if err != nil {
		return nil, gcsError(err)
	}
	start, end, ok := parseRange(rng, attrs.Size)
	if !ok {
		r, err := obj.NewReader(ctx)
		if err != nil {
			return nil, gcsError(err)
		}
		return &Reader{Body: r, Size: r.Attrs.Size}, nil
	}
	// The generation read is the one measured, so the range stays true.
	r, err := obj.Generation(attrs.Generation).NewRangeReader(ctx, start, end-start+1)
	if err != nil {
		return nil, gcsError(err)
	}
	return &Reader{Body: r, Size: end - start + 1, ContentRange: fmt.Sprintf("bytes %d-%d/%d", start, end, attrs.Size)}, nil
}

// Presign signs a V4 URL with the service-account key; without a key
// (anonymous access) the proxy streams the object instead.
func (b *gcsBucket) Presign(_ context.Context, key string, ttl time.Duration) (string, error) {
	if b.sa.PrivateKey == "" {
		return "", errNoPresign
	}
	u, err := b.bucket.SignedURL(key, &storage.SignedURLOptions{
		GoogleAccessID: b.sa.ClientEmail, PrivateKey: []byte(b.sa.PrivateKey),
		Method: http.MethodGet, Expires: time.Now().Add(ttl), Scheme: storage.SigningSchemeV4,
		Hostname: b.host, Insecure: b.http,
	})
	if err != nil {
		return "", errNoPresign
	}
	return u, nil
}

func (b *gcsBucket) Write(ctx context.Context, key string, body []byte) error {
	w := b.bucket.Object(key).NewWriter(ctx)
	w.ContentType = "application/json"
	w.ChunkSize = 0 // one request: annotations are small
	if _, err := w.Write(body); err != nil {
		_ = w.Close()
		return gcsError(err)
	}
	return gcsError(w.Close())
}

func (b *gcsBucket) Delete(ctx context.Context, key string) error {
	err := gcsError(b.bucket.Object(key).Delete(ctx))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (b *gcsBucket) Check(ctx context.Context) error {
	it := b.bucket.Objects(ctx, &storage.Query{})
	it.PageInfo().MaxSize = 1
	if _, err := it.Next(); err != nil && !errors.Is(err, iterator.Done) {
		return gcsError(err)
	}
	return nil
}

// gcsError turns an SDK error into a short one of our own: the HTTP status
// GCS gave is kept, its message and body are not, and the SSRF client's
// refusal is kept as it says.
func gcsError(err error) error {
	if err == nil {
		return nil
	}
	var ge *googleapi.Error
	switch {
	case errors.Is(err, storage.ErrObjectNotExist):
		return ErrNotFound
	case errors.Is(err, storage.ErrBucketNotExist):
		return errors.New("the bucket does not exist")
	case errors.As(err, &ge):
		if ge.Code == http.StatusNotFound {
			return ErrNotFound
		}
		return fmt.Errorf("GCS refused: HTTP %d %s", ge.Code, http.StatusText(ge.Code))
	}
	return networkError(err)
}
