package export

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
)

// writeJSONMin writes the JSON_MIN format as Label Studio's
// Converter.convert_to_json_min does: an array with one flat record per
// converter item (see items), each made of the task's data keys, then "id"
// (the task id), one key per control with its prettify_result value (a
// single choice or text as a string, several as {"choices": [...]}, regions
// as lists of value dicts with original_width/height), then "annotator",
// "annotation_id", "created_at", "updated_at" and "lead_time". Tasks with no
// annotations give a record whose annotation keys are null; tasks whose
// annotations were all cancelled give none. Records are indented by two
// spaces and separated by ",\n" inside "[\n" and "\n]", as Label Studio writes
// them.
//
// "annotator" is the email when the caller gave one and the user id (a
// number) otherwise, as Label Studio's get_annotator(int_id=True) does for
// expanded and plain completed_by, and null when the author is hidden from
// the viewer. Ratings and other tags stay lists of value
// dicts ([{"rating": 4}]), as prettify_result leaves them.
func writeJSONMin(w io.Writer, s Schema, next func() (*Task, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("[\n"); err != nil {
		return err
	}
	first := true
	var rec, out []byte
	err := each(next, func(t *Task) error {
		for _, it := range items(t) {
			obj, err := it.minRecord(s)
			if err != nil {
				return err
			}
			if rec, err = obj.appendJSON(rec[:0]); err != nil {
				return err
			}
			out = out[:0]
			if !first {
				out = append(out, ",\n"...)
			}
			first = false
			if out, err = indented(out, rec, ""); err != nil {
				return err
			}
			if _, err := bw.Write(out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := bw.WriteString("\n]"); err != nil {
		return err
	}
	return bw.Flush()
}

// minRecord builds the JSON_MIN record of it, in Label Studio's key order.
func (it item) minRecord(s Schema) (*object, error) {
	data, err := jsonObjectOrEmpty(it.task.Data, "data")
	if err != nil {
		return nil, err
	}
	rec, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	rec.set("id", json.RawMessage(strconv.Itoa(it.task.ID)))
	outs, err := it.outputs(s)
	if err != nil {
		return nil, err
	}
	for _, o := range outs {
		v, err := o.minified()
		if err != nil {
			return nil, err
		}
		rec.set(o.name, v)
	}
	null := json.RawMessage("null")
	if it.ann == nil {
		for _, k := range []string{"annotator", "annotation_id", "created_at", "updated_at", "lead_time"} {
			rec.set(k, null)
		}
		return rec, nil
	}
	a := it.ann
	switch {
	case a.CompletedBy != 0:
		rec.set("annotator", json.RawMessage(strconv.Itoa(a.CompletedBy)))
	default:
		rec.set("annotator", null) // the viewer may not learn the author
	}
	rec.set("annotation_id", json.RawMessage(strconv.Itoa(a.ID)))
	rec.set("created_at", appendTime(nil, a.CreatedAt))
	rec.set("updated_at", appendTime(nil, a.UpdatedAt))
	rec.set("lead_time", json.RawMessage(pyFloat(a.LeadTime)))
	return rec, nil
}
