// Package importer reads Label Studio task files (JSON, JSON Lines, CSV, TSV
// and plain text) as a stream of normalized tasks.
//
// Import files come from users and can be large, so every parser streams:
// it holds one task at a time, whatever the size of the file, and enforces
// Limits while reading rather than after. Parsing stops at the first bad
// task with a *RowError that says where the problem is; the caller is
// expected to run the whole import in one transaction and roll it back, so
// a file is never half imported.
//
// A JSON task is {"data": {...}} with optional "meta", "annotations" and
// "predictions"; other keys, such as the bookkeeping Label Studio exports
// ("id", "created_at", ...), are ignored. An object without "data" that has
// any key besides those is a flat task and becomes the data whole, and a
// plain string becomes {TextKey: string}. Null counts as absent for the
// optional fields. Beyond what Label Studio checks, the importer refuses
// ambiguous or unstorable JSON with the rules every stored JSON value obeys
// (labelconfig.CheckJSON): a key repeated in any object; nesting deeper than
// 64; invalid UTF-8; "\u0000" or unpaired surrogate escapes, which
// PostgreSQL's jsonb cannot hold; and numbers beyond float64's range. Each
// annotation's and prediction's result must also pass labelconfig.CheckResult,
// the check createAnnotation and updateAnnotation apply.
// CSV and TSV rows become {column: value} with string values.
package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Format names a task file format.
type Format string

// NoHTML is the HTMLKey that refuses HTML files.
const NoHTML = "-"

// The supported formats.
const (
	JSON  Format = "json"  // an array of tasks, or a single task object
	JSONL Format = "jsonl" // one task per line (JSON Lines, NDJSON)
	CSV   Format = "csv"   // a header row, then one task per row
	TSV   Format = "tsv"   // as CSV, separated by tabs
	TXT   Format = "txt"   // one text task per line
	HTML  Format = "html"  // one task: the file's markup (Label Studio's HyperText file)
)

// extensions maps lower-case file extensions to formats.
var extensions = map[string]Format{
	".json":   JSON,
	".jsonl":  JSONL,
	".ndjson": JSONL,
	".csv":    CSV,
	".tsv":    TSV,
	".txt":    TXT,
	".html":   HTML,
	".htm":    HTML,
}

// supported lists the extensions for error messages.
const supported = ".json, .jsonl, .ndjson, .csv, .tsv, .txt or .html"

// FormatOf returns the format of a file from its name's extension, ignoring
// case. The error names the extension and lists the supported ones, so it
// can be shown to the person who uploaded the file.
func FormatOf(filename string) (Format, error) {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 {
		return "", fmt.Errorf("file %q has no extension: use %s", base, supported)
	}
	ext := strings.ToLower(base[dot:])
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	return "", fmt.Errorf("unsupported file type %q: use %s", ext, supported)
}

// Limits bounds what one import may hold. A zero or negative field takes
// its value from DefaultLimits.
type Limits struct {
	MaxTasks     int   // tasks in the file
	MaxBytes     int64 // bytes in the file
	MaxTaskBytes int   // bytes in one task as written in the file
}

// MaxPerTask is the most annotations, and the most predictions, one
// imported task may bring: as many as Task.annotations lists. Each is a row
// of its own, written in the import's one transaction, and results may be
// as short as "[]": without a bound, a 20 MB file of 1.4 million empty
// annotations on 20 tasks took 3.2 GB and held the writer 49 s.
const MaxPerTask = 100

// MaxDataKeyLength is the longest top-level data key (a JSON task's data
// key, a CSV or TSV column), in characters. The project records every data
// key its imports bring (for the CSV export's header) on its own row, which
// nearly every request reads: without a bound, a few imports of tasks with
// one key of a megabyte each made that row hundreds of megabytes.
const MaxDataKeyLength = 256

// checkKey refuses a data key longer than MaxDataKeyLength; the error
// quotes its start.
func checkKey(k string) error {
	n := utf8.RuneCountInString(k)
	if n <= MaxDataKeyLength {
		return nil
	}
	start, shown := k, 0
	for i := range k {
		if shown == 40 {
			start = k[:i] + "…"
			break
		}
		shown++
	}
	return problemf("%q is %d characters long; the limit is %d", start, n, MaxDataKeyLength)
}

// DefaultLimits returns the limits used for fields left zero: a million
// tasks, 200 MiB per file and 1 MiB per task.
func DefaultLimits() Limits {
	return Limits{MaxTasks: 1_000_000, MaxBytes: 200 << 20, MaxTaskBytes: 1 << 20}
}

// withDefaults fills in zero fields.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTasks <= 0 {
		l.MaxTasks = d.MaxTasks
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxTaskBytes <= 0 {
		l.MaxTaskBytes = d.MaxTaskBytes
	}
	return l
}

