package graph

import (
	"context"
	"fmt"
	"gloss/internal/fault"

	"github.com/99designs/gqlgen/graphql"

	"gloss/ent"
	"gloss/graph/model"
	"gloss/internal/auth"
	rules "gloss/internal/rule"
	"gloss/internal/viewer"
)

// Access implements @access: the per-field decision of who may read a field.
// Row-level visibility is the ent privacy policy's; this adds the field-level
// rules on top. A field the viewer may not read resolves to null with a
// FORBIDDEN (or UNAUTHENTICATED) error.
func (r *Resolver) Access(ctx context.Context, obj any, next graphql.Resolver, rule model.Access) (any, error) {
	switch rule {
	case model.AccessPublic, model.AccessRow:
		return next(ctx)
	case model.AccessSignedIn:
		if err := rules.Gate(viewer.FromContext(ctx), rules.SignedIn); err != nil {
			return nil, err
		}
		return next(ctx)
	case model.AccessReviewer, model.AccessManager:
		need := rules.Reviewer
		if rule == model.AccessManager {
			need = rules.Manager
		}
		if err := rules.Gate(viewer.FromContext(ctx), need); err != nil {
			return nil, err
		}
		return next(ctx)
	case model.AccessSelfOrOrgAdmin:
		u, ok := obj.(*ent.User)
		if !ok {
			return nil, fmt.Errorf("@access(SELF_OR_ORG_ADMIN) on %T", obj)
		}
		v := viewer.FromContext(ctx)
		switch {
		case auth.SignedInNow(ctx) == u.ID:
			// The user signed in or up in this very request (the request
			// may have come with another user's session).
		case v == nil:
			return nil, errUnauthenticated
		case rules.SeesEmail(v, u.ID):
			// The user policy only shows an admin the members of their
			// active organization, so this user is one of theirs.
		default:
			return nil, errForbidden
		}
		return next(ctx)
	case model.AccessOrgAdmin:
		v := viewer.FromContext(ctx)
		if err := rules.Gate(v, rules.OrgAdmin); err != nil {
			return nil, err
		}
		// An organization's own admin fields are for the admins of that
		// organization: the viewer's role is the one in their active one.
		if org, ok := obj.(*ent.Organization); ok && org.ID != v.OrgID {
			return nil, errForbidden
		}
		return next(ctx)
	case model.AccessAuthor:
		a, ok := obj.(*ent.Annotation)
		if !ok {
			return nil, fmt.Errorf("@access(AUTHOR) on %T", obj)
		}
		v, err := fault.SignedIn(ctx)
		if err != nil {
			return nil, err
		}
		if !rules.SeesAuthor(v, false, a.CompletedByID) {
			p, err := r.client(ctx).Project.Get(ctx, a.ProjectID)
			if err != nil || !rules.SeesAuthor(v, p.RevealAnnotators, a.CompletedByID) {
				return nil, nil // hidden, not an error: the row itself is readable
			}
		}
		return next(ctx)
	}
	return nil, fmt.Errorf("unknown access rule %q", rule)
}
