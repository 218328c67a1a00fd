package auth

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/gorilla/sessions"

	"gloss/ent"
	"gloss/ent/session"
	"gloss/ent/user"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/forwarded"
	"gloss/internal/secret"
	"gloss/internal/text"
	"gloss/internal/viewer"
)

// Session lifetimes: a session ends 14 days after sign-in, and its
// last-seen time is written at most every 5 minutes to keep reads cheap.
const (
	sessionTTL   = 14 * 24 * time.Hour
	touchEvery   = 5 * time.Minute
	cookieName   = "gloss_session"
	hostCookie   = "__Host-gloss_session" // under HTTPS: Secure, Path=/, no Domain
	valueUserID  = "user_id"
	valueSession = "row"
)

// SessionStore is a gorilla/sessions Store whose sessions are rows in the
// database, so they can be listed, revoked and shared by several processes.
// The cookie holds a random 256-bit token; the row holds its keyed hash
// (secret.TokenHasher).
type SessionStore struct {
	client *ent.Client
	tokens secret.TokenHasher
	secure bool
	audit  *audit.Log
}

var _ sessions.Store = (*SessionStore)(nil)

// NewSessionStore returns a store that keeps each session's token in the
// form tokens gives it and records in log the sessions it ends to stay
// within MaxSessions. secure marks cookies Secure and gives them the
// __Host- prefix, for servers reached over HTTPS (--tls-cert, or an https
// GLOSS_PUBLIC_URL). Without it a cookie is still Secure when the
// request that sets it came over HTTPS through a trusted proxy; its name
// stays the same so every request finds it.
func NewSessionStore(client *ent.Client, tokens secret.TokenHasher, secure bool, log *audit.Log) *SessionStore {
	return &SessionStore{client: client, tokens: tokens, secure: secure, audit: log}
}

// CookieName is the name of the session cookie.
func (s *SessionStore) CookieName() string {
	if s.secure {
		return hostCookie
	}
	return cookieName
}

func (s *SessionStore) options() *sessions.Options {
	return &sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionTTL / time.Second),
		Secure:   s.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// Get returns the session for name, loading it from the database.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return s.New(r, name)
}

// New returns the session the request's cookie names, or a new, empty
// session when there is no cookie or the session has ended.
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return sess, nil
	}
	// System context: the session lookup decides who the viewer is, so it
	// cannot run as one. Through the transaction r's context carries, if
	// any (logout's): on PostgreSQL a read beside it takes a second
	// connection, and enough logouts at once would each hold one and wait
	// for another.
	ctx := viewer.NewSystemContext(r.Context())
	row, err := database.ClientFrom(ctx, s.client).Session.Query().
		Where(session.TokenHash(s.tokens.Hash(c.Value)), session.ExpiresAtGT(time.Now())).
		Only(ctx)
	if ent.IsNotFound(err) {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	sess.ID = strconv.Itoa(row.ID)
	sess.Values[valueUserID] = row.UserID
	sess.Values[valueSession] = row
	sess.IsNew = false
	s.touch(ctx, row.ID, row.LastSeenAt)
	return sess, nil
}

// touch writes a session's last-seen time when it is older than
// touchEvery, so that most requests write nothing. It writes through the
// transaction ctx carries, if any (logout reads the session it ends inside
// its mutation's): outside it, on SQLite, the write would wait for the one
// writer connection that the request itself holds.
func (s *SessionStore) touch(ctx context.Context, id int, lastSeen time.Time) {
	if time.Since(lastSeen) > touchEvery {
		ctx = viewer.NewSystemContext(ctx) // the server keeps its sessions' times
		_ = database.ClientFrom(ctx, s.client).Session.UpdateOneID(id).SetLastSeenAt(time.Now()).Exec(ctx)
	}
}

// Save writes the session: a new session gets a row and a cookie; a session
// with a negative MaxAge is deleted on the server and its cookie cleared.
// The request's context may carry a transaction client, which is used.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if forwarded.Of(r).Scheme == "https" {
		opts := *sess.Options
		opts.Secure = true
		sess.Options = &opts
	}
	ctx := viewer.NewSystemContext(r.Context()) // sessions are the server's to create and end
	client := database.ClientFrom(ctx, s.client)
	if sess.Options.MaxAge < 0 {
		if id, err := strconv.Atoi(sess.ID); err == nil {
			if _, err := client.Session.Delete().Where(session.ID(id)).Exec(ctx); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID != "" {
		return nil
	}
	uid, _ := sess.Values[valueUserID].(int)
	token := secret.NewToken()
	now := time.Now()
	if err := s.keepRoom(ctx, client, uid, now); err != nil {
		return err
	}
	row, err := client.Session.Create().
		SetTokenHash(s.tokens.Hash(token)).
		SetUserID(uid).
		SetLastSeenAt(now).
		SetExpiresAt(now.Add(sessionTTL)).
		SetUserAgent(text.Clip(r.UserAgent(), 512)).
		SetClientAddress(ClientAddress(r)).
		Save(ctx)
	if err != nil {
		return err
	}
	sess.ID = strconv.Itoa(row.ID)
	http.SetCookie(w, sessions.NewCookie(sess.Name(), token, sess.Options))
	return nil
}

// MaxSessions is how many sessions a user holds at most (the sessions
// query lists them all): a sign-in beyond ends the oldest.
const MaxSessions = 50

// keepRoom makes room for one more session of userID: it deletes the
// user's sessions that have expired and then those beyond the newest
// MaxSessions-1. Without it, every sign-in added a row that stayed after it
// ended, and a script signing in again and again grew the table without
// end. Live sessions it ends are one audit event, filed as the user's (with
// their organization, never the caller's): a browser signed out by
// someone else's sign-ins with the password is a sign of it in other hands.
// ctx is a system context, in the transaction of the sign-in if any.
func (s *SessionStore) keepRoom(ctx context.Context, client *ent.Client, userID int, now time.Time) error {
	if _, err := client.Session.Delete().Where(session.UserID(userID), session.ExpiresAtLTE(now)).Exec(ctx); err != nil {
		return err
	}
	ended, err := client.Session.Delete().Where(session.UserID(userID), func(sel *sql.Selector) {
		t := sql.Table(session.Table).As("newer")
		sel.Where(sql.In(sel.C(session.FieldID), sql.Select(t.C(session.FieldID)).From(t).
			Where(sql.EQ(t.C(session.FieldUserID), userID)).OrderBy(sql.Desc(t.C(session.FieldID))).
			Limit(math.MaxInt32).Offset(MaxSessions-1)))
	}).Exec(ctx)
	if err != nil || ended == 0 {
		return err
	}
	u, err := client.User.Query().Where(user.ID(userID)).Select(user.FieldActiveOrganizationID).Only(ctx)
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Action: "session.evicted", ActorID: &userID, OrgID: u.ActiveOrganizationID,
		TargetType: "User", TargetID: strconv.Itoa(userID), Details: map[string]any{"sessions": ended, "limit": MaxSessions}})
}

// ClientAddress returns the address of the client that sent r, without
// port: the TCP peer, or behind a trusted proxy (GLOSS_TRUSTED_PROXIES) the
// address its X-Forwarded-For names (forwarded.Of). The sign-in throttle,
// sessions and the audit log key on it.
func ClientAddress(r *http.Request) string {
	return text.Clip(forwarded.Of(r).Client, 64)
}
