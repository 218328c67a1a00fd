package labeling

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/projects"
)

// NextReview is the review stream: the oldest annotation of the project
// that is waiting for review — submitted (not skipped), not yet reviewed by
// anyone (PENDING: an annotator's change sends reviewed work back here) and
// not the viewer's own — after the annotation id after (0 for the start), so
// a reviewer can pass one by. It is one keyset read on the
// (project_id, review_state) index, whatever the project's size. Which
// annotations the viewer sees at all is the annotation policy's decision.
// Returns nil when nothing waits.
func (s *Service) NextReview(ctx context.Context, projectID, after int) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, projectID) // visible to the viewer, or not found
	if err != nil {
		return nil, err
	}
	a, err := client.Annotation.Query().
		Where(annotation.ProjectID(p.ID), annotation.ReviewStateEQ(annotation.ReviewStatePending),
			annotation.WasCancelled(false), annotation.CompletedByIDNEQ(v.UserID), annotation.IDGT(after)).
		Order(ent.Asc(annotation.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return a, err
}

// ReviewAnnotation accepts or rejects someone else's annotation with an
// optional comment. The annotation policy decides who may: reviewers,
// managers, admins and owners, on others' annotations in their projects.
// A non-nil result fixes the annotation as it is accepted (a reviewer's
// "fix and accept"): it is checked against the project's configuration as
// any result is, and the annotation keeps its author.
//
// seen, when given, is the annotation's updatedAt as the reviewer saw it
// (the SPA sends the one it showed): an annotation its author changed
// since is not reviewed, so a review decided on one version never lands
// on another, however long the review was open.
func (s *Service) ReviewAnnotation(ctx context.Context, id int, accepted bool, comment string, result json.RawMessage, seen *time.Time) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if result != nil && !accepted {
		return nil, fault.Invalid("a fixed result is accepted with it: pass accepted: true, or reject without a result")
	}
	client := database.ClientFrom(ctx, s.client)
	a, err := client.Annotation.Query().Where(annotation.ID(id)).
		WithTask(func(q *ent.TaskQuery) { q.WithProject() }).Only(ctx)
	if err != nil {
		return nil, err
	}
	state := annotation.ReviewStateRejected
	if accepted {
		state = annotation.ReviewStateAccepted
	}
	// The review is of the version the reviewer saw (seen), or else of the
	// annotation as read here: the UPDATE applies only while it is still
	// that version (PostgreSQL checks the condition again on the row an
	// edit that held it left). Read, then written over, an annotator's edit
	// that committed in between was accepted unseen, its updatedAt set back
	// to the time before it, or thrown away by a fix. The condition is the
	// UPDATE's, so whether the viewer may review at all is decided first,
	// by the annotation policy, as for any other review.
	version := a.UpdatedAt
	if seen != nil {
		version = *seen
	}
	u := client.Annotation.UpdateOne(a).Where(annotation.UpdatedAt(version)).
		SetReviewState(state).SetReviewedByID(v.UserID).SetReviewComment(comment).SetReviewedAt(time.Now())
	if result != nil {
		fixed, err := projects.CheckResult(a.Edges.Task.Edges.Project, a.Edges.Task.Data, result)
		if err != nil {
			return nil, err
		}
		u.SetResult(fixed) // an edit: updated_at moves
	} else {
		// A review is not an edit of the annotation: reviewedAt says when it was.
		u.SetUpdatedAt(a.UpdatedAt)
	}
	out, err := u.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, fault.Invalid("annotation %d changed while it was being reviewed: look at it again", id)
	}
	if err != nil {
		return nil, err
	}
	return out, s.audit.Record(ctx, audit.Event{Action: "annotation.reviewed", TargetType: "Annotation", TargetID: strconv.Itoa(id),
		Details: map[string]any{"state": string(state), "fixed": result != nil}})
}
