package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"gloss/ent"
	"gloss/ent/auditevent"
	"gloss/internal/audit"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// auditLine is one line of the JSON lines download.
type auditLine struct {
	ID            int            `json:"id"`
	CreatedAt     time.Time      `json:"created_at"`
	ActorID       *int           `json:"actor_id"`
	Organization  *int           `json:"organization_id"`
	Action        string         `json:"action"`
	TargetType    string         `json:"target_type"`
	TargetID      string         `json:"target_id"`
	ClientAddress string         `json:"client_address"`
	UserAgent     string         `json:"user_agent"`
	RequestID     string         `json:"request_id"`
	Details       map[string]any `json:"details,omitempty"`
	PrevHash      []byte         `json:"prev_hash"`
	Hash          []byte         `json:"hash"`
}

// handleAuditDownload handles GET /api/audit-events.jsonl: the active
// organization's events, oldest first, one JSON object per line, streamed
// in keyset pages. Owners and admins only; the download is itself logged.
func handleAuditDownload(client *ent.Client, log *audit.Log, logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if err := rule.Gate(viewer.FromContext(ctx), rule.OrgAdmin); err != nil {
			writeError(w, r, logger, err)
			return
		}
		if err := log.Record(ctx, audit.Event{Action: "audit.downloaded", TargetType: "Organization"}); err != nil {
			writeError(w, r, logger, err)
			return
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", `attachment; filename="audit-events.jsonl"`)
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		last := 0
		for {
			page, err := client.AuditEvent.Query().Where(auditevent.IDGT(last)).
				Order(ent.Asc(auditevent.FieldID)).Limit(500).All(ctx) // the policy keeps the viewer's organization
			if err != nil {
				logger.Error("audit download", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
				return
			}
			for _, e := range page {
				_ = enc.Encode(auditLine{e.ID, e.CreatedAt, e.ActorID, e.OrganizationID, e.Action, e.TargetType,
					e.TargetID, e.ClientAddress, e.UserAgent, e.RequestID, e.Details, e.PrevHash, e.Hash})
				last = e.ID
			}
			if len(page) < 500 {
				return
			}
		}
	}
}
