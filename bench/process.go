package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a server process under test: Gloss or the baseline.
type proc struct {
	name    string
	cmd     *exec.Cmd
	base    string        // http://127.0.0.1:PORT
	startup time.Duration // from exec to the first 200 from /healthz
	log     string        // where its output goes
	done    chan error
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startProc runs bin with args (which must make it listen on port), sends
// its output to logPath and waits until GET /healthz answers 200, polling
// every millisecond; startup is the time from exec to that answer.
func startProc(name, bin string, args, env []string, port int, logPath string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath, done: make(chan error, 1)}
	hc := &http.Client{Timeout: time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	for {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before serving (%v); see %s", name, err, logPath)
		default:
		}
		if resp, err := hc.Get(p.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				p.startup = time.Since(t0)
				return p, nil
			}
		}
		if time.Since(t0) > 60*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s did not answer /healthz within 60 s; see %s", name, logPath)
		}
		time.Sleep(time.Millisecond)
	}
}

// rss reads the process's resident set size (VmRSS) in bytes.
func (p *proc) rss() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// stop sends SIGTERM and waits up to 30 s for the process to exit, then
// kills it.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}
