package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gloss/internal/labelconfig"
)

// taskKeys are the keys of a task object that are not data: the ones the
// importer reads and the bookkeeping Label Studio writes into its exports.
// An object with no "data" key and only these keys is not a flat task.
var taskKeys = map[string]bool{
	"data": true, "meta": true, "annotations": true, "predictions": true,
	"id": true, "created_at": true, "updated_at": true, "inner_id": true,
	"total_annotations": true, "cancelled_annotations": true, "total_predictions": true,
	"file_upload": true, "project": true, "updated_by": true, "drafts": true,
	"is_labeled": true, "overlap": true, "comment_count": true,
	"unresolved_comment_count": true, "last_comment_updated_at": true,
	"comment_authors": true, "annotators": true,
}

// problem is what is wrong with one task; the parser adds the position.
type problem string

func (e problem) Error() string { return string(e) }

// problemf formats a problem.
func problemf(format string, args ...any) error {
	return problem(fmt.Sprintf(format, args...))
}

// task normalizes one task as written in a JSON or JSON Lines file. raw
// must be a single valid JSON value; it is not retained.
func (p *parser) task(raw []byte) (Task, error) {
	if len(raw) > p.o.Limits.MaxTaskBytes {
		return Task{}, problemf("the task is larger than %d bytes", p.o.Limits.MaxTaskBytes)
	}
	if !utf8.Valid(raw) {
		return Task{}, problem("the task is not valid UTF-8")
	}
	if err := checkJSON(raw); err != nil {
		return Task{}, err
	}
	switch raw[0] {
	case '"':
		// Label Studio accepts a list of strings as text tasks.
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Task{}, problem("invalid JSON string")
		}
		return Task{Data: textData(p.o.TextKey, s)}, nil
	case '{':
		return taskObject(raw)
	}
	return Task{}, problemf("a task must be a JSON object, not %s", kind(raw))
}

// taskObject normalizes a task given as a JSON object: either a task with
// "data", or a flat object that is the data itself.
func taskObject(raw []byte) (Task, error) {
	ms, err := members(raw, "the task")
	if err != nil {
		return Task{}, err
	}
	data := lookup(ms, "data")
	if data == nil {
		for _, m := range ms {
			if !taskKeys[m.key] {
				return Task{Data: compact(raw)}, nil
			}
		}
		if len(ms) == 0 {
			return Task{}, problem("the task is empty")
		}
		return Task{}, problem(`the task has no "data"`)
	}
	if data[0] != '{' {
		return Task{}, problemf(`"data" must be a JSON object, not %s`, kind(data))
	}
	t := Task{Data: compact(data)}
	if meta := lookup(ms, "meta"); !isNull(meta) {
		if meta[0] != '{' {
			return Task{}, problemf(`"meta" must be a JSON object, not %s`, kind(meta))
		}
		t.Meta = compact(meta)
	}
	if list := lookup(ms, "annotations"); !isNull(list) {
		if list[0] != '[' {
			return Task{}, problemf(`"annotations" must be a list, not %s`, kind(list))
		}
		for i, item := range elements(list) {
			if i == MaxPerTask {
				return Task{}, problemf(`"annotations" holds more than %d annotations, the most one task may bring`, MaxPerTask)
			}
			if isReference(item) {
				continue
			}
			a, err := annotation(item, fmt.Sprintf("annotations[%d]", i))
			if err != nil {
				return Task{}, err
			}
			t.Annotations = append(t.Annotations, a)
		}
	}
	if list := lookup(ms, "predictions"); !isNull(list) {
		if list[0] != '[' {
			return Task{}, problemf(`"predictions" must be a list, not %s`, kind(list))
		}
		for i, item := range elements(list) {
			if i == MaxPerTask {
				return Task{}, problemf(`"predictions" holds more than %d predictions, the most one task may bring`, MaxPerTask)
			}
			if isReference(item) {
				continue
			}
			pr, err := prediction(item, fmt.Sprintf("predictions[%d]", i))
			if err != nil {
				return Task{}, err
			}
			t.Predictions = append(t.Predictions, pr)
		}
	}
	return t, nil
}

