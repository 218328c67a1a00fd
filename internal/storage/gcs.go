package storage

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	gcs "google.golang.org/api/storage/v1"
)

// Gloss reaches GCS through Google's generated client of the JSON API
// (google.golang.org/api/storage/v1), not cloud.google.com/go/storage: that
// package also carries a gRPC transport with xDS, Envoy's protobufs and
// OpenTelemetry exporters, which cost every Gloss process about 20 MB of
// memory at start whether or not it has a GCS storage. The JSON API is what
// the bigger package speaks over HTTP too; only V4 URL signing, which the
// generated client lacks, is written here (signedURL), and a test holds it
// to the bigger package's output byte for byte.

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
	if _, err := google.JWTAccessTokenSourceWithScope([]byte(raw), gcs.DevstorageReadWriteScope); err != nil {
		return sa, errors.New("gcs.credentialsJson holds a private key that cannot be read")
	}
	return sa, nil
}

// gcsBucket is a GCS bucket reached through Google's JSON API client,
// whose every request goes through the SSRF-safe HTTP client.
type gcsBucket struct {
	objects *gcs.ObjectsService
	bucket  string
	project string          // the project billed (requester pays), or ""
	email   string          // the service account's, for signed URLs
	key     *rsa.PrivateKey // nil without credentials: then no presigning
	host    string          // the endpoint's host for signed URLs, or ""
	http    bool            // the endpoint is plain http
}

// newGCS returns the bucket of set and sec over hc. With a service-account
// key, requests carry self-signed JWTs made from it (no token endpoint is
// ever called); without one they are anonymous (public buckets). Neither
// the environment's credentials nor the metadata server are ever used.
func newGCS(ctx context.Context, set GCSSettings, sec Secrets, hc *http.Client) (*gcsBucket, error) {
	b := &gcsBucket{bucket: set.Bucket, project: set.ProjectID}
	client := hc
	if sec.GCSCredentials != "" {
		sa, err := gcsCredentials(sec.GCSCredentials)
		if err != nil {
			return nil, err
		}
		ts, err := google.JWTAccessTokenSourceWithScope([]byte(sec.GCSCredentials), gcs.DevstorageReadWriteScope)
		if err != nil {
			return nil, errors.New("the GCS credentials cannot be used")
		}
		if b.key, err = parseRSAKey(sa.PrivateKey); err != nil {
			return nil, errors.New("the GCS credentials cannot be used")
		}
		b.email = sa.ClientEmail
		authed := *hc
		authed.Transport = &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, ts), Base: hc.Transport}
		client = &authed
	}
	opts := []option.ClientOption{option.WithHTTPClient(client), option.WithoutAuthentication()}
	if set.Endpoint != "" {
		base := strings.TrimSuffix(set.Endpoint, "/")
		opts = append(opts, option.WithEndpoint(base+"/storage/v1/"))
		if u := strings.SplitN(strings.SplitN(base, "://", 2)[1], "/", 2); len(u) > 0 {
			b.host = u[0]
		}
		b.http = strings.HasPrefix(base, "http://")
	}
	svc, err := gcs.NewService(ctx, opts...)
	if err != nil {
		return nil, errors.New("the GCS client cannot be made with these settings")
	}
	b.objects = svc.Objects
	return b, nil
}

func (b *gcsBucket) List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error {
	call := b.objects.List(b.bucket).Prefix(prefix).Fields("items(name,size)", "nextPageToken").Context(ctx)
	if !recursive {
		call = call.Delimiter("/")
	}
	if b.project != "" {
		call = call.UserProject(b.project)
	}
	var stop error // fn's own error, returned as it is
	err := call.Pages(ctx, func(page *gcs.Objects) error {
		for _, o := range page.Items {
			if o.Name == "" || strings.HasSuffix(o.Name, "/") {
				continue // a folder marker
			}
			if err := fn(Object{Key: o.Name, Size: int64(o.Size)}); err != nil {
				stop = err
				return err
			}
		}
		return nil
	})
	if stop != nil {
		return stop
	}
	return gcsBucketError(err)
}

func (b *gcsBucket) get(key string) *gcs.ObjectsGetCall {
	call := b.objects.Get(b.bucket, key)
	if b.project != "" {
		call = call.UserProject(b.project)
	}
	return call
}

func (b *gcsBucket) Open(ctx context.Context, key, rng string) (*Reader, error) {
	whole := func() (*Reader, error) {
		resp, err := b.get(key).Context(ctx).Download()
		if err != nil {
			return nil, gcsError(err)
		}
		return &Reader{Body: resp.Body, Size: resp.ContentLength}, nil
	}
	if rng == "" {
		return whole()
	}
	attrs, err := b.get(key).Fields("size", "generation").Context(ctx).Do()
	if err != nil {
		return nil, gcsError(err)
	}
	size := int64(attrs.Size)
	start, end, ok := parseRange(rng, size)
	if !ok {
		return whole()
	}
	// The generation read is the one measured, so the range stays true.
	call := b.get(key).Generation(attrs.Generation).Context(ctx)
	call.Header().Set("Range", fmt.Sprintf("bytes=%d-%d", start, end))
	resp, err := call.Download()
	if err != nil {
		return nil, gcsError(err)
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, errors.New("GCS did not answer the range")
	}
	return &Reader{Body: resp.Body, Size: end - start + 1, ContentRange: fmt.Sprintf("bytes %d-%d/%d", start, end, size)}, nil
}