// Task is one Label Studio task, normalized. All JSON in it is compact and
// owned by the task, so fn may keep it.
type Task struct {
	Data        json.RawMessage // always a JSON object
	Meta        json.RawMessage // nil or a JSON object
	Annotations []Annotation
	Predictions []Prediction
	// Keys are Data's top-level keys. The rows of one CSV, TSV or text
	// file share one slice: do not change it.
	Keys []string
}

// Annotation is an annotation imported with a task.
type Annotation struct {
	Result       json.RawMessage // always a JSON array
	WasCancelled bool
	LeadTime     float64 // seconds spent, 0 when absent
	GroundTruth  bool
}

// Prediction is a model prediction imported with a task.
type Prediction struct {
	Result       json.RawMessage // always a JSON array
	Score        *float64        // nil when absent
	ModelVersion string
}

// Options says how to read a file. Format is required; Limits and TextKey
// have defaults.
type Options struct {
	Format Format
	Limits Limits
	// TextKey is the data key that holds the text of a .txt line or of a
	// plain JSON string given in place of a task. It defaults to "text".
	TextKey string
	// RequiredKeys are the data keys every task must have (the config's
	// "$key" references), as Label Studio requires: a task without one is
	// refused with a *RowError naming the key. A key present with an empty
	// or null value is fine. Nil requires nothing.
	RequiredKeys []string
	// HTMLKey is the data key that holds an HTML file's markup. It
	// defaults to TextKey; NoHTML refuses HTML files (nothing would show
	// them).
	HTMLKey string
	// PredictionFields are data keys whose values are prediction results
	// (Label Studio's preannotated_from_fields): each is taken out of
	// every task's data and becomes a prediction of the task, its value
	// the result: a list, or (in CSV, TSV) a string holding one.
	PredictionFields []string
}

// withDefaults fills in zero fields.
func (o Options) withDefaults() Options {
	o.Limits = o.Limits.withDefaults()
	if o.TextKey == "" {
		o.TextKey = "text"
	}
	if o.HTMLKey == "" {
		o.HTMLKey = o.TextKey
	}
	return o
}

// RowError is a problem with the input: a task that cannot be imported or
// a file that breaks a limit. Its message is written for the person who
// uploaded the file. Problems with the file as a whole (too large, no
// tasks) have neither Row nor Line.
type RowError struct {
	Row  int // 1-based task number (blank lines and the CSV header do not count), 0 if unknown
	Line int // 1-based line in the file of the task, or of the syntax error, 0 if unknown
	Msg  string
}

