// Package draft keeps annotators' drafts: the result they are working on,
// saved to the server as they label so that leaving a task (or losing the
// browser) loses nothing, and restored when they come back. A draft is its
// user's alone; the draft policy (internal/rule) lets nobody else read or
// write it.
package draft

import (
	"context"
	"encoding/json"

	"gloss/ent"
	"gloss/ent/draft"
	"gloss/ent/task"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/projects"
)

// Service saves, reads and removes the viewer's drafts.
type Service struct {
	client *ent.Client
}

// NewService returns a draft service on client.
func NewService(client *ent.Client) *Service {
	return &Service{client: client}
}

// Save stores result as the viewer's draft of a task they can see,
// replacing their earlier draft of it. The result obeys the rules of an
// annotation's (size, depth, the project's configuration), so a restored
// draft can always be submitted.
func (s *Service) Save(ctx context.Context, taskID int, raw json.RawMessage) (*ent.Draft, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	t, err := client.Task.Query().Where(task.ID(taskID)).WithProject().Only(ctx)
	if err != nil {
		return nil, err
	}
	result, err := projects.CheckResult(t.Edges.Project, t.Data, raw)
	if err != nil {
		return nil, err
	}
	// One statement, so two saves at once (two tabs) leave one draft.
	id, err := client.Draft.Create().
		SetTaskID(t.ID).
		SetUserID(v.UserID).
		SetOrganizationID(t.OrganizationID).
		SetResult(result).
		OnConflictColumns(draft.FieldTaskID, draft.FieldUserID).
		Update(func(u *ent.DraftUpsert) { u.UpdateResult().UpdateUpdatedAt() }).
		ID(ctx)
	if err != nil {
		return nil, err
	}
	return client.Draft.Get(ctx, id)
}

// Mine returns the viewer's draft of a task, or nil when they have none.
func (s *Service) Mine(ctx context.Context, taskID int) (*ent.Draft, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	d, err := database.ClientFrom(ctx, s.client).Draft.Query().
		Where(draft.TaskID(taskID), draft.UserID(v.UserID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return d, err
}

// Delete removes the viewer's draft of a task and reports whether there
// was one. Submitting or updating the task's annotation calls it: the
// annotation now holds the work.
func (s *Service) Delete(ctx context.Context, taskID int) (bool, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return false, err
	}
	n, err := database.ClientFrom(ctx, s.client).Draft.Delete().
		Where(draft.TaskID(taskID), draft.UserID(v.UserID)).Exec(ctx)
	return n > 0, err
}
