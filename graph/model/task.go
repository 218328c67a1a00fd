package model

import (
	"fmt"
	"io"
	"strconv"

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
