// Package config is Gloss's configuration: one Config value built from
// defaults, then the environment (Label Studio's documented names where they
// exist), then command-line flags, and validated once at start. Errors name
// the flag or variable that is wrong.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"gloss/internal/forwarded"
	"gloss/internal/password"
	"gloss/internal/safehttp"
)

// Config is the whole configuration of one gloss process.
type Config struct {
	Host      string
	Port      int
	DataDir   string
	PublicURL string // GLOSS_PUBLIC_URL; empty means the address requests arrive on

	// TrustedProxies (GLOSS_TRUSTED_PROXIES, --trusted-proxies) are the
	// reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed.
	TrustedProxies forwarded.Proxies

	// The owner account created at start (LABEL_STUDIO_USERNAME, ...).
	// Password and UserToken come from the flag, the variable or the file
	// that --password-file / LABEL_STUDIO_PASSWORD_FILE (and the user-token
	// counterparts) name.
	Username  string
	Password  string
	UserToken string

	// Warnings are things the operator should fix that do not stop the
	// server, such as a secret given on the command line. The server logs them.
	Warnings []string

	TLSCert string
	TLSKey  string

	DatabaseURL string // DATABASE_URL; empty means SQLite in DataDir
	SecretKey   string // GLOSS_SECRET_KEY; empty means a key file in DataDir

	CORSAllowedOrigins []string // GLOSS_CORS_ALLOWED_ORIGINS

	// DisableSignupWithoutLink is LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK.
	// Nil means Gloss's default: signup needs an invite link.
	DisableSignupWithoutLink *bool
	SSRFProtection           bool   // SSRF_PROTECTION_ENABLED, default true
	Introspection            bool   // GLOSS_GRAPHQL_INTROSPECTION, default false
	CustomCACerts            string // comma-separated PEM files trusted by server-side fetches
	AWSCABundle              string // a PEM file, trusted like CUSTOM_CA_CERTS (for S3-compatible storage)
	// OutboundAllow is GLOSS_OUTBOUND_ALLOW: private hosts and networks that
	// server-side requests (webhooks, storages, URL import) may reach
	// although SSRF protection is on.
	OutboundAllow safehttp.Allowlist

	// LocalFilesServing is LOCAL_FILES_SERVING_ENABLED (default false):
	// whether local storages may be made and served, from folders inside
	// LocalFilesRoot (LOCAL_FILES_DOCUMENT_ROOT).
	LocalFilesServing bool
	LocalFilesRoot    string

	// GCSEmulator is STORAGE_EMULATOR_HOST (host:port or an http(s) URL),
	// as the base URL scheme://host that GCS storages with no endpoint of
	// their own use instead of Google, as Google's GCS libraries honour it.
	GCSEmulator string

	ImportMaxBytes int64 // GLOSS_IMPORT_MAX_BYTES, default 200 MiB
	ImportMaxTasks int   // GLOSS_IMPORT_MAX_TASKS, default 1,000,000
	// ImportAllowMissingKeys is GLOSS_IMPORT_ALLOW_MISSING_KEYS, default
	// false: imports refuse tasks lacking a data key the config reads.
	ImportAllowMissingKeys bool

	// AuditRetention is GLOSS_AUDIT_RETENTION_DAYS: events older than this
	// are removed daily. Zero keeps them forever; the default is 365 days.
	AuditRetention time.Duration
	// AuditCheckpointFile is GLOSS_AUDIT_CHECKPOINT_FILE: where signed
	// checkpoints of the audit chain are appended. Empty means
	// audit-checkpoints.jsonl in DataDir.
	AuditCheckpointFile string

	// secretFiles are the files the password and the user token were
	// read from, which local storages must not reach either.
	secretFiles []secretFile

	// ShutdownGrace is GLOSS_SHUTDOWN_GRACE: on SIGTERM the server stops
	// accepting and waits this long for the requests in flight (a long
	// export included) before it cuts them and closes the database.
	// The default is 30 seconds.
	ShutdownGrace time.Duration

	// ClockSkew is GLOSS_TEST_CLOCK_SKEW, a testing aid: this process's
	// clock reads this far off, as on a machine whose clock is wrong.
	// Decisions that processes share are timed by the database's clock
	// (database.Clock), which corrects for it.
	ClockSkew time.Duration
}

