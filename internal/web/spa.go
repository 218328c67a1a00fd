package web

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"gloss/internal/fault"
)

// spa serves the embedded single-page app: files that exist are served
// (hashed assets cached as immutable), and any other non-API path gets
// index.html (no-cache) so that client routes such as /signup work.
func spa(dist fs.FS) http.Handler {
	files := http.FileServerFS(dist)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p == "graphql" || p == "api" || strings.HasPrefix(p, "api/") {
			fault.WriteJSON(w, http.StatusNotFound, fault.NotFound, "no such endpoint")
			return
		}
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(dist, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		index, err := fs.ReadFile(dist, "index.html")
		if err != nil {
			http.Error(w, "the web app is not built into this binary: run `make build`", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}
