package graph

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/membership"
	"gloss/ent/prediction"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/storage"
	"gloss/ent/task"
	"gloss/ent/workspace"
	"gloss/graph/model"
	"gloss/internal/auth"
	organizationsvc "gloss/internal/organization"
	storagesvc "gloss/internal/storage"
	"gloss/internal/viewer"
	"gloss/internal/webhook"
)

// Cost is bounded by construction: every list in the schema is either a
// connection whose `first` is 1 to MaxPageSize, or a plain list with one of
// the caps below. The loaders never read more than the cap (LIMIT in SQL,
// per parent where a list hangs off each of many parents), and the
// complexity budget charges every list at its cap, so the budget is also
// the most fields a response can hold. TestEveryListIsBounded walks the
// schema and fails on a list with neither.
const (
	maxTaskAnnotations   = 100 // the most overlap a project may ask for
	maxTaskAnnotators    = 20  // Task.annotators: a data manager column
	maxTaskPredictions   = 20
	maxProjectMembers    = 200
	maxWorkspaceProjects = 50
	maxWorkspaceMembers  = 200
	maxWorkspaces        = 30
	maxRoleInvites       = 100
	maxOrganizations     = organizationsvc.MaxPerUser
	maxSessions          = auth.MaxSessions
	maxDataKeys          = 100
	maxWebhooks          = webhook.MaxPerScope
	maxWebhookEvents     = 9 // every event once
	maxWebhookHeaders    = webhook.MaxHeaders
	maxProjectStorages   = storagesvc.MaxPerProject
	maxExportFormats     = 8   // export.Formats
	configParse          = 100 // what a field that parses a labeling configuration costs
)

// listCaps names every plain list field of the schema ("Type.field") with
// its cap. Connections are not listed: their size is their `first`.
var listCaps = map[string]int{
	"Task.annotations":      maxTaskAnnotations,
	"Task.predictions":      maxTaskPredictions,
	"Task.labels":           maxTaskLabels,
	"Task.annotators":       maxTaskAnnotators,
	"Task.reviewStates":     3, // each state once
	"Project.members":       maxProjectMembers,
	"Project.dataKeys":      maxDataKeys,
	"Project.exportFormats": maxExportFormats,
	"Workspace.projects":    maxWorkspaceProjects,
	"Workspace.members":     maxWorkspaceMembers,
	"Query.workspaces":      maxWorkspaces,
	"Query.roleInvites":     maxRoleInvites,
	"Query.organizations":   maxOrganizations,
	"Query.sessions":        maxSessions,
	"Organization.webhooks": maxWebhooks,
	"Project.webhooks":      maxWebhooks,
	"Webhook.events":        maxWebhookEvents,
	"Webhook.headerNames":   maxWebhookHeaders,
	"Project.storages":      maxProjectStorages,
}

