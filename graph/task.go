package graph

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/project"
	"gloss/ent/task"
	"gloss/ent/user"
	"gloss/graph/model"
	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// projectTasksByID is projectTasks for a project known by its id. A page
// without a filter or a count needs nothing of the project but that the
// viewer may see it, and every task the viewer sees is of a project they
// see (the task policy scopes tasks by their organization and their
// project as the project policy scopes projects). So the project is read
// only for an empty page, to tell an empty project from one the viewer may
// not see (not found): a page is one read less, a third of its statements.
func (r *Resolver) projectTasksByID(ctx context.Context, projectID int, first *int, after *ent.Cursor, filter *model.TaskFilter, orderBy *model.TaskOrder) (*ent.TaskConnection, error) {
	if !filter.IsEmpty() || selectedPage(ctx).totalCount {
		p, err := r.client(ctx).Project.Get(ctx, projectID)
		if err != nil {
			return nil, err
		}
		return r.projectTasks(ctx, p, first, after, filter, orderBy)
	}
	conn, err := r.tasks(ctx, projectID, nil, first, after, nil, orderBy)
	if err != nil || len(conn.Edges) > 0 {
		return conn, err
	}
	if _, err := r.client(ctx).Project.Get(ctx, projectID); err != nil {
		return nil, err
	}
	return conn, nil
}

// projectTasks lists a project's tasks for the data manager. Unfiltered,
// for a viewer who sees every task, totalCount is the project's counter.
func (r *Resolver) projectTasks(ctx context.Context, p *ent.Project, first *int, after *ent.Cursor, filter *model.TaskFilter, orderBy *model.TaskOrder) (*ent.TaskConnection, error) {
	var total *int
	if filter.IsEmpty() && rule.SeesEveryTask(viewer.FromContext(ctx)) {
		total = &p.TaskCount
	}
	return r.tasks(ctx, p.ID, total, first, after, filter, orderBy)
}

// tasks lists a project's tasks for the data manager: keyset pagination on
// the chosen order (see taskPage), filters only on allowlisted task fields.
// total, when known, is the connection's totalCount, and nothing is
// counted.
func (r *Resolver) tasks(ctx context.Context, projectID int, total *int, first *int, after *ent.Cursor, filter *model.TaskFilter, orderBy *model.TaskOrder) (*ent.TaskConnection, error) {
	first, err := checkFirst(first)
	if err != nil {
		return nil, err
	}
	if err := checkCursor(after, taskKeyOf(orderBy).cursorKind()); err != nil {
		return nil, err
	}
	client := r.client(ctx)
	where, err := taskWhere(ctx, client, projectID, filter)
	if err != nil {
		return nil, err
	}
	sctx, done, err := scans.scanning(ctx, filter)
	if err != nil {
		return nil, err
	}
	defer done()
	q := client.Task.Query().Where(projectTasksOf(ctx, projectID)).Where(where...)
	conn, err := r.taskPage(sctx, q, taskKeyOf(orderBy), after, *first, total)
	return conn, scanError(sctx, err)
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
		where = append(where, task.HasAnnotationsWith(annotation.ReviewStateEQ(*filter.ReviewState),
			rule.AnnotationsVisible(viewer.User(ctx))))
	}
	if filter.Search != nil {
		p, err := dataset.SearchData(*filter.Search)
		if err != nil {
			return nil, err
		}
		where = append(where, p)
	}
	if len(filter.Data) > dataset.MaxDataFilters {
		return nil, fault.Invalid("at most %d data filters", dataset.MaxDataFilters)
	}
	for _, f := range filter.Data {
		p, err := dataset.DataMatches(f.Key, f.Contains, f.Empty)
		if err != nil {
			return nil, err
		}
		where = append(where, p)
	}
	if filter.Label != nil {
		has, err := dataset.HasLabel(*filter.Label)
		if err != nil {
			return nil, err
		}
		// Only the annotations the viewer may read: a filter must not
		// tell an annotator what others labeled.
		where = append(where, task.HasAnnotationsWith(annotation.WasCancelled(false), has,
			rule.AnnotationsVisible(viewer.User(ctx))))
	}
	if filter.AnnotationsMin != nil {
		where = append(where, task.TotalAnnotationsGTE(*filter.AnnotationsMin))
	}
	if filter.AnnotationsMax != nil {
		where = append(where, task.TotalAnnotationsLTE(*filter.AnnotationsMax))
	}
	if filter.PredictionScoreMin != nil {
		where = append(where, task.HasPredictionsWith(prediction.ScoreGTE(*filter.PredictionScoreMin)))
	}
	if filter.PredictionScoreMax != nil {
		where = append(where, task.HasPredictionsWith(prediction.ScoreLTE(*filter.PredictionScoreMax)))
	}
	if filter.CreatedAfter != nil {
		where = append(where, task.CreatedAtGTE(*filter.CreatedAfter))
	}
	if filter.CreatedBefore != nil {
		where = append(where, task.CreatedAtLT(*filter.CreatedBefore))
	}
	return where, nil
}

