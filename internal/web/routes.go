// Package web is Gloss's HTTP surface: one route table, the middleware
// chain, the GraphQL handler with its limits, and the embedded SPA.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"

	"gloss/ent"
	"gloss/graph"
	"gloss/internal/accounts"
	"gloss/internal/audit"
	"gloss/internal/auth"
	"gloss/internal/dataset"
	"gloss/internal/draft"
	"gloss/internal/fault"
	"gloss/internal/forwarded"
	"gloss/internal/labeling"
	"gloss/internal/organization"
	"gloss/internal/projects"
	"gloss/internal/storage"
	"gloss/internal/webhook"
)

// Options configure the HTTP handler.
type Options struct {
	Client             *ent.Client
	Ping               func(context.Context) error // checks the database answers
	Auth               *auth.Service
	Accounts           *accounts.Service
	Projects           *projects.Service
	Labeling           *labeling.Service
	Drafts             *draft.Service
	Dataset            *dataset.Service
	Webhooks           *webhook.Service
	Storages           *storage.Service
	Audit              *audit.Log
	Dist               fs.FS             // the built SPA
	PublicURL          string            // GLOSS_PUBLIC_URL, may be empty: its origin is the app's own
	TrustedProxies     forwarded.Proxies // GLOSS_TRUSTED_PROXIES
	CORSAllowedOrigins []string
	Introspection      bool
	Logger             *slog.Logger
}

// NewHandler returns the server's whole HTTP handler.
func NewHandler(o Options) http.Handler {
	mux := http.NewServeMux()

	// Health: process up, and database reachable.
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.HandleFunc("GET /readyz", handleReady(o.Ping))

	// The GraphQL API: POST with a JSON body only.
	schema := graph.NewSchema(&graph.Resolver{
		Client: o.Client, Accounts: o.Accounts, Projects: o.Projects, Labeling: o.Labeling, Drafts: o.Drafts, Dataset: o.Dataset,
		Organizations: organization.NewService(o.Client, o.Audit, o.Dataset), Webhooks: o.Webhooks, Storages: o.Storages,
	})
	mux.Handle("POST /graphql", limitBody(newGraphQL(o.Client, schema, o.Introspection, o.Logger)))
	for _, m := range []string{"GET", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		mux.HandleFunc(m+" /graphql", handleGraphQLMethod)
	}

	// Task files in and export files out: streams that are not GraphQL.
	mux.Handle("POST /api/projects/{id}/import", handleImport(o.Dataset, o.Logger))
	// Exports and the audit download are navigations only (navigationOnly):
	// task data cannot point an <img> at them.
	mux.Handle("GET /api/projects/{id}/export", navigationOnly(handleExport(o.Dataset, o.Logger)))
	// Media uploaded through the import page, to whoever may read a task
	// that names them, served inertly.
	mux.Handle("GET /api/uploads/{name}", handleUpload(o.Dataset, o.Logger))

	// The data proxy: a task's storage objects, to those who may read the task.
	mux.Handle("GET /api/tasks/{id}/resolve", handleResolve(o.Storages, o.Logger))

	// The audit log as JSON lines, for owners and admins.
	mux.Handle("GET /api/audit-events.jsonl", navigationOnly(handleAuditDownload(o.Client, o.Audit, o.Logger)))

	// The single-page app, with index.html for client routes.
	mux.Handle("GET /", spa(o.Dist))

	// Middleware, outermost first.
	var h http.Handler = mux
	h = o.Auth.Authenticate(h)
	h = csrfGuard(o.Auth.Store().CookieName(), o.CORSAllowedOrigins, o.PublicURL)(h)
	h = corsPolicy(o.CORSAllowedOrigins)(h)
	h = securityHeaders()(h)
	h = recoverer(o.Logger)(h)
	h = logRequests(o.Logger)(h)
	h = requestContext(o.TrustedProxies)(h)
	return h
}

// handleHealth handles GET /healthz: the process serves.
func handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReady handles GET /readyz: the database answers.
func handleReady(ping func(context.Context) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := ping(r.Context()); err != nil {
			fault.WriteJSON(w, http.StatusServiceUnavailable, fault.Internal, "database unavailable")
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ready\n"))
	}
}

// handleGraphQLMethod answers any method but POST on /graphql.
func handleGraphQLMethod(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	fault.WriteJSON(w, http.StatusMethodNotAllowed, fault.BadInput, "use POST with an application/json body")
}