// predictionsFromFields takes fields out of t's data, each becoming a
// prediction whose result is the field's value, as Label Studio's
// preannotated_from_fields does: a list, or a string holding one (a CSV or
// TSV column). A task without one of the fields is refused rather than
// given fewer predictions than the others. index is each field's place
// in fields: one walk over the data's keys finds them, however many keys
// and fields there are.
func predictionsFromFields(t Task, fields []string, index map[string]int) (Task, error) {
	ms, err := members(t.Data, "data")
	if err != nil {
		return t, err
	}
	values := make([][]byte, len(fields))
	b := []byte{'{'}
	t.Keys = make([]string, 0, len(ms))
	for _, m := range ms {
		if i, ok := index[m.key]; ok {
			values[i] = m.value
			continue
		}
		if len(t.Keys) > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, m.key), ':')
		b = append(b, m.value...)
		t.Keys = append(t.Keys, m.key)
	}
	if len(t.Predictions)+len(fields) > MaxPerTask {
		return t, problemf("the task brings more than %d predictions, the most one task may bring", MaxPerTask)
	}
	for i, f := range fields {
		v := values[i]
		if v == nil {
			return t, problemf("%q is not in the task's data, which preannotated_from_fields names", f)
		}
		if s, ok := unquote(v); ok {
			v = []byte(strings.TrimSpace(s))
			if !json.Valid(v) || len(v) == 0 || v[0] != '[' {
				return t, problemf("%q must hold a result list as JSON (preannotated_from_fields)", f)
			}
		}
		pr, err := prediction(append(append([]byte(`{"result":`), v...), '}'), fmt.Sprintf("the prediction from %q", f))
		if err != nil {
			return t, err
		}
		t.Predictions = append(t.Predictions, pr)
	}
	t.Data = compact(append(b, '}'))
	return t, nil
}

// isReference reports whether an item of "annotations" or "predictions" is
// a number: the id of a row of the instance the file came from, which is
// all Label Studio's JSON export writes of a task's predictions. Label
// Studio skips such items on import (with a warning in its log), and so
// does Gloss: the task comes in without them rather than the file being
// refused.
func isReference(item []byte) bool {
	return len(item) > 0 && (item[0] == '-' || item[0] >= '0' && item[0] <= '9')
}

// annotation normalizes one item of "annotations"; name says which.
func annotation(raw []byte, name string) (Annotation, error) {
	ms, result, err := resultItem(raw, name)
	if err != nil {
		return Annotation{}, err
	}
	a := Annotation{Result: result}
	if a.WasCancelled, err = boolMember(ms, "was_cancelled", name); err != nil {
		return Annotation{}, err
	}
	if a.GroundTruth, err = boolMember(ms, "ground_truth", name); err != nil {
		return Annotation{}, err
	}
	if v := lookup(ms, "lead_time"); !isNull(v) {
		f, err := number(v)
		if err != nil {
			return Annotation{}, problemf(`%s: "lead_time" %v`, name, err)
		}
		a.LeadTime = f
	}
	return a, nil
}

// prediction normalizes one item of "predictions"; name says which.
func prediction(raw []byte, name string) (Prediction, error) {
	ms, result, err := resultItem(raw, name)
	if err != nil {
		return Prediction{}, err
	}
	pr := Prediction{Result: result}
	if v := lookup(ms, "score"); !isNull(v) {
		// A number, or (as Label Studio reads it, with float()) a string
		// that is one; Label Studio stores any other string as no score.
		if s, ok := unquote(v); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				pr.Score = &f
			}
		} else {
			f, err := number(v)
			if err != nil {
				return Prediction{}, problemf(`%s: "score" %v`, name, err)
			}
			pr.Score = &f
		}
	}
	if v := lookup(ms, "model_version"); !isNull(v) {
		s, ok := unquote(v)
		switch {
		case ok:
		case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
			s = string(v) // a number, kept as the text it was written as (as Label Studio does)
		default:
			return Prediction{}, problemf(`%s: "model_version" must be a string or a number, not %s`, name, kind(v))
		}
		pr.ModelVersion = s
	}
	return pr, nil
}

// resultItem checks what annotations and predictions share: an object
// with a "result" list.
func resultItem(raw []byte, name string) ([]member, json.RawMessage, error) {
	if raw[0] != '{' {
		return nil, nil, problemf("%s must be a JSON object, not %s", name, kind(raw))
	}
	ms, err := members(raw, name)
	if err != nil {
		return nil, nil, err
	}
	result := lookup(ms, "result")
	if result == nil || result[0] != '[' {
		return nil, nil, problemf(`%s: "result" must be a list`, name)
	}
	result = compact(result)
	// The shape rules createAnnotation and updateAnnotation apply, word
	// for word. Whether the labels are the project's configuration's is
	// not checked, as Label Studio does not: an export holds annotations
	// made under earlier configurations. Exports write such labels with
	// their line breaks cleaned.
	if err := labelconfig.CheckResult(result, name+".result"); err != nil {
		return nil, nil, problem(err.Error())
	}
	return ms, result, nil
}

