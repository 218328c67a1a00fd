package labeling

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/membership"
	"gloss/ent/projectmember"
	"gloss/ent/user"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// orgMember checks that userID is a member of the viewer's organization.
func (s *Service) orgMember(ctx context.Context, v *viewer.Viewer, userID int) error {
	ok, err := database.ClientFrom(ctx, s.client).User.Query().
		Where(user.ID(userID), user.HasMembershipsWith(membership.OrganizationID(v.OrgID))).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.NotFound, "no such member in this organization")
	}
	return nil
}

// AddProjectMember makes a member of the organization a member of a project
// the viewer manages. Adding an existing member changes nothing.
func (s *Service) AddProjectMember(ctx context.Context, projectID, userID int) (*ent.Project, error) {
	v, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if err := s.orgMember(ctx, v, userID); err != nil {
		return nil, err
	}
	exists, err := client.ProjectMember.Query().Where(projectmember.ProjectID(p.ID), projectmember.UserID(userID)).Exist(ctx)
	if err != nil || exists {
		return p, err
	}
	err = client.ProjectMember.Create().SetOrganizationID(v.OrgID).SetUserID(userID).SetProjectID(p.ID).Exec(ctx)
	return p, err
}

// RemoveProjectMember takes a user off a project the viewer manages.
func (s *Service) RemoveProjectMember(ctx context.Context, projectID, userID int) (*ent.Project, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, projectID)
	if err != nil {
		return nil, err
	}
	_, err = client.ProjectMember.Delete().Where(projectmember.ProjectID(p.ID), projectmember.UserID(userID)).Exec(ctx)
	return p, err
}

// CreateWorkspace makes a workspace in the viewer's organization.
func (s *Service) CreateWorkspace(ctx context.Context, title string) (*ent.Workspace, error) {
	v, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n < 1 || n > 200 {
		return nil, fault.Invalid("title must be 1 to 200 characters")
	}
	return database.ClientFrom(ctx, s.client).Workspace.Create().
		SetOrganizationID(v.OrgID).SetCreatedByID(v.UserID).SetTitle(title).Save(ctx)
}

// SetWorkspaceMember adds (or, with add false, removes) a member of every
// project of a workspace.
func (s *Service) SetWorkspaceMember(ctx context.Context, workspaceID, userID int, add bool) (*ent.Workspace, error) {
	v, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	w, err := s.managedWorkspace(ctx, v, workspaceID)
	if err != nil {
		return nil, err
	}
	q := client.ProjectMember.Query().Where(projectmember.WorkspaceID(w.ID), projectmember.UserID(userID))
	if !add {
		_, err := client.ProjectMember.Delete().Where(projectmember.WorkspaceID(w.ID), projectmember.UserID(userID)).Exec(ctx)
		return w, err
	}
	if err := s.orgMember(ctx, v, userID); err != nil {
		return nil, err
	}
	if exists, err := q.Exist(ctx); err != nil || exists {
		return w, err
	}
	return w, client.ProjectMember.Create().SetOrganizationID(v.OrgID).SetUserID(userID).SetWorkspaceID(w.ID).Exec(ctx)
}

// ReviewAnnotation accepts or rejects someone else's annotation with an
// optional comment. Reviewers, managers, admins and owners review the
// annotations of their projects.
func (s *Service) ReviewAnnotation(ctx context.Context, id int, accepted bool, comment string) (*ent.Annotation, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if v.Role == membership.RoleAnnotator {
		return nil, fault.New(fault.Forbidden, "only reviewers, managers, admins and owners review annotations")
	}
	if utf8.RuneCountInString(comment) > 2000 {
		return nil, fault.Invalid("comment must be at most 2000 characters")
	}
	client := database.ClientFrom(ctx, s.client)
	a, err := client.Annotation.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.CompletedByID == v.UserID {
		return nil, fault.New(fault.Forbidden, "you cannot review your own annotation")
	}
	state := annotation.ReviewStateRejected
	if accepted {
		state = annotation.ReviewStateAccepted
	}
	out, err := client.Annotation.UpdateOne(a).
		SetReviewState(state).SetReviewedByID(v.UserID).SetReviewComment(comment).SetReviewedAt(time.Now()).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	return out, s.audit.Record(ctx, audit.Event{Action: "annotation.reviewed", TargetType: "Annotation", TargetID: strconv.Itoa(id),
		Details: map[string]any{"state": string(state)}})
}

// managedWorkspace returns a workspace the viewer manages: any of the
// organization's for owners and admins, their own for managers. Workspace
// membership grants access to every project in it, so a manager must not
// manage a workspace holding projects that are not theirs.
func (s *Service) managedWorkspace(ctx context.Context, v *viewer.Viewer, id int) (*ent.Workspace, error) {
	w, err := database.ClientFrom(ctx, s.client).Workspace.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.IsOrgAdmin() && w.CreatedByID != v.UserID {
		return nil, fault.New(fault.Forbidden, "managers manage only the workspaces they created")
	}
	return w, nil
}
