package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartReadsSecretsFromFiles: the documented way to create the owner
// keeps the password and token off the command line, and the inline flags
// still work but leave a warning in the log.
func TestStartReadsSecretsFromFiles(t *testing.T) {
	const token = "token-from-a-file"
	dir := t.TempDir()
	pwFile, tokenFile := filepath.Join(dir, "password"), filepath.Join(dir, "token")
	if err := os.WriteFile(pwFile, []byte(ownerPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	signsIn := func(t *testing.T, s *testServer, token string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { email } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Token "+token)
		if r := s.tokenClient(t, "").do(req); str(r.Data, "viewer", "email") != ownerEmail {
			t.Fatalf("the token from the file does not sign in: %s", r.Raw)
		}
		s.browser(t).ok(loginMutation, map[string]any{"i": map[string]any{"email": ownerEmail, "password": ownerPassword}})
	}

	t.Run("files from flags", func(t *testing.T) {
		s := MustStart(t, nil, "--username", ownerEmail, "--password-file", pwFile, "--user-token-file", tokenFile)
		signsIn(t, s, token)
		if out := s.log(t); strings.Contains(out, "visible to every local user") || strings.Contains(out, ownerPassword) {
			t.Fatalf("log warns or quotes the password:\n%s", out)
		}
	})
	t.Run("files from the environment", func(t *testing.T) {
		s := MustStart(t, map[string]string{
			"LABEL_STUDIO_USERNAME": ownerEmail, "LABEL_STUDIO_PASSWORD_FILE": pwFile, "LABEL_STUDIO_USER_TOKEN_FILE": tokenFile,
		})
		signsIn(t, s, token)
	})
	t.Run("inline flags are warned about", func(t *testing.T) {
		s := MustStart(t, nil, "--username", ownerEmail, "--password", ownerPassword, "--user-token", "inline-token")
		signsIn(t, s, "inline-token")
		out := s.log(t)
		for _, want := range []string{"level=WARN", "--password on the command line is visible to every local user", "--user-token on the command line"} {
			if !strings.Contains(out, want) {
				t.Fatalf("log lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, ownerPassword) || strings.Contains(out, "inline-token") {
			t.Fatalf("log quotes a secret:\n%s", out)
		}
	})
	t.Run("unreadable file exits 2 naming the flag", func(t *testing.T) {
		data := t.TempDir()
		missing := filepath.Join(dir, "no-such-file")
		args := []string{"start", "--data-dir", data, "--username", ownerEmail, "--password-file", missing}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GLOSS_TEST_MAIN=1", "GLOSS_TEST_ARGS="+strings.Join(args, " "))
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "--password-file: cannot read "+missing) {
			t.Fatalf("exit code %d, output %q; want 2 naming --password-file", code, out)
		}
		if _, err := os.Stat(filepath.Join(data, "gloss.db")); err == nil {
			t.Fatal("a refused start created the database")
		}
	})
}
