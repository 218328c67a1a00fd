package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// writeJSON writes the JSON format: the array of full task objects Label
// Studio's export snapshot holds (label_studio/data_export/serializers.py,
// ExportDataSerializer, in its key order; the "Label Studio JSON format of
// annotated tasks" in the docs' task_format page). Like Label Studio
// (json.JSONEncoder iterencode in data_export/mixins.py) it is one line with
// ", " and ": " separators and non-ASCII text left as is. Each task is
// appended to one reused buffer by hand: the stored JSON (data, meta,
// results) is copied with its whitespace normalised, never decoded.
func writeJSON(w io.Writer, next func() (*Task, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	if _, err := bw.WriteString("["); err != nil {
		return err
	}
	first := true
	err := each(next, func(t *Task) error {
		var err error
		buf = buf[:0]
		if !first {
			buf = append(buf, ", "...)
		}
		first = false
		if buf, err = appendJSONTask(buf, t); err != nil {
			return err
		}
		_, err = bw.Write(buf)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := bw.WriteString("]"); err != nil {
		return err
	}
	return bw.Flush()
}

// appendJSONTask appends t as the JSON export writes it.
func appendJSONTask(b []byte, t *Task) ([]byte, error) {
	data, err := jsonObjectOrEmpty(t.Data, "data")
	if err != nil {
		return b, err
	}
	meta, err := jsonObjectOrEmpty(t.Meta, "meta")
	if err != nil {
		return b, err
	}
	total, cancelled := 0, 0
	b = append(b, `{"id": `...)
	b = strconv.AppendInt(b, int64(t.ID), 10)
	b = append(b, `, "annotations": [`...)
	for i := range t.Annotations {
		a := &t.Annotations[i]
		if a.WasCancelled {
			cancelled++
		} else {
			total++
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"id": `...)
		b = strconv.AppendInt(b, int64(a.ID), 10)
		b = append(b, `, "completed_by": `...)
		if a.CompletedBy != 0 {
			b = strconv.AppendInt(b, int64(a.CompletedBy), 10)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `, "result": `...)
		if b, err = appendSpacedArray(b, a.Result, "annotation", a.ID); err != nil {
			return b, err
		}
		b = append(b, `, "was_cancelled": `...)
		b = strconv.AppendBool(b, a.WasCancelled)
		b = append(b, `, "ground_truth": `...)
		b = strconv.AppendBool(b, a.GroundTruth)
		b = append(b, `, "created_at": `...)
		b = appendTime(b, a.CreatedAt)
		b = append(b, `, "updated_at": `...)
		b = appendTime(b, a.UpdatedAt)
		b = append(b, `, "lead_time": `...)
		b = append(b, pyFloat(a.LeadTime)...)
		b = append(b, `, "task": `...)
		b = strconv.AppendInt(b, int64(t.ID), 10)
		b = append(b, `, "project": `...)
		b = strconv.AppendInt(b, int64(t.ProjectID), 10)
		if a.Reviewed != nil {
			b = append(b, `, "reviewed": `...)
			b = strconv.AppendBool(b, *a.Reviewed)
		}
		b = append(b, '}')
	}
	b = append(b, `], "file_upload": "", "drafts": [], "predictions": [`...)
	for i := range t.Predictions {
		p := &t.Predictions[i]
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"id": `...)
		b = strconv.AppendInt(b, int64(p.ID), 10)
		b = append(b, `, "model_version": `...)
		b = appendGoString(b, p.ModelVersion)
		b = append(b, `, "created_ago": "", "result": `...)
		if b, err = appendSpacedArray(b, p.Result, "prediction", p.ID); err != nil {
			return b, err
		}
		b = append(b, `, "score": `...)
		if p.Score != nil {
			b = append(b, pyFloat(*p.Score)...)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `, "created_at": `...)
		b = appendTime(b, p.CreatedAt)
		b = append(b, `, "task": `...)
		b = strconv.AppendInt(b, int64(t.ID), 10)
		b = append(b, `, "project": `...)
		b = strconv.AppendInt(b, int64(t.ProjectID), 10)
		b = append(b, '}')
	}
	b = append(b, `], "data": `...)
	if b, err = appendSpacedJSON(b, data, "data"); err != nil {
		return b, err
	}
	b = append(b, `, "meta": `...)
	if b, err = appendSpacedJSON(b, meta, "meta"); err != nil {
		return b, err
	}
	b = append(b, `, "created_at": `...)
	b = appendTime(b, t.CreatedAt)
	b = append(b, `, "updated_at": `...)
	b = appendTime(b, t.UpdatedAt)
	b = append(b, `, "inner_id": `...)
	b = strconv.AppendInt(b, int64(t.InnerID), 10)
	b = append(b, `, "total_annotations": `...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `, "cancelled_annotations": `...)
	b = strconv.AppendInt(b, int64(cancelled), 10)
	b = append(b, `, "total_predictions": `...)
	b = strconv.AppendInt(b, int64(len(t.Predictions)), 10)
	b = append(b, `, "project": `...)
	b = strconv.AppendInt(b, int64(t.ProjectID), 10)
	return append(b, '}'), nil
}

// appendSpacedArray appends a result (a JSON array, [] when empty) spaced
// as Python writes it; what and id name it in errors.
func appendSpacedArray(b []byte, raw json.RawMessage, what string, id int) ([]byte, error) {
	result, err := jsonArrayOrEmpty(raw, fmt.Sprintf("%s %d result", what, id))
	if err != nil {
		return b, err
	}
	return appendSpacedJSON(b, result, fmt.Sprintf("%s %d result", what, id))
}

// appendSpacedJSON appends the JSON value raw without insignificant
// whitespace and with ", " and ": " between items, as Python's json module
// writes when not indenting (what pySpaced does to compact JSON). raw must
// be valid JSON; what names it in the error when it is not.
func appendSpacedJSON(b, raw []byte, what string) ([]byte, error) {
	if !json.Valid(raw) {
		return b, fmt.Errorf("%s is not valid JSON", what)
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case ' ', '\t', '\r', '\n':
		case ',', ':':
			b = append(b, c, ' ')
		case '"':
			end := i + 1
			for {
				j := bytes.IndexAny(raw[end:], `"\\`)
				end += j
				if raw[end] == '"' {
					break
				}
				end += 2 // a backslash and the character it escapes
			}
			b = append(b, raw[i:end+1]...)
			i = end
		default:
			b = append(b, c)
		}
	}
	return b, nil
}

// appendGoString appends s as a JSON string as encoding/json writes it
// without HTML escaping (json.Encoder.SetEscapeHTML(false)): \b and \f
// short, other control characters as \u00XX, U+2028 and U+2029 escaped, and
// invalid UTF-8 as U+FFFD.
func appendGoString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
