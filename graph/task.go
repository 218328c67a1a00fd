package graph

import (
	"context"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
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
	where, err := taskWhere(ctx, client, projectID, filter)
	if err != nil {
		return nil, err
	}
	q := client.Task.Query().Where(task.ProjectID(projectID)).Where(where...)
	conn, err := q.Paginate(pageContext(ctx, total != nil), after, first, nil, nil, ent.WithTaskOrder(taskOrder(orderBy)))
	if err == nil && total != nil {
		conn.TotalCount = *total
	}
	return conn, err
}

// taskWhere is the data manager's filter as predicates on a project's
// tasks, for its list and its bulk actions alike. Filters reach only
// allowlisted task fields.
func taskWhere(ctx context.Context, client *ent.Client, projectID int, filter *model.TaskFilter) ([]predicate.Task, error) {
	var where []predicate.Task
	if filter == nil {
		return nil, nil
	}
	if filter.Labeled != nil {
		p, err := client.Project.Get(ctx, projectID)
		if err != nil {
			return nil, err
		}
		where = append(where, dataset.Labeled(p.Overlap, *filter.Labeled))
	}
	if filter.Skipped != nil {
		if *filter.Skipped {
			where = append(where, task.CancelledAnnotationsGT(0))
		} else {
			where = append(where, task.CancelledAnnotations(0))
		}
	}
	if filter.Annotator != nil {
		// Who annotated what is hidden from annotators (unless the
		// project reveals it), so they filter by their own work only.
		if v := viewer.User(ctx); v != nil && *filter.Annotator != v.UserID && rule.Gate(v, rule.Reviewer) != nil {
			return nil, fault.New(fault.Forbidden, "annotators filter by their own annotations only")
		}
		where = append(where, task.HasAnnotationsWith(annotation.CompletedByID(*filter.Annotator)))
	}
	if filter.ReviewState != nil {
		where = append(where, task.HasAnnotationsWith(annotation.ReviewStateEQ(*filter.ReviewState)))
	}
	if filter.Search != nil {
		p, err := dataset.SearchData(*filter.Search)
		if err != nil {
			return nil, err
		}
		where = append(where, p)
	}
	return where, nil
}

// deleteTasks is the deleteTasks mutation.
func (r *Resolver) deleteTasks(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter) (int, error) {
	sel, err := r.selection(ctx, projectID, ids, all, filter)
	if err != nil {
		return 0, err
	}
	return r.Dataset.DeleteTasks(ctx, projectID, sel)
}

// deleteAnnotations is the deleteAnnotations mutation, as deleteTasks.
func (r *Resolver) deleteAnnotations(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter) (int, error) {
	sel, err := r.selection(ctx, projectID, ids, all, filter)
	if err != nil {
		return 0, err
	}
	return r.Dataset.DeleteAnnotations(ctx, projectID, sel)
}

// selection is a bulk action's selection of tasks in the data manager's
// terms, for the dataset service.
func (r *Resolver) selection(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter) (dataset.TaskSelection, error) {
	sel := dataset.TaskSelection{IDs: ids, All: all != nil && *all}
	if filter != nil {
		where, err := taskWhere(ctx, r.client(ctx), projectID, filter)
		if err != nil {
			return sel, err
		}
		sel.Where = where
	}
	return sel, nil
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
