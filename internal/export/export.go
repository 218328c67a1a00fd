// Package export writes a project's tasks in Label Studio's export formats
// (JSON, JSON_MIN, CSV, TSV, CONLL2003, COCO and YOLO), so that files made by
// Gloss load wherever Label Studio's do.
//
// The shapes follow Label Studio's server (the JSON snapshot) and its
// converter (label_studio_sdk/converter: converter.py, utils.py,
// exports/csv2.py, exports/yolo.py), which turns that snapshot into the other
// formats. Where Gloss deliberately differs, the writer for that format says
// so and why; the differences are security fixes (no file reads, no
// downloads, safe file names, CSV formula guarding) or come from writing in
// one streaming pass.
//
// Every writer pulls tasks one at a time and keeps only the current task in
// memory; COCO spools its annotations to a temporary file. The only state
// that grows is small: the category lists of COCO and YOLO, and for YOLO,
// whose archive holds one file per task, the names already used and the zip
// central directory that archive/zip keeps until the archive is closed (a few
// hundred bytes a task, about 15 MiB for 50,000 tasks).
package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gloss/internal/fault"
)

// Format names an export format, spelled as Label Studio spells it.
type Format string

// The supported formats.
const (
	JSON      Format = "JSON"
	JSONMin   Format = "JSON_MIN"
	CSV       Format = "CSV"
	TSV       Format = "TSV"
	CoNLL2003 Format = "CONLL2003"
	COCO      Format = "COCO"
	YOLO      Format = "YOLO"
	VOC       Format = "VOC"
)

// Formats lists the supported formats in the order Label Studio lists them.
var Formats = []Format{JSON, JSONMin, CSV, TSV, CoNLL2003, COCO, VOC, YOLO}

// ParseFormat returns the format named s, ignoring case and accepting "-" for
// "_" (the UI says "JSON-MIN"). An unknown name is a BAD_USER_INPUT error that
// lists the supported formats.
func ParseFormat(s string) (Format, error) {
	name := strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(s)), "-", "_")
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", unsupported(s)
}

// unsupported is the BAD_USER_INPUT error for an unknown format name.
func unsupported(name string) error {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return fault.Invalid("unsupported export format %q: use one of %s", name, strings.Join(names, ", "))
}

// ContentType returns the MIME type of the file Write produces for f.
func (f Format) ContentType() string {
	switch f {
	case JSON, JSONMin:
		return "application/json"
	case CSV:
		return "text/csv"
	case TSV:
		return "text/tab-separated-values"
	case CoNLL2003:
		return "text/plain"
	case COCO, YOLO, VOC:
		return "application/zip"
	}
	return "application/octet-stream"
}

// FileExtension returns the extension, with its dot, of the file Write
// produces for f.
func (f Format) FileExtension() string {
	switch f {
	case JSON, JSONMin:
		return ".json"
	case CSV:
		return ".csv"
	case TSV:
		return ".tsv"
	case CoNLL2003:
		return ".conll"
	case COCO, YOLO, VOC:
		return ".zip"
	}
	return ""
}

// Task is one task with everything an export shows of it.
type Task struct {
	ID      int
	InnerID int
	// Data is the task's data, a JSON object.
	Data json.RawMessage
	// Meta is the task's meta, a JSON object, or nil for {}.
	Meta        json.RawMessage
	Annotations []Annotation
	Predictions []Prediction
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ProjectID   int
}

// Annotation is one annotation of a task.
type Annotation struct {
	ID int
	// CompletedBy is the author's user id, or 0 when the viewer may not
	// learn who made the annotation (rule.SeesAuthor): then JSON writes
	// "completed_by": null, JSON_MIN "annotator": null and CSV/TSV an empty
	// annotator cell.
	CompletedBy int
	// Result is a JSON array of Label Studio result items; nil means [].
	Result       json.RawMessage
	WasCancelled bool
	GroundTruth  bool
	LeadTime     float64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Reviewed is nil when the annotation was never reviewed; otherwise the
	// JSON export carries it as "reviewed".
	Reviewed *bool
}

// Prediction is one model prediction for a task.
type Prediction struct {
	ID int
	// Result is a JSON array of Label Studio result items; nil means [].
	Result       json.RawMessage
	Score        *float64
	ModelVersion string
	CreatedAt    time.Time
}

// Schema is what the project's labeling configuration says, as the formats
// other than JSON need it. The caller fills it from the configuration.
type Schema struct {
	// ImageKey is the data key of the Image object, for COCO and YOLO.
	ImageKey string
	// TextKey is the data key of the Text object, for CONLL2003.
	TextKey string
	// Labels are the class names for COCO and YOLO (from the labels
	// controls). As in Label Studio's converter, those without a fixed id in
	// Categories take the free ids in order of their names; labels met in
	// results but missing here take the next free ids.
	Labels []string
	// Categories are the class ids the config fixes (<Label category="N">).
	Categories map[string]int
	// DataKeys are the data keys named by the configuration's object tags
	// ($text, $image...), for the CSV/TSV header, which must be known before
	// the first row is streamed. When empty, the keys of the first task's
	// data are used.
	DataKeys []string
	// ControlNames are the names of the configuration's control tags. Only
	// results whose from_name is listed are exported by JSON_MIN, CSV, TSV,
	// CONLL2003, COCO and YOLO, and CSV/TSV get one column per name. When
	// empty, every from_name is exported (Label Studio does this for an
	// empty configuration) but CSV/TSV have no result columns.
	ControlNames []string
}

// now is the clock for the dates inside COCO and YOLO archives; tests fix it.
var now = time.Now

// Write streams tasks from next, called until it returns io.EOF, to w in
// format f. Only the current task is held in memory; COCO spools its
// annotations to a temporary file that is removed before Write returns.
// Write never opens or downloads the files that task data points at.
func Write(w io.Writer, f Format, s Schema, next func() (*Task, error)) error {
	var err error
	switch f {
	case JSON:
		err = writeJSON(w, next)
	case JSONMin:
		err = writeJSONMin(w, s, next)
	case CSV:
		err = writeCSV(w, ',', s, next)
	case TSV:
		err = writeCSV(w, '\t', s, next)
	case CoNLL2003:
		err = writeCoNLL(w, s, next)
	case COCO:
		err = writeCOCO(w, s, next)
	case YOLO:
		err = writeYOLO(w, s, next)
	case VOC:
		err = writeVOC(w, s, next)
	default:
		return unsupported(string(f))
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", f, err)
	}
	return nil
}

// each calls fn with every task next returns until io.EOF.
func each(next func() (*Task, error), fn func(*Task) error) error {
	for {
		t, err := pull(next)
		if err != nil {
			return err
		}
		if t == nil {
			return nil
		}
		if err := fn(t); err != nil {
			return fmt.Errorf("task %d: %w", t.ID, err)
		}
	}
}

// pull returns the next non-nil task, or nil at io.EOF.
func pull(next func() (*Task, error)) (*Task, error) {
	for {
		t, err := next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("next task: %w", err)
		}
		if t != nil {
			return t, nil
		}
	}
}
