package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
)

// AzureSettings are an Azure Blob Storage storage's non-secret settings.
type AzureSettings struct {
	Container string
	Account   string
	Endpoint  string // empty for Azure itself; else the account's URL (http://host:port/ACCOUNT for Azurite)
}

// azureBucket is an Azure container reached through the azblob SDK,
// whose every request goes through the SSRF-safe HTTP client.
type azureBucket struct {
	client *container.Client
	cred   *azblob.SharedKeyCredential // nil: anonymous, no presigning
}

// newAzure returns the container of set and sec over hc.
func newAzure(set AzureSettings, sec Secrets, hc *http.Client) (*azureBucket, error) {
	base := strings.TrimSuffix(set.Endpoint, "/")
	if base == "" {
		base = "https://" + set.Account + ".blob.core.windows.net"
	}
	u := base + "/" + set.Container
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Transport: hc,
		Retry:     policy.RetryOptions{MaxRetries: 1},
		// No telemetry and no logging of requests: nothing leaves but the
		// storage's own requests.
		Telemetry: policy.TelemetryOptions{Disabled: true},
	}}
	b := &azureBucket{}
	var err error
	if sec.AzureKey != "" {
		b.cred, err = azblob.NewSharedKeyCredential(set.Account, sec.AzureKey)
		if err != nil {
			return nil, errors.New("azure.accountKey must be the account's base64 key")
		}
		b.client, err = container.NewClientWithSharedKeyCredential(u, b.cred, opts)
	} else {
		b.client, err = container.NewClientWithNoCredential(u, opts)
	}
	if err != nil {
		return nil, errors.New("the Azure client cannot be made with these settings")
	}
	return b, nil
}

func (b *azureBucket) Close() error { return nil }

func (b *azureBucket) List(ctx context.Context, prefix string, recursive bool, fn func(Object) error) error {
	if recursive {
		p := b.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
		for p.More() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return azureError(err)
			}
			if err := azureObjects(page.Segment.BlobItems, fn); err != nil {
				return err
			}
		}
		return nil
	}
	p := b.client.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: &prefix})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return azureError(err)
		}
		if err := azureObjects(page.Segment.BlobItems, fn); err != nil {
			return err
		}
	}
	return nil
}

// azureObjects calls fn with the blobs of a listing page.
func azureObjects(items []*container.BlobItem, fn func(Object) error) error {
	for _, it := range items {
		key := deref(it.Name)
		if key == "" || strings.HasSuffix(key, "/") {
			continue // a folder marker
		}
		var size int64
		if it.Properties != nil {
			size = deref(it.Properties.ContentLength)
		}
		if err := fn(Object{Key: key, Size: size}); err != nil {
			return err
		}
	}
	return nil
}

func (b *azureBucket) Open(ctx context.Context, key, rng string) (*Reader, error) {
	bc := b.client.NewBlobClient(key)
	opts := &blob.DownloadStreamOptions{}
	partial := false
	if rng != "" {
		props, err := bc.GetProperties(ctx, nil)
		if err != nil {
			return nil, azureError(err)
		}
		size := deref(props.ContentLength)
		if start, end, ok := parseRange(rng, size); ok {
			opts.Range = blob.HTTPRange{Offset: start, Count: end - start + 1}
			// The version measured is the one read, so the range stays true.
			opts.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: props.ETag}}
			partial = true
		}
	}
	out, err := bc.DownloadStream(ctx, opts)
	if err != nil {
		return nil, azureError(err)
	}
	r := &Reader{Body: out.Body, Size: -1}
	if out.ContentLength != nil {
		r.Size = *out.ContentLength
	}
	if partial {
		r.ContentRange = deref(out.ContentRange)
	}
	return r, nil
}

// Presign makes a read-only SAS URL with the account key; without a key
// (anonymous access) the proxy streams the blob instead.
func (b *azureBucket) Presign(_ context.Context, key string, ttl time.Duration) (string, error) {
	if b.cred == nil {
		return "", errNoPresign
	}
	u, err := b.client.NewBlobClient(key).GetSASURL(sas.BlobPermissions{Read: true}, time.Now().Add(ttl), nil)
	if err != nil {
		return "", errNoPresign
	}
	return u, nil
}

func (b *azureBucket) Write(ctx context.Context, key string, body []byte) error {
	_, err := b.client.NewBlockBlobClient(key).Upload(ctx, nopSeekCloser{bytes.NewReader(body)}, &blockblob.UploadOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("application/json")},
	})
	return azureError(err)
}

// nopSeekCloser is a body the SDK can rewind for a retry.
type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

func (b *azureBucket) Delete(ctx context.Context, key string) error {
	_, err := b.client.NewBlobClient(key).Delete(ctx, nil)
	if errors.Is(azureError(err), ErrNotFound) {
		return nil
	}
	return azureError(err)
}

func (b *azureBucket) Check(ctx context.Context) error {
	p := b.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{MaxResults: to.Ptr[int32](1)})
	_, err := p.NextPage(ctx)
	return azureError(err)
}

// azureError turns an SDK error into a short one of our own: the error
// code Azure gave is kept, its message and body are not, and the SSRF
// client's refusal is kept as it says.
func azureError(err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	switch {
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		return ErrNotFound
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return errors.New("the container does not exist")
	case errors.As(err, &re):
		if re.StatusCode == http.StatusNotFound {
			return ErrNotFound
		}
		return fmt.Errorf("Azure refused: %s", safeCode(re.ErrorCode))
	}
	return networkError(err)
}

// deref is *p, or the zero value for nil.
func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}
