package graph

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/membership"
	"gloss/ent/task"
	"gloss/graph/model"
	"gloss/internal/viewer"
)

// recorder is an ent driver that keeps the SELECTs on tasks it runs while
// on, for the plan test.
type recorder struct {
	*entsql.Driver
	mu    sync.Mutex
	on    bool
	table string // the table whose reads are recorded
	seen  []recorded
}

type recorded struct {
	query string
	args  []any
}

func (r *recorder) Query(ctx context.Context, query string, args, v any) error {
	r.mu.Lock()
	if r.on && strings.Contains(query, "FROM `"+r.table+"`") {
		a, _ := args.([]any)
		r.seen = append(r.seen, recorded{query, a})
	}
	r.mu.Unlock()
	return r.Driver.Query(ctx, query, args, v)
}

// gridWorld is a project of tasks with everything the data manager shows
// (data that needs escaping, meta, annotations with labels, skips, reviews,
// predictions with and without scores, ties in every order), an owner, an
// annotator who sees some of its tasks and an annotator who is no member.
type gridWorld struct {
	r                           *Resolver
	db                          *sql.DB
	rec                         *recorder
	project                     int
	owner, annotator, outsider  context.Context
	ownerID, annotatorID, orgID int
}

func mustGridWorld(t *testing.T) *gridWorld {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+strings.ReplaceAll(t.Name(), "/", "_")+"?mode=memory&cache=shared&_fk=1")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database
	rec := &recorder{Driver: entsql.OpenDB(dialect.SQLite, db), table: "tasks"}
	client := ent.NewClient(ent.Driver(rec))
	t.Cleanup(func() { client.Close() })
	ctx := viewer.NewSystemContext(context.Background())
	if err := client.Schema.Create(ctx); err != nil {
		t.Fatal(err)
	}
	org := client.Organization.Create().SetTitle("Grid").SaveX(ctx)
	owner := client.User.Create().SetEmail("owner@example.com").SetPasswordHash("x").SaveX(ctx)
	ann := client.User.Create().SetEmail("annotator@example.com").SetPasswordHash("x").SaveX(ctx)
	out := client.User.Create().SetEmail("outsider@example.com").SetPasswordHash("x").SaveX(ctx)
	p := client.Project.Create().SetOrganizationID(org.ID).SetCreatedByID(owner.ID).SetTitle("P").SetTaskCount(23).
		SetLabelConfig(`<View><Text name="text" value="$text"/></View>`).SaveX(ctx)
	client.ProjectMember.Create().SetOrganizationID(org.ID).SetProjectID(p.ID).SetUserID(ann.ID).SaveX(ctx)
	base := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	choice := func(c string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`[{"type":"choices","value":{"choices":[%q]}},{"type":"labels","value":{"labels":["Span"]}}]`, c))
	}
	for i := 1; i <= 23; i++ {
		data := fmt.Sprintf(`{"text":"Task %d <b>&amp;</b> \"quoted\" ÄÖ \u2028 %%_","n":%d}`, i, i)
		tc := client.Task.Create().SetProjectID(p.ID).SetOrganizationID(org.ID).SetInnerID(i).SetData([]byte(data)).
			// Three imports' worth of creation times and a few update
			// times: ties in both orders.
			SetCreatedAt(base.Add(time.Duration(i/8) * time.Minute)).SetUpdatedAt(base.Add(time.Duration(i%3) * time.Hour))
		if i%4 == 0 {
			tc.SetMeta([]byte(`{"source":"batch <` + fmt.Sprint(i) + `>"}`))
		}
		tc.SaveX(ctx)
	}
	// Annotations are created after their tasks (the task ids are 1..23).
	for i := 1; i <= 23; i++ {
		var n, skipped int
		add := func(author int, result json.RawMessage, state annotation.ReviewState, cancelled bool) {
			client.Annotation.Create().SetTaskID(i).SetProjectID(p.ID).SetOrganizationID(org.ID).SetCompletedByID(author).
				SetResult(result).SetReviewState(state).SetWasCancelled(cancelled).ExecX(ctx)
			if cancelled {
				skipped++
			} else {
				n++
			}
		}
		if i%5 == 0 {
			add(owner.ID, choice("Positive"), annotation.ReviewStateAccepted, false)
			add(owner.ID, choice("Neutral"), annotation.ReviewStatePending, false)
		}
		if i%7 == 0 || i == 10 {
			add(ann.ID, choice("Negative"), annotation.ReviewStateRejected, false)
		}
		if i%6 == 0 {
			add(ann.ID, json.RawMessage(`[]`), annotation.ReviewStatePending, true)
		}
		if i%3 == 0 {
			score := float64(i) / 100
			client.Prediction.Create().SetTaskID(i).SetOrganizationID(org.ID).SetResult(json.RawMessage(`[]`)).SetScore(score).ExecX(ctx)
			client.Prediction.Create().SetTaskID(i).SetOrganizationID(org.ID).SetResult(json.RawMessage(`[]`)).SetScore(score / 2).ExecX(ctx)
		}
		if i%4 == 1 {
			client.Prediction.Create().SetTaskID(i).SetOrganizationID(org.ID).SetResult(json.RawMessage(`[]`)).ExecX(ctx)
		}
		client.Task.UpdateOneID(i).SetTotalAnnotations(n).SetCancelledAnnotations(skipped).
			SetUpdatedAt(base.Add(time.Duration(i%3) * time.Hour)).ExecX(ctx)
	}
	// The annotator holds task 2 (the label stream's lock).
	client.Task.UpdateOneID(2).SetLockedByID(ann.ID).SetLockedUntil(base.Add(time.Hour)).ExecX(ctx)
	as := func(u *ent.User, role membership.Role) context.Context {
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: u.ID, OrgID: org.ID, Role: role, Method: viewer.MethodToken})
	}
	return &gridWorld{r: &Resolver{Client: client}, db: db, rec: rec, project: p.ID,
		owner: as(owner, membership.RoleOwner), annotator: as(ann, membership.RoleAnnotator), outsider: as(out, membership.RoleAnnotator),
		ownerID: owner.ID, annotatorID: ann.ID, orgID: org.ID}
}

