package web

import (
	"encoding/base64"
	"errors"
	"gloss/internal/media"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"gloss/internal/fault"
	"gloss/internal/storage"
)

// handleResolve handles GET /api/tasks/{id}/resolve?fileuri=<base64url URI>:
// the data proxy. Whatever the reason it does not serve an object —
// signed out, a task the viewer may not read, a URI not in the task or in
// none of its project's source storages, a missing object — it answers
// the same 404.
func handleResolve(svc *storage.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		notFound := func() { fault.WriteJSON(w, http.StatusNotFound, fault.NotFound, "not found") }
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || id <= 0 {
			notFound()
			return
		}
		uri, ok := decodeURI(r.URL.Query().Get("fileuri"))
		if !ok {
			notFound()
			return
		}
		rng := r.Header.Get("Range")
		// A presigned URL answers the app's media loads, never a
		// navigation: the URL is the storage's endpoint, which a manager
		// sets, so a link to this route would be an open redirect to any
		// host under Gloss's name. A navigation gets the object itself.
		redirect := r.Header.Get("Sec-Fetch-Mode") != "navigate"
		res, err := svc.Resolve(r.Context(), id, uri, rng, redirect)
		if err != nil {
			if fault.As(err) == nil && !errors.Is(err, r.Context().Err()) {
				log.Error("resolve", slog.String("request_id", RequestID(r.Context())), slog.Any("error", err))
			}
			notFound()
			return
		}
		if res.Redirect != "" {
			w.Header().Set("Referrer-Policy", "no-referrer")
			http.Redirect(w, r, res.Redirect, http.StatusSeeOther)
			return
		}
		obj := res.Object
		defer obj.Body.Close()
		// Media can take longer than the server's default write deadline.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
		var head []byte
		if obj.ContentRange != "" && !strings.HasPrefix(obj.ContentRange, "bytes 0-") {
			head, _ = svc.Sniff(r.Context(), id, uri)
		} else {
			buf := make([]byte, 512)
			n, _ := io.ReadFull(obj.Body, buf)
			head = buf[:n]
			obj.Body = readCloser{io.MultiReader(strings.NewReader(string(head)), obj.Body), obj.Body}
		}
		h := w.Header()
		ct, inline := media.Served(head, path.Base(uri))
		media.SetHeaders(h, ct, inline)
		h.Set("Accept-Ranges", "bytes")
		if obj.Size >= 0 {
			h.Set("Content-Length", strconv.FormatInt(obj.Size, 10))
		}
		status := http.StatusOK
		if obj.ContentRange != "" {
			h.Set("Content-Range", obj.ContentRange)
			status = http.StatusPartialContent
		}
		w.WriteHeader(status)
		_, _ = io.Copy(w, obj.Body)
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// decodeURI reads the fileuri parameter: base64url, padded or not.
func decodeURI(s string) (string, bool) {
	if s == "" || len(s) > 8192 {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", false
	}
	return string(b), true
}
