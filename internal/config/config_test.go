package config_test

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/internal/config"
)

// env returns a getenv that reads only m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// account is a valid owner account, for cases that test something else.
var account = []string{"--username", "owner@example.com", "--password", "long-enough-pw"}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		// wantErr, when set, is text the *config.Error must contain: the
		// flag or variable at fault.
		wantErr string
		check   func(t *testing.T, c config.Config)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, c config.Config) {
				if c.Host != "127.0.0.1" || c.Port != 8080 || c.DataDir != "./data" {
					t.Errorf("listen defaults: got %q:%d in %q", c.Host, c.Port, c.DataDir)
				}
				if c.PublicURL != "" || c.Username != "" || c.Password != "" || c.UserToken != "" ||
					c.DatabaseURL != "" || c.SecretKey != "" || c.TLSCert != "" || c.TLSKey != "" || len(c.CORSAllowedOrigins) != 0 {
					t.Errorf("unexpected non-empty default in %+v", c)
				}
				if !c.SSRFProtection {
					t.Error("SSRF protection is off by default")
				}
				if c.Introspection {
					t.Error("introspection is on by default")
				}
				if c.DisableSignupWithoutLink != nil || c.SignupWithoutLink() {
					t.Error("signup without a link is open by default")
				}
				if c.TLS() {
					t.Error("TLS is on by default")
				}
			},
		},
		{
			name: "environment",
			env: map[string]string{
				"GLOSS_HOST":                      "0.0.0.0",
				"GLOSS_PORT":                      "9000",
				"GLOSS_DATA_DIR":                  "/var/lib/gloss",
				"GLOSS_PUBLIC_URL":                "https://gloss.example.com",
				"LABEL_STUDIO_USERNAME":           "env@example.com",
				"LABEL_STUDIO_PASSWORD":           "env-password",
				"LABEL_STUDIO_USER_TOKEN":         "env-token",
				"DATABASE_URL":                    "postgres://db/gloss",
				"GLOSS_SECRET_KEY":                strings.Repeat("k", 32),
				"GLOSS_CORS_ALLOWED_ORIGINS":      " https://a.example.com ,, http://localhost:3000 ",
				"GLOSS_GRAPHQL_INTROSPECTION":     "true",
				"GLOSS_IMPORT_ALLOW_MISSING_KEYS": "true",
				"COLLECT_ANALYTICS":               "false",
				"CUSTOM_CA_CERTS":                 "/etc/ca.pem",
			},
			check: func(t *testing.T, c config.Config) {
				if c.Host != "0.0.0.0" || c.Port != 9000 || c.DataDir != "/var/lib/gloss" {
					t.Errorf("listen: got %q:%d in %q", c.Host, c.Port, c.DataDir)
				}
				if c.PublicURL != "https://gloss.example.com" {
					t.Errorf("PublicURL = %q", c.PublicURL)
				}
				if c.Username != "env@example.com" || c.Password != "env-password" || c.UserToken != "env-token" {
					t.Errorf("account: got %q / %q / %q", c.Username, c.Password, c.UserToken)
				}
				if c.DatabaseURL != "postgres://db/gloss" || c.SecretKey != strings.Repeat("k", 32) || c.CustomCACerts != "/etc/ca.pem" {
					t.Errorf("got DatabaseURL %q, SecretKey %q, CustomCACerts %q", c.DatabaseURL, c.SecretKey, c.CustomCACerts)
				}
				if want := []string{"https://a.example.com", "http://localhost:3000"}; !slices.Equal(c.CORSAllowedOrigins, want) {
					t.Errorf("CORSAllowedOrigins = %q, want %q", c.CORSAllowedOrigins, want)
				}
				if !c.Introspection {
					t.Error("GLOSS_GRAPHQL_INTROSPECTION=true was ignored")
				}
				if !c.ImportAllowMissingKeys {
					t.Error("GLOSS_IMPORT_ALLOW_MISSING_KEYS=true was ignored")
				}
			},
		},
		{
			name: "flags win over the environment",
			env: map[string]string{
				"GLOSS_HOST":            "0.0.0.0",
				"GLOSS_PORT":            "9000",
				"GLOSS_DATA_DIR":        "/from/env",
				"GLOSS_PUBLIC_URL":      "https://env.example.com",
				"LABEL_STUDIO_USERNAME": "env@example.com",
				"LABEL_STUDIO_PASSWORD": "env-password",
			},
			args: []string{
				"--host", "localhost", "--port", "9001", "--data-dir", "/from/flag",
				"--public-url", "https://flag.example.com",
				"--username", "flag@example.com", "--password", "flag-password",
			},
			check: func(t *testing.T, c config.Config) {
				if c.Host != "localhost" || c.Port != 9001 || c.DataDir != "/from/flag" {
					t.Errorf("listen: got %q:%d in %q", c.Host, c.Port, c.DataDir)
				}
				if c.PublicURL != "https://flag.example.com" || c.Username != "flag@example.com" || c.Password != "flag-password" {
					t.Errorf("got %q, %q, %q", c.PublicURL, c.Username, c.Password)
				}
			},
		},
		{
			name: "port 0 picks a free port",
			args: []string{"--port", "0"},
			check: func(t *testing.T, c config.Config) {
				if c.Port != 0 {
					t.Errorf("Port = %d", c.Port)
				}
			},
		},
		{name: "port too large", args: []string{"--port", "65536"}, wantErr: "--port"},
		{name: "negative port", args: []string{"--port", "-1"}, wantErr: "--port"},
		{name: "port not a number", args: []string{"--port", "http"}, wantErr: "port"},
		{name: "GLOSS_PORT not a number", env: map[string]string{"GLOSS_PORT": "eighty"}, wantErr: "GLOSS_PORT"},
		{name: "GLOSS_PORT out of range", env: map[string]string{"GLOSS_PORT": "70000"}, wantErr: "port"},
		{name: "host with a path", args: []string{"--host", "evil.example.com/x"}, wantErr: "--host"},
		{name: "empty data dir", args: []string{"--data-dir", ""}, wantErr: "--data-dir"},
		{name: "unknown flag", args: []string{"--no-such-flag"}, wantErr: "no-such-flag"},
		{name: "extra argument", args: []string{"serve"}, wantErr: "serve"},

		// The owner account.
		{
			name: "account from flags",
			args: append(slices.Clone(account), "--user-token", "abcde"),
			check: func(t *testing.T, c config.Config) {
				if c.Username != "owner@example.com" || c.Password != "long-enough-pw" || c.UserToken != "abcde" {
					t.Errorf("got %q / %q / %q", c.Username, c.Password, c.UserToken)
				}
			},
		},
		{name: "user token too short", args: append(slices.Clone(account), "--user-token", "abc"), wantErr: "--user-token"},
		{name: "user token with a space", args: append(slices.Clone(account), "--user-token", "abc def"), wantErr: "--user-token"},
		{name: "user token too long", args: append(slices.Clone(account), "--user-token", strings.Repeat("t", 257)), wantErr: "--user-token"},
		{name: "user token without username", args: []string{"--user-token", "abcdef"}, wantErr: "--username"},
		{name: "password under 8", args: []string{"--username", "a@example.com", "--password", "1234567"}, wantErr: "--password"},
		{name: "password over 128", args: []string{"--username", "a@example.com", "--password", strings.Repeat("p", 129)}, wantErr: "--password"},
		{
			name: "password of 8 two-byte characters",
			args: []string{"--username", "a@example.com", "--password", "éééééééé"},
			check: func(t *testing.T, c config.Config) {
				if c.Password != "éééééééé" {
					t.Errorf("Password = %q", c.Password)
				}
			},
		},
		{name: "password of 7 two-byte characters", args: []string{"--username", "a@example.com", "--password", "ééééééé"}, wantErr: "--password"},
		{name: "username without password", args: []string{"--username", "a@example.com"}, wantErr: "--password"},
		{name: "username without password, from env", env: map[string]string{"LABEL_STUDIO_USERNAME": "a@example.com"}, wantErr: "LABEL_STUDIO_PASSWORD"},
		{name: "password without username", args: []string{"--password", "long-enough-pw"}, wantErr: "--username"},

		// CORS origins.
		{name: "CORS wildcard", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://a.example.com,*"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS null", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "null"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS bare host", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "app.example.com"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS other scheme", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "ftp://app.example.com"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS with a path", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://app.example.com/app"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS scheme only", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		// rs/cors reads a * inside an origin as a wildcard: "https://*" is
		// every https origin, with credentials.
		{name: "CORS wildcard host", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://*"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS wildcard subdomain", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "https://*.example.com"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},
		{name: "CORS wildcard port", env: map[string]string{"GLOSS_CORS_ALLOWED_ORIGINS": "http://localhost*"}, wantErr: "GLOSS_CORS_ALLOWED_ORIGINS"},

		// Signup without an invite link.
		{
			name: "signup without link opened",
			env:  map[string]string{"LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "false"},
			check: func(t *testing.T, c config.Config) {
				if !c.SignupWithoutLink() {
					t.Error("LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=false did not open signup")
				}
			},
		},
		{
			name: "signup without link explicitly disabled",
			env:  map[string]string{"LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"},
			check: func(t *testing.T, c config.Config) {
				if c.SignupWithoutLink() {
					t.Error("LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true opened signup")
				}
			},
		},
		{name: "signup flag not a boolean", env: map[string]string{"LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "maybe"}, wantErr: "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"},

		// SSRF protection and other booleans.
		{
			name: "SSRF protection off",
			env:  map[string]string{"SSRF_PROTECTION_ENABLED": "false"},
			check: func(t *testing.T, c config.Config) {
				if c.SSRFProtection {
					t.Error("SSRF_PROTECTION_ENABLED=false left protection on")
				}
			},
		},
		{
			name: "SSRF protection off, as 0",
			env:  map[string]string{"SSRF_PROTECTION_ENABLED": "0"},
			check: func(t *testing.T, c config.Config) {
				if c.SSRFProtection {
					t.Error("SSRF_PROTECTION_ENABLED=0 left protection on")
				}
			},
		},
		{
			name: "SSRF protection explicitly on",
			env:  map[string]string{"SSRF_PROTECTION_ENABLED": "TRUE"},
			check: func(t *testing.T, c config.Config) {
				if !c.SSRFProtection {
					t.Error("SSRF_PROTECTION_ENABLED=TRUE turned protection off")
				}
			},
		},
		{name: "SSRF protection not a boolean", env: map[string]string{"SSRF_PROTECTION_ENABLED": "maybe"}, wantErr: "SSRF_PROTECTION_ENABLED"},
		{name: "introspection not a boolean", env: map[string]string{"GLOSS_GRAPHQL_INTROSPECTION": "sometimes"}, wantErr: "GLOSS_GRAPHQL_INTROSPECTION"},
		{name: "analytics not a boolean", env: map[string]string{"COLLECT_ANALYTICS": "maybe"}, wantErr: "COLLECT_ANALYTICS"},

		// Public URL.
		{
			name: "public URL trailing slash trimmed",
			args: []string{"--public-url", "https://gloss.example.com/"},
			check: func(t *testing.T, c config.Config) {
				if c.PublicURL != "https://gloss.example.com" {
					t.Errorf("PublicURL = %q", c.PublicURL)
				}
			},
		},
		{
			name: "public URL with a path",
			env:  map[string]string{"GLOSS_PUBLIC_URL": "http://example.com:8443/gloss/"},
			check: func(t *testing.T, c config.Config) {
				if c.PublicURL != "http://example.com:8443/gloss" {
					t.Errorf("PublicURL = %q", c.PublicURL)
				}
			},
		},
		{name: "public URL without scheme", args: []string{"--public-url", "gloss.example.com"}, wantErr: "--public-url"},
		{name: "public URL other scheme", args: []string{"--public-url", "javascript://gloss.example.com"}, wantErr: "--public-url"},
		{name: "public URL without host", args: []string{"--public-url", "https:///path"}, wantErr: "--public-url"},
		{name: "public URL with a query", args: []string{"--public-url", "https://gloss.example.com/?a=1"}, wantErr: "--public-url"},
		{name: "public URL with a fragment", args: []string{"--public-url", "https://gloss.example.com/#x"}, wantErr: "--public-url"},
		{name: "public URL unparsable", env: map[string]string{"GLOSS_PUBLIC_URL": "https://exa mple.com:port"}, wantErr: "GLOSS_PUBLIC_URL"},

		// Reverse proxies.
		{
			name: "trusted proxies from the environment",
			env:  map[string]string{"GLOSS_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8,::1"},
			check: func(t *testing.T, c config.Config) {
				if got := fmt.Sprint(c.TrustedProxies); got != "[127.0.0.1/32 10.0.0.0/8 ::1/128]" {
					t.Errorf("TrustedProxies = %s", got)
				}
			},
		},
		{
			name: "trusted proxies flag wins",
			env:  map[string]string{"GLOSS_TRUSTED_PROXIES": "10.0.0.0/8"},
			args: []string{"--trusted-proxies", "192.168.1.0/24"},
			check: func(t *testing.T, c config.Config) {
				if got := fmt.Sprint(c.TrustedProxies); got != "[192.168.1.0/24]" {
					t.Errorf("TrustedProxies = %s", got)
				}
			},
		},
		{
			name: "no trusted proxies by default",
			check: func(t *testing.T, c config.Config) {
				if len(c.TrustedProxies) != 0 {
					t.Errorf("TrustedProxies = %v", c.TrustedProxies)
				}
			},
		},
		{name: "trusted proxy not a network", env: map[string]string{"GLOSS_TRUSTED_PROXIES": "127.0.0.1/32,nginx"}, wantErr: "GLOSS_TRUSTED_PROXIES"},
		{name: "trusted proxy with host bits", env: map[string]string{"GLOSS_TRUSTED_PROXIES": "10.1.2.3/8"}, wantErr: "GLOSS_TRUSTED_PROXIES"},
		{name: "trusting everyone", env: map[string]string{"GLOSS_TRUSTED_PROXIES": "0.0.0.0/0"}, wantErr: "trusts every address"},
		{name: "trusted proxies flag not a network", args: []string{"--trusted-proxies", "10.0.0.0/33"}, wantErr: "trusted-proxies"},

		// TLS.
		{name: "TLS cert without key", args: []string{"--tls-cert", "cert.pem"}, wantErr: "--tls-cert"},
		{name: "TLS key without cert", args: []string{"--tls-key", "key.pem"}, wantErr: "--tls-key"},
		{
			name: "TLS cert and key",
			args: []string{"--tls-cert", "cert.pem", "--tls-key", "key.pem"},
			check: func(t *testing.T, c config.Config) {
				if !c.TLS() || c.TLSCert != "cert.pem" || c.TLSKey != "key.pem" {
					t.Errorf("TLS() = %v with %q / %q", c.TLS(), c.TLSCert, c.TLSKey)
				}
			},
		},

		// Secrets and the database.
		{name: "secret key too short", env: map[string]string{"GLOSS_SECRET_KEY": strings.Repeat("k", 31)}, wantErr: "GLOSS_SECRET_KEY"},
		{name: "database not postgres", env: map[string]string{"DATABASE_URL": "mysql://db/gloss"}, wantErr: "DATABASE_URL"},
		{
			name: "database postgresql scheme",
			env:  map[string]string{"DATABASE_URL": "postgresql://db/gloss"},
			check: func(t *testing.T, c config.Config) {
				if c.DatabaseURL != "postgresql://db/gloss" {
					t.Errorf("DatabaseURL = %q", c.DatabaseURL)
				}
			},
		},

		// The shutdown grace period.
		{
			name: "shutdown grace default",
			check: func(t *testing.T, c config.Config) {
				if c.ShutdownGrace != 30*time.Second {
					t.Errorf("ShutdownGrace = %v, want 30s", c.ShutdownGrace)
				}
			},
		},
		{
			name: "shutdown grace",
			env:  map[string]string{"GLOSS_SHUTDOWN_GRACE": "10m"},
			check: func(t *testing.T, c config.Config) {
				if c.ShutdownGrace != 10*time.Minute {
					t.Errorf("ShutdownGrace = %v, want 10m", c.ShutdownGrace)
				}
			},
		},
		{name: "shutdown grace not a duration", env: map[string]string{"GLOSS_SHUTDOWN_GRACE": "30"}, wantErr: "GLOSS_SHUTDOWN_GRACE"},
		{name: "shutdown grace negative", env: map[string]string{"GLOSS_SHUTDOWN_GRACE": "-1s"}, wantErr: "GLOSS_SHUTDOWN_GRACE"},
		{name: "shutdown grace too long", env: map[string]string{"GLOSS_SHUTDOWN_GRACE": "25h"}, wantErr: "GLOSS_SHUTDOWN_GRACE"},

		// The GCS emulator, as Google's libraries read it: host:port means
		// plain http; a URL keeps its scheme; any path is dropped.
		{
			name: "gcs emulator unset",
			check: func(t *testing.T, c config.Config) {
				if c.GCSEmulator != "" {
					t.Errorf("GCSEmulator = %q", c.GCSEmulator)
				}
			},
		},
		{
			name: "gcs emulator host and port",
			env:  map[string]string{"STORAGE_EMULATOR_HOST": "127.0.0.1:4443"},
			check: func(t *testing.T, c config.Config) {
				if c.GCSEmulator != "http://127.0.0.1:4443" {
					t.Errorf("GCSEmulator = %q", c.GCSEmulator)
				}
			},
		},
		{
			name: "gcs emulator URL",
			env:  map[string]string{"STORAGE_EMULATOR_HOST": "https://gcs.internal:8443/storage/v1/"},
			check: func(t *testing.T, c config.Config) {
				if c.GCSEmulator != "https://gcs.internal:8443" {
					t.Errorf("GCSEmulator = %q", c.GCSEmulator)
				}
			},
		},
		{name: "gcs emulator other scheme", env: map[string]string{"STORAGE_EMULATOR_HOST": "file:///etc"}, wantErr: "STORAGE_EMULATOR_HOST"},
		{name: "gcs emulator with credentials", env: map[string]string{"STORAGE_EMULATOR_HOST": "http://u:p@gcs.internal"}, wantErr: "STORAGE_EMULATOR_HOST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("got error %v (%T); want a *config.Error", err, err)
				}
				if !strings.Contains(ce.Error(), tc.wantErr) {
					t.Errorf("error %q does not name %s", ce.Error(), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tc.check == nil {
				t.Fatal("a case without wantErr needs a check")
			}
			tc.check(t, c)
		})
	}
}

func TestLoadHelp(t *testing.T) {
	var out strings.Builder
	_, err := config.Load([]string{"-h"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v; want flag.ErrHelp", err)
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		t.Errorf("help is reported as a configuration error: %v", err)
	}
	for _, f := range []string{"-port", "-public-url", "-user-token", "-tls-cert"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("usage does not mention %s:\n%s", f, out.String())
		}
	}
}

func TestDefaultValidates(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestSignupWithoutLinkUnset(t *testing.T) {
	c := config.Default()
	if c.SignupWithoutLink() {
		t.Error("SignupWithoutLink() = true with nothing set")
	}
	off, on := false, true
	c.DisableSignupWithoutLink = &off
	if !c.SignupWithoutLink() {
		t.Error("SignupWithoutLink() = false with the disable flag false")
	}
	c.DisableSignupWithoutLink = &on
	if c.SignupWithoutLink() {
		t.Error("SignupWithoutLink() = true with the disable flag true")
	}
}

func TestRootCAs(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, custom, aws string
		wantPool          bool
		wantErr           string
	}{
		{"none", "", "", false, ""},
		{"missing file", filepath.Join(dir, "nope.pem"), "", false, "CUSTOM_CA_CERTS"},
		{"not a certificate", notPEM, "", false, "no PEM certificate"},
		{"aws bundle missing", "", filepath.Join(dir, "nope.pem"), false, "AWS_CA_BUNDLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			c.CustomCACerts, c.AWSCABundle = tc.custom, tc.aws
			pool, err := c.RootCAs()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if (pool != nil) != tc.wantPool {
				t.Fatalf("pool = %v", pool)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pwFile := file("password", "a passphrase from a file\n")
	pwCRLF := file("password-crlf", "a passphrase from windows\r\n")
	pwTwoNewlines := file("password-two", "two newlines kept one\n\n")
	tokenFile := file("token", "token-from-a-file-of-its-own\n")
	empty := file("empty", "")
	onlyNewline := file("newline", "\n")
	huge := file("huge", strings.Repeat("x", 5000))
	missing := filepath.Join(dir, "missing")
	const user = "owner@example.com"

	tests := []struct {
		name           string
		args           []string
		env            map[string]string
		wantPassword   string
		wantToken      string
		wantErr        string   // text the *config.Error must contain
		wantNotInErr   string   // text it must not contain (the secret)
		wantWarnings   []string // text each warning must contain, in order
		wantNoWarnings bool
	}{
		{
			name:         "password and token files from flags",
			args:         []string{"--username", user, "--password-file", pwFile, "--user-token-file", tokenFile},
			wantPassword: "a passphrase from a file", wantToken: "token-from-a-file-of-its-own", wantNoWarnings: true,
		},
		{
			name:         "password and token files from the environment",
			env:          map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD_FILE": pwFile, "LABEL_STUDIO_USER_TOKEN_FILE": tokenFile},
			wantPassword: "a passphrase from a file", wantToken: "token-from-a-file-of-its-own", wantNoWarnings: true,
		},
		{
			name:         "one CRLF is trimmed",
			args:         []string{"--username", user, "--password-file", pwCRLF},
			wantPassword: "a passphrase from windows", wantNoWarnings: true,
		},
		{
			name:         "only one newline is trimmed",
			args:         []string{"--username", user, "--password-file", pwTwoNewlines},
			wantPassword: "two newlines kept one\n", wantNoWarnings: true,
		},
		{
			name:         "inline environment variables need no warning",
			env:          map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password", "LABEL_STUDIO_USER_TOKEN": "env-token-long-enough-20"},
			wantPassword: "env-password", wantToken: "env-token-long-enough-20", wantNoWarnings: true,
		},
		{
			name:         "secrets on the command line are warned about",
			args:         []string{"--username", user, "--password", "flag-password", "--user-token", "flag-token-long-enough-20"},
			wantPassword: "flag-password", wantToken: "flag-token-long-enough-20",
			wantWarnings: []string{"--password on the command line", "--user-token on the command line"},
		},
		{
			name:         "a short token of the operator's is warned about",
			env:          map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password", "LABEL_STUDIO_USER_TOKEN": "abcdef"},
			wantPassword: "env-password", wantToken: "abcdef",
			wantWarnings: []string{"is 6 characters: API tokens are not rate-limited, so a short one can be guessed"},
		},
		{
			name:         "a password file flag wins over the environment",
			env:          map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password"},
			args:         []string{"--password-file", pwFile},
			wantPassword: "a passphrase from a file", wantNoWarnings: true,
		},
		{
			name:         "a password flag wins over the environment's file",
			env:          map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD_FILE": pwFile},
			args:         []string{"--password", "flag-password"},
			wantPassword: "flag-password", wantWarnings: []string{"--password-file"},
		},
		{
			name:    "password and its file as flags",
			args:    []string{"--username", user, "--password", "flag-password", "--password-file", pwFile},
			wantErr: "--password and --password-file are both given",
		},
		{
			name:    "token and its file as flags",
			args:    []string{"--username", user, "--password-file", pwFile, "--user-token", "abcdef", "--user-token-file", tokenFile},
			wantErr: "--user-token and --user-token-file are both given",
		},
		{
			name:    "password and its file in the environment",
			env:     map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password", "LABEL_STUDIO_PASSWORD_FILE": pwFile},
			wantErr: "LABEL_STUDIO_PASSWORD and LABEL_STUDIO_PASSWORD_FILE are both given",
		},
		{
			name:    "token and its file in the environment",
			env:     map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password", "LABEL_STUDIO_USER_TOKEN": "abcdef", "LABEL_STUDIO_USER_TOKEN_FILE": tokenFile},
			wantErr: "LABEL_STUDIO_USER_TOKEN and LABEL_STUDIO_USER_TOKEN_FILE are both given",
		},
		{name: "missing password file", args: []string{"--username", user, "--password-file", missing}, wantErr: "--password-file: cannot read " + missing},
		{name: "password file is a directory", args: []string{"--username", user, "--password-file", dir}, wantErr: "--password-file: cannot read"},
		{name: "empty password file", args: []string{"--username", user, "--password-file", empty}, wantErr: "--password-file: " + empty + " is empty"},
		{name: "password file with only a newline", args: []string{"--username", user, "--password-file", onlyNewline}, wantErr: "is empty"},
		{name: "huge password file", args: []string{"--username", user, "--password-file", huge}, wantErr: "--password-file: ", wantNotInErr: "xxxx"},
		{name: "missing token file from the environment", env: map[string]string{"LABEL_STUDIO_USERNAME": user, "LABEL_STUDIO_PASSWORD": "env-password", "LABEL_STUDIO_USER_TOKEN_FILE": missing}, wantErr: "LABEL_STUDIO_USER_TOKEN_FILE: cannot read"},
		{name: "empty token file", args: []string{"--username", user, "--password-file", pwFile, "--user-token-file", empty}, wantErr: "--user-token-file"},
		{name: "explicitly empty password flag", args: []string{"--username", user, "--password", ""}, wantErr: "--password is empty"},
		{
			name:    "a short password from a file is refused like an inline one",
			args:    []string{"--username", user, "--password-file", file("short", "short\n")},
			wantErr: "--password", wantNotInErr: "short\"",
		},
		{name: "a password file without a username", args: []string{"--password-file", pwFile}, wantErr: "--username"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("got error %v (%T); want a *config.Error", err, err)
				}
				if !strings.Contains(ce.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", ce.Error(), tc.wantErr)
				}
				if tc.wantNotInErr != "" && strings.Contains(ce.Error(), tc.wantNotInErr) {
					t.Errorf("error %q quotes the secret", ce.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Password != tc.wantPassword || c.UserToken != tc.wantToken {
				t.Errorf("got password %q and token %q, want %q and %q", c.Password, c.UserToken, tc.wantPassword, tc.wantToken)
			}
			if tc.wantNoWarnings && len(c.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", c.Warnings)
			}
			if tc.wantWarnings != nil {
				if len(c.Warnings) != len(tc.wantWarnings) {
					t.Fatalf("warnings %q, want %d", c.Warnings, len(tc.wantWarnings))
				}
				for i, w := range tc.wantWarnings {
					if !strings.Contains(c.Warnings[i], w) {
						t.Errorf("warning %q does not contain %q", c.Warnings[i], w)
					}
				}
			}
			for _, w := range c.Warnings {
				if strings.Contains(w, c.Password) || (c.UserToken != "" && strings.Contains(w, c.UserToken)) {
					t.Errorf("warning %q quotes a secret", w)
				}
			}
		})
	}
}

func TestOutboundAllow(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GLOSS_OUTBOUND_ALLOW" {
				return v
			}
			return ""
		}
	}
	c, err := config.Load(nil, env("minio.lan, 10.1.0.0/16"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Outbound()
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Allow.String(); got != "minio.lan,10.1.0.0/16" || !o.Protection {
		t.Errorf("Outbound() = allow %q, protection %v", got, o.Protection)
	}
	_, err = config.Load(nil, env("http://minio.lan"), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GLOSS_OUTBOUND_ALLOW") {
		t.Errorf("a URL in GLOSS_OUTBOUND_ALLOW: err = %v, want one naming the variable", err)
	}
}

// TestLocalRootKeepsOutOfTheServersFiles checks that local files are
// refused a document root that holds the server's own files (its data
// directory with the secret key, database and uploads; an audit
// checkpoint file, TLS key, password or token file kept elsewhere) or lies
// inside the data directory, also when a symlink leads there, and allowed
// one beside them.
func TestLocalRootKeepsOutOfTheServersFiles(t *testing.T) {
	base := t.TempDir()
	link := filepath.Join(t.TempDir(), "srv")
	if err := os.Symlink(base, link); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(base, "gloss", "data") // not made yet, as on a first start
	if err := os.MkdirAll(filepath.Join(base, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	pwFile, tokenFile := filepath.Join(base, "media", "owner.password"), filepath.Join(base, "media", "owner.token")
	if err := os.WriteFile(pwFile, []byte("a fine passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte("a-token-of-twenty-chars-or-more\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	serve := func(root string, extra map[string]string) map[string]string {
		m := map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // empty: accepted
	}{
		{"root above the data directory", []string{"--data-dir", data}, serve(base, nil), "data directory"},
		{"root is the data directory", []string{"--data-dir", data}, serve(data, nil), "data directory"},
		{"root inside the data directory", []string{"--data-dir", data}, serve(filepath.Join(data, "uploads"), nil), "lies inside the data directory"},
		{"root through a symlink", []string{"--data-dir", data}, serve(link, nil), "data directory"},
		{"data directory through a symlink", []string{"--data-dir", filepath.Join(link, "gloss", "data")}, serve(base, nil), "data directory"},
		{"relative data directory", []string{"--data-dir", "."}, serve(filepath.Dir(mustGetwd(t)), nil), "data directory"},
		{"audit file under the root", []string{"--data-dir", data}, serve(filepath.Join(base, "media"),
			map[string]string{"GLOSS_AUDIT_CHECKPOINT_FILE": filepath.Join(base, "media", "cp.jsonl")}), "GLOSS_AUDIT_CHECKPOINT_FILE"},
		{"TLS key under the root", []string{"--data-dir", data, "--tls-cert", filepath.Join(base, "media", "c.pem"),
			"--tls-key", filepath.Join(base, "media", "k.pem")}, serve(filepath.Join(base, "media"), nil), "--tls-key"},
		{"password file under the root", []string{"--data-dir", data, "--username", "a@example.com", "--password-file", pwFile},
			serve(filepath.Join(base, "media"), nil), "--password-file"},
		{"token file under the root", []string{"--data-dir", data, "--username", "a@example.com", "--password", "longenough1"},
			serve(filepath.Join(base, "media"), map[string]string{"LABEL_STUDIO_USER_TOKEN_FILE": tokenFile}), "LABEL_STUDIO_USER_TOKEN_FILE"},
		{"root beside the data directory", []string{"--data-dir", data}, serve(filepath.Join(base, "media"), nil), ""},
		{"root whose name extends the data directory's", []string{"--data-dir", data}, serve(data+"2", nil), ""},
		{"local files off", []string{"--data-dir", data}, map[string]string{"LOCAL_FILES_DOCUMENT_ROOT": base}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "LOCAL_FILES_DOCUMENT_ROOT") {
				t.Fatalf("got %v; want a config error naming LOCAL_FILES_DOCUMENT_ROOT and %s", err, tc.wantErr)
			}
		})
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestWeakenedProtectionsAreWarnedAbout: a setting that lowers a default
// protection starts the server, with a warning that says what it opens;
// the defaults, and a public host behind TLS, warn about nothing.
func TestWeakenedProtectionsAreWarnedAbout(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "defaults"},
		{name: "a public host with TLS at a proxy", args: []string{"--host", "0.0.0.0", "--public-url", "https://gloss.example.com"}},
		{name: "a loopback address", args: []string{"--host", "::1"}},
		{name: "SSRF protection off", env: map[string]string{"SSRF_PROTECTION_ENABLED": "false"}, want: []string{"SSRF_PROTECTION_ENABLED=false: webhooks, storages and URL imports may reach"}},
		{name: "open sign-up", env: map[string]string{"LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "false"}, want: []string{"anyone who reaches the server can make an account"}},
		{name: "a public host over plain HTTP", args: []string{"--host", "0.0.0.0"}, want: []string{"--host / GLOSS_HOST is 0.0.0.0 without TLS"}},
		{name: "all three", args: []string{"--host", "192.0.2.7", "--public-url", "http://gloss.example.com"},
			env:  map[string]string{"SSRF_PROTECTION_ENABLED": "0", "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "no"},
			want: []string{"SSRF_PROTECTION_ENABLED=false", "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=false", "is 192.0.2.7 without TLS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(c.Warnings) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", c.Warnings, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(c.Warnings[i], w) {
					t.Errorf("warning %q does not contain %q", c.Warnings[i], w)
				}
			}
		})
	}
}
