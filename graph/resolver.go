// Package graph is Gloss's GraphQL layer: the hand-written schema, thin
// resolvers that turn arguments into one ent chain or one call into
// internal/, the @access directive, and the error presenter.
package graph

import (
	"context"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gloss/ent"
	"gloss/internal/accounts"
	"gloss/internal/database"
	"gloss/internal/dataset"
	"gloss/internal/draft"
	"gloss/internal/fault"
	"gloss/internal/labeling"
	"gloss/internal/organization"
	"gloss/internal/projects"
	"gloss/internal/storage"
	"gloss/internal/webhook"
)

// MaxPageSize is the largest `first` a connection accepts.
const MaxPageSize = 100

// Resolver holds what the resolvers need.
type Resolver struct {
	Client        *ent.Client
	Accounts      *accounts.Service
	Projects      *projects.Service
	Labeling      *labeling.Service
	Drafts        *draft.Service
	Dataset       *dataset.Service
	Organizations *organization.Service
	Webhooks      *webhook.Service
	Storages      *storage.Service
}

// NewSchema returns the executable schema with its directives and the
// complexity functions that charge every list at its size (see cost.go).
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	c := Config{Resolvers: r}
	c.Directives.Access = r.Access
	setComplexity(&c)
	return NewExecutableSchema(c)
}

// client returns the transaction's client in a mutation, else the base one.
func (r *Resolver) client(ctx context.Context) *ent.Client {
	return database.ClientFrom(ctx, r.Client)
}

// pageSize returns the page size a `first` argument asks for (default 20).
func pageSize(first *int) int {
	if first == nil {
		return 20
	}
	return *first
}

// checkFirst validates a connection's `first`: 1 to MaxPageSize.
func checkFirst(first *int) (*int, error) {
	n := pageSize(first)
	if n < 1 || n > MaxPageSize {
		return nil, fault.Invalid("first must be between 1 and %d", MaxPageSize)
	}
	return &n, nil
}

// cursorKind is what the value of a list's cursors is: none (a list in id
// order), a time, or a count.
type cursorKind int

const (
	byID cursorKind = iota
	byTime
	byCount
)

// checkCursor refuses an `after` cursor this server cannot have given out
// for a list whose cursors are of kind: entgql decodes any msgpack value
// into a cursor, and a value of another kind than the order's (a string, a
// time for a count, anything for the id order, a count out of range)
// reached the database driver as an argument it cannot convert, an
// internal error on PostgreSQL. A cursor without a value is the id's alone.
func checkCursor(c *ent.Cursor, kind cursorKind) error {
	if c == nil {
		return nil
	}
	var ok bool
	switch v := c.Value.(type) {
	case nil:
		ok = true
	case time.Time:
		// Within the years both databases keep (beyond, PostgreSQL
		// refuses the value, and far beyond it overflows on the way).
		ok = kind == byTime && v.Year() >= 1 && v.Year() <= 9999
	case int, int8, int16, int32, int64, uint8, uint16, uint32:
		ok = kind == byCount
	case uint:
		ok = kind == byCount && v <= math.MaxInt64
	case uint64:
		ok = kind == byCount && v <= math.MaxInt64
	}
	if !ok {
		return fault.Invalid("after is not a cursor of this list: pass a cursor (endCursor) from the previous page")
	}
	return nil
}

var errUnauthenticated = fault.ErrSignIn

var errForbidden = fault.New(fault.Forbidden, "you are not allowed to read or do this")

// nullIfNotFound turns "not found" into a null result, as by-id queries
// answer for objects that do not exist or are not visible.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// deref returns *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// pageContext returns ctx for entgql's Paginate, which reads the selection
// of the connection field to decide what to do, by alias. Paginate counts
// every row of the list (a COUNT(*)) whenever pageInfo is selected, only
// to fill totalCount, while
// hasNextPage and the cursors come from reading one row past the page; and
// it misses an aliased totalCount or edges. So the selection it sees names
// its fields by their names, without pageInfo unless totalCount is asked,
// and without either when the caller knows the total (known).
func pageContext(ctx context.Context, known bool) context.Context {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ctx
	}
	fields := graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil)
	count := false
	for _, f := range fields {
		count = count || (f.Name == "totalCount" && !known)
	}
	var keep ast.SelectionSet
	for _, f := range fields {
		if (f.Name == "pageInfo" || f.Name == "totalCount") && !count {
			continue
		}
		field := *f.Field
		field.Alias = field.Name
		field.SelectionSet = f.Selections
		keep = append(keep, &field)
	}
	c := *fc
	c.Field.Selections = keep
	return graphql.WithFieldContext(ctx, &c)
}

// onlyID reports whether the field being resolved selects nothing of its
// object but id (and __typename).
func onlyID(ctx context.Context) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name != "id" && f.Name != "__typename" {
			return false
		}
	}
	return true
}
