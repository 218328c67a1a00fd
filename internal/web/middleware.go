package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"

	"gloss/internal/audit"
	"gloss/internal/fault"
	"gloss/internal/forwarded"
)

// MaxBodyBytes caps GraphQL request bodies; imports have their own limit.
const MaxBodyBytes = 1 << 20

type requestIDKey struct{}

// RequestID returns the id of the request in ctx ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// recoverer turns a panic into a logged 500 with the request id, never a
// dropped connection or a stack trace. It runs inside requestContext (which
// gives the id) and logRequests, outside everything else.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic", slog.Any("panic", v), slog.String("request_id", RequestID(r.Context())))
					fault.WriteJSON(w, http.StatusInternalServerError, fault.Internal, "internal error (request id "+RequestID(r.Context())+")")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// requestContext is the outermost middleware: it puts into the request's
// context, once, what the layers after it read there. A random id for the
// request, also in the X-Request-Id response header; who the client is and
// which origin it addressed (forwarded.Proxies.Resolve: X-Forwarded-* from
// trusted proxies only), which forwarded.Of finds for the CSRF guard, HSTS,
// cookies, the sign-in throttle and the audit log; and the audit log's
// request metadata (client address, user agent, id). One context and one
// copy of the request carry all three: three middlewares each copying the
// request cost a small query several per cent of its CPU.
func requestContext(proxies forwarded.Proxies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id := hex.EncodeToString(b[:])
			w.Header().Set("X-Request-Id", id)
			from := proxies.Resolve(r)
			ctx := context.WithValue(r.Context(), requestIDKey{}, id)
			ctx = forwarded.NewContext(ctx, from)
			ctx = audit.NewContext(ctx, audit.Request{ClientAddress: from.Client, UserAgent: r.UserAgent(), RequestID: id})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: method, path (never the query
// string, which may hold an invite token), status, duration and request id.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", RequestID(r.Context())))
		})
	}
}

// contentSecurityPolicy allows only the app's own scripts and styles (task
// images and audio may come from any http(s) URL, as in Label Studio), no
// framing, no plugins, and no form posts or base URLs elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: https: http:; media-src 'self' data: https: http:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// header is a response header in canonical form with its value, shared by
// every response: a handler that changes it (Set, Add, Del) replaces the
// map entry or grows a copy, never the shared value.
type header struct {
	name  string
	value []string
}

// hardening is what every response carries; hsts goes with HTTPS.
var (
	hardening = []header{
		{"Content-Security-Policy", []string{contentSecurityPolicy}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"no-referrer"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
		{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=()"}},
	}
	hsts = header{"Strict-Transport-Security", []string{"max-age=63072000; includeSubDomains"}}
)

// securityHeaders sets the browser-hardening headers on every response, in
// this one place. HSTS goes with every response to a request that reached
// Gloss over HTTPS, directly or through a trusted proxy (browsers ignore it
// over plain HTTP). It runs after requestContext.
func securityHeaders() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for _, kv := range hardening {
				h[kv.name] = kv.value
			}
			if forwarded.Of(r).Scheme == "https" {
				h[hsts.name] = hsts.value
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody caps request bodies at MaxBodyBytes. Routes without a body of
// their own limit get it; the import route sets its own.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			fault.WriteJSON(w, http.StatusRequestEntityTooLarge, fault.BadInput, "the request body is larger than 1 MiB")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// corsPolicy answers cross-origin requests from the operator's listed origins
// only (GLOSS_CORS_ALLOWED_ORIGINS), with credentials for those alone. With
// no list it adds nothing, so browsers keep the same-origin policy. It runs
// before the CSRF guard so preflights are answered.
func corsPolicy(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	return c.Handler
}

// csrfGuard refuses cookie-authenticated state changes that a foreign page
// could forge: a non-GET request that carries the session cookie (or no
// Authorization header) must come from the app's own origin or a listed CORS
// origin, judged by Origin, else by Sec-Fetch-Site. Requests with neither
// header and no cookie (scripts, curl) pass; token clients are not exposed
// to CSRF because browsers never attach their header.
//
// The app's own origin is the one the request was sent to (forwarded.Of:
// through a trusted proxy, what the browser addressed) and also the origin
// of publicURL (GLOSS_PUBLIC_URL), which the operator declares to be where
// users reach Gloss. Accepting the declared origin is safe without any
// trusted proxy: a browser writes Origin itself, so a foreign page cannot
// send Origin: <the public URL>, and a client that forges the header is not
// a browser holding a victim's cookie. It runs after requestContext.
func csrfGuard(cookieName string, allowed []string, publicURL string) func(http.Handler) http.Handler {
	extra := make(map[string]bool, len(allowed)+1)
	for _, o := range append(slices.Clone(allowed), publicURL) {
		if n, ok := forwarded.NormalizeOrigin(o); ok {
			extra[n] = true
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				next.ServeHTTP(w, r)
				return
			}
			_, cookieErr := r.Cookie(cookieName)
			hasCookie := cookieErr == nil
			if !hasCookie && r.Header.Get("Authorization") != "" {
				next.ServeHTTP(w, r)
				return
			}
			if origin := r.Header.Get("Origin"); origin != "" {
				if o, ok := originHeader(origin); ok && (extra[o] || o == forwarded.Of(r).Origin()) {
					next.ServeHTTP(w, r)
					return
				}
				fault.WriteJSON(w, http.StatusForbidden, fault.Forbidden, "cross-origin request refused")
				return
			}
			switch r.Header.Get("Sec-Fetch-Site") {
			case "same-origin":
				next.ServeHTTP(w, r)
				return
			case "":
				if !hasCookie {
					next.ServeHTTP(w, r)
					return
				}
			}
			fault.WriteJSON(w, http.StatusForbidden, fault.Forbidden, "cross-origin request refused")
		})
	}
}

// navigationOnly guards the download routes whose every GET does work and
// writes an audit event in the viewer's name (an export, the audit log):
// a browser reaches them only by navigating to them from the app or the
// address bar. The SPA shows task data, which an importer chooses, as
// <img> and <audio> sources; pointed at such a route, the viewer's browser
// would otherwise run the export (and log that they ran it) on every view.
// So a cookie-authenticated request whose fetch metadata says it is a
// subresource (Sec-Fetch-Mode other than navigate), a frame, or another
// site's link is refused before the handler runs. Clients that send no
// fetch metadata (scripts, older browsers) and requests with an
// Authorization header (which no <img> can carry) pass.
func navigationOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && !navigation(r.Header) {
			fault.WriteJSON(w, http.StatusForbidden, fault.Forbidden,
				"this download opens only as a link from Gloss or with an API token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// navigation reports whether fetch metadata, when the browser sent any,
// describes a top-level navigation from the app itself or the address bar.
func navigation(h http.Header) bool {
	mode, dest, site := h.Get("Sec-Fetch-Mode"), h.Get("Sec-Fetch-Dest"), h.Get("Sec-Fetch-Site")
	return (mode == "" || mode == "navigate") &&
		(dest == "" || dest == "document" || dest == "empty") &&
		(site == "" || site == "same-origin" || site == "none")
}

// originHeader normalizes an Origin header value; one with a path (which no
// browser sends) is refused.
func originHeader(v string) (string, bool) {
	o, ok := forwarded.NormalizeOrigin(v)
	if !ok {
		return "", false
	}
	_, rest, _ := strings.Cut(v, "://")
	return o, !strings.Contains(rest, "/")
}
