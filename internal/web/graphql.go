package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gloss/ent"
	"gloss/graph"
	"gloss/internal/fault"
)

// GraphQL limits. Complexity multiplies list costs by their page size.
const (
	maxDepth      = 10
	maxAliases    = 15
	maxDirectives = 20
	maxTokens     = 5000
	maxComplexity = 2500
	maxWalk       = 5000 // selections visited while checking, fragments expanded
)

// newGraphQL returns the /graphql handler: gqlgen's handler.New with only
// the POST transport, the limits above, mutations in a transaction, the
// error presenter, and introspection only when the operator enables it.
func newGraphQL(client *ent.Client, schema graphql.ExecutableSchema, introspection bool, log *slog.Logger) http.Handler {
	srv := handler.New(schema)
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(maxTokens)
	srv.SetDisableSuggestion(true)
	if introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(maxComplexity))
	srv.Use(shapeLimits{introspection: introspection})
	// Every mutation runs in one transaction, except login and
	// changePassword, whose attempts must be counted although the operation
	// fails (changePassword opens its own transaction for the change), and
	// importTasksFromUrl, which downloads before it opens its own
	// transaction so a slow server never holds the write lock.
	srv.Use(entgql.Transactioner{TxOpener: client, SkipTxFunc: entgql.SkipIfHasFields("login", "changePassword", "importTasksFromUrl")})
	srv.SetErrorPresenter(graph.ErrorPresenter(log, RequestID))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.Error("graphql panic", slog.Any("panic", v), slog.String("request_id", RequestID(ctx)))
		return errors.New("panic in resolver")
	})
	return checkGraphQLRequest(srv)
}

// checkGraphQLRequest refuses what the GraphQL endpoint does not take before
// gqlgen sees it: anything but an application/json body, bodies over the
// limit, and batched (array) requests.
func checkGraphQLRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			fault.WriteJSON(w, http.StatusUnsupportedMediaType, fault.BadInput, "POST /graphql takes an application/json body")
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fault.WriteJSON(w, http.StatusRequestEntityTooLarge, fault.BadInput, "the request body is larger than 1 MiB")
				return
			}
			fault.WriteJSON(w, http.StatusBadRequest, fault.BadInput, "could not read the request body")
			return
		}
		if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
			fault.WriteJSON(w, http.StatusBadRequest, fault.BadInput, "batched requests are not supported: send one operation per request")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// shapeLimits refuses operations that are too deep, use too many aliases or
// directives. Fragments are expanded while counting, with a cap on the
// work, so fragment bombs are refused rather than walked.
// Unless introspection is on, it also refuses __schema and __type with a
// clear error rather than an internal one.
type shapeLimits struct{ introspection bool }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if !l.introspection {
		for _, sel := range oc.Operation.SelectionSet {
			if f, ok := sel.(*ast.Field); ok && (f.Name == "__schema" || f.Name == "__type") {
				return limitError("introspection is disabled on this server (GLOSS_GRAPHQL_INTROSPECTION)")
			}
		}
	}
	w := &walker{}
	w.directives += len(oc.Operation.Directives)
	w.selections(oc.Operation.SelectionSet, 1)
	switch {
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

func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": fault.BadInput}
	return e
}

type walker struct {
	depth, aliases, directives, visited int
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
			w.directives += len(s.Directives)
			w.selections(s.SelectionSet, depth+1)
		case *ast.InlineFragment:
			w.directives += len(s.Directives)
			w.selections(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			w.directives += len(s.Directives)
			if s.Definition != nil {
				w.selections(s.Definition.SelectionSet, depth)
			}
		}
	}
}
