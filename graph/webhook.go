package graph

import (
	"context"

	"gloss/ent"
	entwebhook "gloss/ent/webhook"
	"gloss/graph/model"
	"gloss/internal/webhook"
)

// events converts GraphQL events to the webhook package's; nil stays nil
// (not given).
func events(es []model.WebhookEvent) []webhook.Event {
	if es == nil {
		return nil
	}
	out := make([]webhook.Event, len(es))
	for i, e := range es {
		out[i] = webhook.Event(e)
	}
	return out
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
