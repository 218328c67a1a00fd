package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestJSONMatchesEncodingJSON: the hand-appended JSON export is byte for
// byte what encoding/json with Python's separators wrote (referenceJSON),
// for the fixtures and for tasks full of what needs escaping or spacing:
// control characters, U+2028, invalid UTF-8, quotes and backslashes in
// strings, whitespace inside stored JSON, empty and null results, zero
// times, NaN and huge numbers.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	check := func(name string, tasks []*Task) {
		t.Helper()
		var got, want bytes.Buffer
		gerr := writeJSON(&got, source(tasks))
		werr := referenceJSON(&want, source(tasks))
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s: error %v, encoding/json's %v", name, gerr, werr)
		}
		if gerr == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s:\n got %s\nwant %s", name, got.Bytes(), want.Bytes())
		}
	}
	check("fixtures", fixtureTasks())
	strs := []string{"", "plain", "quote \" and \\ backslash", "tab\tnew\nline\rcr\bbs\fff\x01\x1f", "<b>&amp;</b>",
		"line\u2028para\u2029", "bad \xff utf8 \xc3", "emoji 😀 é", `\u003c escaped`, "colon: comma, {brace} [bracket]"}
	raws := []string{`{}`, ` { "a" : [ 1 , 2 ] ,"b":{"c" :"d, e: f"} } `, "{\"s\": \"x\\\"y\\\\\", \"n\": -1.5e+300}",
		`{"u": "\u2028 \ud83d\ude00 \u0000"}`, "{\n\t\"k\": null\n}"}
	results := []string{``, `null`, `[]`, ` [ {"from_name" : "x", "value": {"choices": ["a", "b"]}} ] `, `[1,2,{"k":[]}]`}
	floats := []float64{0, 1, 2.5, -0.0, 1e-7, 1e16, 123456789.123, math.NaN(), math.Inf(1)}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	for round := range 300 {
		var tasks []*Task
		for i := range 5 {
			tk := &Task{ID: round*10 + i, InnerID: i, ProjectID: rng.IntN(3), Data: json.RawMessage(pick(raws))}
			if rng.IntN(2) == 0 {
				tk.Meta = json.RawMessage(pick(raws))
			}
			if rng.IntN(3) > 0 {
				tk.CreatedAt = base.Add(time.Duration(rng.Int64N(1e15)))
				tk.UpdatedAt = tk.CreatedAt.In(time.FixedZone("", 3600))
			}
			for j := range rng.IntN(3) {
				a := Annotation{ID: j, CompletedBy: rng.IntN(2) * 7, Result: json.RawMessage(pick(results)),
					WasCancelled: rng.IntN(2) == 0, GroundTruth: rng.IntN(2) == 0, LeadTime: floats[rng.IntN(len(floats))],
					CreatedAt: base, UpdatedAt: base.Add(time.Nanosecond * 1234)}
				if rng.IntN(2) == 0 {
					a.Reviewed = ptr(rng.IntN(2) == 0)
				}
				tk.Annotations = append(tk.Annotations, a)
			}
			for j := range rng.IntN(3) {
				p := Prediction{ID: j, Result: json.RawMessage(pick(results)), ModelVersion: pick(strs), CreatedAt: base}
				if rng.IntN(2) == 0 {
					p.Score = ptr(floats[rng.IntN(len(floats))])
				}
				tk.Predictions = append(tk.Predictions, p)
			}
			tasks = append(tasks, tk)
		}
		check(fmt.Sprintf("round %d", round), tasks)
	}
	// Stored JSON that is not valid, or not an object or list where one
	// belongs, fails both ways.
	for _, bad := range []*Task{
		{ID: 1, Data: json.RawMessage(`{"a": }`)},
		{ID: 2, Data: json.RawMessage(`[1]`)},
		{ID: 3, Data: json.RawMessage(`{}`), Annotations: []Annotation{{ID: 1, Result: json.RawMessage(`{"no": "list"}`)}}},
		{ID: 4, Data: json.RawMessage(`{}`), Predictions: []Prediction{{ID: 1, Result: json.RawMessage(`[1,`)}}},
	} {
		check(fmt.Sprintf("bad task %d", bad.ID), []*Task{bad})
	}
}

// jsonTask is a task as Label Studio's ExportDataSerializer writes it, in its
// key order (label_studio/data_export/serializers.py; the "Label Studio JSON
// format of annotated tasks" in the docs' task_format page).
type jsonTask struct {
	ID                   int              `json:"id"`
	Annotations          []jsonAnnotation `json:"annotations"`
	FileUpload           string           `json:"file_upload"`
	Drafts               []struct{}       `json:"drafts"`
	Predictions          []jsonPrediction `json:"predictions"`
	Data                 json.RawMessage  `json:"data"`
	Meta                 json.RawMessage  `json:"meta"`
	CreatedAt            jsonTime         `json:"created_at"`
	UpdatedAt            jsonTime         `json:"updated_at"`
	InnerID              int              `json:"inner_id"`
	TotalAnnotations     int              `json:"total_annotations"`
	CancelledAnnotations int              `json:"cancelled_annotations"`
	TotalPredictions     int              `json:"total_predictions"`
	Project              int              `json:"project"`
}

// jsonAnnotation is an annotation with completed_by as the user id, which is
// Label Studio's default (annotations__completed_by only_id), or null when
// the viewer may not learn the author.
type jsonAnnotation struct {
	ID           int             `json:"id"`
	CompletedBy  *int            `json:"completed_by"`
	Result       json.RawMessage `json:"result"`
	WasCancelled bool            `json:"was_cancelled"`
	GroundTruth  bool            `json:"ground_truth"`
	CreatedAt    jsonTime        `json:"created_at"`
	UpdatedAt    jsonTime        `json:"updated_at"`
	LeadTime     pyNumber        `json:"lead_time"`
	Task         int             `json:"task"`
	Project      int             `json:"project"`
	Reviewed     *bool           `json:"reviewed,omitempty"`
}

