package export

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// item is one record of Label Studio's converter stream
// (Converter.annotation_result_from_task): a task with one of its
// annotations, or with none when the task has no annotations at all.
type item struct {
	task *Task
	ann  *Annotation // nil when the task has no annotations
}

// items returns t's records as Label Studio's converter does: one per
// annotation that was not cancelled, newest first (stable for equal times);
// one with no annotation when the task has none; and none when every
// annotation was cancelled.
func items(t *Task) []item {
	if len(t.Annotations) == 0 {
		return []item{{task: t}}
	}
	out := make([]item, 0, len(t.Annotations))
	for i := range t.Annotations {
		if !t.Annotations[i].WasCancelled {
			out = append(out, item{task: t, ann: &t.Annotations[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b item) int { return b.ann.CreatedAt.Compare(a.ann.CreatedAt) })
	return out
}

// region is one result item of an annotation.
type region struct {
	FromName       string          `json:"from_name"`
	Type           string          `json:"type"`
	Value          json.RawMessage `json:"value"`
	OriginalWidth  json.RawMessage `json:"original_width"`
	OriginalHeight json.RawMessage `json:"original_height"`
}

// output is what one control (from_name) produced in an annotation.
type output struct {
	name   string
	values []value
}

// value is one region's value as the converter keeps it: the result's
// "value" dict with original_width and original_height copied in, and the
// region type beside it.
type value struct {
	typ string // lower case, as in the result item
	obj *object
}

// outputs groups the annotation's results by from_name, in order of first
// appearance, keeping only the controls the schema names (all of them when it
// names none), as the converter does.
func (it item) outputs(s Schema) ([]output, error) {
	if it.ann == nil {
		return nil, nil
	}
	raw, err := jsonArrayOrEmpty(it.ann.Result, "result")
	if err != nil {
		return nil, fmt.Errorf("annotation %d: %w", it.ann.ID, err)
	}
	var regions []region
	if err := json.Unmarshal(raw, &regions); err != nil {
		return nil, fmt.Errorf("annotation %d result: %w", it.ann.ID, err)
	}
	var outs []output
	for _, r := range regions {
		if r.FromName == "" || (len(s.ControlNames) > 0 && !slices.Contains(s.ControlNames, r.FromName)) {
			continue
		}
		obj, err := parseObject(r.Value)
		if err != nil || len(r.Value) == 0 {
			continue // the converter needs a value dict; without one there is nothing to show
		}
		// The converter sets v["type"] and prettify_result pops it, so a
		// "type" key inside the value never survives.
		obj.del("type")
		if r.OriginalWidth != nil {
			obj.set("original_width", r.OriginalWidth)
		}
		if r.OriginalHeight != nil {
			obj.set("original_height", r.OriginalHeight)
		}
		v := value{typ: strings.ToLower(r.Type), obj: obj}
		i := slices.IndexFunc(outs, func(o output) bool { return o.name == r.FromName })
		if i < 0 {
			outs = append(outs, output{name: r.FromName})
			i = len(outs) - 1
		}
		outs[i].values = append(outs[i].values, v)
	}
	return outs, nil
}

// minified returns the compact JSON of Label Studio's prettify_result for
// one control: a single choice or a single text as the bare string; one
// Choices or TextArea region as its value dict; anything else as the list of
// value dicts.
func (o output) minified() ([]byte, error) {
	parts := make([][]byte, 0, len(o.values))
	last := ""
	for _, v := range o.values {
		last = v.typ
		if key := singleKey(v.typ); key != "" {
			if raw, ok := v.obj.get(key); ok {
				var list []json.RawMessage
				if json.Unmarshal(raw, &list) == nil && len(list) == 1 {
					b, err := appendCompact(nil, list[0])
					if err != nil {
						return nil, err
					}
					parts = append(parts, b)
					continue
				}
			}
		}
		b, err := v.obj.appendJSON(nil)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
	}
	if singleKey(last) != "" && len(parts) == 1 {
		return parts[0], nil
	}
	b := []byte{'['}
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	return append(b, ']'), nil
}

// singleKey is the value key that prettify_result unwraps for a region type.
func singleKey(typ string) string {
	switch typ {
	case "choices":
		return "choices"
	case "textarea":
		return "text"
	}
	return ""
}
