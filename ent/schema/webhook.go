package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Webhook is a receiver of events, Label Studio's: for a whole organization
// (no project) or for one project. Its signing secret is kept sealed
// (secret.Sealer), shown once when the webhook is made, and never read back
// through the API.
type Webhook struct {
	ent.Schema
}

// Mixin of the Webhook.
func (Webhook) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, UpdateTimeMixin{}}
}

// Fields of the Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("project_id").Optional().Nillable().Immutable(),
		// Whoever made the webhook, or last changed its URL: its deliveries
		// are sent while they may manage it.
		field.Int("created_by_id").Annotations(entgql.Skip()),
		field.String("url").Validate(required(2048)),
		field.Strings("events"),
		field.Bool("send_payload").Default(true),
		field.Bool("active").Default(true),
		field.Bytes("secret_sealed").Sensitive().Annotations(entgql.Skip()),
		// Headers every request carries besides Gloss's own (Label
		// Studio's webhook headers, such as a receiver's Authorization):
		// their names in the open, to show; names and values sealed, as
		// the values may be credentials, which are never read back.
		field.Strings("header_names").Optional().Annotations(entgql.Skip()),
		field.Bytes("headers_sealed").Optional().Sensitive().Annotations(entgql.Skip()),
		// failures counts the attempts in a row that failed (no answer in
		// time, or an error status): the worker sends the deliveries of
		// webhooks that answer before those of webhooks that do not.
		field.Int("failures").Default(0).Annotations(entgql.Skip()),
	}
}

// Edges of the Webhook.
func (Webhook) Edges() []ent.Edge {
	return []ent.Edge{
		// A project's webhooks go with it.
		edge.To("project", Project.Type).Field("project_id").Unique().Immutable().
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
		edge.To("deliveries", WebhookDelivery.Type).
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Webhook.
func (Webhook) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "project_id")}
}

// Policy of the Webhook: owners and admins manage the organization's
// webhooks; managers those of the projects in their scope.
func (Webhook) Policy() ent.Policy {
	return rule.WebhookPolicy()
}

// WebhookDelivery is one event to send to one webhook: the outbox row,
// written in the transaction of the change that caused it and sent by a
// worker, with retries. Only a status code and a short error of ours are
// kept of the answer, never its body.
type WebhookDelivery struct {
	ent.Schema
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Mixin of the WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("webhook_id").Immutable(),
		field.String("event").Immutable(),
		// Emptied when the delivery finishes: it copies the tasks and
		// annotations of the event, which must not outlive their deletion
		// in a log of what was sent.
		field.Bytes("payload").Annotations(entgql.Skip()),
		field.Enum("status").NamedValues("Pending", "PENDING", "Delivered", "DELIVERED", "Failed", "FAILED").Default("PENDING"),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").Annotations(entgql.Skip()),
		field.Int("response_code").Optional().Nillable(),
		field.String("error").Default(""),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("webhook", Webhook.Type).Ref("deliveries").Field("webhook_id").Unique().Required().Immutable(),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "next_attempt_at"), index.Fields("webhook_id")}
}

// Policy of the WebhookDelivery: owners and admins read the organization's
// delivery log; only the server writes it.
func (WebhookDelivery) Policy() ent.Policy {
	return rule.WebhookDeliveryPolicy()
}
