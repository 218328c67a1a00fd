// Command bench measures Gloss black-box over its public API beside a plain
// Go baseline doing the same work in the same run, and prints one table:
// scenario, Gloss's figure, the baseline's, their ratio, the goal from
// issue 9 and whether it holds.
//
// Run it with `make bench` (BENCH_N=1000000 for a million tasks) or
//
//	go build -o bin/gloss . && go run ./bench -n 100000
//
// It starts bin/gloss on a fresh temporary data directory on 127.0.0.1 and
// a random port, with an owner made from --username, --password-file and
// --user-token-file, and the baseline (this program with -serve-baseline:
// net/http and database/sql on the same driver, a plain schema) the same
// way. With -pg, a second pass runs both on fresh PostgreSQL databases.
// Load comes from goroutines over one keep-alive HTTP client; every
// request's latency is recorded. Nothing here runs under `go test`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 100_000, "tasks in the benchmark project")
	bin := flag.String("bin", "bin/gloss", "the Gloss binary to measure")
	dur := flag.Duration("d", 5*time.Second, "how long each timed load runs")
	keep := flag.Bool("keep", false, "keep the temporary data directories")
	pg := flag.String("pg", "", "also run Gloss on PostgreSQL: a URL whose role may create databases (a fresh one is made and dropped)")
	only := flag.String("only", "", "run only these scenarios, comma-separated (start-up, import, disk, viewer, page, walk, export, stream, login storm); the servers and the import always run, as the others need them")
	baseDir := flag.String("serve-baseline", "", "internal: serve the baseline with its database in this directory")
	port := flag.Int("port", 0, "internal: the baseline's port")
	baseDB := flag.String("baseline-db", "", "internal: the baseline's PostgreSQL database (instead of SQLite in -serve-baseline's directory)")
	flag.Parse()
	if *baseDir != "" {
		if err := serveBaseline(*baseDir, *baseDB, *port); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		return
	}
	r := &run{n: *n, bin: *bin, dur: *dur, pg: *pg, db: "SQLite", only: map[string]bool{}}
	for _, name := range strings.Split(*only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			r.only[name] = true
		}
	}
	err := r.main(*keep)
	r.print(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run is one benchmark run: its settings, the two servers and the rows of
// the table.
type run struct {
	n    int
	bin  string
	dur  time.Duration
	tmp  string
	self string          // this program, to start the baseline
	pg   string          // the -pg URL, or empty
	only map[string]bool // the -only scenarios; empty means all

	db        string // the database Gloss runs on in the current pass
	glossURL  string // DATABASE_URL for Gloss in the PostgreSQL pass
	baseURL   string // the baseline's database in the PostgreSQL pass
	pgEmpty   int64  // the size of Gloss's PostgreSQL database before the import
	baseEmpty int64  // the size of the baseline's before the import

	gloss, base     *proc
	glossToken      string
	project         string   // Gloss's project id
	annotatorTokens []string // the annotators' API tokens, once signed up on this pass's Gloss
	rows            []row
}

// row is one line of the table.
type row struct {
	db, scenario, gloss, base, ratio, goal string
	pass                                   bool
	note                                   string // instead of pass/fail
}

func (r *run) add(x row) {
	x.db = r.db
	r.rows = append(r.rows, x)
	verdict := "FAIL"
	if x.note != "" {
		verdict = x.note
	} else if x.pass {
		verdict = "pass"
	}
	fmt.Fprintf(os.Stderr, "  %s: %s | %s | %s | %s | %s\n", x.scenario, x.gloss, x.base, x.ratio, x.goal, verdict)
}

// print writes the table as Markdown.
func (r *run) print(w *os.File) {
	db := ""
	for _, x := range r.rows {
		if x.db != db {
			db = x.db
			fmt.Fprintf(w, "\n%d tasks, Gloss and plain Go on %s, %s\n\n", r.n, db, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
			fmt.Fprintln(w, "| scenario | Gloss | plain Go | ratio | goal | result |")
			fmt.Fprintln(w, "|---|---:|---:|---:|---|---|")
		}
		verdict := "FAIL"
		if x.note != "" {
			verdict = x.note
		} else if x.pass {
			verdict = "pass"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", x.scenario, x.gloss, x.base, x.ratio, x.goal, verdict)
	}
}

func (r *run) main(keep bool) error {
	if _, err := os.Stat(r.bin); err != nil {
		return fmt.Errorf("%s: %v (build it with `go build -o bin/gloss .`)", r.bin, err)
	}
	var err error
	if r.self, err = os.Executable(); err != nil {
		return err
	}
	if r.tmp, err = os.MkdirTemp("", "gloss-bench-"); err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "data in", r.tmp)
	} else {
		defer os.RemoveAll(r.tmp)
	}
	defer func() { r.gloss.stop(); r.base.stop() }()

	steps := []struct {
		name string
		fn   func() error
	}{
		{"start-up", r.startup},
		{"servers", r.startServers},
		{"import", r.importTasks},
		{"disk", r.disk},
		{"viewer", r.viewer},
		{"page", r.page},
		{"walk", r.walk},
		{"export", r.export},
		{"stream", r.stream},
		{"login storm", r.storm},
	}
	for _, s := range steps {
		if !r.wanted(s.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "%s %s %s\n", time.Now().Format("15:04:05"), r.db, s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if r.pg == "" {
		return nil
	}
	// The PostgreSQL pass: Gloss and the baseline, each on a fresh database
	// of the same server. Start-up is measured on SQLite only.
	r.gloss.stop()
	r.base.stop()
	r.gloss, r.base = nil, nil
	drop, err := r.createPG()
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer func() {
		r.gloss.stop()
		r.gloss = nil
		drop()
	}()
	r.db, r.tmp = "PostgreSQL", filepath.Join(r.tmp, "pg")
	for _, s := range steps[1:] {
		if !r.wanted(s.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "%s %s %s\n", time.Now().Format("15:04:05"), r.db, s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("PostgreSQL %s: %w", s.name, err)
		}
	}
	return nil
}

// wanted reports whether the step named name runs: every step without
// -only, else the named ones and the set-up every other needs.
func (r *run) wanted(name string) bool {
	return len(r.only) == 0 || r.only[name] || name == "servers" || name == "import"
}

// startGloss starts bin/gloss on dir; with owner, it creates the owner
// account with a token, as `gloss start --username` does.
func (r *run) startGloss(dir string, owner bool) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"start", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--data-dir", filepath.Join(dir, "data")}
	if owner {
		// As behind a reverse proxy: the login storm comes from many
		// forwarded addresses.
		args = append(args, "--trusted-proxies", "127.0.0.1/32")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		r.glossToken = "bench-owner-token-0123456789"
		pw, tok := filepath.Join(dir, "owner.password"), filepath.Join(dir, "owner.token")
		if err := os.WriteFile(pw, []byte("correct horse battery staple bench\n"), 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(tok, []byte(r.glossToken+"\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--username", "owner@bench.example", "--password-file", pw, "--user-token-file", tok)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var env []string
	if r.glossURL != "" {
		env = append(env, "DATABASE_URL="+r.glossURL)
	}
	return startProc("gloss", r.bin, args, env, port, filepath.Join(dir, "gloss.log"))
}

func (r *run) startBaseline(dir string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	args := []string{"-serve-baseline", dir, "-port", fmt.Sprint(port)}
	if r.baseURL != "" {
		args = append(args, "-baseline-db", r.baseURL)
	}
	return startProc("baseline", r.self, args, nil, port, filepath.Join(dir, "baseline.log"))
}

func (r *run) startServers() error {
	var err error
	r.annotatorTokens = nil
	if r.gloss, err = r.startGloss(filepath.Join(r.tmp, "gloss"), true); err != nil {
		return err
	}
	if r.base, err = r.startBaseline(filepath.Join(r.tmp, "base")); err != nil {
		return err
	}
	var out struct {
		CreateProject struct{ ID string } `json:"createProject"`
	}
	err = gql(r.gloss.base, r.glossToken, `mutation($in: CreateProjectInput!) { createProject(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"title": "bench", "labelConfig": labelConfig}}, &out)
	r.project = out.CreateProject.ID
	if err == nil && r.glossURL != "" {
		r.pgEmpty, err = pgBytes(r.glossURL)
	}
	if err == nil && r.baseURL != "" {
		r.baseEmpty, err = pgBytes(r.baseURL)
	}
	return err
}

const labelConfig = `<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices></View>`

// Formatting helpers for the table.

func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f < 10:
		return fmt.Sprintf("%.2f ms", f)
	case f < 1000:
		return fmt.Sprintf("%.0f ms", f)
	}
	return fmt.Sprintf("%.2f s", f/1000)
}

func rate(x float64, unit string) string {
	switch {
	case x >= 100:
		return withCommas(int64(x+0.5)) + unit
	case x >= 10:
		return fmt.Sprintf("%.1f%s", x, unit)
	}
	return fmt.Sprintf("%.2f%s", x, unit)
}

func withCommas(v int64) string {
	s := fmt.Sprint(v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ratio(x float64) string {
	switch {
	case x >= 10:
		return fmt.Sprintf("%.0f×", x)
	case x >= 0.1:
		return fmt.Sprintf("%.2f×", x)
	}
	return fmt.Sprintf("%.4f×", x)
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
