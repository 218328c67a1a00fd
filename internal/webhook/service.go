package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

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

// SealPurpose is the secret.Sealer purpose of webhook signing secrets;
// headersPurpose that of their headers.
const (
	SealPurpose    = "webhook secret"
	headersPurpose = "webhook headers"
)

// Service makes, changes and deletes webhooks, and sends their deliveries
// (Worker). Who may do what is the Webhook policy's decision.
type Service struct {
	client  *ent.Client
	sealer  secret.Sealer
	headers secret.Sealer
	http    *safehttp.Client
	log     *slog.Logger
}

// NewService returns a Service over client that seals secrets with key and
// sends through httpClient, the SSRF-safe client.
func NewService(client *ent.Client, key secret.Key, httpClient *safehttp.Client, log *slog.Logger) *Service {
	return &Service{client: client, sealer: key.Sealer(SealPurpose), headers: key.Sealer(headersPurpose), http: httpClient, log: log}
}

// Input is what a caller may set on a webhook; nil leaves a field as it is
// (or at its default when creating).
type Input struct {
	ProjectID   *int // creating only
	URL         *string
	Events      []Event
	SendPayload *bool
	Active      *bool
	// Headers replace the webhook's headers; nil keeps them, unless the
	// URL changes (see Update), and empty removes them.
	Headers *[]Header
}

// Header is a header a webhook's requests carry besides Gloss's own.
type Header struct{ Name, Value string }

// MaxHeaders is the most headers a webhook carries of its own.
const MaxHeaders = 10

// reservedHeaders are the headers a webhook cannot set: those that frame
// or route the request (the HTTP client's to write), and Gloss's own.
var reservedHeaders = []string{"Host", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding",
	"Connection", "Keep-Alive", "Upgrade", "Te", "Trailer", "Expect", "Proxy-Authorization", "Proxy-Connection"}

// checkHeaders refuses headers that are not HTTP's to carry, are
// reserved, or are repeated.
func checkHeaders(hs []Header) error {
	if len(hs) > MaxHeaders {
		return fault.Invalid("headers: at most %d", MaxHeaders)
	}
	seen := map[string]bool{}
	for i, h := range hs {
		name := http.CanonicalHeaderKey(strings.TrimSpace(h.Name))
		switch {
		case name == "" || len(name) > 100 || !httpguts.ValidHeaderFieldName(name):
			return fault.Invalid("headers[%d]: the name must be an HTTP header name of at most 100 characters", i)
		case slices.Contains(reservedHeaders, name) || strings.HasPrefix(name, "X-Gloss-"):
			return fault.Invalid("headers[%d]: %s is set by Gloss, not by a webhook", i, name)
		case seen[name]:
			return fault.Invalid("headers[%d]: %s is given twice", i, name)
		case len(h.Value) > 4096 || !httpguts.ValidHeaderFieldValue(h.Value):
			return fault.Invalid("headers[%d]: the value of %s must be at most 4096 characters, without line breaks or control characters", i, name)
		}
		seen[name] = true
		hs[i].Name = name
	}
	return nil
}

// setHeaders records hs on a webhook being made or changed: their names,
// and the whole sealed to the organization.
func (s *Service) setHeaders(m *ent.WebhookMutation, org int, hs []Header) {
	if len(hs) == 0 {
		m.ClearHeaderNames()
		m.ClearHeadersSealed()
		return
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	b, _ := json.Marshal(hs)
	m.SetHeaderNames(names)
	m.SetHeadersSealed(s.headers.Seal(b, bind(org)))
}

// openHeaders returns the headers h's requests carry, or an error when
// they cannot be read.
func (s *Service) openHeaders(h *ent.Webhook) ([]Header, error) {
	if len(h.HeadersSealed) == 0 {
		return nil, nil
	}
	b, err := s.headers.Open(h.HeadersSealed, bind(h.OrganizationID))
	if err != nil {
		return nil, err
	}
	var hs []Header
	return hs, json.Unmarshal(b, &hs)
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
	if in.Headers != nil {
		if err := checkHeaders(*in.Headers); err != nil {
			return err
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
	c := client.Webhook.Create().
		SetOrganizationID(v.OrgID).
		SetNillableProjectID(in.ProjectID).
		SetCreatedByID(v.UserID).
		SetURL(*in.URL).
		SetEvents(names(in.Events)).
		SetNillableSendPayload(in.SendPayload).
		SetNillableActive(in.Active).
		SetSecretSealed(s.sealer.Seal([]byte(token), bind(v.OrgID)))
	if in.Headers != nil {
		s.setHeaders(c.Mutation(), v.OrgID, *in.Headers)
	}
	h, err := c.Save(ctx)
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
	moved := in.URL != nil && *in.URL != h.URL
	if moved && in.Headers == nil {
		// The headers were chosen for the old URL and may hold its
		// credentials: they do not follow the webhook to a new one unless
		// given again in the same change.
		in.Headers = &[]Header{}
	}
	if moved || in.Headers != nil {
		// Whoever points a webhook somewhere answers for it: its standing
		// is theirs from now on (inStanding). Otherwise a manager could
		// point an owner's webhook at their own server and keep it after
		// they were removed. Headers point it too: a receiver that tells
		// its accounts apart by a header's key sends the data to whoever
		// set the key.
		u.SetCreatedByID(viewer.FromContext(ctx).UserID)
	}
	if in.Headers != nil {
		s.setHeaders(u.Mutation(), h.OrganizationID, *in.Headers)
	}
	if in.Events != nil {
		u.SetEvents(names(in.Events))
	}
	// Only while the URL is still the one read: headers given for it must
	// not land on a URL another change put in meanwhile.
	saved, err := u.Where(webhook.URL(h.URL)).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, fault.Invalid("webhook %d changed while this change was made: read it again and retry", id)
	}
	return saved, err
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
