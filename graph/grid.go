package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gloss/ent"
	"gloss/graph/scalar"
	"gloss/internal/database"
)

// TaskGrid is the gqlgen extension that writes a page of the data manager's
// grid, the edges of a task connection, as JSON in one pass when every
// field asked of them is a plain one: a task's columns (id, innerId, data,
// meta, createdAt, updatedAt, the counters), the summary columns the page
// read ahead (labels, reviewStates, predictionScore), an edge's cursor, and
// __typename. gqlgen would resolve each of those fields of each of the 100
// tasks on its own (a goroutine per task, a field context and a directive
// call per field), which cost several times the rest of the request. The
// bytes are the ones gqlgen writes, through the same marshalers; for any
// other selection (a task's annotations, its project, a deferred fragment)
// gqlgen resolves the page as usual. Nothing is decided here about who may
// see what: the rows are the ones the page's resolver read through the
// privacy policies, and the fields are only those whose access rule is
// ROW, which adds nothing to the row's own (Validate checks the schema).
type TaskGrid struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = TaskGrid{}

// gridFields are the Task fields the grid writes itself.
var gridFields = []string{"id", "innerId", "data", "meta", "createdAt", "updatedAt", "totalAnnotations",
	"cancelledAnnotations", "labels", "reviewStates", "predictionScore"}

// ExtensionName names the extension.
func (TaskGrid) ExtensionName() string { return "TaskGrid" }

// Validate checks that every field the grid writes, and the connection's
// edges and the edge's node and cursor, carry @access(rule: ROW): a field
// with any other rule must go through its directive.
func (TaskGrid) Validate(s graphql.ExecutableSchema) error {
	check := func(typ string, fields ...string) error {
		def := s.Schema().Types[typ]
		if def == nil {
			return fmt.Errorf("TaskGrid: no type %s", typ)
		}
		for _, name := range fields {
			f := def.Fields.ForName(name)
			if f == nil {
				return fmt.Errorf("TaskGrid: no field %s.%s", typ, name)
			}
			d := f.Directives.ForName("access")
			if d == nil || len(d.Arguments) != 1 || d.Arguments[0].Value.Raw != "ROW" {
				return fmt.Errorf("TaskGrid writes %s.%s, whose access rule is not ROW", typ, name)
			}
		}
		return nil
	}
	if err := check("TaskConnection", "edges"); err != nil {
		return err
	}
	if err := check("TaskEdge", "node", "cursor"); err != nil {
		return err
	}
	return check("Task", gridFields...)
}

// InterceptField writes the edges of a task connection when their
// selection is the grid's; every other field resolves as usual.
func (TaskGrid) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "TaskConnection" || fc.Field.Name != "edges" {
		return next(ctx)
	}
	res, err := next(ctx)
	edges, ok := res.([]*ent.TaskEdge)
	if err != nil || !ok {
		return res, err
	}
	m, err := newGrid(ctx, fc.Field.Selections, edges)
	switch {
	case err != nil:
		return nil, err
	case m != nil:
		return m, nil
	}
	return res, nil
}

// gridField is one field of the grid's output: what it writes, under its
// response key (written once, as gqlgen writes keys).
type gridField struct {
	name string
	key  []byte      // the quoted response key and its colon
	node []gridField // an edge's node: the task's fields
}

// grid is a page of edges written out.
type grid struct {
	ctx    context.Context
	labels map[int][]taskSummary // by task id, when asked for
	scores map[int][]float64
	out    []byte
}

