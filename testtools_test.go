package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// A test server that installs from the Go module proxy: its package path,
// the version the tests pin, and the binary's name.
type goTool struct {
	pkg, version, name string
}

var (
	versitygwTool = goTool{"github.com/versity/versitygw/cmd/versitygw", "v1.8.0", "versitygw"}
	fakeGCSTool   = goTool{"github.com/fsouza/fake-gcs-server", "v1.56.1", "fake-gcs-server"}
)

// goToolInstalls remembers each tool's installation within this test run.
var goToolInstalls sync.Map // goTool -> func() (string, error)

// binary returns the tool's binary, installing it with go install into the
// user cache (one directory per version) on first use; nothing is installed
// by hand.
func (g goTool) binary(t testing.TB) string {
	t.Helper()
	install, _ := goToolInstalls.LoadOrStore(g, sync.OnceValues(func() (string, error) {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "gloss-test-tools", g.name+"-"+g.version)
		bin := filepath.Join(dir, g.name)
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
		cmd := exec.Command("go", "install", g.pkg+"@"+g.version)
		cmd.Env = append(os.Environ(), "GOBIN="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go install %s: %v\n%s", g.name, err, out)
		}
		return bin, nil
	}))
	bin, err := install.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