// gridServer is the GraphQL handler as internal/web sets it up for the
// data manager (with or without the grid), counting the @access calls on
// task fields.
type gridServer struct {
	h          http.Handler
	taskFields atomic.Int64
}

func (w *gridWorld) server(grid bool) *gridServer {
	s := &gridServer{}
	c := Config{Resolvers: w.r}
	c.Directives.Access = func(ctx context.Context, obj any, next graphql.Resolver, rule model.Access) (any, error) {
		if _, ok := obj.(*ent.Task); ok {
			s.taskFields.Add(1)
		}
		return w.r.Access(ctx, obj, next, rule)
	}
	setComplexity(&c)
	srv := handler.New(NewExecutableSchema(c))
	srv.AddTransport(transport.POST{})
	srv.Use(RequestScope{})
	if grid {
		srv.Use(TaskGrid{})
	}
	s.h = srv
	return s
}

func (s *gridServer) do(t *testing.T, ctx context.Context, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec.Body.String()
}

// gridQueries are selections of task pages the grid writes: the data
// manager's own, the bench's, and the GraphQL forms of the same fields
// (aliases, fragments, directives, repeats, __typename, a project's tasks).
var gridQueries = []string{
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 4, after: $a, orderBy: $o) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node { id innerId data totalAnnotations cancelledAnnotations createdAt updatedAt labels reviewStates predictionScore } } } }`,
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 6, after: $a, orderBy: $o) {
		edges { node { id data totalAnnotations } } pageInfo { endCursor hasNextPage } } }`,
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 5, after: $a, orderBy: $o) {
		e: edges { __typename c: cursor n: node { ...row i: id id d: data meta s: labels ... on Task { r: reviewStates __typename }
			x: innerId @skip(if: true) y: innerId @include(if: false) score: predictionScore } }
		more: edges { n: node { createdAt updatedAt } }
		pageInfo { endCursor hasNextPage } } } fragment row on Task { totalAnnotations meta id }`,
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { project(id: $p) { id tasks(first: 7, after: $a, orderBy: $o) {
		totalCount edges { node { id labels } cursor } pageInfo { endCursor hasNextPage } } } }`,
}

