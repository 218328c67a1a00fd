package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Settings are an S3 storage's non-secret settings.
type S3Settings struct {
	Bucket   string
	Region   string
	Endpoint string // empty for AWS itself; else path-style at this URL
}

// Secrets are a storage's credentials, sealed together: an S3 key pair
// and session token, a Redis password, a GCS service-account key or an
// Azure account key.
type Secrets struct {
	AccessKeyID     string `json:"accessKeyId,omitempty"`
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
	SessionToken    string `json:"sessionToken,omitempty"`
	Password        string `json:"password,omitempty"`
	GCSCredentials  string `json:"gcsCredentials,omitempty"`
	AzureKey        string `json:"azureKey,omitempty"`
}

// s3Bucket is an S3 bucket reached through the AWS SDK for Go v2, whose
// every request goes through the SSRF-safe HTTP client.
type s3Bucket struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

// newS3 returns the bucket of set and sec over hc.
func newS3(set S3Settings, sec Secrets, hc *http.Client) *s3Bucket {
	region := set.Region
	if region == "" {
		region = "us-east-1"
	}
	cfg := aws.Config{
		Region:     region,
		HTTPClient: hc,
		// No environment, shared config or instance metadata: only what the
		// storage names. (The metadata service is exactly what SSRF hunts.)
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 2,
	}
	if sec.AccessKeyID != "" {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(sec.AccessKeyID, sec.SecretAccessKey, sec.SessionToken)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if set.Endpoint != "" {
			o.BaseEndpoint = aws.String(set.Endpoint)
			o.UsePathStyle = true
		}
		// Checksums on every request are not what S3-compatible
		// gateways all understand; send them only when required.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &s3Bucket{client: client, presign: s3.NewPresignClient(client), bucket: set.Bucket}
}

func (b *s3Bucket) List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String(prefix)}
	if !recursive {
		in.Delimiter = aws.String("/")
	}
	p := s3.NewListObjectsV2Paginator(b.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s3Error(err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue // a folder marker
			}
			if err := fn(Object{Key: key, Size: aws.ToInt64(o.Size)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *s3Bucket) Open(ctx context.Context, key, rng string) (*Reader, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		return nil, s3Error(err)
	}
	r := &Reader{Body: out.Body, Size: -1, ContentRange: aws.ToString(out.ContentRange)}
	if out.ContentLength != nil {
		r.Size = *out.ContentLength
	}
	return r, nil
}

func (b *s3Bucket) Presign(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := b.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", s3Error(err)
	}
	return req.URL, nil
}

func (b *s3Bucket) Write(ctx context.Context, key string, body []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	return s3Error(err)
}

func (b *s3Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if errors.Is(s3Error(err), ErrNotFound) {
		return nil
	}
	return s3Error(err)
}

func (b *s3Bucket) Check(ctx context.Context) error {
	_, err := b.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), MaxKeys: aws.Int32(1)})
	return s3Error(err)
}

// s3Error turns an SDK error into a short one of our own: the error code
// S3 gave (NoSuchBucket, AccessDenied...) is kept, the message and body are
// not, and the SSRF client's refusal is kept as it says.
func s3Error(err error) error {
	if err == nil {
		return nil
	}
	var nk *types.NoSuchKey
	var nb *types.NoSuchBucket
	var api smithy.APIError
	switch {
	case errors.As(err, &nk):
		return ErrNotFound
	case errors.As(err, &nb):
		return errors.New("the bucket does not exist")
	case errors.As(err, &api):
		if api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey" {
			return ErrNotFound
		}
		return fmt.Errorf("S3 refused: %s", safeCode(api.ErrorCode()))
	}
	return networkError(err)
}

// safeCode keeps an error code only when it looks like one (letters and
// digits), so that no upstream text reaches a message.
func safeCode(c string) string {
	if len(c) == 0 || len(c) > 64 {
		return "error"
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.') {
			return "error"
		}
	}
	return c
}
