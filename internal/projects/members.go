package projects

import (
	"context"
	"strings"

	"gloss/ent"
	"gloss/ent/membership"
	"gloss/ent/projectmember"
	"gloss/ent/user"
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
	v, err := fault.SignedIn(ctx)
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
	if _, err := fault.SignedIn(ctx); err != nil {
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
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	return database.ClientFrom(ctx, s.client).Workspace.Create().
		SetOrganizationID(v.OrgID).SetCreatedByID(v.UserID).SetTitle(strings.TrimSpace(title)).Save(ctx)
}

// SetWorkspaceMember adds (or, with add false, removes) a member of every
// project of a workspace. The project membership policy decides who may:
// owners and admins any workspace of the organization, managers those they
// created.
func (s *Service) SetWorkspaceMember(ctx context.Context, workspaceID, userID int, add bool) (*ent.Workspace, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	w, err := client.Workspace.Get(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	members := client.ProjectMember.Query().Where(projectmember.WorkspaceID(w.ID), projectmember.UserID(userID))
	if !add {
		// One by one, so the policy judges each row and refuses rather
		// than silently leaving out what the viewer may not remove.
		ids, err := members.IDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if err := client.ProjectMember.DeleteOneID(id).Exec(ctx); err != nil {
				return nil, err
			}
		}
		return w, nil
	}
	if err := s.orgMember(ctx, v, userID); err != nil {
		return nil, err
	}
	if exists, err := members.Exist(ctx); err != nil || exists {
		return w, err
	}
	return w, client.ProjectMember.Create().SetOrganizationID(v.OrgID).SetUserID(userID).SetWorkspaceID(w.ID).Exec(ctx)
}