// jsonPrediction is a prediction as Label Studio's PredictionSerializer
// writes it; created_ago is a humanized age that Gloss leaves empty.
type jsonPrediction struct {
	ID           int             `json:"id"`
	ModelVersion string          `json:"model_version"`
	CreatedAgo   string          `json:"created_ago"`
	Result       json.RawMessage `json:"result"`
	Score        *pyNumber       `json:"score"`
	CreatedAt    jsonTime        `json:"created_at"`
	Task         int             `json:"task"`
	Project      int             `json:"project"`
}

// jsonTime is a time written as Label Studio writes it, or null when zero.
type jsonTime time.Time

// MarshalJSON writes t as Label Studio does.
func (t jsonTime) MarshalJSON() ([]byte, error) { return appendTime(nil, time.Time(t)), nil }

// referenceJSON writes the JSON format as Gloss did through encoding/json
// before writeJSON appended it by hand; it is the oracle writeJSON must match
// byte for byte. It writes the JSON format: the array of full task objects Label
// Studio's export snapshot holds. Like Label Studio (json.JSONEncoder
// iterencode in data_export/mixins.py) it is one line with ", " and ": "
// separators and non-ASCII text left as is.
func referenceJSON(w io.Writer, next func() (*Task, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	var spaced []byte
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if _, err := bw.WriteString("["); err != nil {
		return err
	}
	first := true
	err := each(next, func(t *Task) error {
		jt, err := newJSONTask(t)
		if err != nil {
			return err
		}
		buf.Reset()
		if err := enc.Encode(jt); err != nil {
			return err
		}
		if !first {
			if _, err := bw.WriteString(", "); err != nil {
				return err
			}
		}
		first = false
		spaced = pySpaced(spaced[:0], bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		_, err = bw.Write(spaced)
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

// newJSONTask builds the JSON export object of t.
func newJSONTask(t *Task) (*jsonTask, error) {
	data, err := jsonObjectOrEmpty(t.Data, "data")
	if err != nil {
		return nil, err
	}
	meta, err := jsonObjectOrEmpty(t.Meta, "meta")
	if err != nil {
		return nil, err
	}
	jt := &jsonTask{
		ID:               t.ID,
		Annotations:      make([]jsonAnnotation, 0, len(t.Annotations)),
		Drafts:           []struct{}{},
		Predictions:      make([]jsonPrediction, 0, len(t.Predictions)),
		Data:             data,
		Meta:             meta,
		CreatedAt:        jsonTime(t.CreatedAt),
		UpdatedAt:        jsonTime(t.UpdatedAt),
		InnerID:          t.InnerID,
		TotalPredictions: len(t.Predictions),
		Project:          t.ProjectID,
	}
	for _, a := range t.Annotations {
		result, err := jsonArrayOrEmpty(a.Result, fmt.Sprintf("annotation %d result", a.ID))
		if err != nil {
			return nil, err
		}
		if a.WasCancelled {
			jt.CancelledAnnotations++
		} else {
			jt.TotalAnnotations++
		}
		var author *int
		if a.CompletedBy != 0 {
			author = &a.CompletedBy
		}
		jt.Annotations = append(jt.Annotations, jsonAnnotation{
			ID:           a.ID,
			CompletedBy:  author,
			Result:       result,
			WasCancelled: a.WasCancelled,
			GroundTruth:  a.GroundTruth,
			CreatedAt:    jsonTime(a.CreatedAt),
			UpdatedAt:    jsonTime(a.UpdatedAt),
			LeadTime:     pyNumber(a.LeadTime),
			Task:         t.ID,
			Project:      t.ProjectID,
			Reviewed:     a.Reviewed,
		})
	}
	for _, p := range t.Predictions {
		result, err := jsonArrayOrEmpty(p.Result, fmt.Sprintf("prediction %d result", p.ID))
		if err != nil {
			return nil, err
		}
		jp := jsonPrediction{
			ID:           p.ID,
			ModelVersion: p.ModelVersion,
			Result:       result,
			CreatedAt:    jsonTime(p.CreatedAt),
			Task:         t.ID,
			Project:      t.ProjectID,
		}
		if p.Score != nil {
			s := pyNumber(*p.Score)
			jp.Score = &s
		}
		jt.Predictions = append(jt.Predictions, jp)
	}
	return jt, nil
}

// pyNumber is a float64 that encodes as Python writes floats.
type pyNumber float64

// MarshalJSON writes n as Python's json module would.
func (n pyNumber) MarshalJSON() ([]byte, error) { return []byte(pyFloat(float64(n))), nil }

// pySpaced appends the compact JSON src with ", " and ": " between items, as
// Python's json module writes when not indenting.
func pySpaced(dst, src []byte) []byte {
	inString, escaped := false, false
	for _, c := range src {
		dst = append(dst, c)
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',' || c == ':':
			dst = append(dst, ' ')
		}
	}
	return dst
}

// TestLSTime: times are written as t.UTC().Format(lsTimeLayout) writes them,
// fractions truncated to microseconds, in any zone and any year.
func TestLSTime(t *testing.T) {
	for _, tm := range []time.Time{
		base, base.Add(999 * time.Nanosecond), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -7*3600)),
		time.Date(999, 3, 4, 5, 6, 7, 1000, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1_800_000_000, 123456789).In(time.Local),
	} {
		if got, want := string(appendLSTime(nil, tm)), tm.UTC().Format(lsTimeLayout); got != want {
			t.Errorf("appendLSTime(%v) = %s, want %s", tm, got, want)
		}
	}
}
