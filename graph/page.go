package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/task"
	"gloss/graph/model"
	"gloss/internal/fault"
)

// taskKey is one of the data manager's orders: the task column its pages
// are keyed on (ties broken on id, in the same direction), and ent's order,
// which makes the edges' cursors.
type taskKey struct {
	column string
	desc   bool
	order  *ent.TaskOrder
}

// taskKeyOf maps the GraphQL order to its key; no order is id ascending.
func taskKeyOf(o *model.TaskOrder) taskKey {
	if o == nil {
		return taskKey{column: task.FieldID, order: ent.DefaultTaskOrder}
	}
	k := taskKey{desc: o.Direction == entgql.OrderDirectionDesc, order: &ent.TaskOrder{Direction: o.Direction}}
	switch o.Field {
	case model.TaskOrderFieldCreatedAt:
		k.column, k.order.Field = task.FieldCreatedAt, ent.TaskOrderFieldCreatedAt
	case model.TaskOrderFieldUpdatedAt:
		k.column, k.order.Field = task.FieldUpdatedAt, ent.TaskOrderFieldUpdatedAt
	case model.TaskOrderFieldAnnotationCount:
		k.column, k.order.Field = task.FieldTotalAnnotations, ent.TaskOrderFieldTotalAnnotations
	default:
		k.column, k.order.Field = task.FieldID, ent.DefaultTaskOrder.Field
	}
	return k
}

// cursorKind is the kind of the key's cursor values.
func (k taskKey) cursorKind() cursorKind {
	switch k.column {
	case task.FieldCreatedAt, task.FieldUpdatedAt:
		return byTime
	case task.FieldTotalAnnotations:
		return byCount
	}
	return byID
}

// sorted orders q by the key.
func (k taskKey) sorted(q *ent.TaskQuery) *ent.TaskQuery {
	dir := ent.Asc
	if k.desc {
		dir = ent.Desc
	}
	if k.column != task.FieldID {
		q = q.Order(dir(k.column))
	}
	return q.Order(dir(task.FieldID))
}

// beyond is the predicate of the values of column past v in the key's
// direction.
func (k taskKey) beyond(column string, v any) predicate.Task {
	if k.desc {
		return predicate.Task(sql.FieldLT(column, v))
	}
	return predicate.Task(sql.FieldGT(column, v))
}

// read reads up to limit tasks of q in the key's order after the cursor.
// It answers what entgql's Paginate reads (the same rows in the same order
// for every cursor), but each of its queries is one seek on the order's
// index: Paginate's (column, id) > (value, id) is a row comparison that
// SQLite seeks on column alone, since id is the index's rowid, and then
// walks every earlier task of the same value (every task of a fresh
// project, where all counts are 0) to find the page. So the rest of the
// cursor's value comes first (column = value, id beyond), then the values
// beyond it.
//
// A cursor's value is left out of its encoding when it is the zero value:
// in the count order that is a count of 0, which is what a cursor of this
// order without a value means (read as "after this id" in every count it
// handed out the counted tasks again and lost the rest). The time orders
// never have a zero value: a cursor of theirs without one is not theirs.
func (k taskKey) read(ctx context.Context, q *ent.TaskQuery, after *ent.Cursor, limit int) ([]*ent.Task, error) {
	if after != nil && after.Value == nil && k.column != task.FieldID {
		if k.column != task.FieldTotalAnnotations {
			return nil, fault.Invalid("the cursor is not one of this order: read the first page again")
		}
		zero := *after
		zero.Value = 0
		after = &zero
	}
	if after == nil || k.column == task.FieldID {
		// A page from the start, the id order, or a cursor of the id order
		// (it has no value): Paginate's own predicate, a seek on id.
		dir := entgql.OrderDirectionAsc
		if k.desc {
			dir = entgql.OrderDirectionDesc
		}
		for _, p := range entgql.CursorsPredicate(after, nil, task.FieldID, k.column, dir) {
			q = q.Where(p)
		}
		return k.sorted(q).Limit(limit).All(ctx)
	}
	tie, err := k.sorted(q.Clone().Where(predicate.Task(sql.FieldEQ(k.column, after.Value)), k.beyond(task.FieldID, after.ID))).
		Limit(limit).All(ctx)
	if err != nil || len(tie) == limit {
		return tie, err
	}
	rest, err := k.sorted(q.Where(k.beyond(k.column, after.Value))).Limit(limit - len(tie)).All(ctx)
	return append(tie, rest...), err
}