// secretFile is a file a secret was read from, and the flag or variable
// that named it.
type secretFile struct{ name, path string }

// strongToken is the length under which an operator's own API token is
// warned about.
const strongToken = 20

// Error is a configuration error: the process should exit with code 2.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Host:           "127.0.0.1",
		Port:           8080,
		DataDir:        "./data",
		SSRFProtection: true,
		ImportMaxBytes: 200 << 20,
		ImportMaxTasks: 1_000_000,
		AuditRetention: 365 * 24 * time.Hour,
		ShutdownGrace:  30 * time.Second,
	}
}

// Load builds the configuration of `gloss start` from the environment
// (through getenv) and the flags in args. Flags win over the environment.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Default()
	if err := c.fromEnv(getenv); err != nil {
		return c, err
	}
	envSecrets := secretsFromEnv(getenv)
	var flagSecrets secrets
	fs := flag.NewFlagSet("gloss start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Host, "host", c.Host, "address to listen on")
	fs.IntVar(&c.Port, "port", c.Port, "port to listen on (0 picks a free one)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the database and the secret key")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the URL users reach Gloss at, used in links (GLOSS_PUBLIC_URL)")
	fs.StringVar(&c.Username, "username", c.Username, "email of the owner account to create (LABEL_STUDIO_USERNAME)")
	fs.StringVar(&flagSecrets.password.value, "password", "", "password of that account; visible to other local users in ps, prefer --password-file (LABEL_STUDIO_PASSWORD)")
	fs.StringVar(&flagSecrets.password.file, "password-file", "", "file holding the password of that account (LABEL_STUDIO_PASSWORD_FILE)")
	fs.StringVar(&flagSecrets.token.value, "user-token", "", "API token of that account; visible to other local users in ps, prefer --user-token-file (LABEL_STUDIO_USER_TOKEN)")
	fs.StringVar(&flagSecrets.token.file, "user-token-file", "", "file holding the API token of that account (LABEL_STUDIO_USER_TOKEN_FILE)")
	fs.Func("trusted-proxies", "comma-separated networks of reverse proxies whose X-Forwarded-* headers are believed (GLOSS_TRUSTED_PROXIES)", func(v string) error {
		p, err := forwarded.ParseProxies(v)
		if err != nil {
			return err
		}
		c.TrustedProxies = p
		return nil
	})
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "TLS certificate file; serve HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "TLS key file")
	if err := parse(fs, args); err != nil {
		return c, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "password", "password-file":
			flagSecrets.password.set = true
		case "user-token", "user-token-file":
			flagSecrets.token.set = true
		}
	})
	if err := c.applySecrets(envSecrets, flagSecrets); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// secret is one secret as a source gives it: inline or in a file.
type secret struct {
	value, file string
	set         bool // the source names this secret at all
}

// secrets are the owner's password and token as one source (the
// environment or the flags) gives them.
type secrets struct{ password, token secret }

// secretNames names the two forms of a secret in one source, for errors.
type secretNames struct{ value, file string }

var (
	passwordFlags = secretNames{"--password", "--password-file"}
	tokenFlags    = secretNames{"--user-token", "--user-token-file"}
	passwordEnv   = secretNames{"LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_PASSWORD_FILE"}
	tokenEnv      = secretNames{"LABEL_STUDIO_USER_TOKEN", "LABEL_STUDIO_USER_TOKEN_FILE"}
)

func secretsFromEnv(getenv func(string) string) secrets {
	var s secrets
	s.password = secret{value: getenv(passwordEnv.value), file: getenv(passwordEnv.file)}
	s.token = secret{value: getenv(tokenEnv.value), file: getenv(tokenEnv.file)}
	s.password.set = s.password.value != "" || s.password.file != ""
	s.token.set = s.token.value != "" || s.token.file != ""
	return s
}

