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

// InterceptField charges the field's value once resolved: its text as
// gqlgen writes it (quotedLen), or its JSON. Other values (numbers, ids, times, objects and lists, whose
// fields are charged on their own) are bounded by the complexity limit.
func (AnswerBudget) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	n := 0
	switch v := res.(type) {
	case string:
		n = quotedLen(v)
	case *string:
		if v != nil {
			n = quotedLen(*v)
		}
	case json.RawMessage:
		n = len(v)
	case []string:
		for _, s := range v {
			n += quotedLen(s)
		}
	}
	if err := database.ChargeAnswer(ctx, n); err != nil {
		return nil, err
	}
	return res, nil
}

// quotedLen is the length of s as gqlgen writes it in the response, a
// quoted JSON string: a quote, a backslash, a tab, a carriage return or a
// newline takes two bytes and another control character six (\u00XX), so
// a text of newlines answers twice its length.
func quotedLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\t' || c == '\r' || c == '\n':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}
