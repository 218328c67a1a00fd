// Command gloss is a security-first, self-hosted data-labeling platform.
// main only wires things up: run holds the real program so tests can start it
// in-process on 127.0.0.1:0.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"gloss/frontend"
	"gloss/internal/accounts"
	"gloss/internal/audit"
	"gloss/internal/auth"
	"gloss/internal/config"
	"gloss/internal/database"
	"gloss/internal/dataset"
	"gloss/internal/draft"
	"gloss/internal/labeling"
	"gloss/internal/logsink"
	"gloss/internal/memory"
	"gloss/internal/projects"
	"gloss/internal/safehttp"
	"gloss/internal/secret"
	"gloss/internal/storage"
	"gloss/internal/web"
	"gloss/internal/webhook"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts a graceful shutdown; a second one ends the
	// process at once, as if gloss did not handle signals.
	go func() { <-ctx.Done(); stop() }()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	var cerr *config.Error
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &cerr):
		fmt.Fprintln(os.Stderr, "gloss:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "gloss:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  gloss start [--host 127.0.0.1] [--port 8080] [--data-dir DIR] [--public-url URL]
              [--trusted-proxies CIDR,...]
              [--username EMAIL --password-file FILE [--user-token-file FILE]]
              [--tls-cert FILE --tls-key FILE]
  gloss audit verify [--data-dir DIR]   checks the audit log's chain and checkpoints; exit 1 on a break
  gloss version
`

// run is the whole program: it parses args and the environment (through
// getenv), and for `start` serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return &config.Error{Msg: "missing command"}
	}
	switch args[0] {
	case "start":
		cfg, err := config.Load(args[1:], getenv, stdout)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			fmt.Fprint(stdout, usage)
			return &config.Error{Msg: "usage: gloss audit verify [--data-dir DIR]"}
		}
		cfg, err := config.LoadAudit(args[2:], getenv, stdout)
		if err != nil {
			return err
		}
		return verifyAudit(ctx, cfg, stdout)
	case "version":
		fmt.Fprintln(stdout, "gloss", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return &config.Error{Msg: fmt.Sprintf("unknown command %q", args[0])}
}

func serve(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	// Log lines (one per request) and the messages below go out through one
	// sink, in order, batched while the output is busy; it is closed last,
	// after the shutdown's own lines.
	sink := logsink.New(stdout)
	defer sink.Close()
	stdout = sink
	log := slog.New(slog.NewTextHandler(stdout, nil))
	outbound, err := cfg.Outbound()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	key, err := secret.Load(cfg.DataDir, cfg.SecretKey)
	if err != nil {
		return err
	}
	for _, f := range []struct{ what, path string }{
		{"the data directory (--data-dir / GLOSS_DATA_DIR)", cfg.DataDir},
		{"the secret key file", filepath.Join(cfg.DataDir, secret.FileName)},
		{"the TLS key (--tls-key)", cfg.TLSKey},
	} {
		if w := config.Exposed(f.what, f.path); f.path != "" && w != "" {
			cfg.Warnings = append(cfg.Warnings, w)
		}
	}
	db, err := database.OpenTrusting(ctx, cfg.DatabaseURL, cfg.DataDir, outbound.RootCAs)
	if err != nil {
		return err
	}
	defer db.Close()
	if skew := cfg.ClockSkew; skew != 0 {
		db.Clock = db.NewClock(ctx, func() time.Time { return time.Now().Add(skew) })
	}
	if err := projects.FillCounters(ctx, db.Client); err != nil {
		return err
	}
	if err := projects.FillDataKeys(ctx, db.Client, db.Dialect); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	baseURL := cfg.PublicURL
	if baseURL == "" {
		baseURL = scheme + "://" + ln.Addr().String()
	}

	auditLog := audit.NewLog(db.Client, db.Dialect, key, audit.Options{CheckpointFile: auditCheckpointFile(cfg)})
	if err := auditLog.Start(ctx, log); err != nil {
		return err
	}
	defer func() { // after the last request: a final checkpoint
		if err := auditLog.Stop(); err != nil {
			log.Error("audit checkpoint", slog.Any("error", err))
		}
	}()
	db.Client.Use(auditLog.Hook(log))
	go pruneAudit(ctx, auditLog, cfg.AuditRetention, log)

	authn := auth.NewService(db, auth.Options{Key: key, Secure: cfg.SecureCookies(), Audit: auditLog, Logger: log})
	accts := accounts.NewService(db.Client, authn, accounts.Options{
		Key:        key,
		PublicURL:  cfg.PublicURL,
		OpenSignup: cfg.SignupWithoutLink(),
		Logger:     log,
		Audit:      auditLog,
		Dialect:    db.Dialect,
	})
	// Under the start-up lock: replicas started together on one PostgreSQL
	// database create the default organization and the owner once.
	var setupLink string
	if err := db.Exclusive(ctx, func(ctx context.Context) (err error) {
		setupLink, err = accts.Bootstrap(ctx, baseURL, cfg.Username, cfg.Password, cfg.UserToken)
		return err
	}); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	go forgetThrottles(ctx, accts, log)

	dist, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return fmt.Errorf("embedded app: %w", err)
	}
	fetchOpts := outbound
	fetchOpts.MaxBytes = cfg.ImportMaxBytes
	data := dataset.NewService(db.Client,
		dataset.Limits{MaxImportBytes: cfg.ImportMaxBytes, MaxImportTasks: cfg.ImportMaxTasks, UploadDir: filepath.Join(cfg.DataDir, "uploads"),
			AllowMissingKeys: cfg.ImportAllowMissingKeys},
		dataset.URLFetcher{Client: safehttp.New(fetchOpts)}, auditLog).OnDialect(db.Dialect)
	// Replicas starting together record an earlier release's uploads once.
	if err := db.Exclusive(ctx, data.RecordEarlierUploads); err != nil {
		return fmt.Errorf("record the uploads of an earlier release: %w", err)
	}
	if err := db.Exclusive(ctx, data.RecordEarlierUses); err != nil {
		return fmt.Errorf("record the uses of uploads of an earlier release: %w", err)
	}

	// Webhooks: one worker per process sends what the outbox holds, until
	// the server has stopped serving (deferred before the database closes).
	hookOpts := outbound
	hookOpts.Timeout, hookOpts.MaxRedirects, hookOpts.MaxBytes = webhook.Timeout, -1, 64<<10
	hooks := webhook.NewService(db.Client, key, safehttp.New(hookOpts), log)
	hookCtx, stopHooks := context.WithCancel(context.Background())
	hookDone := make(chan struct{})
	go func() { defer close(hookDone); hooks.NewWorker(db.Dialect, webhook.WorkerOptions{}).Run(hookCtx) }()
	defer func() { stopHooks(); <-hookDone }()

	storageOpts := outbound
	storageOpts.Timeout = 30 * time.Minute // the data proxy streams media through it
	storageOpts.ReturnRedirects = true
	storages := storage.NewService(db.Client, storage.Options{
		Key: key, HTTP: safehttp.New(storageOpts), Dataset: data, Logger: log,
		Local:       storage.Local{Enabled: cfg.LocalFilesServing, Root: cfg.LocalFilesRoot},
		GCSEmulator: cfg.GCSEmulator,
	})
	// Credentials an earlier release sealed to their project only are
	// sealed again to where their storage points, once across replicas.
	if err := db.Exclusive(ctx, func(ctx context.Context) error { return storages.ResealEarlier(ctx, cfg.DataDir) }); err != nil {
		storages.Close(0)
		return fmt.Errorf("seal storage credentials again: %w", err)
	}
	db.Client.Annotation.Use(storages.Hook())
	// Syncs stop; target writes in flight finish before the database
	// closes, within what is left of the shutdown's grace.
	var stopBy time.Time // set when the shutdown starts
	defer func() { storages.Close(time.Until(stopBy)) }()

	drafts := draft.NewService(db.Client)
	handler := web.NewHandler(web.Options{
		Client:             db.Client,
		Ping:               db.Ping,
		Auth:               authn,
		Accounts:           accts,
		Projects:           projects.NewService(db.Client),
		Labeling:           labeling.NewService(db.Client, auditLog, drafts, db.Dialect, db.Clock),
		Drafts:             drafts,
		Dataset:            data,
		Webhooks:           hooks,
		Storages:           storages,
		Audit:              auditLog,
		Dist:               dist,
		PublicURL:          cfg.PublicURL,
		TrustedProxies:     cfg.TrustedProxies,
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		Introspection:      cfg.Introspection,
		Logger:             log,
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.TLS() {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return &config.Error{Msg: fmt.Sprintf("--tls-cert/--tls-key: %v", err)}
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}

	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	// One write, so that whoever waits for the first line finds the
	// setup link with it (the log sink may write its lines in batches).
	ready := fmt.Sprintf("Gloss is listening on %s\n", baseURL)
	if cfg.PublicURL != "" {
		ready = fmt.Sprintf("Gloss is listening on %s://%s (public URL %s)\n", scheme, ln.Addr(), cfg.PublicURL)
	}
	if setupLink != "" {
		ready += fmt.Sprintf("No account exists yet. Open this one-time setup link to create the owner:\n  %s\n", setupLink)
	}
	fmt.Fprint(stdout, ready)
	// Start-up leaves garbage behind (the migration's schema inspection,
	// the parsed system roots, package inits' scratch). The runtime keeps
	// freed pages for reuse up to about its heap goal, so an idle server
	// would hold them: collect once and hand them back now.
	debug.FreeOSMemory()
	memory.DropStartupPages()
	// The collector's pace while serving. GOGC is read from the process's own
	// environment, not run's getenv: it is the runtime's setting, which the
	// runtime itself reads from there.
	memory.Serve(os.Getenv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopBy = time.Now().Add(cfg.ShutdownGrace)
	return shutdown(srv, cfg.ShutdownGrace, log)
}

// shutdown stops srv gracefully: it stops accepting at once and waits up to
// grace for every request in flight (a streaming export included) to
// finish; only then do serve's deferred calls write the last audit
// checkpoint and close the database. Requests still running after grace are
// cut, and the server reports that as an error.
func shutdown(srv *http.Server, grace time.Duration, log *slog.Logger) error {
	log.Info("shutting down: waiting for requests in flight", slog.Duration("grace", grace))
	wait, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(wait)
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
		return fmt.Errorf("requests still running after the shutdown grace period of %s (GLOSS_SHUTDOWN_GRACE) were cut off", grace)
	}
	return err
}

// verifyAudit checks the audit log of the database cfg names against the
// server secret and the checkpoint file, as the server finds them.
func verifyAudit(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, database.FileName)); err != nil {
			return &config.Error{Msg: fmt.Sprintf("--data-dir: no Gloss database in %s", cfg.DataDir)}
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, secret.FileName)); cfg.SecretKey == "" && err != nil {
		return &config.Error{Msg: fmt.Sprintf("no server secret: set GLOSS_SECRET_KEY or point --data-dir at the directory holding %s", secret.FileName)}
	}
	key, err := secret.Load(cfg.DataDir, cfg.SecretKey)
	if err != nil {
		return err
	}
	roots, err := cfg.RootCAs()
	if err != nil {
		return err
	}
	db, err := database.OpenTrusting(ctx, cfg.DatabaseURL, cfg.DataDir, roots)
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := audit.NewLog(db.Client, db.Dialect, key, audit.Options{CheckpointFile: auditCheckpointFile(cfg)}).Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, report)
	return nil
}

// auditCheckpointFile is where the audit log's checkpoints are appended.
func auditCheckpointFile(cfg config.Config) string {
	if cfg.AuditCheckpointFile != "" {
		return cfg.AuditCheckpointFile
	}
	return filepath.Join(cfg.DataDir, audit.CheckpointFileName)
}

// pruneAudit applies the audit retention at start and then daily.
func pruneAudit(ctx context.Context, log *audit.Log, retention time.Duration, logger *slog.Logger) {
	if retention <= 0 {
		return
	}
	periodically(ctx, 24*time.Hour, func() {
		if n, err := log.Prune(ctx, retention); err != nil && ctx.Err() == nil {
			logger.Error("audit retention", slog.Any("error", err))
		} else if n > 0 {
			logger.Info("audit retention removed events", slog.Int("events", n))
		}
	})
}

// forgetThrottles deletes expired sign-in throttles at start and then
// hourly.
func forgetThrottles(ctx context.Context, accts *accounts.Service, logger *slog.Logger) {
	periodically(ctx, time.Hour, func() {
		if n, err := accts.ForgetThrottles(ctx); err != nil && ctx.Err() == nil {
			logger.Error("forget expired throttles", slog.Any("error", err))
		} else if n > 0 {
			logger.Info("forgot expired throttles", slog.Int("rows", n))
		}
	})
}

// periodically runs fn now and then every d until ctx ends.
func periodically(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