// applySecrets sets the password and the user token. The flags win over the
// environment, as everywhere; within one source a secret may be given
// inline or as a file, not both. Inline flags earn a warning: every local
// user can read a command line (ps, /proc/PID/cmdline), while the
// environment and a mode-0600 file are the owner's alone.
func (c *Config) applySecrets(env, flags secrets) error {
	for _, s := range []struct {
		dst          *string
		env, flags   secret
		envN, flagsN secretNames
	}{
		{&c.Password, env.password, flags.password, passwordEnv, passwordFlags},
		{&c.UserToken, env.token, flags.token, tokenEnv, tokenFlags},
	} {
		src, names := s.env, s.envN
		if s.flags.set {
			src, names = s.flags, s.flagsN
		}
		if !src.set {
			continue
		}
		if src.value != "" && src.file != "" {
			return errorf("%s and %s are both given: use one (%s is the safer)", names.value, names.file, names.file)
		}
		if src.file != "" {
			v, err := readSecretFile(src.file)
			if err != nil {
				return errorf("%s: %v", names.file, err)
			}
			c.secretFiles = append(c.secretFiles, secretFile{names.file, src.file})
			if w := Exposed(names.file, src.file); w != "" {
				c.Warnings = append(c.Warnings, w)
			}
			*s.dst = v
			continue
		}
		if src.value == "" {
			return errorf("%s is empty", names.value)
		}
		*s.dst = src.value
		if s.flags.set {
			c.Warnings = append(c.Warnings, fmt.Sprintf(
				"%s on the command line is visible to every local user (ps); use %s or the %s environment variable",
				names.value, names.file, s.envN.file))
		}
	}
	return nil
}

// Exposed returns a warning when path (what names it for the operator)
// lets other users than its owner in: a secret file or a folder of
// secrets that its group or others may read, write or, for a folder,
// enter. Gloss makes its own files and folders private; one restored from
// a backup, made by hand or by a deployment tool may not be. Nothing is
// said of a path that does not exist yet, or that cannot be read.
func Exposed(what, path string) string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return ""
	}
	fix := "chmod 600 " + path
	if st.IsDir() {
		fix = "chmod 700 " + path
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		// Not Gloss's to change (a mounted secret, a file of root's that
		// Gloss reads through its group): where it is made, it is fixed.
		fix = fmt.Sprintf("it belongs to user %d, not to Gloss's: give it no group or other access where it is made (a mounted secret's defaultMode 0400, say)", sys.Uid)
	}
	return fmt.Sprintf("%s (%s) has mode %04o: users other than its owner may reach the secrets in it; %s",
		what, path, st.Mode().Perm(), fix)
}

// maxSecretFile bounds what readSecretFile reads: a password is at most 128
// characters, a token 256 bytes, so anything larger is the wrong file.
const maxSecretFile = 4 << 10

// readSecretFile reads a secret from a file, dropping one trailing newline
// (as `echo` and editors leave it). Errors never quote the file's content.
func readSecretFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", name, pathErr(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", name, pathErr(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d bytes; it should hold only the secret", name, maxSecretFile)
	}
	s := string(b)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	if s == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	return s, nil
}

