package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"entgo.io/contrib/entgql"

	"gloss/ent/annotation"
)

// TaskFilter is the data manager's filter; all given conditions must hold.
// It is written here rather than generated because ent has a TaskFilter of
// its own (the privacy filter) that autobind would pick.
type TaskFilter struct {
	Labeled     *bool
	Skipped     *bool
	Annotator   *int
	Search      *string
	ReviewState *annotation.ReviewState

	Data               []*DataFilter
	Label              *string
	AnnotationsMin     *int
	AnnotationsMax     *int
	PredictionScoreMin *float64
	PredictionScoreMax *float64
	CreatedAfter       *time.Time
	CreatedBefore      *time.Time
}

// IsEmpty reports whether the filter sets no condition (nil included).
func (f *TaskFilter) IsEmpty() bool {
	return f == nil || (f.Labeled == nil && f.Skipped == nil && f.Annotator == nil && f.Search == nil &&
		f.ReviewState == nil && len(f.Data) == 0 && f.Label == nil && f.AnnotationsMin == nil &&
		f.AnnotationsMax == nil && f.PredictionScoreMin == nil && f.PredictionScoreMax == nil &&
		f.CreatedAfter == nil && f.CreatedBefore == nil)
}

// TaskOrder is the data manager's sort order.
type TaskOrder struct {
	Field     TaskOrderField
	Direction entgql.OrderDirection
}

// TaskOrderField is a field tasks can be ordered by.
type TaskOrderField string

// The fields tasks can be ordered by.
const (
	TaskOrderFieldID              TaskOrderField = "ID"
	TaskOrderFieldCreatedAt       TaskOrderField = "CREATED_AT"
	TaskOrderFieldUpdatedAt       TaskOrderField = "UPDATED_AT"
	TaskOrderFieldAnnotationCount TaskOrderField = "ANNOTATION_COUNT"
)

// UnmarshalGQL implements graphql.Unmarshaler.
func (f *TaskOrderField) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("TaskOrderField must be a string")
	}
	switch TaskOrderField(s) {
	case TaskOrderFieldID, TaskOrderFieldCreatedAt, TaskOrderFieldUpdatedAt, TaskOrderFieldAnnotationCount:
		*f = TaskOrderField(s)
		return nil
	}
	return fmt.Errorf("%q is not a TaskOrderField", s)
}

// MarshalGQL implements graphql.Marshaler.
func (f TaskOrderField) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(f)))
}
