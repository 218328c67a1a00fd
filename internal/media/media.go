// Package media says how a file that Gloss serves from its users' data (an
// upload, an object behind the data proxy) may reach a browser: inline only
// when its sniffed bytes are an allowlisted image, audio or video type and
// its name is not markup; everything else as a download. One rule for every
// door, so no route serves HTML, SVG or XML as something a browser renders.
package media

import (
	"net/http"
	"path"
	"strings"
)

// inline are the sniffed media types (http.DetectContentType) served inline.
var inline = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"audio/mpeg": true, "audio/wave": true, "audio/wav": true, "audio/aiff": true, "audio/basic": true,
	"audio/midi": true, "application/ogg": true, "audio/ogg": true, "video/webm": true, "video/mp4": true,
	"video/avi": true,
}

// markup are name extensions that are a download whatever their bytes sniff as.
var markup = map[string]bool{".svg": true, ".svgz": true, ".html": true, ".htm": true, ".xhtml": true, ".xml": true}

// Served returns the Content-Type to send for a file whose first bytes are
// head and whose name (object key, upload name; may be empty) is name, and
// whether it may be shown inline. A download is application/octet-stream.
func Served(head []byte, name string) (contentType string, showInline bool) {
	sniffed, _, _ := strings.Cut(http.DetectContentType(head), ";")
	if inline[sniffed] && !markup[strings.ToLower(path.Ext(name))] {
		return sniffed, true
	}
	return "application/octet-stream", false
}

// SetHeaders sets the headers every served user file carries: the type,
// nosniff, a sandbox CSP (no script, no same-origin), no shared caching,
// and for a download Content-Disposition: attachment.
func SetHeaders(h http.Header, contentType string, showInline bool) {
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "private, no-store")
	if !showInline {
		h.Set("Content-Disposition", "attachment")
	}
}
