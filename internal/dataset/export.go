package dataset

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/export"
	"gloss/internal/fault"
	"gloss/internal/projects"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// exportBatch is how many tasks are read per keyset page while exporting.
const exportBatch = 200

// Export is a prepared export download.
type Export struct {
	ContentType string
	Filename    string
	// WriteTo streams the export; memory does not grow with the project.
	WriteTo func(w io.Writer) error
}

// ExportOptions are the choices of Label Studio's export dialog.
type ExportOptions struct {
	// OnlyAnnotated leaves out tasks with no annotation that was not
	// skipped (Label Studio's download_all_tasks=false).
	OnlyAnnotated bool
	// OmitPredictions leaves predictions out of the JSON export, which
	// otherwise carries them as Label Studio's does.
	OmitPredictions bool
}

// PrepareExport checks that the viewer may export the project in format,
// and that the format fits the project's labeling config (export.Fit), and
// returns the download, not yet written. A refused export is not recorded.
func (s *Service) PrepareExport(ctx context.Context, projectID int, format string, o ExportOptions) (*Export, error) {
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
	if err := export.CheckFit(f, cfg); err != nil {
		return nil, err
	}
	schema := exportSchema(cfg)
	if err := s.audit.Record(ctx, audit.Event{Action: "project.exported", TargetType: "Project",
		TargetID: strconv.Itoa(p.ID), Details: map[string]any{"format": string(f),
			"only_annotated": o.OnlyAnnotated, "include_predictions": !o.OmitPredictions}}); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("project-%d-at-%s%s", p.ID, time.Now().UTC().Format("2006-01-02-15-04-05"), f.FileExtension())
	return &Export{
		ContentType: f.ContentType(),
		Filename:    name,
		WriteTo: func(w io.Writer) error {
			return export.Write(w, f, schema, s.taskStream(ctx, v, p, o))
		},
	}, nil
}

// taskStream reads the project's tasks in id order, a keyset page at a time,
// with their annotations (and authors) and predictions, as v may see them:
// the privacy policies decide which rows exist for v (annotations, authors),
// and the projection rules in internal/rule which of their fields v sees.
func (s *Service) taskStream(ctx context.Context, v *viewer.Viewer, p *ent.Project, o ExportOptions) func() (*export.Task, error) {
	var page []*ent.Task
	last := 0
	done := false
	return func() (*export.Task, error) {
		if len(page) == 0 && !done {
			var err error
			q := s.client.Task.Query().
				Where(task.ProjectID(p.ID), task.IDGT(last)).
				Order(ent.Asc(task.FieldID)).
				Limit(exportBatch).
				WithAnnotations(func(q *ent.AnnotationQuery) { q.WithCompletedBy() })
			if o.OnlyAnnotated {
				q.Where(task.HasAnnotationsWith(annotation.WasCancelled(false)))
			}
			if !o.OmitPredictions {
				q.WithPredictions()
			}
			page, err = q.All(ctx)
			if err != nil {
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
