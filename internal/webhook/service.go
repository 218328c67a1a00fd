package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"gloss/ent"
	"gloss/ent/organization"
	"gloss/ent/privacy"
	entproject "gloss/ent/project"
	"gloss/ent/webhook"
	"gloss/internal/auth"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/safehttp"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// SealPurpose is the secret.Sealer purpose of webhook signing secrets.
const SealPurpose = "webhook secret"

// Service makes, changes and deletes webhooks, and sends their deliveries
// (Worker). Who may do what is the Webhook policy's decision.
type Service struct {
	client *ent.Client
	sealer secret.Sealer
	http   *safehttp.Client
	log    *slog.Logger
}

// NewService returns a Service over client that seals secrets with key and
// sends through httpClient, the SSRF-safe client.
func NewService(client *ent.Client, key secret.Key, httpClient *safehttp.Client, log *slog.Logger) *Service {
	return &Service{client: client, sealer: key.Sealer(SealPurpose), http: httpClient, log: log}
}

// Input is what a caller may set on a webhook; nil leaves a field as it is
// (or at its default when creating).
type Input struct {
	ProjectID   *int // creating only
	URL         *string
	Events      []Event
	SendPayload *bool
	Active      *bool
}

func (s *Service) check(in Input, creating bool) error {
	if creating && in.URL == nil {
		return fault.Invalid("url is required")
	}
	if in.URL != nil {
		*in.URL = strings.TrimSpace(*in.URL)
		if err := s.http.CheckURL(*in.URL); err != nil {
			return fault.Invalid("url: %s", strings.TrimPrefix(err.Error(), "fetch: "))
		}
	}
	if in.Events != nil || creating {
		if len(in.Events) == 0 {
			return fault.Invalid("events: give at least one event")
		}
		for _, e := range in.Events {
			if !slices.Contains(Events, e) {
				return fault.Invalid("events: %q is not an event", e)
			}
		}
	}
	return nil
}

func names(es []Event) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		if !slices.Contains(out, string(e)) {
			out = append(out, string(e))
		}
	}
	return out
}

// bind ties a sealed secret to its organization.
func bind(orgID int) string { return "organization " + strconv.Itoa(orgID) }

// MaxPerScope is the most webhooks a project may have, and the most an
// organization may have for all its projects: the most Project.webhooks
// and Organization.webhooks list, so that none is hidden from those who
// manage them (a webhook they cannot see would still receive every event).
const MaxPerScope = 50

// room refuses a new webhook of organization org (for project, or for all
// its projects when nil) when its scope has MaxPerScope already. The
// scope's row (the project's, or the organization's) is locked so that
// two creates at once count each other (PostgreSQL).
func (s *Service) room(ctx context.Context, client *ent.Client, org int, project *int) error {
	allow := privacy.DecisionContext(ctx, privacy.Allow)
	q := client.Webhook.Query().Where(webhook.OrganizationID(org))
	var err error
	if project != nil {
		_, err = client.Project.Query().Where(entproject.ID(*project)).Modify(database.ForUpdate).Select(entproject.FieldID).Ints(allow)
		q.Where(webhook.ProjectID(*project))
	} else {
		_, err = client.Organization.Query().Where(organization.ID(org)).Modify(database.ForUpdate).Select(organization.FieldID).Ints(allow)
		q.Where(webhook.ProjectIDIsNil())
	}
	if err != nil {
		return err
	}
	n, err := q.Count(allow)
	if err != nil {
		return err
	}
	if n >= MaxPerScope {
		scope := "the organization has"
		if project != nil {
			scope = fmt.Sprintf("project %d has", *project)
		}
		return fault.Invalid("%s %d webhooks, the most it may have: delete one first", scope, n)
	}
	return nil
}

// Create makes a webhook in the viewer's organization and returns it with
// its signing secret, which is never shown again.
func (s *Service) Create(ctx context.Context, in Input) (*ent.Webhook, string, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := s.check(in, true); err != nil {
		return nil, "", err
	}
	client := database.ClientFrom(ctx, s.client)
	if in.ProjectID != nil {
		// A project the viewer cannot see is not found; which projects
		// they may hook is the Webhook policy's decision.
		if _, err := client.Project.Get(ctx, *in.ProjectID); err != nil {
			return nil, "", err
		}
	}
	if err := s.room(ctx, client, v.OrgID, in.ProjectID); err != nil {
		return nil, "", err
	}
	token := "whsec_" + secret.NewToken()
	h, err := client.Webhook.Create().
		SetOrganizationID(v.OrgID).
		SetNillableProjectID(in.ProjectID).
		SetCreatedByID(v.UserID).
		SetURL(*in.URL).
		SetEvents(names(in.Events)).
		SetNillableSendPayload(in.SendPayload).
		SetNillableActive(in.Active).
		SetSecretSealed(s.sealer.Seal([]byte(token), bind(v.OrgID))).
		Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return h, token, nil
}

// errNoStanding is why a delivery of a webhook whose creator lost standing
// is not sent.
const errNoStanding = "not sent: the webhook's creator may no longer manage it (removed, deactivated or given a lesser role); an admin who wants it kept makes it again"

// inStanding reports whether h's creator (whoever last chose its URL) may
// still manage it: an active
// member of its organization whom the webhook policy lets see it, with
// the role they hold now (an organization's webhooks need an owner or
// admin; a project's a manager with the project in their scope). A webhook
// is only as good as its creator's standing, as an invite is: one a
// manager pointed at their own server stops sending the project's data
// when they are removed or demoted, however long it was left behind.
func (s *Service) inStanding(ctx context.Context, h *ent.Webhook) (bool, error) {
	creator, err := auth.MemberViewer(ctx, s.client, h.CreatedByID, h.OrganizationID)
	if err != nil || creator == nil {
		return false, err
	}
	return s.client.Webhook.Query().Where(webhook.ID(h.ID)).Exist(viewer.NewContext(ctx, creator))
}

// Update changes the given fields of a webhook.
func (s *Service) Update(ctx context.Context, id int, in Input) (*ent.Webhook, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	if in.ProjectID != nil {
		return nil, fault.Invalid("a webhook's project cannot change: delete it and make another")
	}
	if err := s.check(in, false); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	h, err := client.Webhook.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	u := client.Webhook.UpdateOne(h).SetNillableURL(in.URL).SetNillableSendPayload(in.SendPayload).SetNillableActive(in.Active)
	if in.URL != nil && *in.URL != h.URL {
		// Whoever points a webhook somewhere answers for it: its standing
		// is theirs from now on (inStanding). Otherwise a manager could
		// point an owner's webhook at their own server and keep it after
		// they were removed.
		u.SetCreatedByID(viewer.FromContext(ctx).UserID)
	}
	if in.Events != nil {
		u.SetEvents(names(in.Events))
	}
	return u.Save(ctx)
}

// Delete deletes a webhook with its delivery log; deliveries not yet sent
// are dropped.
func (s *Service) Delete(ctx context.Context, id int) error {
	if _, err := fault.SignedIn(ctx); err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	h, err := client.Webhook.Get(ctx, id)
	if err != nil {
		return err
	}
	return client.Webhook.DeleteOne(h).Exec(ctx)
}
