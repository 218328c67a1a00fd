package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"gloss/ent"
	"gloss/graph"
	"gloss/internal/database"
	"gloss/internal/fault"
)

// GraphQL limits. Complexity counts every field once and every list at its
// size (a connection's `first`, a plain list's cap; see graph/cost.go), so
// maxComplexity is also the most fields (nodes) a response can hold.
const (
	maxDepth      = 10
	maxAliases    = 15
	maxDirectives = 20
	maxTokens     = 5000
	maxComplexity = 10000
	maxWalk       = 5000 // selections visited while checking, fragments expanded
)

// newGraphQL returns the /graphql handler: gqlgen's handler.New with only
// the POST transport, the limits above, mutations in a transaction, the
// error presenter, and introspection only when the operator enables it.
func newGraphQL(client *ent.Client, schema graphql.ExecutableSchema, introspection bool, log *slog.Logger) http.Handler {
	srv := handler.New(schema)
	srv.AddTransport(postTransport{})
	srv.SetQueryCache(cachedQueries{lru.New[*ast.QueryDocument](1000)})
	srv.SetParserTokenLimit(maxTokens)
	srv.SetDisableSuggestion(true)
	if introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(maxComplexity))
	srv.Use(shapeLimits{introspection: introspection, passed: lru.New[struct{}](1000)})
	// Every mutation runs in one transaction (transactions), except an
	// operation whose one field opens its own or needs none (ownTransaction)
	// and one of nothing but createAnnotation.
	srv.Use(transactions{entgql.Transactioner{TxOpener: client}})
	srv.Use(oneRequestError{})
	srv.Use(graph.RequestScope{})
	srv.Use(graph.AnswerBudget{})
	srv.Use(graph.TaskGrid{})
	srv.SetErrorPresenter(graph.ErrorPresenter(log, RequestID))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.Error("graphql panic", slog.Any("panic", v), slog.String("request_id", RequestID(ctx)))
		return errors.New("panic in resolver")
	})
	return checkGraphQLRequest(readBudget(srv))
}

// cachedQueries keeps the parsed queries of up to cachedQueryBytes of
// text, which every client's own operations are: a longer one is parsed on
// each request, so that queries of up to maxQueryBytes, different each
// time, cannot fill the cache (a thousand of a megabyte each held 2 GB).
type cachedQueries struct{ lru *lru.LRU[*ast.QueryDocument] }

const cachedQueryBytes = 8 << 10

func (c cachedQueries) Get(ctx context.Context, key string) (*ast.QueryDocument, bool) {
	return c.lru.Get(ctx, key)
}

func (c cachedQueries) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	if len(key) <= cachedQueryBytes {
		c.lru.Add(ctx, key, doc)
	}
}

// readBudget gives every GraphQL request a read budget
// (database.WithReadBudget), ended once its response is written: gqlgen
// holds the whole response until then.
func readBudget(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, end := database.WithReadBudget(r.Context())
		defer end()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ownTransaction are the mutations that must not run inside the
// operation's transaction: login and changePassword, whose attempts must
// be counted although the operation fails (changePassword opens its own
// transaction for the change); importTasksFromUrl and importTasks, which
// download and parse before they open their own transaction, and signup,
// which hashes the password before it opens its own, so that a slow
// server, a big import or a password hash never holds the write lock; and
// checkStorage and syncStorage, which reach a storage (or start a sync that
// does) and write only their own bookkeeping; and logout, which clears the
// session's cookie in its answer, so its end of the session must not roll
// back with another field's failure (beside one it did, and the session
// lived on for whoever kept the cookie); and deleteTasks,
// deleteAnnotations, deleteProject and deleteOrganization, which take all
// matching tasks in steps, a transaction each, so that a million tasks do
// not hold the write lock for seconds.
// Each must be the only field
// of its operation: beside it another mutation would lose the transaction
// it relies on, and inside one its own would wait for the write lock the
// operation holds (on SQLite, for as long as the request lived).
var ownTransaction = []string{"login", "changePassword", "importTasksFromUrl", "importTasks", "signup", "checkStorage", "syncStorage", "logout", "deleteTasks", "deleteAnnotations", "deleteProject", "deleteOrganization"}

// transactions runs a mutation operation in one transaction
// (entgql.Transactioner: all or nothing, resolvers one at a time), except
// an operation of one field of ownTransaction, or of nothing but
// createAnnotation (the label stream's submit), which reads the task and
// checks the result against the project's configuration before it opens
// its own short transaction. The decision is made on the root fields the
// operation runs (gqlgen's CollectFields: fragments expanded, @skip and
// @include applied with the request's variables), not on how its text
// spells them: an inline fragment once hid login from the decision, and
// its throttle reservation then waited for the write lock its own
// operation held, so that one unauthenticated request stopped every write
// of a SQLite server; and importTasks beside updateAnnotation once ran the
// update, check and counters apart. An operation that mixes a field of
// ownTransaction with any other is refused before anything runs.
type transactions struct{ tx entgql.Transactioner }

func (transactions) ExtensionName() string                       { return "Transactions" }
func (t transactions) Validate(s graphql.ExecutableSchema) error { return t.tx.Validate(s) }

func (t transactions) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	fields := rootFields(oc)
	for _, f := range fields {
		if slices.Contains(ownTransaction, f) && len(fields) > 1 {
			return limitError("%s must be the only field of its operation: send the other fields in another request", f)
		}
	}
	if ownTx(fields) {
		return nil
	}
	return t.tx.MutateOperationContext(ctx, oc)
}