// parse parses flags, turning every refusal but -h into a config error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errorf("%v", err)
	}
	if fs.NArg() > 0 {
		return errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func (c *Config) fromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) error {
		v := getenv(name)
		if v == "" {
			return nil
		}
		b, err := parseBool(v)
		if err != nil {
			return errorf("%s: %q is not a boolean (use true or false)", name, v)
		}
		*dst = b
		return nil
	}
	str("GLOSS_HOST", &c.Host)
	if v := getenv("GLOSS_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return errorf("GLOSS_PORT: %q is not a number", v)
		}
		c.Port = p
	}
	str("GLOSS_DATA_DIR", &c.DataDir)
	if v := getenv("GLOSS_IMPORT_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return errorf("GLOSS_IMPORT_MAX_BYTES: %q is not a positive number of bytes", v)
		}
		c.ImportMaxBytes = n
	}
	if v := getenv("GLOSS_AUDIT_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100*365 {
			return errorf("GLOSS_AUDIT_RETENTION_DAYS: %q is not a number of days (0 keeps events forever)", v)
		}
		c.AuditRetention = time.Duration(n) * 24 * time.Hour
	}
	if v := getenv("GLOSS_IMPORT_MAX_TASKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errorf("GLOSS_IMPORT_MAX_TASKS: %q is not a positive number", v)
		}
		c.ImportMaxTasks = n
	}
	if v := getenv("GLOSS_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 24*time.Hour {
			return errorf("GLOSS_SHUTDOWN_GRACE: %q is not a duration between 0s and 24h (such as 30s or 10m)", v)
		}
		c.ShutdownGrace = d
	}
	if v := getenv("GLOSS_TEST_CLOCK_SKEW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < -24*time.Hour || d > 24*time.Hour {
			return errorf("GLOSS_TEST_CLOCK_SKEW: %q is not a duration between -24h and 24h (such as 20m)", v)
		}
		c.ClockSkew = d
	}
	str("GLOSS_PUBLIC_URL", &c.PublicURL)
	str("LABEL_STUDIO_USERNAME", &c.Username)
	if v := getenv("GLOSS_TRUSTED_PROXIES"); v != "" {
		p, err := forwarded.ParseProxies(v)
		if err != nil {
			return errorf("GLOSS_TRUSTED_PROXIES: %v", err)
		}
		c.TrustedProxies = p
	}
	str("DATABASE_URL", &c.DatabaseURL)
	str("GLOSS_SECRET_KEY", &c.SecretKey)
	str("CUSTOM_CA_CERTS", &c.CustomCACerts)
	str("AWS_CA_BUNDLE", &c.AWSCABundle)
	if v := getenv("GLOSS_OUTBOUND_ALLOW"); v != "" {
		a, err := safehttp.ParseAllowlist(v)
		if err != nil {
			return errorf("GLOSS_OUTBOUND_ALLOW: %v", err)
		}
		c.OutboundAllow = a
	}
	if v := getenv("STORAGE_EMULATOR_HOST"); v != "" {
		u, err := url.Parse(v)
		if !strings.Contains(v, "://") {
			u, err = url.Parse("http://" + v)
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return errorf("STORAGE_EMULATOR_HOST must be host:port or an http(s) URL without credentials")
		}
		c.GCSEmulator = u.Scheme + "://" + u.Host
	}
	str("GLOSS_AUDIT_CHECKPOINT_FILE", &c.AuditCheckpointFile)
	str("LOCAL_FILES_DOCUMENT_ROOT", &c.LocalFilesRoot)
	if err := boolean("LOCAL_FILES_SERVING_ENABLED", &c.LocalFilesServing); err != nil {
		return err
	}
	if c.LocalFilesServing && c.LocalFilesRoot == "" {
		return errorf("LOCAL_FILES_SERVING_ENABLED needs LOCAL_FILES_DOCUMENT_ROOT: the folder local storages must lie in")
	}
	if v := getenv("GLOSS_CORS_ALLOWED_ORIGINS"); v != "" {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.CORSAllowedOrigins = append(c.CORSAllowedOrigins, o)
			}
		}
	}
	if v := getenv("LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"); v != "" {
		var b bool
		if err := boolean("LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK", &b); err != nil {
			return err
		}
		c.DisableSignupWithoutLink = &b
	}
	if err := boolean("SSRF_PROTECTION_ENABLED", &c.SSRFProtection); err != nil {
		return err
	}
	if err := boolean("GLOSS_IMPORT_ALLOW_MISSING_KEYS", &c.ImportAllowMissingKeys); err != nil {
		return err
	}
	if err := boolean("GLOSS_GRAPHQL_INTROSPECTION", &c.Introspection); err != nil {
		return err
	}
	// COLLECT_ANALYTICS is accepted for compatibility; Gloss sends nothing anywhere.
	var analytics bool
	return boolean("COLLECT_ANALYTICS", &analytics)
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// Validate checks the configuration and says what is wrong, naming the flag
// or variable.
func (c *Config) Validate() error {
	if c.Port < 0 || c.Port > 65535 {
		return errorf("--port / GLOSS_PORT: %d is not a port number (0 to 65535)", c.Port)
	}
	if c.Host == "" || (net.ParseIP(c.Host) == nil && strings.ContainsAny(c.Host, "/:@ ")) {
		return errorf("--host / GLOSS_HOST: %q is not a host name or IP address", c.Host)
	}
	if c.DataDir == "" {
		return errorf("--data-dir / GLOSS_DATA_DIR must not be empty")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return errorf("--public-url / GLOSS_PUBLIC_URL: %q must be an http or https URL such as https://gloss.example.com", c.PublicURL)
		}
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	if c.Username != "" || c.Password != "" || c.UserToken != "" {
		if c.Username == "" {
			return errorf("--username / LABEL_STUDIO_USERNAME is required with a password or user token")
		}
		if c.Password == "" {
			return errorf("--password-file / LABEL_STUDIO_PASSWORD_FILE (or --password / LABEL_STUDIO_PASSWORD) is required with --username")
		}
		if n := utf8.RuneCountInString(c.Password); n < password.MinLength || n > password.MaxLength {
			return errorf("--password / LABEL_STUDIO_PASSWORD (or its file) must be %d to %d characters", password.MinLength, password.MaxLength)
		}
	}
	if c.UserToken != "" {
		if len(c.UserToken) < 5 {
			return errorf("--user-token / LABEL_STUDIO_USER_TOKEN (or its file) must be at least 5 characters")
		}
		if len(c.UserToken) > 256 || strings.ContainsAny(c.UserToken, " \t\r\n") {
			return errorf("--user-token / LABEL_STUDIO_USER_TOKEN (or its file) must be at most 256 characters with no spaces")
		}
		// Label Studio's minimum stands, but API tokens are not throttled
		// (the server's own are 256-bit random values): a short one the
		// operator chose can be guessed online.
		if len(c.UserToken) < strongToken {
			c.Warnings = append(c.Warnings, fmt.Sprintf(
				"--user-token / LABEL_STUDIO_USER_TOKEN is %d characters: API tokens are not rate-limited, so a short one can be guessed; use %d or more random characters (e.g. openssl rand -hex 20)",
				len(c.UserToken), strongToken))
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errorf("--tls-cert and --tls-key must be given together")
	}
	for _, o := range c.CORSAllowedOrigins {
		u, err := url.Parse(o)
		// A * anywhere is refused, not only alone: rs/cors reads one inside
		// an origin as a wildcard, so "https://*" would admit every https
		// origin with credentials and "http://localhost*" any host that
		// starts so (http://localhost.example.net).
		if strings.Contains(o, "*") || o == "null" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return errorf("GLOSS_CORS_ALLOWED_ORIGINS: %q is not an origin such as https://app.example.com (wildcards and \"null\" are refused)", o)
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return errorf("GLOSS_SECRET_KEY must be at least 32 characters")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return errorf("DATABASE_URL must be a postgres:// URL (leave it empty for SQLite)")
	}
	c.warnWeakened()
	if c.LocalFilesServing {
		return c.checkLocalRoot()
	}
	return nil
}

// warnWeakened warns about each setting that lowers a protection Gloss has
// by default: allowed, since an operator may need it, but never silently.
func (c *Config) warnWeakened() {
	if !c.SSRFProtection {
		c.Warnings = append(c.Warnings, "SSRF_PROTECTION_ENABLED=false: webhooks, storages and URL imports may reach this machine, its private network and cloud metadata addresses; to reach a few private hosts, keep it on and name them in GLOSS_OUTBOUND_ALLOW")
	}
	if c.SignupWithoutLink() {
		c.Warnings = append(c.Warnings, "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=false: anyone who reaches the server can make an account and join the default organization as an annotator")
	}
	if !c.SecureCookies() && !loopback(c.Host) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("--host / GLOSS_HOST is %s without TLS: passwords, session cookies and API tokens cross the network in the clear unless a TLS proxy is in front; serve HTTPS (--tls-cert, --tls-key) or name the proxy's https:// address in --public-url", c.Host))
	}
}

