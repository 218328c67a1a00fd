package fault

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"gloss/ent"
	"gloss/ent/privacy"
	"gloss/internal/viewer"
)

// Classify maps an error to its client code and the message to show. Errors
// it does not know are Internal with an empty message: the caller logs them
// and shows only a request id (and what a Partial did before it: Done).
func Classify(ctx context.Context, err error) (Code, string) {
	var partial *Partial
	if errors.As(err, &partial) {
		code, msg := Classify(ctx, partial.Err)
		if msg != "" {
			msg += " (" + partial.Done + ")"
		}
		return code, msg
	}
	var verr *ent.ValidationError
	switch {
	case errors.As(err, &verr):
		return BadInput, invalidField(verr)
	case As(err) != nil:
		f := As(err)
		return f.Code, f.Message
	case errors.Is(err, privacy.Deny):
		if v := viewer.FromContext(ctx); v == nil || v.UserID == 0 {
			return Unauthenticated, "sign in first"
		}
		return Forbidden, "you are not allowed to read or do this"
	case ent.IsNotFound(err):
		return NotFound, "not found"
	case ent.IsConstraintError(err):
		return BadInput, "this conflicts with an existing record"
	}
	return Internal, ""
}

// Canceled reports whether err is the end of a request that was cancelled
// (the client went away) or ran out of time, rather than a fault: the
// error says so, or the request's context is done (a driver may report an
// interrupted query in its own words).
func Canceled(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil
}

// Status is the HTTP status of a code, for endpoints outside GraphQL.
func Status(c Code) int {
	switch c {
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case BadInput:
		return http.StatusBadRequest
	case RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// ErrSignIn is the error of an operation that needs a signed-in user.
var ErrSignIn = New(Unauthenticated, "sign in first")

// SignedIn returns the signed-in user's viewer, or ErrSignIn.
func SignedIn(ctx context.Context) (*viewer.Viewer, error) {
	if v := viewer.User(ctx); v != nil {
		return v, nil
	}
	return nil, ErrSignIn
}

// invalidField is the message of an ent validation error: the field's API
// name, then what is wrong with it. The schema's own validators write that
// as a phrase that completes the name ("title is longer than 200
// characters"); other causes follow a colon.
func invalidField(verr *ent.ValidationError) string {
	name := apiName(verr.Name)
	if f := As(verr); f != nil {
		return name + " " + f.Message
	}
	cause := errors.Unwrap(verr)
	for inner := errors.Unwrap(cause); inner != nil; inner = errors.Unwrap(inner) {
		cause = inner
	}
	if cause == nil {
		return name + " is not valid"
	}
	return name + ": " + cause.Error()
}

// apiName turns an ent field name (label_config) into the name the API
// uses (labelConfig).
func apiName(field string) string {
	parts := strings.Split(field, "_")
	for i := 1; i < len(parts); i++ {
		if p := parts[i]; p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}