// Presign signs a V4 URL with the service-account key; without a key
// (anonymous access) the proxy streams the object instead.
func (b *gcsBucket) Presign(_ context.Context, key string, ttl time.Duration) (string, error) {
	if b.key == nil {
		return "", errNoPresign
	}
	host := b.host
	if host == "" {
		host = "storage.googleapis.com"
	}
	return signedURL(b.key, b.email, host, !b.http, b.bucket, key, time.Now(), ttl)
}

func (b *gcsBucket) Write(ctx context.Context, key string, body []byte) error {
	call := b.objects.Insert(b.bucket, &gcs.Object{Name: key, ContentType: "application/json"}).
		// One request: annotations are small.
		Media(bytes.NewReader(body), googleapi.ContentType("application/json"), googleapi.ChunkSize(0)).
		Fields("name").Context(ctx)
	if b.project != "" {
		call = call.UserProject(b.project)
	}
	_, err := call.Do()
	return gcsError(err)
}

func (b *gcsBucket) Delete(ctx context.Context, key string) error {
	call := b.objects.Delete(b.bucket, key).Context(ctx)
	if b.project != "" {
		call = call.UserProject(b.project)
	}
	err := gcsError(call.Do())
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (b *gcsBucket) Check(ctx context.Context) error {
	call := b.objects.List(b.bucket).MaxResults(1).Fields("items(name)").Context(ctx)
	if b.project != "" {
		call = call.UserProject(b.project)
	}
	_, err := call.Do()
	return gcsBucketError(err)
}

// gcsBucketError is gcsError for calls on the bucket itself (listings),
// where "not found" means the bucket does not exist.
func gcsBucketError(err error) error {
	if err := gcsError(err); !errors.Is(err, ErrNotFound) {
		return err
	}
	return errors.New("the bucket does not exist")
}

// gcsError turns an API error into a short one of our own: the HTTP status
// GCS gave is kept, its message and body are not, and the SSRF client's
// refusal is kept as it says.
func gcsError(err error) error {
	if err == nil {
		return nil
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		if ge.Code == http.StatusNotFound {
			return ErrNotFound
		}
		return fmt.Errorf("GCS refused: HTTP %d %s", ge.Code, http.StatusText(ge.Code))
	}
	return networkError(err)
}

// parseRSAKey reads a service account's PEM private key (PKCS #8, or
// PKCS #1 as older keys are).
func parseRSAKey(p string) (*rsa.PrivateKey, error) {
	der := []byte(p)
	if block, _ := pem.Decode(der); block != nil {
		der = block.Bytes
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, errors.New("the private key is not an RSA key")
	}
	return x509.ParsePKCS1PrivateKey(der)
}

// gcsMaxTTL is the longest a V4 signed URL may live.
const gcsMaxTTL = 7 * 24 * time.Hour

// signedURL returns a V4 signed URL (GOOG4-RSA-SHA256) for a GET of object
// in bucket at host, path style, made at now and valid for ttl: Google's
// "signing URLs with your own program" algorithm, as
// cloud.google.com/go/storage's SignedURL implements it for a GET with no
// extra headers or query parameters.
func signedURL(key *rsa.PrivateKey, email, host string, https bool, bucket, object string, now time.Time, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > gcsMaxTTL {
		return "", errNoPresign
	}
	now = now.UTC()
	timestamp := now.Format("20060102T150405Z")
	scope := now.Format("20060102") + "/auto/storage/goog4_request"
	u := &url.URL{Path: bucket + "/" + object, Host: host, Scheme: "http"}
	if https {
		u.Scheme = "https"
	}
	// Each path segment is query-escaped, with %20 for a space.
	segments := strings.Split(u.Path, "/")
	for i, s := range segments {
		segments[i] = url.QueryEscape(s)
	}
	u.RawPath = strings.ReplaceAll(strings.Join(segments, "/"), "+", "%20")
	query := url.Values{
		"X-Goog-Algorithm":     {"GOOG4-RSA-SHA256"},
		"X-Goog-Credential":    {email + "/" + scope},
		"X-Goog-Date":          {timestamp},
		"X-Goog-Expires":       {fmt.Sprint(int(ttl.Seconds()))},
		"X-Goog-SignedHeaders": {"host"},
	}
	canonical := strings.Join([]string{
		http.MethodGet,
		"/" + u.RawPath,
		strings.ReplaceAll(query.Encode(), "+", "%20"),
		"host:" + u.Hostname(),
		"",
		"host",
		"UNSIGNED-PAYLOAD",
	}, "\n")
	digest := sha256.Sum256([]byte(canonical))
	toSign := sha256.Sum256([]byte("GOOG4-RSA-SHA256\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(digest[:])))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, toSign[:])
	if err != nil {
		return "", errNoPresign
	}
	query.Set("X-Goog-Signature", hex.EncodeToString(sig))
	u.RawQuery = query.Encode()
	return u.String(), nil
}