// loopback reports whether host names only this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkLocalRoot refuses a LOCAL_FILES_DOCUMENT_ROOT that holds the
// server's own files, or lies among them: a manager may make a local
// storage of any folder under the root and read every file in it through
// the data proxy, so a root that held the data directory would hand out
// its secret key, its database and every organization's uploads (Label
// Studio's usual layout, a root of /home/user with the data under it, did).
// Paths are compared with symlinks resolved as far as they exist.
func (c *Config) checkLocalRoot() error {
	root := resolved(c.LocalFilesRoot)
	own := []secretFile{
		{"the data directory (--data-dir / GLOSS_DATA_DIR)", c.DataDir},
		{"the audit checkpoint file (GLOSS_AUDIT_CHECKPOINT_FILE)", c.AuditCheckpointFile},
		{"the TLS key (--tls-key)", c.TLSKey},
	}
	for _, f := range c.secretFiles {
		own = append(own, secretFile{"the file of " + f.name, f.path})
	}
	for _, o := range own {
		if o.path == "" {
			continue
		}
		p := resolved(o.path)
		if within(root, p) {
			return errorf("LOCAL_FILES_DOCUMENT_ROOT (%s) holds %s at %s: local storages could read the server's secrets; choose a root that does not contain it, or move it out", root, o.name, p)
		}
		if o.path == c.DataDir && within(p, root) {
			return errorf("LOCAL_FILES_DOCUMENT_ROOT (%s) lies inside %s at %s: local storages could read the server's files; choose a root outside it", root, o.name, p)
		}
	}
	return nil
}

