package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// placeholderArgs gives a value to every required argument of f, so its
// complexity function can be called.
func placeholderArgs(f *ast.FieldDefinition, first any) map[string]any {
	args := map[string]any{}
	for _, a := range f.Arguments {
		if !a.Type.NonNull {
			continue
		}
		switch a.Type.Name() {
		case "Int":
			args[a.Name] = 1
		case "Boolean":
			args[a.Name] = true
		default:
			args[a.Name] = "1"
		}
	}
	if first != nil {
		args["first"] = first
	}
	return args
}

// listProblems walks the schema and names every list that is not bounded:
// every list field must be either a connection whose complexity is charged
// at its `first` (at most MaxPageSize, and at MaxPageSize for an
// out-of-range `first`), the edges of such a connection, or a plain list
// with a cap in listCaps that its complexity charges in full.
func listProblems(s *ast.Schema, es graphql.ExecutableSchema) []string {
	ctx := context.Background()
	const child = 7
	var problems []string
	seen := map[string]bool{}
	objectFields(s, func(typ *ast.Definition, f *ast.FieldDefinition) {
		name := typ.Name + "." + f.Name
		result := s.Types[f.Type.Name()]
		switch {
		case result != nil && strings.HasSuffix(result.Name, "Connection") && f.Type.Elem == nil:
			if f.Arguments.ForName("first") == nil {
				problems = append(problems, name+" returns a connection without a `first` argument")
				return
			}
			for _, first := range []any{nil, 1, MaxPageSize, MaxPageSize + 1, 1 << 30, 0, -1000} {
				c, ok := es.Complexity(ctx, typ.Name, f.Name, child, placeholderArgs(f, first))
				if !ok {
					problems = append(problems, fmt.Sprintf("%s (first %v) has no complexity function: it would cost 1 whatever its page size", name, first))
					return
				}
				want := child * pageSize(nil)
				if n, isInt := first.(int); isInt {
					want = child * n
					if n < 1 || n > MaxPageSize {
						want = child * MaxPageSize
					}
				}
				if c < want {
					problems = append(problems, fmt.Sprintf("%s (first %v) costs %d; a page of children costing %d each needs at least %d", name, first, c, child, want))
				}
			}
		case f.Type.Elem == nil:
			// not a list
		case strings.HasSuffix(typ.Name, "Connection") && f.Name == "edges":
			// sized by the `first` of the field that returns the connection
		default:
			seen[name] = true
			limit, ok := listCaps[name]
			if !ok {
				problems = append(problems, name+" is a plain list without a cap: make it a connection, or add a cap to listCaps and LIMIT its loader")
				return
			}
			c, ok := es.Complexity(ctx, typ.Name, f.Name, child, placeholderArgs(f, nil))
			if !ok || c < child*limit {
				problems = append(problems, fmt.Sprintf("%s is capped at %d but costs %d (complexity function set: %v); it must cost at least %d", name, limit, c, ok, child*limit))
			}
		}
	})
	return problems
}

// TestEveryListIsBounded fails on a list of the schema that is neither a
// capped connection nor a plain list with a cap the budget charges: so
// every list added later is covered.
func TestEveryListIsBounded(t *testing.T) {
	s := MustLoadGlossSchema(t)
	for _, p := range listProblems(s, NewSchema(&Resolver{})) {
		t.Error(p)
	}
	// Every cap names a plain list that exists.
	for name := range listCaps {
		typ, field, _ := strings.Cut(name, ".")
		def := s.Types[typ]
		if def == nil || def.Fields.ForName(field) == nil || def.Fields.ForName(field).Type.Elem == nil {
			t.Errorf("listCaps names %s, which is not a list of the schema", name)
		}
	}
}

// TestUnboundedListIsCaught makes sure the walk can fail: a plain list
// without a cap, a connection without `first`, and a capped list whose
// complexity is not charged.
func TestUnboundedListIsCaught(t *testing.T) {
	s := MustLoadSchema(t, &ast.Source{Name: "x.graphqls", Input: `
		type Query { things: [Thing!]! stuff: ThingConnection! }
		type Thing { id: ID! }
		type ThingConnection { edges: [Thing!]! }
		type Task { annotations: [Thing!]! }`})
	got := strings.Join(listProblems(s, NewSchema(&Resolver{})), "\n")
	for _, want := range []string{"Query.things is a plain list without a cap", "Query.stuff returns a connection without a `first`"} {
		if !strings.Contains(got, want) {
			t.Errorf("the walk did not report %q; it reported:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Task.annotations") {
		t.Errorf("a capped, charged list was reported:\n%s", got)
	}
	c := Config{}
	es := NewExecutableSchema(c) // no complexity functions at all
	if got := strings.Join(listProblems(MustLoadGlossSchema(t), es), "\n"); !strings.Contains(got, "Task.annotations is capped at") {
		t.Errorf("an uncharged capped list was not reported:\n%s", got)
	}
}

// TestInList proves when a capped list waits for siblings to batch with:
// only when its object is an item of a list (tasks.edges[3].node), never for
// a single object (task(id)), whose load must not wait at all.
func TestInList(t *testing.T) {
	name := "task"
	single := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{
		Field: graphql.CollectedField{Field: &ast.Field{Name: name, Alias: name}},
	})
	if inList(single) {
		t.Error("a single object counts as a list item")
	}
	item := graphql.WithPathContext(single, graphql.NewPathWithIndex(3))
	item = graphql.WithFieldContext(item, &graphql.FieldContext{
		Field: graphql.CollectedField{Field: &ast.Field{Name: "annotations", Alias: "annotations"}},
	})
	if !inList(item) {
		t.Errorf("a list item's field does not count as in a list: path %v", graphql.GetPath(item))
	}
}