// InterceptResponse runs the operation in its transaction. gqlgen also
// runs response interceptors for a request that failed before it had an
// operation (a body it could not decode, a parse error), where there is
// nothing to run.
func (t transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation || ownTx(rootFields(oc)) {
		return next(ctx)
	}
	return t.tx.InterceptResponse(ctx, next)
}

// rootFields are the names of the root fields oc's operation runs.
func rootFields(oc *graphql.OperationContext) []string {
	var names []string
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		names = append(names, f.Name)
	}
	return names
}

// ownTx reports whether an operation of the root fields runs outside the
// operation's transaction: one field of ownTransaction, or nothing but
// createAnnotation.
func ownTx(fields []string) bool {
	if len(fields) == 1 && slices.Contains(ownTransaction, fields[0]) {
		return true
	}
	return len(fields) > 0 && !slices.ContainsFunc(fields, func(f string) bool { return f != "createAnnotation" })
}

// oneRequestError answers a request that failed before it ran (a parse or
// validation failure) with its first error only, saying how many more there
// were: the validator reports every unknown or repeated directive, every
// bad argument, ..., and a flood of them should not become a flood of
// errors in the response.
type oneRequestError struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = oneRequestError{}

func (oneRequestError) ExtensionName() string                   { return "OneRequestError" }
func (oneRequestError) Validate(graphql.ExecutableSchema) error { return nil }
func (oneRequestError) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) < 2 || resp.Data != nil {
		return resp
	}
	if graphql.HasOperationContext(ctx) && graphql.GetOperationContext(ctx).Operation != nil {
		return resp // errors of a running operation, one per failed field
	}
	first := *resp.Errors[0]
	first.Message += fmt.Sprintf(" (and %d more errors)", len(resp.Errors)-1)
	resp.Errors = gqlerror.List{&first}
	return resp
}

// shapeLimits refuses operations that are too deep, use too many aliases or
// directives. It runs on the parsed document before gqlgen validates it, so
// a flood of directives is one "too many directives" error rather than one
// validation error per directive. Fragments are expanded while counting,
// with a cap on the work, so fragment bombs are refused rather than walked.
// Unless introspection is on, it also refuses __schema and __type with a
// clear error rather than an internal one.
//
// The operations that passed are remembered (by a hash of their query and
// operation name, so memory stays small whatever the queries' size), and a
// repeated one is not parsed again for the check: clients send the same few
// queries over and over, which gqlgen's own cache spares parsing too.
type shapeLimits struct {
	introspection bool
	passed        *lru.LRU[struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l shapeLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	h := sha256.New()
	h.Write([]byte(params.OperationName))
	h.Write([]byte{0})
	h.Write([]byte(params.Query))
	key := string(h.Sum(nil))
	if _, ok := l.passed.Get(ctx, key); ok {
		return nil
	}
	if err := l.check(params); err != nil {
		return err
	}
	l.passed.Add(ctx, key, struct{}{})
	return nil
}

// check checks one operation's shape.
func (l shapeLimits) check(params *graphql.RawParams) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, maxTokens)
	if err != nil {
		return nil // gqlgen reports the parse error itself
	}
	op := doc.Operations.ForName(params.OperationName)
	if op == nil {
		return nil // likewise "operation not found"
	}
	w := &walker{fragments: doc.Fragments}
	w.directives += len(op.Directives)
	w.selections(op.SelectionSet, 1)
	switch {
	case w.introspects && !l.introspection:
		return limitError("introspection is disabled on this server (GLOSS_GRAPHQL_INTROSPECTION)")
	case w.visited > maxWalk:
		return limitError("the query is too large")
	case w.depth > maxDepth:
		return limitError("the query is nested %d levels deep; the limit is %d", w.depth, maxDepth)
	case w.aliases > maxAliases:
		return limitError("the query uses %d aliases; the limit is %d", w.aliases, maxAliases)
	case w.directives > maxDirectives:
		return limitError("the query uses %d directives; the limit is %d", w.directives, maxDirectives)
	}
	return nil
}

// MutateOperationContext refuses, before anything runs, a page size out of
// range anywhere in the operation: every list argument `first` is 1 to
// graph.MaxPageSize.
func (shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var bad *gqlerror.Error
	visited := 0
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			if visited++; visited > maxWalk || bad != nil {
				return
			}
			switch s := s.(type) {
			case *ast.Field:
				if s.Arguments.ForName("first") != nil {
					if v := s.ArgumentMap(oc.Variables)["first"]; v != nil {
						n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
						if err != nil || n < 1 || n > graph.MaxPageSize {
							bad = limitError("first must be between 1 and %d (at %s)", graph.MaxPageSize, s.Alias)
							return
						}
					}
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(oc.Operation.SelectionSet)
	return bad
}

func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": fault.BadInput}
	return e
}

type walker struct {
	fragments                           ast.FragmentDefinitionList
	depth, aliases, directives, visited int
	// introspects: the operation asks for __schema or __type, which only
	// the query root has, written there or in a fragment spread on it.
	introspects bool
}

func (w *walker) selections(set ast.SelectionSet, depth int) {
	for _, s := range set {
		w.visited++
		if w.visited > maxWalk {
			return
		}
		switch s := s.(type) {
		case *ast.Field:
			if depth > w.depth {
				w.depth = depth
			}
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if s.Name == "__schema" || s.Name == "__type" {
				w.introspects = true
			}
			w.directives += len(s.Directives)
			w.selections(s.SelectionSet, depth+1)
		case *ast.InlineFragment:
			w.directives += len(s.Directives)
			w.selections(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			w.directives += len(s.Directives)
			if def := w.fragments.ForName(s.Name); def != nil {
				w.directives += len(def.Directives)
				w.selections(def.SelectionSet, depth)
			}
		}
	}
}
