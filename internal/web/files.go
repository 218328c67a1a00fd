package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// writeError answers a non-GraphQL request with the error's code, logging
// internal errors with the request id.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code, msg := fault.Classify(r.Context(), err)
	if code == fault.Internal {
		id := RequestID(r.Context())
		log.Error("internal error", slog.String("request_id", id), slog.String("path", r.URL.Path), slog.Any("error", err))
		msg = "internal error (request id " + id + ")"
	}
	fault.WriteJSON(w, fault.Status(code), code, msg)
}

// projectID reads the {id} path value; a malformed id is simply not found.
func projectID(r *http.Request) (int, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		return 0, fault.New(fault.NotFound, "not found")
	}
	return id, nil
}

// handleImport handles POST /api/projects/{id}/import: a multipart body with
// one or more task files (JSON, JSONL, CSV, TSV, TXT), spooled to temporary
// files and imported in one transaction. It answers {"taskCount": N,
// "task_count": N}, the second Label Studio's name for it.
func handleImport(svc *dataset.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := rule.Gate(viewer.FromContext(r.Context()), rule.Manager); err != nil {
			writeError(w, r, log, err)
			return
		}
		id, err := projectID(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		// Uploads may take longer than the server's default deadlines.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(30 * time.Minute))
		_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Minute))

		max := svc.MaxImportBytes()
		if r.ContentLength > max+1<<20 {
			writeError(w, r, log, fault.Invalid("the upload is larger than the import limit of %d bytes (GLOSS_IMPORT_MAX_BYTES)", max))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max+1<<20)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
			fault.WriteJSON(w, http.StatusUnsupportedMediaType, fault.BadInput, "send the task files as multipart/form-data (field \"file\")")
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			writeError(w, r, log, fault.Invalid("malformed multipart body: %v", err))
			return
		}
		var files []dataset.Source
		defer func() {
			for _, f := range files {
				f.Cleanup()
			}
		}()
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				writeError(w, r, log, uploadError(err, max))
				return
			}
			if part.FileName() == "" {
				part.Close()
				continue
			}
			if len(files) == maxImportFiles {
				part.Close()
				writeError(w, r, log, fault.Invalid("an import takes at most %d files; send the others in another import", maxImportFiles))
				return
			}
			src, err := dataset.Spool(part.FileName(), part)
			part.Close()
			if err != nil {
				writeError(w, r, log, uploadError(err, max))
				return
			}
			files = append(files, src)
		}
		n, err := svc.ImportFiles(r.Context(), id, files)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"taskCount": n, "task_count": n})
	}
}

// maxImportFiles is the most files one import takes: each is spooled to
// a temporary file before any is read, and an uploaded media file stays
// as a file of its own, so a body of a million one-byte parts would make a
// million of each.
const maxImportFiles = 10_000

func uploadError(err error, max int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fault.Invalid("the upload is larger than the import limit of %d bytes (GLOSS_IMPORT_MAX_BYTES)", max)
	}
	return fault.Invalid("could not read the upload: %v", err)
}

// exportOptions reads the export dialog's choices: only_annotated (as
// Label Studio's download_all_tasks=false; default false) and
// include_predictions (default true).
func exportOptions(r *http.Request) (dataset.ExportOptions, error) {
	var o dataset.ExportOptions
	q := r.URL.Query()
	flag := func(name string, def bool) (bool, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fault.Invalid("%s must be true or false, not %q", name, v)
		}
		return b, nil
	}
	var err error
	if o.OnlyAnnotated, err = flag("only_annotated", false); err != nil {
		return o, err
	}
	// Label Studio's name for the opposite choice.
	if q.Get("download_all_tasks") != "" {
		all, err := flag("download_all_tasks", true)
		if err != nil {
			return o, err
		}
		if q.Get("only_annotated") != "" && o.OnlyAnnotated == all {
			return o, fault.Invalid("only_annotated and download_all_tasks disagree: give one of them")
		}
		o.OnlyAnnotated = !all
	}
	include, err := flag("include_predictions", true)
	o.OmitPredictions = !include
	return o, err
}

// exportFormat reads the export's format: format, or Label Studio's names
// for it (exportType, export_type); JSON when none is given. Given under
// two names that disagree, it is refused rather than one picked.
func exportFormat(r *http.Request) (string, error) {
	format := ""
	for _, name := range []string{"format", "exportType", "export_type"} {
		v := r.URL.Query().Get(name)
		switch {
		case v == "":
		case format == "":
			format = v
		case !strings.EqualFold(v, format):
			return "", fault.Invalid("the export format is given twice, as %q and %q: give one", format, v)
		}
	}
	if format == "" {
		format = "JSON"
	}
	return format, nil
}

// handleExport handles GET /api/projects/{id}/export?format=F: a streamed
// download, always as an attachment so nothing from the data is rendered on
// the app's origin.
func handleExport(svc *dataset.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := rule.Gate(viewer.FromContext(r.Context()), rule.Manager); err != nil {
			writeError(w, r, log, err)
			return
		}
		id, err := projectID(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		format, err := exportFormat(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		opts, err := exportOptions(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		exp, err := svc.PrepareExport(r.Context(), id, format, opts)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(2 * time.Hour))
		w.Header().Set("Content-Type", exp.ContentType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exp.Filename}))
		w.Header().Set("Cache-Control", "no-store")
		sent := &sentWriter{w: w}
		if err := exp.WriteTo(sent); err != nil {
			log.Error("export failed", slog.String("request_id", RequestID(r.Context())), slog.Any("error", err))
			if !sent.any {
				// Nothing is sent yet: the status can still say so.
				w.Header().Del("Content-Disposition")
				writeError(w, r, log, err)
				return
			}
			// The body is cut. Ending the connection without the end of
			// its chunked encoding makes the client see an incomplete
			// download, where a clean end would pass a CSV cut at a row
			// boundary for the whole file.
			panic(http.ErrAbortHandler)
		}
	}
}

// sentWriter notes whether anything was written to w.
type sentWriter struct {
	w   io.Writer
	any bool
}

func (s *sentWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		s.any = true
	}
	return s.w.Write(p)
}
