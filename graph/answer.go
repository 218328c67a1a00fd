package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"

	"gloss/internal/database"
)

// AnswerBudget is the gqlgen extension that charges what each field
// answers to the request's budget (database.ChargeAnswer) as the field is
// resolved: a value read once may be answered many times (a project's
// configuration under each task of a page, a task's data under fifteen
// aliases), and gqlgen holds the whole response until it is written. The
// reads themselves are charged as they are scanned; the data manager's
// grid charges what it writes itself (TaskGrid).
type AnswerBudget struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = AnswerBudget{}

// ExtensionName names the extension.
func (AnswerBudget) ExtensionName() string { return "AnswerBudget" }

// Validate accepts every schema.
func (AnswerBudget) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField charges the field's value once resolved: its text, or
// its JSON. Other values (numbers, ids, times, objects and lists, whose
// fields are charged on their own) are bounded by the complexity limit.
func (AnswerBudget) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	n := 0
	switch v := res.(type) {
	case string:
		n = len(v)
	case *string:
		if v != nil {
			n = len(*v)
		}
	case json.RawMessage:
		n = len(v)
	case []string:
		for _, s := range v {
			n += len(s)
		}
	}
	if err := database.ChargeAnswer(ctx, n); err != nil {
		return nil, err
	}
	return res, nil
}
