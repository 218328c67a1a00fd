// Package fault defines the few error codes Gloss shows to clients. Domain
// code wraps or returns a *Error with a code and a message written for the
// person who sent the request; the GraphQL and HTTP layers map each code to
// extensions.code and a status in one place. Anything else is internal.
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is a client-visible error class, as listed in API.md.
type Code string

// The codes a client can see.
const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	BadInput        Code = "BAD_USER_INPUT"
	RateLimited     Code = "RATE_LIMITED"
	Internal        Code = "INTERNAL"
)

// Error is an error whose message is safe to show to the client.
type Error struct {
	Code    Code
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// New returns an error with the given code and message.
func New(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a BAD_USER_INPUT error.
func Invalid(format string, args ...any) error { return New(BadInput, format, args...) }

// Partial is the error of an operation that did part of its work, in
// transactions that have committed, before Err ended it. Done says what
// was done, for the person who sent it; the message is Err's with Done
// after it.
type Partial struct {
	Err  error
	Done string
}

func (p *Partial) Error() string { return p.Err.Error() + " (" + p.Done + ")" }
func (p *Partial) Unwrap() error { return p.Err }

// Done returns what the operation that failed with err did before it (a
// Partial in err's chain), or "".
func Done(err error) string {
	var p *Partial
	if errors.As(err, &p) {
		return p.Done
	}
	return ""
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// WriteJSON writes a GraphQL-shaped error response for failures that happen
// before GraphQL runs (middleware, limits), so every client sees one shape.
func WriteJSON(w http.ResponseWriter, status int, code Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{
			"message":    message,
			"extensions": map[string]any{"code": code},
		}},
	})
}
