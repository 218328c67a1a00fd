package audit

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"gloss/ent"
)

// unaudited are entities whose rows the generic hook does not log: the log
// itself and its checkpoints, login throttles, and sessions (sign-in and sign-out are logged as
// security events instead).
var unaudited = map[string]bool{
	ent.TypeAuditEvent:      true,
	ent.TypeAuditCheckpoint: true,
	ent.TypeThrottle:        true,
	ent.TypeSession:         true,
}

type quietKey struct{}

// Quiet marks ctx so that the hook does not log row by row: imports log one
// event for the whole import instead of one per task.
func Quiet(ctx context.Context) context.Context {
	return context.WithValue(ctx, quietKey{}, true)
}

// Hook logs every successful mutation: "<entity>.<op>", the row id when
// there is one, and the names (never the values) of the fields it set. It
// is registered on the client, so no code path can skip it.
func (l *Log) Hook(log *slog.Logger) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil || unaudited[m.Type()] || ctx.Value(quietKey{}) != nil {
				return v, err
			}
			e := Event{
				Action:     strings.ToLower(m.Type()) + "." + opName(m.Op()),
				TargetType: m.Type(),
			}
			if idm, ok := m.(interface{ ID() (int, bool) }); ok {
				if id, ok := idm.ID(); ok {
					e.TargetID = strconv.Itoa(id)
				}
			}
			if e.OrgID == nil {
				// Rows that belong to an organization are logged in it even
				// when the server made them (signup, bootstrap).
				if org, ok := m.Field("organization_id"); ok {
					if id, ok := org.(int); ok {
						e.OrgID = &id
					}
				}
			}
			if n, ok := v.(int); ok && e.TargetID == "" {
				e.Details = map[string]any{"rows": n}
			}
			if fields := m.Fields(); len(fields) > 0 {
				if e.Details == nil {
					e.Details = map[string]any{}
				}
				e.Details["fields"] = fields
			}
			if err := l.Record(ctx, e); err != nil {
				// A mutation whose event cannot be written does not happen.
				log.Error("audit record", slog.String("action", e.Action), slog.Any("error", err))
				return nil, err
			}
			return v, nil
		})
	}
}

func opName(op ent.Op) string {
	switch {
	case op.Is(ent.OpCreate):
		return "create"
	case op.Is(ent.OpUpdate | ent.OpUpdateOne):
		return "update"
	case op.Is(ent.OpDelete | ent.OpDeleteOne):
		return "delete"
	}
	return strings.ToLower(op.String())
}