// projectTasksOf is the predicate of a project's tasks for a task query
// of the viewer. A viewer who sees only their own tasks of it
// (rule.SeesEveryTask) gets those, found from their side
// (rule.OwnTasksIn): the project's own condition, beside them, let the
// database walk the project's tasks in the page's order, testing each
// against the annotator's few, and read the whole project for a page or a
// count.
func projectTasksOf(ctx context.Context, projectID int) predicate.Task {
	if v := viewer.User(ctx); v != nil && !rule.SeesEveryTask(v) {
		return rule.OwnTasksIn(projectID, v.UserID)
	}
	return task.ProjectID(projectID)
}

// deleteTasks is the deleteTasks mutation.
func (r *Resolver) deleteTasks(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter) (int, error) {
	return r.bulk(ctx, projectID, ids, all, filter, r.Dataset.DeleteTasks)
}

// deleteAnnotations is the deleteAnnotations mutation, as deleteTasks.
func (r *Resolver) deleteAnnotations(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter) (int, error) {
	return r.bulk(ctx, projectID, ids, all, filter, r.Dataset.DeleteAnnotations)
}

// bulk runs a bulk action on its selection, a filtered one in its turn
// (scans).
func (r *Resolver) bulk(ctx context.Context, projectID int, ids []int, all *bool, filter *model.TaskFilter,
	action func(context.Context, int, dataset.TaskSelection) (int, error)) (int, error) {
	sel, err := r.selection(ctx, projectID, ids, all, filter)
	if err != nil {
		return 0, err
	}
	sctx, done, err := scans.scanning(ctx, filter)
	if err != nil {
		return 0, err
	}
	defer done()
	n, err := action(sctx, projectID, sel)
	return n, scanError(sctx, err)
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

// maxTaskLabels bounds Task.labels; Task.reviewStates holds each state once.
const maxTaskLabels = 50

// taskSummary is the data manager's summary of a task's annotations.
type taskSummary struct {
	labels       []string
	reviewStates []annotation.ReviewState
}

// taskSummaries reads the annotations the viewer may see (the first
// maxTaskAnnotations of each task) of a page of tasks in one query and
// sums them up per task.
func (r *Resolver) taskSummaries(ctx context.Context, ids []int) (map[int][]taskSummary, error) {
	rows, err := r.client(ctx).Annotation.Query().Where(annotation.TaskIDIn(ids...), annotation.WasCancelled(false)).
		Modify(capPerParent(annotation.FieldTaskID, maxTaskAnnotations, annotation.FieldID)).
		Select(annotation.FieldTaskID, annotation.FieldResult, annotation.FieldReviewState).All(ctx)
	if err != nil {
		return nil, err
	}
	sums := make(map[int]*taskSummary, len(ids))
	for _, a := range rows {
		s := sums[a.TaskID]
		if s == nil {
			s = &taskSummary{labels: []string{}, reviewStates: []annotation.ReviewState{}}
			sums[a.TaskID] = s
		}
		if !slices.Contains(s.reviewStates, a.ReviewState) {
			s.reviewStates = append(s.reviewStates, a.ReviewState)
		}
		for _, l := range resultLabels(a.Result) {
			if len(s.labels) < maxTaskLabels && !slices.Contains(s.labels, l) {
				s.labels = append(s.labels, l)
			}
		}
	}
	out := make(map[int][]taskSummary, len(sums))
	for id, s := range sums {
		out[id] = []taskSummary{*s}
	}
	return out, nil
}

// taskAnnotators reads who annotated or skipped a page of tasks (the first
// maxTaskAnnotators of the first maxTaskAnnotations annotations of each
// that the viewer may read),
// keeping only the authors the viewer may learn (rule.SeesAuthor), in one
// query for the annotations, one for their projects' settings when the
// viewer is an annotator, and one for the users.
func (r *Resolver) taskAnnotators(ctx context.Context, ids []int) (map[int][]*ent.User, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := r.client(ctx)
	rows, err := client.Annotation.Query().Where(annotation.TaskIDIn(ids...)).
		Modify(capPerParent(annotation.FieldTaskID, maxTaskAnnotations, annotation.FieldID)).
		Select(annotation.FieldTaskID, annotation.FieldProjectID, annotation.FieldCompletedByID).All(ctx)
	if err != nil {
		return nil, err
	}
	reveal := map[int]bool{}
	if !rule.SeesAuthor(v, false, 0) {
		var projects []int
		for _, a := range rows {
			if !slices.Contains(projects, a.ProjectID) {
				projects = append(projects, a.ProjectID)
			}
		}
		ps, err := client.Project.Query().Where(project.IDIn(projects...)).
			Select(project.FieldID, project.FieldRevealAnnotators).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			reveal[p.ID] = p.RevealAnnotators
		}
	}
	authors := map[int][]int{}
	var all []int
	for _, a := range rows {
		if len(authors[a.TaskID]) >= maxTaskAnnotators || !rule.SeesAuthor(v, reveal[a.ProjectID], a.CompletedByID) ||
			slices.Contains(authors[a.TaskID], a.CompletedByID) {
			continue
		}
		authors[a.TaskID] = append(authors[a.TaskID], a.CompletedByID)
		if !slices.Contains(all, a.CompletedByID) {
			all = append(all, a.CompletedByID)
		}
	}
	users, err := client.User.Query().Where(user.IDIn(all...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	out := make(map[int][]*ent.User, len(authors))
	for taskID, us := range authors {
		list := make([]*ent.User, 0, len(us))
		for _, id := range us {
			if u := byID[id]; u != nil {
				list = append(list, u)
			}
		}
		out[taskID] = list
	}
	for _, id := range ids {
		if out[id] == nil {
			out[id] = []*ent.User{}
		}
	}
	return out, nil
}

// summaryLabels is Task.labels of a task's summary (none when the task
// has no annotation the viewer may see).
func summaryLabels(s []taskSummary) []string {
	if len(s) == 0 {
		return []string{}
	}
	return s[0].labels
}

// summaryStates is Task.reviewStates of a task's summary.
func summaryStates(s []taskSummary) []annotation.ReviewState {
	if len(s) == 0 {
		return []annotation.ReviewState{}
	}
	return s[0].reviewStates
}

// bestScore is Task.predictionScore of a task's best score, if any.
func bestScore(s []float64) *float64 {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// resultLabels are the labels a Label Studio result holds: its regions'
// choices, labels of any kind, texts and taxonomy leaves.
func resultLabels(result json.RawMessage) []string {
	var regions []struct {
		Value map[string]json.RawMessage `json:"value"`
	}
	if json.Unmarshal(result, &regions) != nil {
		return nil
	}
	var out []string
	for _, r := range regions {
		for key, raw := range r.Value {
			if key != "choices" && key != "text" && !strings.HasSuffix(key, "labels") {
				continue
			}
			var labels []string
			if json.Unmarshal(raw, &labels) == nil {
				out = append(out, labels...)
			}
		}
	}
	return out
}

// taskScores reads the highest prediction score of a page of tasks (of
// their first maxTaskPredictions) in one query.
func (r *Resolver) taskScores(ctx context.Context, ids []int) (map[int][]float64, error) {
	rows, err := r.client(ctx).Prediction.Query().Where(prediction.TaskIDIn(ids...), prediction.ScoreNotNil()).
		Modify(capPerParent(prediction.FieldTaskID, maxTaskPredictions, prediction.FieldID)).
		Select(prediction.FieldTaskID, prediction.FieldScore).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int][]float64, len(ids))
	for _, p := range rows {
		if p.Score == nil {
			continue
		}
		if best, ok := out[p.TaskID]; !ok || *p.Score > best[0] {
			out[p.TaskID] = []float64{*p.Score}
		}
	}
	return out, nil
}

// importResult is an import's answer.
func importResult(n dataset.Imported) *model.ImportResult {
	return &model.ImportResult{TaskCount: n.Tasks, AnnotationCount: n.Annotations, PredictionCount: n.Predictions}
}