// resolved is p made absolute and cleaned, with the symlinks of its
// longest existing part resolved (the data directory may not exist yet).
func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for dir := abs; ; dir = filepath.Dir(dir) {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(dir) == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// within reports whether p is dir or lies under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// LoadAudit builds the configuration of `gloss audit verify`: the data
// directory (or DATABASE_URL) to check.
func LoadAudit(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Default()
	if err := c.fromEnv(getenv); err != nil {
		return c, err
	}
	fs := flag.NewFlagSet("gloss audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the database to check")
	return c, parse(fs, args)
}

// SignupWithoutLink reports whether people may sign up without an invite
// link. Gloss's default is no; LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=false
// opens signup into the default organization as annotators.
func (c *Config) SignupWithoutLink() bool {
	return c.DisableSignupWithoutLink != nil && !*c.DisableSignupWithoutLink
}

// SecureCookies reports whether browsers reach Gloss over HTTPS (served here
// or behind a proxy named by --public-url), so cookies must be Secure.
func (c *Config) SecureCookies() bool {
	return c.TLS() || strings.HasPrefix(c.PublicURL, "https://")
}

// Outbound returns the options of the one SSRF-safe client: protection,
// allowlist and trusted roots as configured. Callers set only the limits
// that differ by use (MaxBytes, Timeout).
func (c *Config) Outbound() (safehttp.Options, error) {
	roots, err := c.RootCAs()
	if err != nil {
		return safehttp.Options{}, err
	}
	o := safehttp.DefaultOptions()
	o.Protection = c.SSRFProtection
	o.Allow = c.OutboundAllow
	o.RootCAs = roots
	return o, nil
}

// RootCAs returns the certificate pool for server-side fetches: the system
// roots plus CUSTOM_CA_CERTS and AWS_CA_BUNDLE, or nil when neither is set.
func (c *Config) RootCAs() (*x509.CertPool, error) {
	var files []string
	for _, f := range strings.Split(c.CustomCACerts, ",") {
		if f = strings.TrimSpace(f); f != "" {
			files = append(files, f)
		}
	}
	if c.AWSCABundle != "" {
		files = append(files, c.AWSCABundle)
	}
	if len(files) == 0 {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, errorf("CUSTOM_CA_CERTS / AWS_CA_BUNDLE: cannot read %s: %v", f, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errorf("CUSTOM_CA_CERTS / AWS_CA_BUNDLE: %s holds no PEM certificate", f)
		}
	}
	return pool, nil
}

// pathErr drops the operation and path from a *fs.PathError, which the
// caller's message already names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// TLS reports whether the server serves HTTPS itself.
func (c *Config) TLS() bool { return c.TLSCert != "" }
