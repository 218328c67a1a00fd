package model

import "gloss/ent/membership"

// Invite is what an invite link leads to, for the signup page. It is written
// here because autobind would otherwise take ent's Invite entity.
type Invite struct {
	OrganizationTitle string
	Setup             bool
	Role              membership.Role
}
