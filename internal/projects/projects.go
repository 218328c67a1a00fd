// Package projects serves projects: their Label Studio labeling
// configurations, their members, and the workspaces that group them. Who may
// do what is the ent privacy policies' decision (internal/rule), and the
// length and shape of every stored field the ent schema's; this package makes
// no role decision of its own.
package projects

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/predicate"
	"gloss/ent/prediction"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	"gloss/ent/storage"
	"gloss/ent/storagelink"
	"gloss/ent/storagesync"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/labelconfig"
	"gloss/internal/viewer"
	"gloss/internal/webhook"
)

// Service holds what the projects service needs.
type Service struct {
	client *ent.Client
}

// NewService returns a Service over client.
func NewService(client *ent.Client) *Service {
	return &Service{client: client}
}

// ProjectInput is what a caller may set on a project. Organization, author
// and timestamps are the server's.
type ProjectInput struct {
	Title        *string
	Description  *string
	Instructions *string
	LabelConfig  *string
	Overlap      *int
	ShowSkip     *bool
	Sampling     *project.Sampling

	AnnotatorsSeeOthers *bool
	RevealAnnotators    *bool
	WorkspaceID         *int // 0 clears
}

// normalize trims the title and checks that a new project names what it
// must. Lengths, ranges and the configuration's shape are the schema's.
func (in *ProjectInput) normalize(creating bool) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		in.Title = &t
	}
	switch {
	case creating && in.Title == nil:
		return fault.Invalid("title is required")
	case creating && in.LabelConfig == nil:
		return fault.Invalid("labelConfig is required")
	}
	return nil
}

// CreateProject creates a project in the viewer's organization.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (*ent.Project, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(true); err != nil {
		return nil, err
	}
	c := database.ClientFrom(ctx, s.client).Project.Create().
		SetOrganizationID(v.OrgID).
		SetCreatedByID(v.UserID).
		SetTitle(*in.Title).
		SetLabelConfig(*in.LabelConfig).
		SetNillableDescription(in.Description).
		SetNillableInstructions(in.Instructions).
		SetNillableOverlap(in.Overlap).
		SetNillableShowSkip(in.ShowSkip).
		SetNillableSampling(in.Sampling).
		SetTaskCount(0).SetLabeledCount(0). // see counters.go
		SetTaskDataKeys([]string{})         // see datakeys.go
	p, err := c.Save(ctx)
	if err == nil {
		err = webhook.Emit(ctx, database.ClientFrom(ctx, s.client), webhook.ProjectCreated, p, nil)
	}
	return p, err
}

// UpdateProject changes the given fields of a project.
func (s *Service) UpdateProject(ctx context.Context, id int, in ProjectInput) (*ent.Project, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	if err := in.normalize(false); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	// Locked as read (PostgreSQL): the overlap compared below is the one
	// this update replaces. Read before another update's commit, two
	// updates at once (3 then 2, over a project at 2) each saw no change
	// and left labeled_count counted for the other overlap. A submit that
	// read the old overlap beside this update is judged again by its
	// counter update, which waits for this lock (AnnotationsChanged, fit).
	p, err := client.Project.Query().Where(project.ID(id)).Modify(database.ForUpdate).Only(ctx)
	if err != nil {
		return nil, err
	}
	u := client.Project.UpdateOne(p).
		SetNillableDescription(in.Description).
		SetNillableInstructions(in.Instructions).
		SetNillableLabelConfig(in.LabelConfig).
		SetNillableOverlap(in.Overlap).
		SetNillableShowSkip(in.ShowSkip).
		SetNillableSampling(in.Sampling)
	if in.Title != nil {
		u.SetTitle(*in.Title)
	}
	u.SetNillableAnnotatorsSeeOthers(in.AnnotatorsSeeOthers).SetNillableRevealAnnotators(in.RevealAnnotators)
	// A workspace given as it is changes nothing, so it needs no right to
	// place the project there: the settings form sends it with every save,
	// and a manager's project in a workspace someone else created could
	// not be saved.
	if in.WorkspaceID != nil && *in.WorkspaceID != zeroIfNil(p.WorkspaceID) {
		if *in.WorkspaceID == 0 {
			u.ClearWorkspaceID()
		} else {
			// The project policy decides whether the viewer may place
			// the project there; the lookup makes a foreign id not found.
			w, err := client.Workspace.Get(ctx, *in.WorkspaceID)
			if err != nil {
				return nil, err
			}
			u.SetWorkspaceID(w.ID)
		}
	}
	saved, err := u.Save(ctx)
	if err != nil {
		return nil, err
	}
	if saved.Overlap != p.Overlap {
		if saved.LabeledCount, err = RecountLabeled(ctx, client, saved.ID); err != nil {
			return nil, err
		}
	}
	return saved, webhook.Emit(ctx, client, webhook.ProjectUpdated, saved, nil)
}

func zeroIfNil(id *int) int {
	if id == nil {
		return 0
	}
	return *id
}

// TasksGone is what follows a deletion of tasks, in its transaction, once
// their rows are gone: the dataset's ForgetTasksUploads.
type TasksGone func(ctx context.Context, client *ent.Client, ids []int) error

