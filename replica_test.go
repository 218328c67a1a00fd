package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replicaKey is the GLOSS_SECRET_KEY every replica of one test shares.
const replicaKey = "replicas-share-this-secret-key-of-32+"

// replica is one gloss started for a replica test: in-process by run() or
// as an operating-system process running the real main().
type replica struct {
	URL     string
	DataDir string
	Out     *syncBuffer
	stop    func() error // ends it (ctx cancel or SIGTERM) and returns how it ended
	cmd     *exec.Cmd    // nil for an in-process replica
	done    chan error   // receives how it ended
}

// startReplica starts gloss on 127.0.0.1:0 in a fresh data dir with env
// once start is closed, and returns it when it serves (or an error: it is
// called from goroutines, so it must not fail the test itself).
func startReplica(t testing.TB, process bool, env map[string]string, start <-chan struct{}) (*replica, error) {
	dir := t.TempDir()
	out := &syncBuffer{}
	done := make(chan error, 1)
	r := &replica{Out: out, done: done, DataDir: dir}
	args := []string{"start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir}
	<-start
	if process {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "GLOSS_TEST_MAIN=1", "GLOSS_TEST_ARGS="+strings.Join(args, " "))
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v) // later entries win
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		r.cmd = cmd
		go func() { done <- cmd.Wait() }()
		r.stop = func() error {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			return <-done
		}
	} else {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { done <- run(ctx, args, func(k string) string { return env[k] }, out) }()
		r.stop = func() error {
			cancel()
			return <-done
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(out.String()); m != nil {
			r.URL = m[1]
			return r, nil
		}
		select {
		case err := <-done:
			return nil, fmt.Errorf("gloss exited before serving (%v):\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = r.stop()
			return nil, fmt.Errorf("gloss did not start in time:\n%s", out.String())
		}
	}
}
