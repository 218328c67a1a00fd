package rule

import (
	"context"
	"errors"

	"entgo.io/ent"

	gen "gloss/ent"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/webhook"
	"gloss/ent/webhookdelivery"
	"gloss/internal/viewer"
)

// WebhookPolicy lets owners and admins read and manage every webhook of
// their active organization, and managers only the webhooks of the
// projects in their scope (not the organization's own, which see every
// project). Reviewers and annotators see none.
func WebhookPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.WebhookQueryRuleFunc(func(ctx context.Context, q *gen.WebhookQuery) error {
			v := viewer.User(ctx)
			if v == nil || !v.CanManageProjects() {
				return privacy.Skip
			}
			if scope := ProjectScope(v); scope != nil {
				q.Where(webhook.HasProjectWith(scope))
			}
			q.Where(webhook.OrganizationID(v.OrgID))
			return privacy.Allow
		})},
		[]privacy.MutationRule{privacy.WebhookMutationRuleFunc(func(ctx context.Context, m *gen.WebhookMutation) error {
			v := viewer.User(ctx)
			if v == nil || !v.CanManageProjects() {
				return privacy.Skip
			}
			scope := ProjectScope(v)
			if m.Op().Is(ent.OpCreate) {
				pid, ok := m.ProjectID()
				if !ok {
					if scope != nil {
						return errOrgWebhooks
					}
					return privacy.Skip
				}
				// The project must be one the viewer works on; its own
				// policy (and scope) decides, so a foreign id is not found.
				err := visible(ctx, m.Client().Project.Query().Where(project.ID(pid)), "the webhook's project is not visible")
				if !errors.Is(err, privacy.Allow) {
					return err
				}
				return privacy.Skip
			}
			if scope != nil && isUpdateOrDelete(m.Op()) {
				m.Where(webhook.HasProjectWith(scope))
			}
			return privacy.Skip
		}), managedInOrg()},
	)
}

// WebhookDeliveryPolicy lets owners and admins read the delivery log of
// their active organization's webhooks. Only the server writes it.
func WebhookDeliveryPolicy() ent.Policy {
	return policy(
		[]privacy.QueryRule{privacy.WebhookDeliveryQueryRuleFunc(func(ctx context.Context, q *gen.WebhookDeliveryQuery) error {
			if v := viewer.User(ctx); v != nil && v.IsOrgAdmin() {
				q.Where(webhookdelivery.OrganizationID(v.OrgID))
				return privacy.Allow
			}
			return privacy.Skip
		})},
		nil,
	)
}
