package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/importer"
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

// handleImport handles POST /api/projects/{id}/import, in the three ways
// Label Studio's import takes: a multipart body of task files (JSON, JSONL,
// CSV, TSV, TXT, media), a JSON body of tasks (a list, or one task), or a
// form whose url field is the address of a task file (fetched through the
// SSRF-safe client) or tasks written as JSON. Bodies are spooled to
// temporary files and imported in one transaction. It answers 201 with
// Label Studio's counts (and taskCount, Gloss's name), and the new tasks'
// ids when return_task_ids is true.
func handleImport(svc *dataset.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if err := rule.Gate(viewer.FromContext(r.Context()), rule.Manager); err != nil {
			writeError(w, r, log, err)
			return
		}
		id, err := projectID(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		returnIDs, opts, err := importQuery(r)
		if err == nil {
			err = svc.CheckImportTarget(r.Context(), id)
		}
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
		var files []dataset.Source
		defer func() {
			for _, f := range files {
				f.Cleanup()
			}
		}()
		var n dataset.Imported
		switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
		case "multipart/form-data":
			if files, err = multipartSources(r, max); err == nil {
				n, err = svc.ImportFiles(r.Context(), id, files, opts)
			}
		case "application/json":
			var src dataset.Source
			if src, err = jsonSource("the request body", r.Body, max); err == nil {
				files = append(files, src)
				n, err = svc.ImportFiles(r.Context(), id, files, opts)
			}
		case "application/x-www-form-urlencoded":
			// Parsed whole in memory (several copies of it), so capped
			// well below the import's limit: a form carries an address,
			// or a short list of tasks.
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err = r.ParseForm(); err != nil {
				if errors.As(err, new(*http.MaxBytesError)) {
					err = fault.Invalid("a form body is at most %d bytes: send tasks as an application/json body or as files", maxFormBytes)
				} else {
					err = fault.Invalid("malformed form body: %v", err)
				}
				break
			}
			addr := strings.TrimSpace(r.PostForm.Get("url"))
			switch {
			case addr == "":
				err = fault.Invalid("the form has no url field: give the address of a task file, or tasks as JSON")
			case addr[0] == '[' || addr[0] == '{':
				// Tasks written out, as Label Studio reads a url that is JSON.
				var src dataset.Source
				if src, err = jsonSource("the url field", strings.NewReader(addr), max); err == nil {
					files = append(files, src)
					n, err = svc.ImportFiles(r.Context(), id, files, opts)
				}
			default:
				n, err = svc.ImportURL(r.Context(), id, addr, opts)
			}
		default:
			fault.WriteJSON(w, http.StatusUnsupportedMediaType, fault.BadInput,
				"send task files as multipart/form-data (field \"file\"), tasks as an application/json body, or a task file's address as the url field of a form")
			return
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeImported(w, r, log, svc, id, n, time.Since(start), returnIDs)
	}
}

// importQuery reads the import's query parameters that Label Studio's
// clients send: return_task_ids (whether to answer the new tasks' ids),
// preannotated_from_fields (data keys whose values become predictions;
// repeated, or comma-separated), and commit_to_project, whose false
// (Label Studio's two-step import, committed later) is refused rather
// than ignored.
func importQuery(r *http.Request) (returnIDs bool, o dataset.ImportOptions, err error) {
	q := r.URL.Query()
	if returnIDs, err = boolParam(q, "return_task_ids", false); err != nil {
		return false, o, err
	}
	if commit, err := boolParam(q, "commit_to_project", true); err != nil || !commit {
		if err == nil {
			err = fault.Invalid("commit_to_project=false is not supported: an import stores its tasks at once")
		}
		return false, o, err
	}
	for _, v := range q["preannotated_from_fields"] {
		for _, f := range strings.Split(v, ",") {
			switch f = strings.TrimSpace(f); {
			case f == "":
				return false, o, fault.Invalid("preannotated_from_fields names an empty field")
			case slices.Contains(o.PredictionFields, f):
			case len(o.PredictionFields) == importer.MaxPerTask:
				return false, o, fault.Invalid("preannotated_from_fields names more than %d fields, the most predictions one task may bring", importer.MaxPerTask)
			default:
				o.PredictionFields = append(o.PredictionFields, f)
			}
		}
	}
	return returnIDs, o, nil
}

// boolParam reads a flag of the query as Label Studio's bool_from_request
// does (true/false, 1/0, yes/no, on/off, in any case), or def when absent.
func boolParam(q url.Values, name string, def bool) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(q.Get(name))); v {
	case "":
		return def, nil
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, fault.Invalid("%s must be true or false, not %q", name, q.Get(name))
}

// multipartSources spools the files of a multipart import body.
func multipartSources(r *http.Request, max int64) (files []dataset.Source, err error) {
	defer func() {
		if err != nil {
			for _, f := range files {
				f.Cleanup()
			}
			files = nil
		}
	}()
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fault.Invalid("malformed multipart body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return files, uploadError(err, max)
		}
		if part.FileName() == "" {
			part.Close()
			continue
		}
		if len(files) == maxImportFiles {
			part.Close()
			return files, fault.Invalid("an import takes at most %d files; send the others in another import", maxImportFiles)
		}
		src, err := dataset.Spool(part.FileName(), part)
		part.Close()
		if err != nil {
			return files, uploadError(err, max)
		}
		files = append(files, src)
	}
}

// jsonSource spools tasks written as JSON, named as errors will call it.
func jsonSource(name string, r io.Reader, max int64) (dataset.Source, error) {
	src, err := dataset.Spool(name, r)
	if err != nil {
		return src, uploadError(err, max)
	}
	src.Format = importer.JSON
	return src, nil
}

// imported is an import's answer: Label Studio's counts and duration, and
// taskCount.
type imported struct {
	TaskCount       int     `json:"task_count"`
	AnnotationCount int     `json:"annotation_count"`
	PredictionCount int     `json:"prediction_count"`
	Duration        float64 `json:"duration"` // seconds
	GlossTaskCount  int     `json:"taskCount"`
}

// writeImported answers an import that stored n, with the ids of its
// tasks when returnIDs: written as they are read, a batch at a time, so an
// import of a million tasks answers in flat memory.
func writeImported(w http.ResponseWriter, r *http.Request, log *slog.Logger, svc *dataset.Service, projectID int, n dataset.Imported, took time.Duration, returnIDs bool) {
	b, _ := json.Marshal(imported{TaskCount: n.Tasks, AnnotationCount: n.Annotations, PredictionCount: n.Predictions,
		Duration: took.Seconds(), GlossTaskCount: n.Tasks})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	if !returnIDs {
		w.Write(append(b, '\n'))
		return
	}
	bw := bufio.NewWriter(w)
	bw.Write(b[:len(b)-1])
	bw.WriteString(`,"task_ids":[`)
	first := true
	err := svc.ImportedTaskIDs(r.Context(), projectID, n, func(ids []int) error {
		for _, id := range ids {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.WriteString(strconv.Itoa(id))
		}
		return nil
	})
	if err != nil {
		// The import has committed and the answer has begun: it is left
		// unfinished, which the client reads as malformed JSON, rather
		// than ended as if the ids were all there.
		log.Error("import: reading the new tasks' ids", slog.String("request_id", RequestID(r.Context())), slog.Any("error", err))
		bw.Flush()
		return
	}
	bw.WriteString("]}\n")
	bw.Flush()
}

// maxFormBytes is the most a form body of an import may hold.
const maxFormBytes = 1 << 20

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
