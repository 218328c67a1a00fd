package graph

import (
	"context"

	"gloss/ent"
	entwebhook "gloss/ent/webhook"
	"gloss/graph/model"
	"gloss/internal/fault"
	"gloss/internal/webhook"
)

// events converts GraphQL events to the webhook package's; nil stays nil
// (not given). sendForAllActions true (Label Studio's send_for_all_actions)
// stands for every event, and is refused beside a list of them, which it
// would silently override.
func events(es []model.WebhookEvent, sendForAllActions *bool) ([]webhook.Event, error) {
	if sendForAllActions != nil && *sendForAllActions {
		if es != nil {
			return nil, fault.Invalid("give events or sendForAllActions, not both")
		}
		return webhook.Events, nil
	}
	if es == nil {
		return nil, nil
	}
	out := make([]webhook.Event, len(es))
	for i, e := range es {
		out[i] = webhook.Event(e)
	}
	return out, nil
}

// headers converts GraphQL headers to the webhook package's; nil stays nil
// (not given).
func headers(hs []*model.WebhookHeaderInput) *[]webhook.Header {
	if hs == nil {
		return nil
	}
	out := make([]webhook.Header, len(hs))
	for i, h := range hs {
		out[i] = webhook.Header{Name: h.Name, Value: h.Value}
	}
	return &out
}

// projectWebhooks loads the webhooks of projects, at most maxWebhooks per
// project, oldest first.
func (r *Resolver) projectWebhooks(ctx context.Context, ids []int) (map[int][]*ent.Webhook, error) {
	q := r.client(ctx).Webhook.Query().Where(entwebhook.ProjectIDIn(ids...))
	q.Modify(capPerParent(entwebhook.FieldProjectID, maxWebhooks, entwebhook.FieldID))
	hs, err := q.All(ctx)
	out := map[int][]*ent.Webhook{}
	for _, h := range hs {
		out[*h.ProjectID] = append(out[*h.ProjectID], h)
	}
	return out, err
}
