package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"gloss/ent/apitoken"
	"gloss/ent/session"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// exchange is the request and response of one HTTP exchange, kept in the
// context so that sign-in can set and clear the session cookie from inside a
// GraphQL resolver.
type exchange struct {
	w        http.ResponseWriter
	r        *http.Request
	signedIn int
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// errBadToken is returned for an Authorization header that names no
// active user's token.
var errBadToken = errors.New("the API token is not valid")

// Authenticate is middleware that resolves the caller once per request: an
// `Authorization: Bearer <token>` or `Authorization: Token <token>` header,
// else the session cookie. A bad token is refused with 401; a missing or
// ended session leaves the caller anonymous. It must run after the CSRF guard
// so that cookie-authenticated state changes are already checked.
func (s *Service) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := &exchange{w: w, r: r}
		ctx := context.WithValue(r.Context(), exchangeKey{}, ex)
		r = r.WithContext(ctx)
		if h := r.Header.Get("Authorization"); h != "" {
			v, err := s.viewerFromToken(ctx, h)
			if err != nil {
				if errors.Is(err, errBadToken) {
					w.Header().Set("WWW-Authenticate", `Bearer realm="gloss"`)
					fault.WriteJSON(w, http.StatusUnauthorized, fault.Unauthenticated, err.Error())
					return
				}
				s.log.Error("authenticate token", "error", err)
				fault.WriteJSON(w, http.StatusInternalServerError, fault.Internal, "internal error")
				return
			}
			ctx = viewer.NewContext(ctx, v)
		} else if v, err := s.viewerFromSession(r); err != nil {
			s.log.Error("authenticate session", "error", err)
			fault.WriteJSON(w, http.StatusInternalServerError, fault.Internal, "internal error")
			return
		} else if v != nil {
			ctx = viewer.NewContext(ctx, v)
		}
		ex.r = r.WithContext(ctx)
		next.ServeHTTP(w, ex.r)
	})
}

func (s *Service) viewerFromToken(ctx context.Context, header string) (*viewer.Viewer, error) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "Token")) || token == "" || len(token) > 256 {
		return nil, errBadToken
	}
	h, err := s.lookup(ctx, apitoken.Table, s.tokens.Hash(token))
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errBadToken
	}
	h.viewer.Method = viewer.MethodToken
	return &h.viewer, nil
}

// viewerFromSession returns the viewer of the request's session cookie, or
// nil for none, an ended session or a user who may no longer sign in.
func (s *Service) viewerFromSession(r *http.Request) (*viewer.Viewer, error) {
	c, err := r.Cookie(s.store.CookieName())
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	h, err := s.lookup(r.Context(), session.Table, s.tokens.Hash(c.Value))
	if err != nil || h == nil {
		return nil, err
	}
	s.store.touch(r.Context(), h.rowID, h.lastSeen)
	h.viewer.Method = viewer.MethodSession
	h.viewer.SessionID = h.rowID
	return &h.viewer, nil
}
