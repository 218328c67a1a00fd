package rule

import (
	"gloss/ent/membership"
	"gloss/internal/viewer"
)

// This file is the field-level half of what a viewer may read: the row
// policies above decide which rows exist for a viewer, these functions
// decide which fields of a readable row they see. GraphQL's @access
// directive (SELF_OR_ORG_ADMIN, AUTHOR) and every export and download ask
// the same functions, so no format hands a role a field the API refuses it.

// SeesEmail reports whether v may read the email of the user userID, a user
// row v can read (the user policy keeps out everyone outside v's active
// organization): the user themself, and owners and admins of v's active
// organization. Everyone else sees a user's id and display name only.
func SeesEmail(v *viewer.Viewer, userID int) bool {
	switch {
	case v == nil:
		return false
	case v.System:
		return true
	case userID != 0 && v.UserID == userID:
		return true
	}
	return v.IsOrgAdmin()
}

// SeesAuthor reports whether v may learn who authored an annotation, a row v
// can read, made by authorID in a project whose revealAnnotators setting is
// reveal. Annotators see the author of their own annotations only, unless
// the project reveals annotators; reviewers and up always see the author.
func SeesAuthor(v *viewer.Viewer, reveal bool, authorID int) bool {
	switch {
	case v == nil:
		return false
	case v.System:
		return true
	}
	switch v.Role {
	case membership.RoleOwner, membership.RoleAdmin, membership.RoleManager, membership.RoleReviewer:
		return true
	}
	return authorID == v.UserID || reveal
}
