package graph

import (
	"context"
	"errors"
	"log/slog"
	"regexp"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gloss/internal/fault"
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
			if fault.Canceled(ctx, err) {
				// The client went away or the request ran out of time:
				// not the server's fault, and every field still running
				// fails the same way, so one quiet line per request.
				if firstCancellation(ctx) {
					log.Info("graphql request cancelled", slog.String("request_id", id), slog.String("cause", cancelCause(ctx, err)))
				}
				msg = "the request was cancelled before it finished (request id " + id + ")"
			} else {
				log.Error("graphql internal error", slog.String("request_id", id), slog.Any("error", err))
				msg = "internal error (request id " + id + ")"
			}
			if done := fault.Done(err); done != "" {
				msg += " (" + done + ")"
			}
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

// cancelCause names why a cancelled request ended, without the error text
// (which may quote SQL).
func cancelCause(ctx context.Context, err error) string {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "deadline exceeded"
	}
	return "canceled"
}

func classify(ctx context.Context, err error, gqlErr *gqlerror.Error) (fault.Code, string) {
	code, msg := fault.Classify(ctx, err)
	if code == fault.Internal && argumentError(ctx, gqlErr) {
		// A value gqlgen could not turn into an argument (a cursor that
		// does not decode, a malformed time): the caller's mistake.
		return fault.BadInput, "invalid " + gqlErr.Path.String() + ": " + gqlErr.Message
	}
	if code == fault.Internal && gqlErr.Err == nil {
		// Errors gqlgen made itself: parsing, validation, limits, coercion.
		// Name where, when gqlgen's message does not (e.g. "unknown field").
		if len(gqlErr.Path) > 0 && gqlErr.Path[0] == ast.PathName("variable") {
			return fault.BadInput, gqlErr.Message + " at " + gqlErr.Path.String()
		}
		return fault.BadInput, gqlErr.Message
	}
	return code, msg
}

// argumentError reports whether gqlErr arose while gqlgen decoded the
// arguments of the field in ctx: its path goes past the field's own path
// (into the argument), which a resolver's error never does.
func argumentError(ctx context.Context, gqlErr *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args != nil {
		return false
	}
	own := fc.Path()
	if len(gqlErr.Path) <= len(own) {
		return false
	}
	name, ok := gqlErr.Path[len(own)].(ast.PathName)
	return ok && fc.Field.Arguments.ForName(string(name)) != nil
}