// Error returns the message prefixed with where the problem is, for
// example `line 14 (task 12): "data" must be a JSON object`.
func (e *RowError) Error() string {
	switch {
	case e.Line > 0 && e.Row > 0:
		return fmt.Sprintf("line %d (task %d): %s", e.Line, e.Row, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.Row > 0:
		return fmt.Sprintf("task %d: %s", e.Row, e.Msg)
	}
	return e.Msg
}

// Parse reads a task file from r and calls fn with each task in file order.
// It streams: memory use depends on the size of one task, not of the file.
//
// Parse stops at the first problem with the input and returns a *RowError;
// tasks before it have already been passed to fn, so callers must discard
// them (run the import in a transaction). An error from fn stops parsing and
// is returned unchanged; errors reading r are wrapped. The count is the
// number of tasks fn accepted.
func Parse(r io.Reader, o Options, fn func(Task) error) (int, error) {
	o = o.withDefaults()
	if err := checkText(o.TextKey); err != nil {
		return 0, fmt.Errorf("import text key %v", err)
	}
	p := &parser{o: o, fn: fn, what: "the file"}
	var err error
	switch o.Format {
	case JSON:
		err = p.parseJSON(r)
	case JSONL:
		err = p.parseJSONL(r)
	case CSV:
		err = p.parseTable(r, ',')
	case TSV:
		err = p.parseTable(r, '\t')
	case TXT:
		err = p.parseText(r)
	case HTML:
		if o.HTMLKey == NoHTML {
			return 0, &RowError{Msg: "this project's labeling config has no HyperText or Text to show an HTML file"}
		}
		err = p.parseHTML(r)
	default:
		return 0, fmt.Errorf("unsupported import format %q", o.Format)
	}
	return p.finish(err)
}

// ParseJSONValue parses tasks given as one JSON value, as in the GraphQL
// importTasks(tasks: JSON!) argument: a list of tasks (task objects or plain
// strings) or a single task object. It applies the same rules and limits as
// Parse with the JSON format; o.Format is ignored. Errors carry task numbers
// but no line numbers, since the value was not written by the user as-is.
func ParseJSONValue(raw json.RawMessage, o Options, fn func(Task) error) (int, error) {
	o = o.withDefaults()
	o.Format = JSON
	if err := checkText(o.TextKey); err != nil {
		return 0, fmt.Errorf("import text key %v", err)
	}
	p := &parser{o: o, fn: fn, what: "the value"}
	n, err := p.finish(p.parseJSON(bytes.NewReader(raw)))
	if re, ok := err.(*RowError); ok {
		re.Line = 0
	}
	return n, err
}

// parser holds what every format's parser shares.
type parser struct {
	o    Options
	fn   func(Task) error
	what string // "the file" or "the value", for messages
	n    int    // tasks accepted by fn
	// fields is the place of each of o.PredictionFields, made once.
	fields map[string]int
}

// emit passes one task, at task number row on line line, to fn after
// checking that its data has every required key.
func (p *parser) emit(t Task, row, line int) error {
	ms, err := members(t.Data, "data")
	if err != nil {
		return &RowError{Row: row, Line: line, Msg: err.Error()}
	}
	t.Keys = make([]string, len(ms))
	for i, m := range ms {
		if err := checkKey(m.key); err != nil {
			return &RowError{Row: row, Line: line, Msg: "the data key " + err.Error()}
		}
		t.Keys[i] = m.key
	}
	return p.deliver(t, row, line, missingName(t.Keys, p.o.RequiredKeys))
}

// deliver passes one task to fn, or refuses it when its data lacks the
// required key missing ("" when it lacks none). Formats whose rows all have
// the same keys (CSV and TSV: the header's; text: the text key) find the
// missing key once and pass it for every row.
func (p *parser) deliver(t Task, row, line int, missing string) error {
	if len(p.o.PredictionFields) > 0 {
		if p.fields == nil {
			p.fields = make(map[string]int, len(p.o.PredictionFields))
			for i, f := range p.o.PredictionFields {
				p.fields[f] = i
			}
		}
		var err error
		if t, err = predictionsFromFields(t, p.o.PredictionFields, p.fields); err != nil {
			return &RowError{Row: row, Line: line, Msg: err.Error()}
		}
		missing = missingName(t.Keys, p.o.RequiredKeys)
	}
	if missing != "" {
		return &RowError{Row: row, Line: line, Msg: fmt.Sprintf("%q key is expected in task data (the labeling config reads $%s)", missing, missing)}
	}
	if err := p.fn(t); err != nil {
		return &callerError{err}
	}
	p.n++
	return nil
}

// finish turns the parser's outcome into Parse's results.
func (p *parser) finish(err error) (int, error) {
	if ce, ok := err.(*callerError); ok {
		return p.n, ce.err
	}
	if err == nil && p.n == 0 {
		err = &RowError{Msg: p.what + " has no tasks"}
	}
	return p.n, err
}

// missingName returns the first of keys not among names, or "".
func missingName(names, keys []string) string {
	for _, k := range keys {
		if !slices.Contains(names, k) {
			return k
		}
	}
	return ""
}

// callerError carries an error from fn through the parsers unchanged.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

// tooMany is the error for the task past MaxTasks.
func (p *parser) tooMany(row, line int) error {
	return &RowError{Row: row, Line: line, Msg: fmt.Sprintf("%s has more than %d tasks", p.what, p.o.Limits.MaxTasks)}
}

// tooLarge is the error for a task over MaxTaskBytes.
func (p *parser) tooLarge(row, line int) error {
	return &RowError{Row: row, Line: line, Msg: fmt.Sprintf("the task is larger than %d bytes", p.o.Limits.MaxTaskBytes)}
}

// readError turns an error from reading the input into Parse's error: the
// limits the source enforces become a *RowError, the rest is wrapped.
func (p *parser) readError(err error, row, line int) error {
	switch {
	case errors.Is(err, errFileTooLarge):
		return &RowError{Msg: fmt.Sprintf("%s is larger than %d bytes", p.what, p.o.Limits.MaxBytes)}
	case errors.Is(err, errTaskTooLarge):
		return p.tooLarge(row, line)
	}
	return fmt.Errorf("read tasks: %w", err)
}

// sniffLine is the longest first line Sniff reads to tell JSON Lines from
// one JSON value.
const sniffLine = 16 << 20

// Sniff returns the format of a task file from its content, for a file
// whose name says nothing of it (a storage object without .json or
// .jsonl, which Label Studio reads whatever its name): JSON when it starts
// a list, or holds one object; JSON Lines when its first line is a whole
// object and more follow. Anything else is no task file (ok false).
func Sniff(r io.Reader) (f Format, ok bool) {
	br := bufio.NewReader(r)
	skipBOM(br)
	var first []byte
	for len(first) == 0 {
		line, err := readLine(br, sniffLine)
		first = bytes.TrimSpace(line)
		if err != nil && len(first) == 0 {
			return "", false
		}
	}
	switch first[0] {
	case '[':
		return JSON, true
	case '{':
	default:
		return "", false
	}
	if !json.Valid(first) {
		return JSON, true // an object over several lines
	}
	for {
		line, err := readLine(br, sniffLine)
		if len(bytes.TrimSpace(line)) > 0 {
			return JSONL, true
		}
		if err != nil {
			return JSON, true // one object on one line: either reads it
		}
	}
}

// readLine reads up to and without the next newline, at most max bytes of
// it (the rest of a longer line is left unread).
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for len(line) < max {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return bytes.TrimSuffix(line, []byte("\n")), err
		}
	}
	return line, nil
}