// setComplexity charges every list at its size: a connection at its `first`
// (at MaxPageSize when `first` is out of range, which is refused before the
// operation runs anyway), a plain list at its cap.
func setComplexity(c *Config) {
	page := func(child int, first *int) int {
		n := pageSize(first)
		if n < 1 || n > MaxPageSize {
			n = MaxPageSize
		}
		return 1 + child*n
	}
	capped := func(name string) func(int) int {
		n := listCaps[name]
		return func(child int) int { return 1 + child*n }
	}
	c.Complexity.Query.Members = func(child int, first *int, _ *ent.Cursor) int { return page(child, first) }
	c.Complexity.Query.AuditEvents = func(child int, first *int, _ *ent.Cursor, _ *model.AuditFilter) int {
		return page(child, first)
	}
	c.Complexity.Query.Projects = func(child int, first *int, _ *ent.Cursor) int { return page(child, first) }
	c.Complexity.Query.Tasks = func(child int, _ int, first *int, _ *ent.Cursor, filter *model.TaskFilter, _ *model.TaskOrder) int {
		return page(child, first) + filterCost(filter)
	}
	c.Complexity.Query.MyAnnotations = func(child int, _ *annotation.ReviewState, first *int, _ *ent.Cursor) int {
		return page(child, first)
	}
	c.Complexity.Project.Tasks = func(child int, first *int, _ *ent.Cursor, filter *model.TaskFilter, _ *model.TaskOrder) int {
		return page(child, first) + filterCost(filter)
	}
	c.Complexity.Task.Annotations = capped("Task.annotations")
	c.Complexity.Task.Predictions = capped("Task.predictions")
	c.Complexity.Task.Labels = capped("Task.labels")
	c.Complexity.Task.Annotators = capped("Task.annotators")
	c.Complexity.Task.ReviewStates = capped("Task.reviewStates")
	c.Complexity.Project.Members = capped("Project.members")
	// Each parses the project's labeling configuration, which may take
	// 10 ms at 256 KiB: a request makes at most maxComplexity/configParse
	// of them (four at once of 1,100 parses, aliases of 100 projects,
	// stalled everyone else's requests for 12 s).
	parsing := func(name string) func(int) int {
		list := capped(name)
		return func(child int) int { return max(configParse, list(child)) }
	}
	c.Complexity.Project.DataKeys = parsing("Project.dataKeys")
	c.Complexity.Project.ExportFormats = parsing("Project.exportFormats")
	c.Complexity.Workspace.Projects = capped("Workspace.projects")
	c.Complexity.Workspace.Members = capped("Workspace.members")
	c.Complexity.Query.Workspaces = capped("Query.workspaces")
	c.Complexity.Query.RoleInvites = capped("Query.roleInvites")
	c.Complexity.Query.Organizations = capped("Query.organizations")
	c.Complexity.Query.Sessions = capped("Query.sessions")
	c.Complexity.Organization.Webhooks = capped("Organization.webhooks")
	c.Complexity.Project.Webhooks = capped("Project.webhooks")
	c.Complexity.Webhook.Events = capped("Webhook.events")
	c.Complexity.Webhook.HeaderNames = capped("Webhook.headerNames")
	c.Complexity.Webhook.Deliveries = func(child int, first *int, _ *ent.Cursor) int { return page(child, first) }
	c.Complexity.Project.Storages = capped("Project.storages")
}

// taskFilterCost is what the complexity budget charges a filtered page of
// tasks besides its fields. A filter (a text search over the tasks' data, a
// label among their annotations, ...) is not an index's: the page and its
// totalCount read the project's tasks until the page is full, all of them
// when few match, whatever `first` asks for. Charged like a field, a
// request held fifteen such pages (aliases), or one for each of a hundred
// projects of a projects page, each reading a whole project. At this price
// a request holds at most four, or one beside the data manager's page of
// 50 with every column (about 6,500).
const taskFilterCost = 2000

// filterCost is the charge of a task page's filter: taskFilterCost, or
// nothing without one.
func filterCost(f *model.TaskFilter) int {
	if f.IsEmpty() {
		return 0
	}
	return taskFilterCost
}

// RequestScope is the gqlgen extension that gives each operation its own
// state: the batch loaders of its capped lists and whether a cancellation
// was already logged.
type RequestScope struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = RequestScope{}

// ExtensionName names the extension.
func (RequestScope) ExtensionName() string { return "RequestScope" }

// Validate accepts every schema.
func (RequestScope) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation puts a fresh scope into the operation's context.
func (RequestScope) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, scopeKey{}, &scope{batches: map[batchKey]*batch{}, read: map[string]*readAhead{}}))
}

type scopeKey struct{}

type scope struct {
	mu             sync.Mutex
	batches        map[batchKey]*batch
	read           map[string]*readAhead // by list
	cancelReported atomic.Bool
}

// readAhead holds the rows of a capped list that were read ahead for some
// parents (see preload).
type readAhead struct {
	parents map[int]struct{}
	rows    any // map[int][]T: the rows of each parent that has any
}

