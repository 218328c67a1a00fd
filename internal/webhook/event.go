// Package webhook sends Label Studio's webhook events. A change that causes
// an event writes an outbox row (WebhookDelivery) in its own transaction
// through Emit, so the event exists exactly when the change does; a Worker
// in every process claims due rows and POSTs them, signed, through the
// SSRF-safe client, retrying with backoff. Nothing about sending runs in the
// request that caused the event.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"gloss/internal/export"
	"time"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/webhook"
	"gloss/internal/audit"
	"gloss/internal/viewer"
)

// Event is a webhook event, named as in Label Studio.
type Event string

// The events Gloss sends.
const (
	TasksCreated       Event = "TASKS_CREATED"
	TasksDeleted       Event = "TASKS_DELETED"
	AnnotationCreated  Event = "ANNOTATION_CREATED"
	AnnotationsCreated Event = "ANNOTATIONS_CREATED"
	AnnotationUpdated  Event = "ANNOTATION_UPDATED"
	AnnotationsDeleted Event = "ANNOTATIONS_DELETED"
	ProjectCreated     Event = "PROJECT_CREATED"
	ProjectUpdated     Event = "PROJECT_UPDATED"
	ProjectDeleted     Event = "PROJECT_DELETED"
)

// Events lists every event, in the order of the GraphQL enum.
var Events = []Event{TasksCreated, TasksDeleted, AnnotationCreated, AnnotationsCreated, AnnotationUpdated,
	AnnotationsDeleted, ProjectCreated, ProjectUpdated, ProjectDeleted}

// MaxPayloadItems is the most tasks or annotations one bulk event carries
// (TASKS_CREATED of a large import, ANNOTATIONS_CREATED): the first ones,
// in the order they were stored.
const MaxPayloadItems = 100

// Emit queues event for every active webhook of the project's organization
// that subscribes to it (organization webhooks and the project's own), in
// the transaction of client, so the event is sent if and only if the
// change commits. body holds the event's objects by Label Studio's keys
// ("annotation", "task", "tasks", "annotations"); Emit adds "action" and
// "project". It costs one indexed read when no webhook listens (a caller
// that reads Listening with its own state skips even that).
func Emit(ctx context.Context, client *ent.Client, event Event, p *ent.Project, body map[string]any) error {
	return EmitLazy(ctx, client, event, p, func(context.Context) (map[string]any, error) { return body, nil })
}

// listening holds for the webhooks that hear event of project, of
// organization org: its active organization webhooks and its own that
// subscribe to it.
func listening(org, project int, event Event) predicate.Webhook {
	return webhook.And(webhook.OrganizationID(org), webhook.Active(true),
		webhook.Or(webhook.ProjectIDIsNil(), webhook.ProjectID(project)),
		func(s *sql.Selector) { s.Where(sqljson.ValueContains(s.C(webhook.FieldEvents), string(event))) })
}

// Listening is, for a statement of the caller's, the condition that some
// webhook hears event of project, of organization org: a caller on a hot
// path that reads its own state in one statement anyway (a submit) reads
// this with it and calls Emit only when it holds, instead of Emit's own
// read finding nothing.
func Listening(org, project int, event Event) *sql.Predicate {
	w := sql.Table(webhook.Table)
	hooks := sql.Select(w.C(webhook.FieldID)).From(w)
	listening(org, project, event)(hooks)
	return sql.Exists(hooks)
}

