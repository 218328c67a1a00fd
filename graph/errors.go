package graph

import (
	"context"
	"errors"
	"log/slog"
	"regexp"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gloss/ent"
	"gloss/ent/privacy"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// didYouMean matches the suggestions some validators append; Gloss never
// hints at names a caller did not already know.
var didYouMean = regexp.MustCompile(`\s*Did you mean[^?]*\?`)

// ErrorPresenter maps every error to one of the codes in API.md, in one
// place. Only internal errors are logged; they reach the client as INTERNAL
// with the request id, never with their text.
func ErrorPresenter(log *slog.Logger, requestID func(context.Context) string) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		code, msg := classify(ctx, err, gqlErr)
		if code == fault.Internal {
			id := requestID(ctx)
			log.Error("graphql internal error", slog.String("request_id", id), slog.Any("error", err))
			msg = "internal error (request id " + id + ")"
		}
		out := &gqlerror.Error{
			Message:    didYouMean.ReplaceAllString(msg, ""),
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": code},
		}
		return out
	}
}

func classify(ctx context.Context, err error, gqlErr *gqlerror.Error) (fault.Code, string) {
	var verr *ent.ValidationError
	switch {
	case fault.As(err) != nil:
		f := fault.As(err)
		return f.Code, f.Message
	case errors.Is(err, privacy.Deny):
		if viewer.FromContext(ctx) == nil {
			return fault.Unauthenticated, errUnauthenticated.Error()
		}
		return fault.Forbidden, errForbidden.Error()
	case ent.IsNotFound(err):
		return fault.NotFound, "not found"
	case errors.As(err, &verr):
		return fault.BadInput, verr.Name + ": " + errors.Unwrap(verr).Error()
	case ent.IsConstraintError(err):
		return fault.BadInput, "this conflicts with an existing record"
	case gqlErr.Err == nil:
		// Errors gqlgen made itself: parsing, validation, limits, coercion.
		return fault.BadInput, gqlErr.Message
	}
	return fault.Internal, ""
}