func scopeFrom(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

// firstCancellation reports whether this is the operation's first error
// caused by its request going away (true when there is no scope).
func firstCancellation(ctx context.Context) bool {
	s := scopeFrom(ctx)
	return s == nil || s.cancelReported.CompareAndSwap(false, true)
}

// batchKey identifies the loads that can share one query: the same list of
// the same field of the query. Siblings (the annotations of each task of a
// page) share the field, so they share a batch.
type batchKey struct {
	list  string
	field *ast.Field
}

type batch struct {
	ids   []int
	fetch func(ids []int) (any, error)
	done  chan struct{}
	rows  any // map[int][]T
	err   error
}

// batchWait is how long a batch waits for its siblings: gqlgen resolves the
// items of a list concurrently, so they arrive within microseconds.
const batchWait = 2 * time.Millisecond

// maxBatch is the most parents one query loads for.
const maxBatch = 100

// preload records rows of a capped list, read by fetch for the parents
// ids ahead of their fields, so that load answers those parents from them
// without waiting for siblings or querying again. A page of tasks does this
// for the summary columns it is asked for: it knows all its parents at once.
func preload[T any](ctx context.Context, list string, ids []int, rows map[int][]T) {
	s := scopeFrom(ctx)
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ra := s.read[list]
	if ra == nil {
		ra = &readAhead{parents: map[int]struct{}{}, rows: map[int][]T{}}
		s.read[list] = ra
	}
	m := ra.rows.(map[int][]T)
	for _, id := range ids {
		ra.parents[id] = struct{}{}
		if r, ok := rows[id]; ok {
			m[id] = r
		}
	}
}

// preloaded returns the rows of list that preload recorded for the parent
// id, and whether it recorded any for it.
func preloaded[T any](ctx context.Context, list string, id int) ([]T, bool) {
	s := scopeFrom(ctx)
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ra := s.read[list]
	if ra == nil {
		return nil, false
	}
	if _, ok := ra.parents[id]; !ok {
		return nil, false
	}
	return ra.rows.(map[int][]T)[id], true
}

// load returns the rows of a capped list for one parent: those preload
// recorded, else loads of the same list and field made together become one
// query (fetch gets every parent's id). A parent that is not an item of a
// list (task(id), nextTask) has no siblings to wait for, and outside a
// GraphQL operation there is no scope: then the load is its own query at
// once.
func load[T any](ctx context.Context, list string, id int, fetch func(ctx context.Context, ids []int) (map[int][]T, error)) ([]T, error) {
	if rows, ok := preloaded[T](ctx, list, id); ok {
		return rows, nil
	}
	s := scopeFrom(ctx)
	fc := graphql.GetFieldContext(ctx)
	if s == nil || fc == nil || !inList(ctx) {
		rows, err := fetch(ctx, []int{id})
		return rows[id], err
	}
	key := batchKey{list: list, field: fc.Field.Field}
	s.mu.Lock()
	b := s.batches[key]
	if b == nil {
		b = &batch{done: make(chan struct{}), fetch: func(ids []int) (any, error) { return fetch(ctx, ids) }}
		s.batches[key] = b
		time.AfterFunc(batchWait, func() { s.run(key, b) })
	}
	b.ids = append(b.ids, id)
	full := len(b.ids) >= maxBatch
	s.mu.Unlock()
	if full {
		s.run(key, b)
	}
	<-b.done
	if b.err != nil {
		return nil, b.err
	}
	return b.rows.(map[int][]T)[id], nil
}

// inList reports whether the field's object is an item of a list (its
// response path has an index), i.e. whether siblings may load the same list
// together.
func inList(ctx context.Context) bool {
	for _, p := range graphql.GetPath(ctx) {
		if _, ok := p.(ast.PathIndex); ok {
			return true
		}
	}
	return false
}

// run loads a batch once: whichever of its timer and the load that filled
// it comes first.
func (s *scope) run(key batchKey, b *batch) {
	s.mu.Lock()
	if s.batches[key] != b {
		s.mu.Unlock()
		return // already running
	}
	delete(s.batches, key)
	ids := b.ids
	s.mu.Unlock()
	defer close(b.done)
	defer func() {
		if v := recover(); v != nil {
			// The timer runs this outside gqlgen's recovery.
			b.err = fmt.Errorf("load %s: panic: %v", key.list, v)
		}
	}()
	b.rows, b.err = b.fetch(ids)
}

// capPerParent limits an eager-loaded edge to n rows per parent in SQL (a
// window over the parent's key, after the privacy filters), ordered by col.
func capPerParent(parentKey string, n int, col string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		entgql.LimitPerRow(parentKey, n, sql.ExprP(col))(s)
		s.OrderBy(s.C(col))
	}
}

// collect eager-loads what the query asks for below the list being loaded,
// so the rows' own edges come in batches too.
func collect[Q interface {
	CollectFields(context.Context, ...string) (Q, error)
}](ctx context.Context, q Q) {
	_, _ = q.CollectFields(ctx)
}

// taskAnnotations loads the annotations of tasks, at most
// maxTaskAnnotations per task, oldest first.
func (r *Resolver) taskAnnotations(ctx context.Context, ids []int) (map[int][]*ent.Annotation, error) {
	tasks, err := r.client(ctx).Task.Query().Where(task.IDIn(ids...)).
		WithAnnotations(func(q *ent.AnnotationQuery) {
			collect(ctx, q)
			q.Modify(capPerParent(annotation.FieldTaskID, maxTaskAnnotations, annotation.FieldID))
		}).Select(task.FieldID).All(ctx)
	out := make(map[int][]*ent.Annotation, len(tasks))
	for _, t := range tasks {
		out[t.ID] = t.Edges.Annotations
	}
	return out, err
}