// newGrid returns the edges written as gqlgen writes them, or nil when the
// selection asks for something the grid does not write (or a value is one
// gqlgen would refuse: a null in a non-null field, an infinite score). It
// charges what it will write to the request's budget first
// (database.ChargeAnswer), each data and meta as often as it is asked.
func newGrid(ctx context.Context, sel ast.SelectionSet, rows []*ent.TaskEdge) (*grid, error) {
	oc := graphql.GetOperationContext(ctx)
	g := &grid{ctx: ctx}
	var edge []gridField
	var summaries, scores bool
	asked := map[string]bool{}
	datas, metas := 0, 0 // how often each is asked, under its aliases
	for _, f := range graphql.CollectFields(oc, sel, taskEdgeImplementors) {
		if len(f.Deferrables) > 0 {
			return nil, nil
		}
		gf := gridField{name: f.Name, key: responseKey(f.Alias)}
		switch f.Name {
		case "__typename", "cursor":
		case "node":
			for _, nf := range graphql.CollectFields(oc, f.Selections, taskImplementors) {
				if len(nf.Deferrables) > 0 || !isGridField(nf.Name) {
					return nil, nil
				}
				asked[nf.Name] = true
				switch nf.Name {
				case "data":
					datas++
				case "meta":
					metas++
				}
				gf.node = append(gf.node, gridField{name: nf.Name, key: responseKey(nf.Alias)})
			}
		default:
			return nil, nil
		}
		edge = append(edge, gf)
	}
	summaries, scores = asked["labels"] || asked["reviewStates"], asked["predictionScore"]
	if summaries {
		g.labels = make(map[int][]taskSummary, len(rows))
	}
	if scores {
		g.scores = make(map[int][]float64, len(rows))
	}
	size := 2
	for _, e := range rows {
		t := e.Node
		// The page read these ahead; without them the fields' resolvers
		// would each query.
		if summaries {
			s, ok := preloaded[taskSummary](ctx, "Task.labels", t.ID)
			if !ok {
				return nil, nil
			}
			g.labels[t.ID] = s
		}
		if scores {
			s, ok := preloaded[float64](ctx, "Task.predictionScore", t.ID)
			if !ok || (len(s) > 0 && (math.IsInf(s[0], 0) || math.IsNaN(s[0]))) {
				return nil, nil
			}
			g.scores[t.ID] = s
		}
		if (asked["data"] && t.Data == nil) || (asked["createdAt"] && t.CreatedAt.IsZero()) ||
			(asked["updatedAt"] && t.UpdatedAt.IsZero()) {
			return nil, nil
		}
		size += datas*len(t.Data) + metas*len(t.Meta) + 32*(len(edge)+len(asked)) + 64
	}
	if err := database.ChargeAnswer(ctx, size); err != nil {
		return nil, err
	}
	w := bytes.NewBuffer(make([]byte, 0, size))
	w.WriteByte('[')
	for i, e := range rows {
		if i > 0 {
			w.WriteByte(',')
		}
		g.edge(w, edge, e)
	}
	w.WriteByte(']')
	g.out = w.Bytes()
	return g, nil
}

// responseKey is a field's response key as gqlgen writes it, with its colon.
func responseKey(alias string) []byte {
	var b bytes.Buffer
	graphql.MarshalString(alias).MarshalGQL(&b)
	b.WriteByte(':')
	return b.Bytes()
}

func isGridField(name string) bool {
	if name == "__typename" {
		return true
	}
	for _, f := range gridFields {
		if f == name {
			return true
		}
	}
	return false
}

// MarshalGQL writes the edges.
func (g *grid) MarshalGQL(w io.Writer) { _, _ = w.Write(g.out) }

// edge writes an edge as gqlgen's generated code does: an object with each
// field once under its response key (CollectFields merged the others), in
// the order of the selection.
func (g *grid) edge(w *bytes.Buffer, fields []gridField, e *ent.TaskEdge) {
	w.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(f.key)
		switch f.name {
		case "__typename":
			graphql.MarshalString("TaskEdge").MarshalGQL(w)
		case "cursor":
			e.Cursor.MarshalGQL(w)
		case "node":
			g.task(w, f.node, e.Node)
		}
	}
	w.WriteByte('}')
}

// task writes a task's fields, each as the generated code marshals it.
func (g *grid) task(w *bytes.Buffer, fields []gridField, t *ent.Task) {
	w.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(f.key)
		switch f.name {
		case "__typename":
			graphql.MarshalString("Task").MarshalGQL(w)
		case "id": // graphql.MarshalIntID: the number as a string
			w.WriteByte('"')
			w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(t.ID), 10))
			w.WriteByte('"')
		case "innerId":
			w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(t.InnerID), 10))
		case "data":
			scalar.MarshalRawJSON(t.Data).MarshalGQL(w)
		case "meta":
			if t.Meta == nil {
				graphql.Null.MarshalGQL(w)
			} else {
				scalar.MarshalRawJSON(t.Meta).MarshalGQL(w)
			}
		case "createdAt":
			graphql.MarshalTime(t.CreatedAt).MarshalGQL(w)
		case "updatedAt":
			graphql.MarshalTime(t.UpdatedAt).MarshalGQL(w)
		case "totalAnnotations":
			w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(t.TotalAnnotations), 10))
		case "cancelledAnnotations":
			w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(t.CancelledAnnotations), 10))
		case "labels":
			labels := summaryLabels(g.labels[t.ID])
			w.WriteByte('[')
			for i, l := range labels {
				if i > 0 {
					w.WriteByte(',')
				}
				graphql.MarshalString(l).MarshalGQL(w)
			}
			w.WriteByte(']')
		case "reviewStates":
			w.WriteByte('[')
			for i, s := range summaryStates(g.labels[t.ID]) {
				if i > 0 {
					w.WriteByte(',')
				}
				s.MarshalGQL(w)
			}
			w.WriteByte(']')
		case "predictionScore":
			if best := bestScore(g.scores[t.ID]); best == nil {
				graphql.Null.MarshalGQL(w)
			} else {
				graphql.WrapContextMarshaler(g.ctx, graphql.MarshalFloatContext(*best)).MarshalGQL(w)
			}
		}
	}
	w.WriteByte('}')
}