// DeleteProject deletes a project with its tasks, annotations and
// predictions, all or nothing. Owners and admins delete any project of the
// organization, managers those they see (that they created, or are members
// of, directly or through a workspace): the project policy decides.
func (s *Service) DeleteProject(ctx context.Context, id int, forget TasksGone) error {
	if _, err := fault.SignedIn(ctx); err != nil {
		return err
	}
	return database.InTx(ctx, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		p, err := client.Project.Get(ctx, id)
		if err != nil {
			return err
		}
		// Its tasks left (those imported while its steps ran), locked
		// before their annotations go: see LockTasksWhere.
		left, err := LockTasksWhere(ctx, client, task.ProjectID(p.ID))
		if err != nil {
			return err
		}
		// System context for what the project holds: the annotations are
		// others', which no viewer may delete row by row. Deleting the
		// project itself, last and as the viewer, is what the policy
		// authorizes; if it refuses, the transaction rolls all of it back.
		sys := audit.Quiet(viewer.NewSystemContext(ctx))
		if _, err := client.Annotation.Delete().Where(annotationOfProject(p.ID)).Exec(sys); err != nil {
			return err
		}
		if _, err := client.Prediction.Delete().Where(predictionOfProject(p.ID)).Exec(sys); err != nil {
			return err
		}
		if _, err := client.Task.Delete().Where(task.ProjectID(p.ID)).Exec(sys); err != nil {
			return err
		}
		if err := forget(sys, client, left); err != nil {
			return err
		}
		// Its storages go too (the buckets themselves are untouched).
		storages, err := client.Storage.Query().Where(storage.ProjectID(p.ID)).IDs(sys)
		if err != nil {
			return err
		}
		if _, err := client.StorageSync.Delete().Where(storagesync.StorageIDIn(storages...)).Exec(sys); err != nil {
			return err
		}
		if _, err := client.StorageLink.Delete().Where(storagelink.StorageIDIn(storages...)).Exec(sys); err != nil {
			return err
		}
		if _, err := client.Storage.Delete().Where(storage.IDIn(storages...)).Exec(sys); err != nil {
			return err
		}
		// Memberships go after the project (their foreign key is set to
		// null), because a manager's right to delete may rest on being one.
		members, err := client.ProjectMember.Query().Where(projectmember.ProjectID(p.ID)).IDs(sys)
		if err != nil {
			return err
		}
		// Before the project goes, taking its own webhooks with it: the
		// organization's webhooks hear of it.
		if err := webhook.Emit(ctx, client, webhook.ProjectDeleted, p, nil); err != nil {
			return err
		}
		if err := client.Project.DeleteOne(p).Exec(ctx); err != nil {
			return err
		}
		_, err = client.ProjectMember.Delete().Where(projectmember.IDIn(members...)).Exec(sys)
		return err
	})
}

// Config parses a project's labeling configuration. Stored configurations
// were checked when they were set, so an error here is internal.
func Config(p *ent.Project) (*labelconfig.Config, error) {
	return labelconfig.Parse(p.LabelConfig)
}

// parsedConfigs holds the configurations CheckResult parsed, by their
// text, so that a submit does not parse its project's configuration again:
// a configuration's text is its identity, so a changed one is simply
// another entry, and nothing needs to be forgotten when a project changes.
// The cached values are shared between requests and only read
// (ValidateResult); Config, which callers may change, parses anew.
var parsedConfigs struct {
	sync.Mutex
	m     map[string]*labelconfig.Config
	bytes int // the texts' lengths, summed
}

// The bounds of parsedConfigs: past either, the cache starts over. A
// configuration's text may be 256 KiB, and the largest parse to about ten
// times that in memory: by count alone, 256 of them held over 600 MB; by
// size, at most about 80 MB, with room for 32 of the largest.
const (
	maxParsedConfigs     = 256
	maxParsedConfigBytes = 8 << 20
)

// SharedConfig is Config from the cache CheckResult uses: the result is
// shared between requests, so the caller only reads it.
func SharedConfig(p *ent.Project) (*labelconfig.Config, error) {
	return parsed(p.LabelConfig)
}

// parsed returns the configuration of text, parsed once.
func parsed(text string) (*labelconfig.Config, error) {
	parsedConfigs.Lock()
	cfg := parsedConfigs.m[text]
	parsedConfigs.Unlock()
	if cfg != nil {
		return cfg, nil
	}
	cfg, err := labelconfig.Parse(text)
	if err != nil {
		return nil, err
	}
	parsedConfigs.Lock()
	if parsedConfigs.m == nil || len(parsedConfigs.m) >= maxParsedConfigs || parsedConfigs.bytes+len(text) > maxParsedConfigBytes {
		parsedConfigs.m, parsedConfigs.bytes = map[string]*labelconfig.Config{}, 0
	}
	if _, ok := parsedConfigs.m[text]; !ok {
		parsedConfigs.m[text] = cfg
		parsedConfigs.bytes += len(text)
	}
	parsedConfigs.Unlock()
	return cfg, nil
}

// CheckResult holds a result (of an annotation or a draft) to the rules an
// imported one obeys and to p's labeling configuration for task data, and
// returns it normalized (null becomes []).
func CheckResult(p *ent.Project, data json.RawMessage, raw json.RawMessage) (json.RawMessage, error) {
	if err := labelconfig.CheckResult(raw, "result"); err != nil {
		return nil, fault.Invalid("%v", err)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fault.Invalid("result must be a list of Label Studio regions")
	}
	if items == nil {
		items = []map[string]any{}
	}
	cfg, err := parsed(p.LabelConfig)
	if err != nil {
		return nil, err
	}
	var object map[string]any
	_ = json.Unmarshal(data, &object)
	if err := cfg.ValidateResult(items, object); err != nil {
		return nil, fault.Invalid("%v", err)
	}
	return json.Marshal(items)
}

func annotationOfProject(id int) predicate.Annotation { return annotation.ProjectID(id) }

func predictionOfProject(id int) predicate.Prediction {
	return prediction.HasTaskWith(task.ProjectID(id))
}
