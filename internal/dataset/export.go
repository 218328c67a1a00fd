package dataset

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/prediction"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/export"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// exportBatch is how many tasks are read per keyset page while exporting.
const exportBatch = 500

// Export is a prepared export download.
type Export struct {
	ContentType string
	Filename    string
	// WriteTo streams the export; memory does not grow with the project.
	WriteTo func(w io.Writer) error
}

// PrepareExport checks that the viewer may export the project in format and
// returns the download, not yet written.
func (s *Service) PrepareExport(ctx context.Context, projectID int, format string) (*Export, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return nil, fault.Invalid("%v", err)
	}
	p, err := s.client.Project.Get(ctx, projectID)
	if err != nil {
		return nil, err
	}
	cfg, err := projects.Config(p)
	if err != nil {
		return nil, err
	}
	schema := exportSchema(cfg)
	if err := s.audit.Record(ctx, audit.Event{Action: "project.exported", TargetType: "Project",
		TargetID: strconv.Itoa(p.ID), Details: map[string]any{"format": string(f)}}); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("project-%d-at-%s%s", p.ID, time.Now().UTC().Format("2006-01-02-15-04-05"), f.FileExtension())
	return &Export{
		ContentType: f.ContentType(),
		Filename:    name,
		WriteTo: func(w io.Writer) error {
			return export.Write(w, f, schema, s.taskStream(ctx, v, p))
		},
	}, nil
}

// taskStream reads the project's tasks in id order, a keyset page at a time,
// with their annotations (and authors) and predictions, as v may see them:
// the privacy policies decide which rows exist for v (annotations, authors),
// and the projection rules in internal/rule which of their fields v sees.
func (s *Service) taskStream(ctx context.Context, v *viewer.Viewer, p *ent.Project) func() (*export.Task, error) {
	var page []*ent.Task
	last := 0
	done := false
	return func() (*export.Task, error) {
		if len(page) == 0 && !done {
			var err error
			if page, err = s.exportPage(ctx, p.ID, last); err != nil {
				return nil, err
			}
			done = len(page) < exportBatch
		}
		if len(page) == 0 {
			return nil, io.EOF
		}
		t := page[0]
		page = page[1:]
		last = t.ID
		return toExportTask(v, p, t), nil
	}
}

// exportPage reads the tasks of a project after id last, with their
// annotations (and authors) and predictions: three queries, or two when no
// task of the page has an annotation (its counters say so).
func (s *Service) exportPage(ctx context.Context, projectID, last int) ([]*ent.Task, error) {
	page, err := s.client.Task.Query().
		Where(task.ProjectID(projectID), task.IDGT(last)).
		Order(ent.Asc(task.FieldID)).
		Limit(exportBatch).
		All(ctx)
	if err != nil || len(page) == 0 {
		return page, err
	}
	byID := make(map[int]*ent.Task, len(page))
	ids := make([]int, len(page))
	var annotated []int
	for i, t := range page {
		byID[t.ID], ids[i] = t, t.ID
		if t.TotalAnnotations+t.CancelledAnnotations > 0 {
			annotated = append(annotated, t.ID)
		}
	}
	if len(annotated) > 0 {
		anns, err := s.client.Annotation.Query().Where(annotation.TaskIDIn(annotated...)).
			Order(ent.Asc(annotation.FieldID)).WithCompletedBy().All(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range anns {
			t := byID[a.TaskID]
			t.Edges.Annotations = append(t.Edges.Annotations, a)
		}
	}
	preds, err := s.client.Prediction.Query().Where(prediction.TaskIDIn(ids...)).
		Order(ent.Asc(prediction.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, pr := range preds {
		t := byID[pr.TaskID]
		t.Edges.Predictions = append(t.Edges.Predictions, pr)
	}
	return page, nil
}

// toExportTask turns t into what the export writers show, leaving out what
// the API refuses v: an author hidden from v (rule.SeesAuthor) becomes 0 and
// an email v may not read (rule.SeesEmail) is left empty, so the writers fall
// back to the user id.
func toExportTask(v *viewer.Viewer, p *ent.Project, t *ent.Task) *export.Task {
	out := &export.Task{
		ID: t.ID, InnerID: t.InnerID, ProjectID: t.ProjectID,
		Data: t.Data, Meta: t.Meta,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
	for _, a := range t.Edges.Annotations {
		ea := export.Annotation{
			ID: a.ID, Result: a.Result,
			WasCancelled: a.WasCancelled, GroundTruth: a.GroundTruth, LeadTime: a.LeadTime,
			CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		}
		if rule.SeesAuthor(v, p.RevealAnnotators, a.CompletedByID) {
			ea.CompletedBy = a.CompletedByID
			// The author row is loaded under v's privacy policy: a user v
			// cannot read (one who left the organization) is nil here.
			if u := a.Edges.CompletedBy; u != nil && rule.SeesEmail(v, u.ID) {
				ea.CompletedByEmail = u.Email
			}
		}
		switch a.ReviewState {
		case annotation.ReviewStateAccepted, annotation.ReviewStateRejected:
			reviewed := a.ReviewState == annotation.ReviewStateAccepted
			ea.Reviewed = &reviewed
		}
		out.Annotations = append(out.Annotations, ea)
	}
	for _, p := range t.Edges.Predictions {
		out.Predictions = append(out.Predictions, export.Prediction{
			ID: p.ID, Result: p.Result, Score: p.Score, ModelVersion: p.ModelVersion, CreatedAt: p.CreatedAt,
		})
	}
	return out
}
