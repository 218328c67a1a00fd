package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"gloss/ent"
	"gloss/ent/apitoken"
	"gloss/ent/membership"
	"gloss/internal/fault"
	"gloss/internal/secret"
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
	// System context: the token lookup decides who the viewer is.
	sys := viewer.NewSystemContext(ctx)
	t, err := s.client.APIToken.Query().Where(apitoken.TokenHash(secret.Hash(token))).WithUser().Only(sys)
	if ent.IsNotFound(err) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	v, err := s.viewerFor(sys, t.Edges.User)
	if err != nil || v == nil {
		if err == nil {
			err = errBadToken
		}
		return nil, err
	}
	v.Method = viewer.MethodToken
	return v, nil
}

func (s *Service) viewerFromSession(r *http.Request) (*viewer.Viewer, error) {
	if _, err := r.Cookie(s.store.CookieName()); err != nil {
		return nil, nil
	}
	sess, err := s.store.New(r, s.store.CookieName())
	if err != nil || sess.IsNew {
		return nil, err
	}
	row, _ := sess.Values[valueSession].(*ent.Session)
	// System context: the session lookup decides who the viewer is.
	sys := viewer.NewSystemContext(r.Context())
	u, err := s.client.User.Get(sys, row.UserID)
	if err != nil {
		return nil, err
	}
	v, err := s.viewerFor(sys, u)
	if v != nil {
		v.Method = viewer.MethodSession
		v.SessionID = row.ID
	}
	return v, err
}

// viewerFor builds the viewer of an active user: their active organization
// and role there, or their oldest membership when they are no longer in
// the active one. A deactivated user, or one without a membership, is
// nobody.
func (s *Service) viewerFor(sys context.Context, u *ent.User) (*viewer.Viewer, error) {
	if u == nil || !u.Active {
		return nil, nil
	}
	q := s.client.Membership.Query().Where(membership.UserID(u.ID))
	var m *ent.Membership
	var err error
	if u.ActiveOrganizationID != nil {
		m, err = q.Clone().Where(membership.OrganizationID(*u.ActiveOrganizationID)).Only(sys)
	}
	if m == nil {
		m, err = q.Order(ent.Asc(membership.FieldID)).First(sys)
	}
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &viewer.Viewer{UserID: u.ID, OrgID: m.OrganizationID, Role: m.Role}, nil
}
