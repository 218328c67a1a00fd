package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

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

// writeJSON writes the JSON format: the array of full task objects Label
// Studio's export snapshot holds. Like Label Studio (json.JSONEncoder
// iterencode in data_export/mixins.py) it is one line with ", " and ": "
// separators and non-ASCII text left as is.
func writeJSON(w io.Writer, next func() (*Task, error)) error {
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
