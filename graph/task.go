package graph

import (
	"context"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/task"
	"gloss/graph/model"
	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// projectTasks lists a project's tasks for the data manager. Unfiltered,
// for a viewer who sees every task, totalCount is the project's counter.
func (r *Resolver) projectTasks(ctx context.Context, p *ent.Project, first *int, after *ent.Cursor, filter *model.TaskFilter, orderBy *model.TaskOrder) (*ent.TaskConnection, error) {
	var total *int
	if (filter == nil || *filter == model.TaskFilter{}) && rule.SeesEveryTask(viewer.FromContext(ctx)) {
		total = &p.TaskCount
	}
	return r.tasks(ctx, p.ID, total, first, after, filter, orderBy)
}

// tasks lists a project's tasks for the data manager: keyset pagination on
// the chosen order, filters only on allowlisted task fields. total, when
// known, is the connection's totalCount, and nothing is counted.
func (r *Resolver) tasks(ctx context.Context, projectID int, total *int, first *int, after *ent.Cursor, filter *model.TaskFilter, orderBy *model.TaskOrder) (*ent.TaskConnection, error) {
	first, err := checkFirst(first)
	if err != nil {
		return nil, err
	}
	if err := checkCursor(after); err != nil {
		return nil, err
	}
	client := r.client(ctx)
	q := client.Task.Query().Where(task.ProjectID(projectID))
	if filter != nil {
		if filter.Labeled != nil {
			p, err := client.Project.Get(ctx, projectID)
			if err != nil {
				return nil, err
			}
			q.Where(dataset.Labeled(p.Overlap, *filter.Labeled))
		}
		if filter.Skipped != nil {
			if *filter.Skipped {
				q.Where(task.CancelledAnnotationsGT(0))
			} else {
				q.Where(task.CancelledAnnotations(0))
			}
		}
		if filter.Annotator != nil {
			// Who annotated what is hidden from annotators (unless the
			// project reveals it), so they filter by their own work only.
			if v := viewer.User(ctx); v != nil && *filter.Annotator != v.UserID && rule.Gate(v, rule.Reviewer) != nil {
				return nil, fault.New(fault.Forbidden, "annotators filter by their own annotations only")
			}
			q.Where(task.HasAnnotationsWith(annotation.CompletedByID(*filter.Annotator)))
		}
		if filter.ReviewState != nil {
			q.Where(task.HasAnnotationsWith(annotation.ReviewStateEQ(*filter.ReviewState)))
		}
		if filter.Search != nil {
			p, err := dataset.SearchData(*filter.Search)
			if err != nil {
				return nil, err
			}
			q.Where(p)
		}
	}
	conn, err := q.Paginate(pageContext(ctx, total != nil), after, first, nil, nil, ent.WithTaskOrder(taskOrder(orderBy)))
	if err == nil && total != nil {
		conn.TotalCount = *total
	}
	return conn, err
}

// taskOrder maps the GraphQL order to ent's; ties break on id.
func taskOrder(o *model.TaskOrder) *ent.TaskOrder {
	if o == nil {
		return ent.DefaultTaskOrder
	}
	out := &ent.TaskOrder{Direction: o.Direction}
	switch o.Field {
	case model.TaskOrderFieldCreatedAt:
		out.Field = ent.TaskOrderFieldCreatedAt
	case model.TaskOrderFieldUpdatedAt:
		out.Field = ent.TaskOrderFieldUpdatedAt
	case model.TaskOrderFieldAnnotationCount:
		out.Field = ent.TaskOrderFieldTotalAnnotations
	default:
		out.Field = ent.DefaultTaskOrder.Field
	}
	return out
}
