package labeling

import (
	"context"
	"encoding/json"
	"math"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/task"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/labelconfig"
)

func annotationOfProject(id int) predicate.Annotation { return annotation.ProjectID(id) }

func predictionOfProject(id int) predicate.Prediction {
	return prediction.HasTaskWith(task.ProjectID(id))
}

// AnnotationInput is what a caller may set on an annotation. The author,
// task's project and organization, and timestamps are the server's.
type AnnotationInput struct {
	Result       json.RawMessage // nil: unchanged (on update)
	LeadTime     *float64
	WasCancelled *bool
}

// checkResult holds a result to the rules an imported one obeys
// (labelconfig.CheckResult: size, depth, NUL, surrogates, repeated keys,
// numbers), decodes it and validates it against the project's labeling
// configuration and the task's data. A skipped (cancelled) annotation may
// have an empty result.
func checkResult(p *ent.Project, t *ent.Task, raw json.RawMessage) (json.RawMessage, error) {
	if err := labelconfig.CheckResult(raw, "result"); err != nil {
		return nil, fault.Invalid("%v", err)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fault.Invalid("result must be a list of Label Studio regions")
	}
	if items == nil {
		items = []map[string]any{}
	}
	cfg, err := Config(p)
	if err != nil {
		return nil, err
	}
	if err := cfg.ValidateResult(items, decodeObject(t.Data)); err != nil {
		return nil, fault.Invalid("%v", err)
	}
	out, err := json.Marshal(items)
	return out, err
}

func checkLeadTime(lt *float64) error {
	if lt != nil && (math.IsNaN(*lt) || math.IsInf(*lt, 0) || *lt < 0 || *lt > 1e7) {
		return fault.Invalid("leadTime must be a number of seconds between 0 and 10000000")
	}
	return nil
}

// CreateAnnotation stores the viewer's annotation of a task, after checking
// it against the project's configuration, and releases the viewer's lock.
func (s *Service) CreateAnnotation(ctx context.Context, taskID int, in AnnotationInput) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkLeadTime(in.LeadTime); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	t, err := client.Task.Query().Where(task.ID(taskID)).WithProject().Only(ctx)
	if err != nil {
		return nil, err
	}
	cancelled := in.WasCancelled != nil && *in.WasCancelled
	if in.Result == nil {
		return nil, fault.Invalid("result is required")
	}
	result, err := checkResult(t.Edges.Project, t, in.Result)
	if err != nil {
		return nil, err
	}
	a, err := client.Annotation.Create().
		SetTaskID(t.ID).
		SetProjectID(t.ProjectID).
		SetOrganizationID(t.OrganizationID).
		SetCompletedByID(v.UserID).
		SetResult(result).
		SetWasCancelled(cancelled).
		SetNillableLeadTime(in.LeadTime).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	u := client.Task.UpdateOneID(t.ID)
	if cancelled {
		u.AddCancelledAnnotations(1)
	} else {
		u.AddTotalAnnotations(1)
	}
	if t.LockedByID != nil && *t.LockedByID == v.UserID {
		u.ClearLockedByID().ClearLockedUntil()
	}
	if err := u.Exec(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// own loads an annotation the viewer may change: a visible annotation of
// someone else is FORBIDDEN, an invisible one NOT_FOUND.
func (s *Service) own(ctx context.Context, id int) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	a, err := database.ClientFrom(ctx, s.client).Annotation.Query().Where(annotation.ID(id)).
		WithTask(func(q *ent.TaskQuery) { q.WithProject() }).Only(ctx)
	if err != nil {
		return nil, err
	}
	if a.CompletedByID != v.UserID {
		return nil, fault.New(fault.Forbidden, "only the author of an annotation can change or delete it")
	}
	return a, nil
}

// UpdateAnnotation changes the viewer's own annotation.
func (s *Service) UpdateAnnotation(ctx context.Context, id int, in AnnotationInput) (*ent.Annotation, error) {
	a, err := s.own(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkLeadTime(in.LeadTime); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	// A changed annotation goes back to review: this is how an annotator
	// fixes and resubmits rejected work.
	u := client.Annotation.UpdateOne(a).SetNillableLeadTime(in.LeadTime).
		SetReviewState(annotation.ReviewStatePending).ClearReviewedByID().ClearReviewedAt()
	if in.Result != nil {
		result, err := checkResult(a.Edges.Task.Edges.Project, a.Edges.Task, in.Result)
		if err != nil {
			return nil, err
		}
		u.SetResult(result)
	}
	if in.WasCancelled != nil && *in.WasCancelled != a.WasCancelled {
		u.SetWasCancelled(*in.WasCancelled)
		d := 1
		if *in.WasCancelled {
			d = -1
		}
		if err := client.Task.UpdateOneID(a.TaskID).AddTotalAnnotations(d).AddCancelledAnnotations(-d).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return u.Save(ctx)
}

// DeleteAnnotation deletes the viewer's own annotation.
func (s *Service) DeleteAnnotation(ctx context.Context, id int) error {
	a, err := s.own(ctx, id)
	if err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	if err := client.Annotation.DeleteOne(a).Exec(ctx); err != nil {
		return err
	}
	u := client.Task.UpdateOneID(a.TaskID)
	if a.WasCancelled {
		u.AddCancelledAnnotations(-1)
	} else {
		u.AddTotalAnnotations(-1)
	}
	return u.Exec(ctx)
}
