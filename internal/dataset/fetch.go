package dataset

import (
	"context"
	"io"
	"mime"
	"net/url"
	"path"
	"strings"

	"gloss/internal/safehttp"
)

// URLFetcher fetches import files through the SSRF-safe client.
type URLFetcher struct {
	Client *safehttp.Client
}

// Fetch gets url and names the file after its path, or after its content
// type when the path has no known extension.
func (f URLFetcher) Fetch(ctx context.Context, rawURL string, _ int64) (io.ReadCloser, string, error) {
	resp, err := f.Client.Get(ctx, rawURL)
	if err != nil {
		return nil, "", err
	}
	name := "download"
	if u, err := url.Parse(resp.FinalURL); err == nil {
		if base := path.Base(u.Path); base != "/" && base != "." {
			name = base
		}
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt":
	default:
		mt, _, _ := mime.ParseMediaType(resp.ContentType)
		switch mt {
		case "application/json":
			name += ".json"
		case "application/x-ndjson", "application/jsonl":
			name += ".jsonl"
		case "text/csv":
			name += ".csv"
		case "text/tab-separated-values":
			name += ".tsv"
		case "text/plain":
			name += ".txt"
		}
	}
	return resp.Body, name, nil
}