// taskPage reads one page of n of the tasks q selects, in the key's order
// after the cursor, as a connection: totalCount is total when known, else
// counted only when asked for; the rows are read only when edges or
// pageInfo are asked for, with the columns and edges the query selects of
// the nodes, and the summary columns asked for are read for the whole page
// at once.
func (r *Resolver) taskPage(ctx context.Context, q *ent.TaskQuery, k taskKey, after *ent.Cursor, n int, total *int) (*ent.TaskConnection, error) {
	conn := &ent.TaskConnection{Edges: []*ent.TaskEdge{}}
	sel := selectedPage(ctx)
	switch {
	case total != nil:
		conn.TotalCount = *total
	case sel.totalCount:
		count, err := q.Clone().Count(ctx)
		if err != nil {
			return nil, err
		}
		conn.TotalCount = count
	}
	if !sel.edges && !sel.pageInfo {
		return conn, nil
	}
	if sel.node != nil {
		fc := *graphql.GetFieldContext(ctx)
		fc.Field = *sel.node
		var err error
		if q, err = q.CollectFields(graphql.WithFieldContext(ctx, &fc)); err != nil {
			return nil, err
		}
	}
	// The cursors need the order's column, which field collection may
	// have left out.
	q.Modify(func(s *sql.Selector) {
		c := s.C(k.column)
		for _, col := range s.SelectedColumns() {
			if col == c {
				return
			}
		}
		s.AppendSelect(c)
	})
	nodes, err := k.read(ctx, q, after, n+1)
	if err != nil {
		return nil, err
	}
	conn.PageInfo.HasPreviousPage = after != nil
	if len(nodes) > n {
		conn.PageInfo.HasNextPage = true
		nodes = nodes[:n]
	}
	conn.Edges = make([]*ent.TaskEdge, len(nodes))
	for i, t := range nodes {
		conn.Edges[i] = t.ToEdge(k.order)
	}
	if l := len(conn.Edges); l > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[l-1].Cursor
	}
	if sel.node != nil && len(nodes) > 0 {
		if err := r.readSummaries(ctx, sel.node, nodes); err != nil {
			return nil, err
		}
	}
	return conn, nil
}

// readSummaries reads the summary columns that node asks for, for every
// task of a page, one query each (labels and review states share one),
// ahead of their fields' resolvers, which then find them (preload).
func (r *Resolver) readSummaries(ctx context.Context, node *graphql.CollectedField, tasks []*ent.Task) error {
	var summaries, scores bool
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), node.Selections, taskImplementors) {
		switch f.Name {
		case "labels", "reviewStates":
			summaries = true
		case "predictionScore":
			scores = true
		}
	}
	if !summaries && !scores {
		return nil
	}
	ids := make([]int, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	if summaries {
		rows, err := r.taskSummaries(ctx, ids)
		if err != nil {
			return err
		}
		preload(ctx, "Task.labels", ids, rows)
		preload(ctx, "Task.reviewStates", ids, rows)
	}
	if scores {
		rows, err := r.taskScores(ctx, ids)
		if err != nil {
			return err
		}
		preload(ctx, "Task.predictionScore", ids, rows)
	}
	return nil
}

// pageSelection is what a task connection's selection asks for.
type pageSelection struct {
	edges, pageInfo, totalCount bool
	// node is edges.node, the selections of every alias of both merged;
	// nil when no edge asks for its node.
	node *graphql.CollectedField
}

// selectedPage reads the selection of the connection field being resolved,
// through fragments and aliases.
func selectedPage(ctx context.Context) pageSelection {
	var sel pageSelection
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return pageSelection{edges: true, pageInfo: true}
	}
	oc := graphql.GetOperationContext(ctx)
	var node ast.SelectionSet
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		switch f.Name {
		case "edges":
			sel.edges = true
			for _, e := range graphql.CollectFields(oc, f.Selections, nil) {
				if e.Name == "node" {
					node = append(node, e.Selections...)
					if sel.node == nil {
						sel.node = &graphql.CollectedField{Field: e.Field}
					}
				}
			}
		case "pageInfo":
			sel.pageInfo = true
		case "totalCount":
			sel.totalCount = true
		}
	}
	if sel.node != nil {
		sel.node.Selections = node
	}
	return sel
}
