package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/apitoken"
	"gloss/ent/membership"
	"gloss/ent/session"
	"gloss/ent/user"
	"gloss/internal/viewer"
)

// holder is who holds a credential: the viewer, and for a session its row.
type holder struct {
	viewer   viewer.Viewer
	rowID    int       // the API token's or session's id
	lastSeen time.Time // sessions only
}

// lookup finds who holds a credential in one indexed read: the row of
// table (api_tokens, or sessions not yet expired) whose token_hash is hash,
// its user if active, and that user's membership in their active
// organization, else their oldest one. It returns nil when there is no such
// row, the user is deactivated or belongs to no organization: the
// credential names nobody.
//
//	SELECT u.id, m.organization_id, m.role, c.id [, c.last_seen_at]
//	FROM <table> c JOIN users u ON u.id = c.user_id JOIN memberships m ON m.user_id = u.id
//	WHERE c.token_hash = ? AND u.active [AND c.expires_at > now]
//	ORDER BY m.organization_id = u.active_organization_id first, then m.id
//	LIMIT 1
//
// It reads through the driver rather than three ent queries (credential,
// user, membership) because it runs on every request; it runs before there
// is a viewer, so no privacy policy applies, as for the ent lookups it
// replaces under the system viewer.
func (s *Service) lookup(ctx context.Context, table string, hash []byte) (*holder, error) {
	isSession := table == session.Table
	stmt, err := s.lookups.get(ctx, s.db, table)
	if err != nil {
		return nil, err
	}
	args := []any{hash}
	if isSession {
		args = append(args, time.Now())
	}
	var h holder
	var role string
	dest := []any{&h.viewer.UserID, &h.viewer.OrgID, &role, &h.rowID}
	if isSession {
		dest = append(dest, &h.lastSeen)
	}
	switch err := stmt.QueryRowContext(ctx, args...).Scan(dest...); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	}
	h.viewer.Role = membership.Role(role)
	if err := membership.RoleValidator(h.viewer.Role); err != nil {
		return nil, fmt.Errorf("membership of user %d: %w", h.viewer.UserID, err)
	}
	return &h, nil
}

// lookupStatements holds lookup's prepared statements, one per credential
// table, prepared on first use (after migration has made the tables);
// database/sql prepares them again on each connection that runs them.
type lookupStatements struct {
	dialect string
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
}

func (l *lookupStatements) get(ctx context.Context, db *sql.DB, table string) (*sql.Stmt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.stmts[table]; st != nil {
		return st, nil
	}
	query := lookupQuery(l.dialect, table)
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare the %s lookup: %w", table, err)
	}
	if l.stmts == nil {
		l.stmts = map[string]*sql.Stmt{}
	}
	l.stmts[table] = st
	return st, nil
}

// lookupQuery builds lookup's query for table; its parameters are the
// token hash, and for sessions the time now (the values given here only
// stand in for them).
func lookupQuery(d, table string) string {
	if d == "" {
		d = dialect.SQLite
	}
	b := entsql.Dialect(d)
	c, u, m := b.Table(table).As("c"), b.Table(user.Table).As("u"), b.Table(membership.Table).As("m")
	cols := []string{u.C(user.FieldID), m.C(membership.FieldOrganizationID), m.C(membership.FieldRole), c.C(apitoken.FieldID)}
	// Sessions share the credential columns (id, token_hash, user_id)
	// with API tokens, and add an expiry and a last-seen time.
	where := []*entsql.Predicate{entsql.EQ(c.C(apitoken.FieldTokenHash), []byte{}), entsql.EQ(u.C(user.FieldActive), true)}
	if table == session.Table {
		cols = append(cols, c.C(session.FieldLastSeenAt))
		where = append(where, entsql.GT(c.C(session.FieldExpiresAt), time.Time{}))
	}
	sel := b.Select(cols...).From(c).
		Join(u).On(c.C(apitoken.FieldUserID), u.C(user.FieldID)).
		Join(m).On(m.C(membership.FieldUserID), u.C(user.FieldID)).
		Where(entsql.And(where...)).
		OrderExpr(entsql.ExprFunc(func(x *entsql.Builder) {
			x.WriteString("CASE WHEN " + m.C(membership.FieldOrganizationID) + " = " + u.C(user.FieldActiveOrganizationID) + " THEN 0 ELSE 1 END")
		})).
		OrderBy(m.C(membership.FieldID)).
		Limit(1)
	query, _ := sel.Query()
	return query
}

// MemberViewer is user userID as a viewer of organization orgID now, with
// the role they hold there, or nil when they are no longer an active member
// of it (removed, deactivated). The server acts for a user this way when it
// acts later on what they set up (a webhook's or a target storage's
// creator), so that the privacy policies judge what they may do today.
func MemberViewer(ctx context.Context, client *ent.Client, userID, orgID int) (*viewer.Viewer, error) {
	m, err := client.Membership.Query().Where(membership.UserID(userID), membership.OrganizationID(orgID),
		membership.HasUserWith(user.Active(true))).Only(viewer.NewSystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &viewer.Viewer{UserID: userID, OrgID: orgID, Role: m.Role}, nil
}