// taskPredictions loads the predictions of tasks, at most
// maxTaskPredictions per task, oldest first.
func (r *Resolver) taskPredictions(ctx context.Context, ids []int) (map[int][]*ent.Prediction, error) {
	tasks, err := r.client(ctx).Task.Query().Where(task.IDIn(ids...)).
		WithPredictions(func(q *ent.PredictionQuery) {
			collect(ctx, q)
			q.Modify(capPerParent(prediction.FieldTaskID, maxTaskPredictions, prediction.FieldID))
		}).Select(task.FieldID).All(ctx)
	out := make(map[int][]*ent.Prediction, len(tasks))
	for _, t := range tasks {
		out[t.ID] = t.Edges.Predictions
	}
	return out, err
}

// workspaceProjects loads the projects of workspaces, at most
// maxWorkspaceProjects per workspace, oldest first.
func (r *Resolver) workspaceProjects(ctx context.Context, ids []int) (map[int][]*ent.Project, error) {
	ws, err := r.client(ctx).Workspace.Query().Where(workspace.IDIn(ids...)).
		WithProjects(func(q *ent.ProjectQuery) {
			collect(ctx, q)
			q.Modify(capPerParent(project.FieldWorkspaceID, maxWorkspaceProjects, project.FieldID))
		}).Select(workspace.FieldID).All(ctx)
	out := make(map[int][]*ent.Project, len(ws))
	for _, w := range ws {
		out[w.ID] = w.Edges.Projects
	}
	return out, err
}

// projectMembers loads the direct members of projects, at most
// maxProjectMembers per project, in the order they joined Gloss.
func (r *Resolver) projectMembers(ctx context.Context, ids []int) (map[int][]*ent.User, error) {
	return r.members(ctx, projectmember.ProjectIDIn(ids...), projectmember.FieldProjectID, maxProjectMembers,
		func(m *ent.ProjectMember) *int { return m.ProjectID })
}

// workspaceMembers loads the members of workspaces, at most
// maxWorkspaceMembers per workspace, in the order they joined Gloss.
func (r *Resolver) workspaceMembers(ctx context.Context, ids []int) (map[int][]*ent.User, error) {
	return r.members(ctx, projectmember.WorkspaceIDIn(ids...), projectmember.FieldWorkspaceID, maxWorkspaceMembers,
		func(m *ent.ProjectMember) *int { return m.WorkspaceID })
}

func (r *Resolver) members(ctx context.Context, where func(*sql.Selector), key string, n int, parent func(*ent.ProjectMember) *int) (map[int][]*ent.User, error) {
	q := r.client(ctx).ProjectMember.Query().Where(where).
		WithUser(func(q *ent.UserQuery) { collect(ctx, q) })
	q.Modify(capPerParent(key, n, projectmember.FieldUserID))
	ms, err := q.All(ctx)
	out := map[int][]*ent.User{}
	for _, m := range ms {
		if p := parent(m); p != nil && m.Edges.User != nil {
			out[*p] = append(out[*p], m.Edges.User)
		}
	}
	return out, err
}

// viewerRoles loads the viewer's role in each of the organizations.
func (r *Resolver) viewerRoles(ctx context.Context, ids []int) (map[int][]membership.Role, error) {
	out := map[int][]membership.Role{}
	v := viewer.User(ctx)
	if v == nil {
		return out, nil
	}
	ms, err := r.client(ctx).Membership.Query().
		Where(membership.UserID(v.UserID), membership.OrganizationIDIn(ids...)).All(ctx)
	for _, m := range ms {
		out[m.OrganizationID] = append(out[m.OrganizationID], m.Role)
	}
	return out, err
}

// projectStorages loads the storages of projects, at most
// maxProjectStorages per project, oldest first.
func (r *Resolver) projectStorages(ctx context.Context, ids []int) (map[int][]*ent.Storage, error) {
	q := r.client(ctx).Storage.Query().Where(storage.ProjectIDIn(ids...))
	q.Modify(capPerParent(storage.FieldProjectID, maxProjectStorages, storage.FieldID))
	sts, err := q.All(ctx)
	out := map[int][]*ent.Storage{}
	for _, st := range sts {
		out[st.ProjectID] = append(out[st.ProjectID], st)
	}
	return out, err
}