// EmitLazy is Emit with a body built only when a webhook sends it with its
// payload: for events whose objects must be read back first (an import's
// first tasks).
func EmitLazy(ctx context.Context, client *ent.Client, event Event, p *ent.Project, body func(context.Context) (map[string]any, error)) error {
	// The server's own bookkeeping: whoever caused the event may not read
	// webhooks (an annotator) and no audit row is wanted per delivery.
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	hooks, err := client.Webhook.Query().Where(listening(p.OrganizationID, p.ID, event)).
		Select(webhook.FieldID, webhook.FieldSendPayload).All(sys)
	if err != nil || len(hooks) == 0 {
		return err
	}
	var full, bare []byte
	now := time.Now()
	var creates []*ent.WebhookDeliveryCreate
	for _, h := range hooks {
		var payload []byte
		if h.SendPayload {
			if full == nil {
				b, err := body(ctx)
				if err != nil {
					return err
				}
				if full, err = fullPayload(event, p, b); err != nil {
					return err
				}
			}
			payload = full
		} else {
			if bare == nil {
				bare, _ = json.Marshal(map[string]any{"action": event})
			}
			payload = bare
		}
		creates = append(creates, client.WebhookDelivery.Create().
			SetOrganizationID(p.OrganizationID).SetWebhookID(h.ID).SetEvent(string(event)).
			SetPayload(payload).SetNextAttemptAt(now))
	}
	if len(creates) == 0 {
		return nil
	}
	return client.WebhookDelivery.CreateBulk(creates...).Exec(sys)
}

func fullPayload(event Event, p *ent.Project, body map[string]any) ([]byte, error) {
	out := map[string]any{"action": event}
	for k, v := range body {
		out[k] = v
	}
	if event == ProjectDeleted {
		out["project"] = map[string]any{"id": p.ID}
	} else {
		out["project"] = Project(p)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("webhook payload: %w", err)
	}
	return b, nil
}

// Project is a project as webhook payloads carry it (Label Studio's
// project fields that Gloss has).
func Project(p *ent.Project) map[string]any {
	return map[string]any{
		"id":                  p.ID,
		"title":               p.Title,
		"description":         p.Description,
		"label_config":        p.LabelConfig,
		"expert_instruction":  p.Instructions,
		"show_skip_button":    p.ShowSkip,
		"maximum_annotations": p.Overlap,
		"created_at":          export.Time(p.CreatedAt),
		"updated_at":          export.Time(p.UpdatedAt),
	}
}

// Task is a task as webhook payloads carry it.
func Task(t *ent.Task) map[string]any {
	m := map[string]any{
		"id":                    t.ID,
		"inner_id":              t.InnerID,
		"data":                  t.Data,
		"project":               t.ProjectID,
		"total_annotations":     t.TotalAnnotations,
		"cancelled_annotations": t.CancelledAnnotations,
		"created_at":            export.Time(t.CreatedAt),
		"updated_at":            export.Time(t.UpdatedAt),
	}
	if len(t.Meta) > 0 {
		m["meta"] = t.Meta
	}
	return m
}

// Tasks is Task of the first MaxPayloadItems tasks.
func Tasks(ts []*ent.Task) []map[string]any {
	out := make([]map[string]any, 0, min(len(ts), MaxPayloadItems))
	for _, t := range ts[:min(len(ts), MaxPayloadItems)] {
		out = append(out, Task(t))
	}
	return out
}

// Annotation is an annotation as webhook payloads carry it.
func Annotation(a *ent.Annotation) map[string]any {
	return map[string]any{
		"id":            a.ID,
		"result":        a.Result,
		"task":          a.TaskID,
		"project":       a.ProjectID,
		"completed_by":  a.CompletedByID,
		"was_cancelled": a.WasCancelled,
		"ground_truth":  a.GroundTruth,
		"lead_time":     a.LeadTime,
		"created_at":    export.Time(a.CreatedAt),
		"updated_at":    export.Time(a.UpdatedAt),
	}
}

// Annotations is Annotation of the first MaxPayloadItems annotations.
func Annotations(as []*ent.Annotation) []map[string]any {
	out := make([]map[string]any, 0, min(len(as), MaxPayloadItems))
	for _, a := range as[:min(len(as), MaxPayloadItems)] {
		out = append(out, Annotation(a))
	}
	return out
}

// IDs is the payload of deleted objects: [{"id": 1}, ...].
func IDs(ids ...int) []map[string]any {
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"id": id}
	}
	return out
}