// boolMember reads an optional true/false member; null counts as absent.
func boolMember(ms []member, key, name string) (bool, error) {
	switch v := string(lookup(ms, key)); v {
	case "", "null", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, problemf(`%s: %q must be true or false`, name, key)
}

// number parses a JSON number that must fit a float64.
func number(v []byte) (float64, error) {
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return 0, problemf("must be a number, not %s", kind(v))
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, problem("must be a finite number")
	}
	return f, nil
}

// textData returns the data object {key: text}.
func textData(key, text string) json.RawMessage {
	b := make([]byte, 0, len(key)+len(text)+8)
	b = append(b, '{')
	b = appendString(b, key)
	b = append(b, ':')
	b = appendString(b, text)
	return append(b, '}')
}

// kind names the type of a JSON value for messages.
func kind(v []byte) string {
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// isNull reports whether a member is absent (nil) or JSON null.
func isNull(v []byte) bool {
	return v == nil || string(v) == "null"
}

// checkJSON holds a task to the rules every stored JSON value obeys
// (labelconfig.CheckJSON): nesting at most 64 deep, no NUL character and no
// unpaired UTF-16 surrogate escape (which PostgreSQL's jsonb refuses), no
// key twice in an object and no number beyond float64's range. b must be
// valid JSON.
func checkJSON(b []byte) error {
	if err := labelconfig.CheckJSON(b, "task"); err != nil {
		return problem(err.Error())
	}
	return nil
}

// member is one key and its raw value in a JSON object.
type member struct {
	key   string
	value []byte
}

// lookup returns the value of key, or nil.
func lookup(ms []member, key string) []byte {
	for _, m := range ms {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// members splits a valid JSON object into its members, refusing an object
// that repeats a key: parsers disagree on which value wins, so the file is
// ambiguous. name says what the object is, for the message.
func members(b []byte, name string) ([]member, error) {
	var ms []member
	for i := 1; ; {
		i = skipSpace(b, i)
		if i >= len(b) {
			return nil, problem("invalid JSON")
		}
		switch b[i] {
		case '}':
			return ms, duplicates(ms, name)
		case ',':
			i++
			continue
		case '"':
		default:
			return nil, problem("invalid JSON")
		}
		end := skipString(b, i)
		key, ok := unquote(b[i:end])
		i = skipSpace(b, end)
		if !ok || i >= len(b) || b[i] != ':' {
			return nil, problem("invalid JSON")
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend == i {
			return nil, problem("invalid JSON")
		}
		ms = append(ms, member{key: key, value: b[i:vend]})
		i = vend
	}
}

// duplicates returns a problem naming the first key that appears twice.
func duplicates(ms []member, name string) error {
	if len(ms) <= 16 {
		for i := range ms {
			for j := range i {
				if ms[i].key == ms[j].key {
					return problemf("%s has the key %q twice", name, ms[i].key)
				}
			}
		}
		return nil
	}
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if seen[m.key] {
			return problemf("%s has the key %q twice", name, m.key)
		}
		seen[m.key] = true
	}
	return nil
}

// elements splits a valid JSON array into its elements.
func elements(b []byte) [][]byte {
	var es [][]byte
	for i := 1; i < len(b); {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == ']' {
			break
		}
		if b[i] == ',' {
			i++
			continue
		}
		end := skipValue(b, i)
		if end == i {
			break
		}
		es = append(es, b[i:end])
		i = end
	}
	return es
}

// unquote decodes a JSON string, reporting false if v is not one.
func unquote(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err == nil
}

// skipSpace returns the index of the first non-whitespace byte at or
// after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the valid JSON value starting at i.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// compact returns a copy of the valid JSON b without insignificant
// whitespace. Tasks are stored compact, and the copy lets parsers reuse
// their buffers.
func compact(b []byte) json.RawMessage {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case ' ', '\t', '\r', '\n':
		case '"':
			end := skipString(b, i)
			out = append(out, b[i:end]...)
			i = end - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

// appendString appends s as a JSON string. s must be valid UTF-8. Unlike
// encoding/json it leaves <, > and & alone: the data is stored, not
// embedded in HTML.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
