// Package viewer describes who is asking: the signed-in user, their active
// organization and role there, and how they authenticated. Privacy rules and
// resolvers read it from the request context.
package viewer

import (
	"context"

	"gloss/ent/membership"
)

// Method says how a viewer authenticated.
type Method string

// The ways a viewer can authenticate.
const (
	MethodSession Method = "session"
	MethodToken   Method = "token"
)

// Viewer is the caller of one request. A zero UserID with System unset never
// reaches the context: anonymous callers have no viewer at all.
type Viewer struct {
	UserID    int
	OrgID     int
	Role      membership.Role
	Method    Method
	SessionID int // set when Method is MethodSession
	System    bool
}

// IsOrgAdmin reports whether the viewer may manage their active organization
// (members and invites): owners and admins.
func (v *Viewer) IsOrgAdmin() bool {
	return v != nil && (v.Role == membership.RoleOwner || v.Role == membership.RoleAdmin)
}

// CanManageProjects reports whether the viewer may create, change, delete and
// import into projects of their active organization: owners, admins and
// managers.
func (v *Viewer) CanManageProjects() bool {
	return v != nil && (v.IsOrgAdmin() || v.Role == membership.RoleManager)
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or nil for an anonymous caller.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// User returns the signed-in user's viewer in ctx: nil for anonymous
// callers and for the system viewer.
func User(ctx context.Context) *Viewer {
	if v := FromContext(ctx); v != nil && !v.System && v.UserID != 0 {
		return v
	}
	return nil
}

// NewSystemContext returns a context for work the server does on its own
// behalf (bootstrap, login and token lookups, migrations). Privacy rules let
// it through, so every call site must say why it needs it.
func NewSystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{System: true})
}
