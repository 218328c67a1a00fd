package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"gloss/internal/fault"
)

// TestCancelledRequestIsOneQuietLine: every field of a request whose
// client went away fails with the context's error; that is one Info line
// for the request, never "internal error", while a real fault is still
// logged as one.
func TestCancelledRequestIsOneQuietLine(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	present := ErrorPresenter(log, func(context.Context) string { return "req-1" })

	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		out.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		var opCtx context.Context
		_ = RequestScope{}.InterceptOperation(ctx, func(c context.Context) graphql.ResponseHandler {
			opCtx = c
			return nil
		})
		cancel()
		for i := 0; i < 1000; i++ {
			// What drivers and ent give back: wrapped, or in their own words.
			errs := []error{fmt.Errorf("ent: query: %w", cause), errors.New("sqlite3: interrupted")}
			e := present(opCtx, errs[i%2])
			if e.Extensions["code"] != fault.Internal || !strings.Contains(e.Message, "cancelled") {
				t.Fatalf("presented as %v %q", e.Extensions["code"], e.Message)
			}
		}
		if n := strings.Count(out.String(), "\n"); n != 1 || strings.Contains(out.String(), "internal error") || !strings.Contains(out.String(), "level=INFO") {
			t.Fatalf("%v: the log has %d lines:\n%.2000s", cause, n, out.String())
		}
	}

	out.Reset()
	e := present(context.Background(), errors.New("disk on fire"))
	if !strings.Contains(e.Message, "internal error") || !strings.Contains(out.String(), "graphql internal error") {
		t.Fatalf("a real fault is no longer logged: %q / %q", e.Message, out.String())
	}
}
