package rule

import (
	"gloss/ent/membership"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// Access is the coarse role an operation needs in the viewer's active
// organization. It is checked before any row is looked up, so a caller
// whose role may never perform an operation is refused the same way
// whatever the target, and learns nothing about other organizations.
type Access int

// The levels of the role gate, weakest first.
const (
	// Public is open to anyone, signed in or not.
	Public Access = iota
	// SignedIn needs a signed-in user, whatever their role.
	SignedIn
	// Reviewer needs a reviewer, manager, admin or owner.
	Reviewer
	// Manager needs a manager, admin or owner: the roles that create,
	// change, import into and export projects.
	Manager
	// OrgAdmin needs an admin or owner: the roles that manage the
	// organization's members, invites and audit log.
	OrgAdmin
)

// rank orders the roles so that each level of the gate is one comparison.
var rank = map[membership.Role]Access{
	membership.RoleAnnotator: SignedIn,
	membership.RoleReviewer:  Reviewer,
	membership.RoleManager:   Manager,
	membership.RoleAdmin:     OrgAdmin,
	membership.RoleOwner:     OrgAdmin,
}

// refusals are the messages of the gate, one per level, written for the
// person who sent the request.
var refusals = map[Access]error{
	Reviewer: fault.New(fault.Forbidden, "only reviewers, managers, admins and owners can do this"),
	Manager:  fault.New(fault.Forbidden, "only owners, admins and managers can do this"),
	OrgAdmin: fault.New(fault.Forbidden, "only owners and admins can do this"),
}

// Gate is the one role gate: it reports whether v may call an operation
// that needs need, with UNAUTHENTICATED for a caller who is not signed in
// and FORBIDDEN for a role below need. The GraphQL @access directive and
// the HTTP routes both ask it; which rows the operation then reaches is
// the ent privacy policies' decision, never the gate's. The system viewer
// passes every level.
func Gate(v *viewer.Viewer, need Access) error {
	switch {
	case need == Public:
		return nil
	case v != nil && v.System:
		return nil
	case v == nil || v.UserID == 0:
		return fault.ErrSignIn
	case rank[v.Role] >= need:
		return nil
	}
	return refusals[need]
}
