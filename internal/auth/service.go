// Package auth is the HTTP side of identity: the middleware that turns a
// request's API token or session cookie into a viewer, the database-backed
// session store, the client's address, and the request exchange through
// which a sign-in made inside a GraphQL resolver sets and clears the session
// cookie (internal/accounts drives it through the accounts.Sessions
// interface). Who may do what is the ent privacy policies' decision
// (internal/rule); this package makes no role decision of its own.
package auth

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"

	"gloss/ent"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/forwarded"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// Service holds what the HTTP side of identity needs.
type Service struct {
	client *ent.Client
	// db is the pool of plain reads (database.DB.Read), for the viewer
	// lookup's prepared statements: on SQLite the lookup never waits for
	// the one writer connection, which a request's own transaction and
	// every other writer hold in turn.
	db      *sql.DB
	lookups lookupStatements // see lookup
	tokens  secret.TokenHasher
	store   *SessionStore
	log     *slog.Logger
}

// Options configure a Service.
type Options struct {
	// Key is the server secret, which API and session tokens are hashed
	// under (secret.TokenHasher): every process of one deployment must
	// have the same.
	Key secret.Key
	// Secure makes session cookies Secure and __Host- prefixed (see
	// NewSessionStore).
	Secure bool
	// Audit records the sessions a sign-in ends to stay within
	// MaxSessions.
	Audit  *audit.Log
	Logger *slog.Logger
}

// NewService returns a Service over db.
func NewService(db *database.DB, o Options) *Service {
	tokens := o.Key.TokenHasher()
	return &Service{
		client: db.Client, db: db.Read, lookups: lookupStatements{dialect: db.Dialect}, tokens: tokens,
		store: NewSessionStore(db.Client, tokens, o.Secure, o.Audit), log: o.Logger,
	}
}

// Store returns the session store.
func (s *Service) Store() *SessionStore { return s.store }

// StartSession ends the session of the request in ctx, if any, and starts a
// new one for userID (rotation: a session id planted before sign-in is
// worthless), setting the session cookie on the response. In a transaction
// the cookie is set once it has committed: set at once, a session whose
// row then rolled back (a commit that failed) replaced the browser's
// cookie with one that names no session, and signed it out.
func (s *Service) StartSession(ctx context.Context, userID int) error {
	ex := exchangeFrom(ctx)
	if ex == nil {
		return fmt.Errorf("start session: no HTTP exchange in context")
	}
	w := http.ResponseWriter(ex.w)
	if tx := ent.TxFromContext(ctx); tx != nil {
		held := &heldCookies{ResponseWriter: ex.w, header: http.Header{}}
		w = held
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				for _, c := range held.header.Values("Set-Cookie") {
					ex.w.Header().Add("Set-Cookie", c)
				}
				return nil
			})
		})
	}
	r := ex.r.WithContext(ctx)
	if old, err := s.store.New(r, s.store.CookieName()); err == nil && !old.IsNew {
		old.Options.MaxAge = -1
		if err := s.store.Save(r, w, old); err != nil {
			return err
		}
	}
	sess, _ := s.store.New(&http.Request{Header: http.Header{}}, s.store.CookieName())
	sess.Values[valueUserID] = userID
	if err := s.store.Save(r, w, sess); err != nil {
		return err
	}
	ex.signedIn = userID
	return nil
}

// heldCookies is a response writer whose cookies (its only use here) wait
// in header until StartSession's transaction commits.
type heldCookies struct {
	http.ResponseWriter
	header http.Header
}

func (h *heldCookies) Header() http.Header { return h.header }

// EndSession ends the session of the request in ctx on the server and clears
// its cookie. It reports false, doing nothing, when ctx carries no HTTP
// exchange.
func (s *Service) EndSession(ctx context.Context) (bool, error) {
	ex := exchangeFrom(ctx)
	if ex == nil {
		return false, nil
	}
	r := ex.r.WithContext(ctx)
	sess, err := s.store.New(r, s.store.CookieName())
	if err != nil {
		return true, err
	}
	sess.Options.MaxAge = -1
	return true, s.store.Save(r, ex.w, sess)
}

// RequestAddress returns the client address of the request in ctx
// (ClientAddress), or "" when ctx carries no HTTP exchange.
func (s *Service) RequestAddress(ctx context.Context) string {
	if ex := exchangeFrom(ctx); ex != nil {
		return ClientAddress(ex.r)
	}
	return ""
}

// RequestOrigin returns the origin the browser addressed with the request in
// ctx, through trusted proxies if any, or "" when ctx carries no HTTP
// exchange.
func (s *Service) RequestOrigin(ctx context.Context) string {
	if ex := exchangeFrom(ctx); ex != nil {
		return forwarded.Of(ex.r).Origin()
	}
	return ""
}

// SignedInNow returns the id of the user that signed in or up during this
// request, or 0. Fields of that user may be shown to them in the response
// even though the request arrived anonymous.
func SignedInNow(ctx context.Context) int {
	if ex := exchangeFrom(ctx); ex != nil {
		return ex.signedIn
	}
	return 0
}

// CurrentSessionID returns the session id the request came with, or 0.
func CurrentSessionID(ctx context.Context) int {
	if v := viewer.FromContext(ctx); v != nil {
		return v.SessionID
	}
	return 0
}
