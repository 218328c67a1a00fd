package web

import (
	"gloss/internal/media"
	"log/slog"
	"net/http"
	"time"

	"gloss/internal/dataset"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// handleUpload handles GET /api/uploads/{name}: a file uploaded through
// the import page, for a signed-in viewer who may read a task that names
// it (else 404). It is served inertly whatever it holds: nosniff, a
// sandbox CSP (no script, no same-origin), the sniffed type only for
// allowlisted images, audio and video, and everything else — HTML, SVG,
// XML, unknown bytes — as a download.
func handleUpload(svc *dataset.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := rule.Gate(viewer.FromContext(r.Context()), rule.SignedIn); err != nil {
			writeError(w, r, log, err)
			return
		}
		u, err := svc.OpenUpload(r.Context(), r.PathValue("name"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		defer u.File.Close()
		media.SetHeaders(w.Header(), u.ContentType, u.Inline)
		// ServeContent adds Range support; the name's extension is ours.
		http.ServeContent(w, r, "", time.Time{}, u.File)
	}
}