// slowQueries ask for fields the grid does not write; gqlgen resolves
// them, with the grid's extension in place or not.
var slowQueries = []string{
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 4, after: $a, orderBy: $o) {
		edges { node { id labels annotations { id result } } } pageInfo { endCursor hasNextPage } } }`,
	`query($p: ID!, $a: Cursor, $o: TaskOrder) { tasks(projectId: $p, first: 4, after: $a, orderBy: $o) {
		edges { node { id project { id } predictionScore } } pageInfo { endCursor hasNextPage } } }`,
}

var gridOrders = []any{
	nil,
	map[string]any{"field": "ID", "direction": "DESC"},
	map[string]any{"field": "CREATED_AT", "direction": "ASC"},
	map[string]any{"field": "CREATED_AT", "direction": "DESC"},
	map[string]any{"field": "UPDATED_AT", "direction": "ASC"},
	map[string]any{"field": "UPDATED_AT", "direction": "DESC"},
	map[string]any{"field": "ANNOTATION_COUNT", "direction": "ASC"},
	map[string]any{"field": "ANNOTATION_COUNT", "direction": "DESC"},
}

// TestTaskGridWritesWhatGqlgenWrites pages through the project as each
// viewer, in every order, with the grid and without it: the responses are
// the same bytes, refusals included (the annotator sees only the tasks they
// hold or annotated, and their own annotations' labels; the outsider sees
// no project), and with the grid no task field goes through gqlgen.
func TestTaskGridWritesWhatGqlgenWrites(t *testing.T) {
	w := mustGridWorld(t)
	fast, slow := w.server(true), w.server(false)
	viewers := []struct {
		name string
		ctx  context.Context
		rows bool
	}{{"owner", w.owner, true}, {"annotator", w.annotator, true}, {"outsider", w.outsider, false}}
	for _, v := range viewers {
		for qi, q := range append(slices.Clone(gridQueries), slowQueries...) {
			for _, o := range gridOrders {
				var after any
				for page := 1; page <= 8; page++ {
					vars := map[string]any{"p": w.project, "a": after, "o": o}
					before := fast.taskFields.Load()
					got := fast.do(t, v.ctx, q, vars)
					want := slow.do(t, v.ctx, q, vars)
					if got != want {
						t.Fatalf("%s, query %d, order %v, page %d:\ngrid:    %s\ngqlgen:  %s", v.name, qi, o, page, got, want)
					}
					var resp struct {
						Data   map[string]any
						Errors []any
					}
					if err := json.Unmarshal([]byte(got), &resp); err != nil {
						t.Fatalf("%s: %v", got, err)
					}
					if v.rows != (len(resp.Errors) == 0 && resp.Data["tasks"] != nil || resp.Data["project"] != nil) {
						t.Fatalf("%s, query %d: %s", v.name, qi, got)
					}
					if qi < len(gridQueries) && fast.taskFields.Load() != before {
						t.Fatalf("%s, query %d: the grid left task fields to gqlgen: %s", v.name, qi, got)
					}
					conn, _ := resp.Data["tasks"].(map[string]any)
					if p, ok := resp.Data["project"].(map[string]any); ok {
						conn, _ = p["tasks"].(map[string]any)
					}
					info, _ := conn["pageInfo"].(map[string]any)
					if info == nil || info["hasNextPage"] != true {
						break
					}
					after = info["endCursor"]
				}
			}
		}
	}
	if slow.taskFields.Load() == 0 {
		t.Fatal("gqlgen never resolved a task field: the comparison compared nothing")
	}
}

// TestTaskPagesWalkEveryOrder walks the project page by page in every order
// and direction, as each viewer: every task the viewer may see comes once,
// in the order's sequence (ties by id, in the same direction), whatever
// the page size.
func TestTaskPagesWalkEveryOrder(t *testing.T) {
	w := mustGridWorld(t)
	type key struct {
		field model.TaskOrderField
		value func(*ent.Task) string
	}
	ts := func(tm time.Time) string { return tm.UTC().Format(time.RFC3339Nano) }
	keys := []key{
		{model.TaskOrderFieldID, func(t *ent.Task) string { return "" }},
		{model.TaskOrderFieldCreatedAt, func(t *ent.Task) string { return ts(t.CreatedAt) }},
		{model.TaskOrderFieldUpdatedAt, func(t *ent.Task) string { return ts(t.UpdatedAt) }},
		{model.TaskOrderFieldAnnotationCount, func(t *ent.Task) string { return fmt.Sprintf("%03d", t.TotalAnnotations) }},
	}
	for _, v := range []context.Context{w.owner, w.annotator} {
		all, err := w.r.Client.Task.Query().All(v)
		if err != nil || len(all) == 0 {
			t.Fatalf("%d tasks: %v", len(all), err)
		}
		for _, k := range keys {
			for _, dir := range []entgql.OrderDirection{entgql.OrderDirectionAsc, entgql.OrderDirectionDesc} {
				want := slices.Clone(all)
				slices.SortFunc(want, func(a, b *ent.Task) int {
					c := strings.Compare(k.value(a), k.value(b))
					if c == 0 {
						c = a.ID - b.ID
					}
					if dir == entgql.OrderDirectionDesc {
						c = -c
					}
					return c
				})
				for _, size := range []int{1, 3, 100} {
					var got []int
					var after *ent.Cursor
					for pages := 0; ; pages++ {
						if pages > len(all)+1 {
							t.Fatalf("%s %s by %d: the walk does not end", k.field, dir, size)
						}
						conn, err := w.r.tasks(v, w.project, nil, &size, after, nil, &model.TaskOrder{Field: k.field, Direction: dir})
						if err != nil {
							t.Fatal(err)
						}
						for _, e := range conn.Edges {
							got = append(got, e.Node.ID)
						}
						if conn.PageInfo.HasPreviousPage != (after != nil) {
							t.Fatalf("%s %s: hasPreviousPage %v after %v", k.field, dir, conn.PageInfo.HasPreviousPage, after)
						}
						if !conn.PageInfo.HasNextPage {
							break
						}
						after = conn.PageInfo.EndCursor
					}
					var ids []int
					for _, t := range want {
						ids = append(ids, t.ID)
					}
					if !slices.Equal(got, ids) {
						t.Fatalf("%s %s by %d:\ngot  %v\nwant %v", k.field, dir, size, got, ids)
					}
				}
			}
		}
	}
}

// keyComparison finds a read's comparisons of a task column (or of a row
// of two) with a value.
var keyComparison = regexp.MustCompile("`tasks`\\.`(\\w+)`(?:, `tasks`\\.`(\\w+)`\\))? (?:=|<|>) [?(]")

// TestTaskPagesSeekTheirIndex checks, with SQLite's query planner, that
// every read of a page, the first or one after a cursor, in every order,
// is a search on that order's index that the cursor bounds exactly: no
// scan of the project's tasks, no sort of them, and every condition on the
// order's columns is one the search seeks on. (A row comparison
// (column, id) < (value, id) seeks on the column alone, since id is the
// index's rowid, and then reads every task of the cursor's value.)
func TestTaskPagesSeekTheirIndex(t *testing.T) {
	w := mustGridWorld(t)
	indexes := map[model.TaskOrderField][2]string{
		model.TaskOrderFieldID:              {"task_project_id_id", "id"},
		model.TaskOrderFieldCreatedAt:       {"task_project_id_created_at_id", "created_at"},
		model.TaskOrderFieldUpdatedAt:       {"task_project_id_updated_at_id", "updated_at"},
		model.TaskOrderFieldAnnotationCount: {"task_project_id_total_annotations_id", "total_annotations"},
	}
	for field, ix := range indexes {
		index, column := ix[0], ix[1]
		for _, dir := range []entgql.OrderDirection{entgql.OrderDirectionAsc, entgql.OrderDirectionDesc} {
			order := &model.TaskOrder{Field: field, Direction: dir}
			first := 5
			conn, err := w.r.tasks(w.owner, w.project, nil, &first, nil, nil, order)
			if err != nil {
				t.Fatal(err)
			}
			w.rec.mu.Lock()
			w.rec.on, w.rec.seen = true, nil
			w.rec.mu.Unlock()
			// A page after a cursor. (An annotator's pages read their own
			// tasks by key instead: TestAnnotatorsReadTheirTasksByKey.)
			if _, err := w.r.tasks(w.owner, w.project, nil, &first, conn.PageInfo.EndCursor, nil, order); err != nil {
				t.Fatal(err)
			}
			if _, err := w.r.tasks(w.owner, w.project, nil, &first, nil, nil, order); err != nil {
				t.Fatal(err)
			}
			w.rec.mu.Lock()
			seen := w.rec.seen
			w.rec.on = false
			w.rec.mu.Unlock()
			if len(seen) < 2 {
				t.Fatalf("%s %s: %d task reads recorded", field, dir, len(seen))
			}
			for _, s := range seen {
				plan := w.explain(t, s)
				main := plan[0]
				for _, p := range plan {
					if strings.Contains(p, " tasks ") || strings.HasSuffix(p, " tasks") {
						main = p
						break
					}
				}
				if !strings.HasPrefix(main, "SEARCH tasks USING INDEX "+index+" (project_id=?") || strings.Contains(strings.Join(plan, "\n"), "TEMP B-TREE") {
					t.Fatalf("%s %s: %s\nplan:\n%s", field, dir, s.query, strings.Join(plan, "\n"))
				}
				sought := main[strings.Index(main, "("):]
				for _, m := range keyComparison.FindAllStringSubmatch(s.query, -1) {
					for _, col := range m[1:] {
						if (col == column || col == "id") && !regexp.MustCompile(`\b`+col+`[=<>]`).MatchString(sought) {
							t.Fatalf("%s %s: %s\ncompares %s, which the search does not seek on: %s", field, dir, s.query, col, main)
						}
					}
				}
			}
		}
	}
}

// explain is SQLite's plan of a recorded statement, a line per step.
func (w *gridWorld) explain(t *testing.T, s recorded) []string {
	t.Helper()
	rows, err := w.db.Query("EXPLAIN QUERY PLAN "+s.query, s.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestAnnotatorsReadTheirTasksByKey: an annotator sees only the tasks
// they annotated, skipped or hold (TaskPolicy), and every read of those
// (a page of the data manager in every order, first or after a cursor, its
// totalCount, a filter, the project's taskCount and labeledCount) finds
// them from their side, by key, without walking the project's tasks. The
// policy's test of each task (held, or an annotation of theirs beside it)
// made SQLite walk the page's index on the project, and PostgreSQL the
// project's tasks, so that an annotator with one task in a project of a
// million read a million rows per page and per count. The pages and
// counts are those of the policy alone.
func TestAnnotatorsReadTheirTasksByKey(t *testing.T) {
	w := mustGridWorld(t)
	ctx := w.annotator
	orders := []model.TaskOrderField{model.TaskOrderFieldID, model.TaskOrderFieldCreatedAt,
		model.TaskOrderFieldUpdatedAt, model.TaskOrderFieldAnnotationCount}
	ref := func(o *model.TaskOrder) []int {
		q := w.r.Client.Task.Query().Where(task.ProjectID(w.project))
		ids, err := taskKeyOf(o).sorted(q).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	var seen []recorded
	record := func(read func()) {
		w.rec.mu.Lock()
		w.rec.on, w.rec.seen = true, nil
		w.rec.mu.Unlock()
		read()
		w.rec.mu.Lock()
		seen = append(seen, w.rec.seen...)
		w.rec.on = false
		w.rec.mu.Unlock()
	}
	for _, field := range orders {
		for _, dir := range []entgql.OrderDirection{entgql.OrderDirectionAsc, entgql.OrderDirectionDesc} {
			order := &model.TaskOrder{Field: field, Direction: dir}
			want := ref(order)
			if len(want) < 4 {
				t.Fatalf("the annotator sees %d tasks; the world should give them more than a page", len(want))
			}
			var got []int
			var after *ent.Cursor
			for {
				first := 2
				var conn *ent.TaskConnection
				var err error
				record(func() { conn, err = w.r.tasks(ctx, w.project, nil, &first, after, nil, order) })
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range conn.Edges {
					got = append(got, e.Node.ID)
				}
				if !conn.PageInfo.HasNextPage {
					break
				}
				after = conn.PageInfo.EndCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s: the annotator's pages hold %v, the policy gives %v", field, dir, got, want)
			}
		}
	}
	search := "task"
	first := 5
	var err error
	record(func() { _, err = w.r.tasks(ctx, w.project, nil, &first, nil, &model.TaskFilter{Search: &search}, nil) })
	if err != nil {
		t.Fatal(err)
	}
	p := w.r.Client.Project.GetX(w.owner, w.project)
	p.Overlap = 1
	for name, count := range map[string]func(context.Context, *ent.Project) (int, error){
		"taskCount":    (&projectResolver{w.r}).TaskCount,
		"labeledCount": (&projectResolver{w.r}).LabeledCount,
	} {
		var n int
		record(func() { n, err = count(ctx, p) })
		if err != nil {
			t.Fatal(err)
		}
		q := w.r.Client.Task.Query().Where(task.ProjectID(w.project))
		if name == "labeledCount" {
			q.Where(task.TotalAnnotationsGTE(1))
		}
		if want := q.CountX(ctx); n != want || want == 0 {
			t.Fatalf("%s: %d, the policy counts %d", name, n, want)
		}
	}
	for _, s := range seen {
		plan := w.explain(t, s)
		var main string
		for _, p := range plan {
			if strings.HasPrefix(p, "SCAN tasks") || strings.HasPrefix(p, "SEARCH tasks ") {
				main = p
				break
			}
		}
		if main != "SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)" {
			t.Fatalf("an annotator's read of tasks does not find them by key: %s\nplan:\n%s", s.query, strings.Join(plan, "\n"))
		}
	}
	if len(seen) < 20 {
		t.Fatalf("%d reads of tasks recorded", len(seen))
	}
}

// TestMyAnnotationsSeekTheAuthor: the viewer's own annotations
// (myAnnotations: newest first, pages after a cursor, one review state,
// their count) are read from the author's side, for an annotator (whose
// policy lists their projects) as for an owner (whose policy is the
// organization). For an owner SQLite walked every annotation of the
// instance newest first to fill a page, and counted them all, whoever wrote
// them: the cost of a person's list was the size of the instance.
func TestMyAnnotationsSeekTheAuthor(t *testing.T) {
	w := mustGridWorld(t)
	q := &queryResolver{w.r}
	for name, who := range map[string]struct {
		ctx context.Context
		id  int
	}{"annotator": {w.annotator, w.annotatorID}, "owner": {w.owner, w.ownerID}} {
		want, err := w.r.Client.Annotation.Query().Where(annotation.CompletedByID(who.id)).
			Order(ent.Desc(annotation.FieldID)).IDs(who.ctx)
		if err != nil || len(want) < 4 {
			t.Fatalf("%s: %d annotations (%v); the world should give them more than a page", name, len(want), err)
		}
		w.rec.mu.Lock()
		w.rec.on, w.rec.table, w.rec.seen = true, "annotations", nil
		w.rec.mu.Unlock()
		var got []int
		var after *ent.Cursor
		for {
			first := 2
			conn, err := q.MyAnnotations(who.ctx, nil, &first, after)
			if err != nil {
				t.Fatal(err)
			}
			if conn.TotalCount != len(want) {
				t.Fatalf("%s: totalCount %d, want %d", name, conn.TotalCount, len(want))
			}
			for _, e := range conn.Edges {
				got = append(got, e.Node.ID)
			}
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = conn.PageInfo.EndCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: myAnnotations %v, want %v", name, got, want)
		}
		for _, state := range []annotation.ReviewState{annotation.ReviewStateRejected, annotation.ReviewStatePending} {
			first := 2
			if _, err := q.MyAnnotations(who.ctx, &state, &first, nil); err != nil {
				t.Fatal(err)
			}
		}
		w.rec.mu.Lock()
		seen := w.rec.seen
		w.rec.on = false
		w.rec.mu.Unlock()
		if len(seen) < 6 {
			t.Fatalf("%s: %d reads of annotations recorded", name, len(seen))
		}
		for _, s := range seen {
			plan := w.explain(t, s)
			var main string
			for _, p := range plan {
				if strings.HasPrefix(p, "SCAN annotations") || strings.HasPrefix(p, "SEARCH annotations ") {
					main = p
					break
				}
			}
			if !strings.HasPrefix(main, "SEARCH annotations USING ") || !strings.Contains(main, "completed_by_id=?") {
				t.Fatalf("%s: a read of their annotations does not seek their author: %s\nplan:\n%s", name, s.query, strings.Join(plan, "\n"))
			}
		}
	}
}
