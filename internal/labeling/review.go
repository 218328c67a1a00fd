package labeling

import (
	"context"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
)

// ReviewAnnotation accepts or rejects someone else's annotation with an
// optional comment. The annotation policy decides who may: reviewers,
// managers, admins and owners, on others' annotations in their projects.
func (s *Service) ReviewAnnotation(ctx context.Context, id int, accepted bool, comment string) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	a, err := client.Annotation.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	state := annotation.ReviewStateRejected
	if accepted {
		state = annotation.ReviewStateAccepted
	}
	out, err := client.Annotation.UpdateOne(a).
		SetReviewState(state).SetReviewedByID(v.UserID).SetReviewComment(comment).SetReviewedAt(time.Now()).
		// A review is not an edit of the annotation: reviewedAt says when it was.
		SetUpdatedAt(a.UpdatedAt).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	return out, s.audit.Record(ctx, audit.Event{Action: "annotation.reviewed", TargetType: "Annotation", TargetID: strconv.Itoa(id),
		Details: map[string]any{"state": string(state)}})
}
