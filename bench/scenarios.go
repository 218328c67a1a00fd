package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// streamWorkers is how many annotators work the label stream at once.
const streamWorkers = 8

// startup starts each server three times on a fresh data directory (Gloss
// without an owner, so no password is hashed) and reports the median time
// from exec to /healthz 200, and the most resident memory over the ten
// seconds after that.
func (r *run) startup() error {
	const idleWatch = 10 * time.Second
	// Both binaries start as an installed binary does, read from disk,
	// not as the linker has just left them in the page cache: it writes
	// its output through a shared mapping, in large folios, and a kernel
	// that maps a whole folio when a fault touches one of its pages (Linux
	// 6.18 does, with 2 MB mappings where it can) made the same idle
	// server hold 55 MB instead of 23.
	for _, bin := range []string{r.bin, r.self} {
		if err := evictFile(bin); err != nil {
			return err
		}
	}
	measure := func(start func(dir string) (*proc, error)) (time.Duration, int64, error) {
		var ts []time.Duration
		var rss int64
		for i := range 3 {
			p, err := start(filepath.Join(r.tmp, fmt.Sprintf("fresh-%d-%d", time.Now().UnixNano(), i)))
			if err != nil {
				return 0, 0, err
			}
			ts = append(ts, p.startup)
			if i == 2 {
				// The most it holds while idle: start-up's pages may be
				// handed back at once and pollers map some again.
				for end := time.Now().Add(idleWatch); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
					rss = max(rss, p.rss())
				}
			}
			p.stop()
		}
		slices.Sort(ts)
		return ts[1], rss, nil
	}
	gt, grss, err := measure(func(dir string) (*proc, error) { return r.startGloss(dir, false) })
	if err != nil {
		return err
	}
	bt, brss, err := measure(r.startBaseline)
	if err != nil {
		return err
	}
	x := float64(gt) / float64(bt)
	r.add(row{scenario: "start-up to `/healthz` 200 (fresh data dir, median of 3)", gloss: ms(gt), base: ms(bt), ratio: ratio(x), goal: "≤ 15×", pass: x <= 15})
	r.add(row{scenario: "idle RSS, most over 10 s after start", gloss: mb(grss), base: mb(brss), ratio: ratio(float64(grss) / float64(brss)), goal: "≤ 30 MB", pass: grss <= 30<<20})
	return nil
}

// importTasks uploads the same CSV of n short text tasks to both servers.
func (r *run) importTasks() error {
	var csv bytes.Buffer
	csv.WriteString("text\n")
	for i := range r.n {
		fmt.Fprintf(&csv, "task number %d with some words to label\n", i)
	}
	ct, body := multipartCSV("tasks.csv", csv.Bytes())
	once := func(p *proc, url, token string) (time.Duration, int64, error) {
		stop := p.sampleRSS()
		t0 := time.Now()
		b, err := post(url, token, ct, body)
		d := time.Since(t0)
		peak := stop()
		if err != nil {
			return 0, 0, err
		}
		var res struct{ TaskCount int }
		if err := json.Unmarshal(b, &res); err != nil || res.TaskCount != r.n {
			return 0, 0, fmt.Errorf("import answered %.200s, want taskCount %d", b, r.n)
		}
		return d, peak, nil
	}
	gd, gpeak, err := once(r.gloss, r.gloss.base+"/api/projects/"+r.project+"/import", r.glossToken)
	if err != nil {
		return err
	}
	bd, bpeak, err := once(r.base, r.base.base+"/import?project=1", baselineToken(1))
	if err != nil {
		return err
	}
	g, b := float64(r.n)/gd.Seconds(), float64(r.n)/bd.Seconds()
	goal, pass := "≥ 0.5×", g/b >= 0.5
	if r.n >= 1_000_000 {
		goal, pass = "≥ 0.5×; 1M in ≤ 10 s, RSS ≤ 150 MB", pass && gd <= time.Duration(r.n/100_000)*time.Second && gpeak <= 150<<20
	}
	fig := func(rt float64, d time.Duration, peak int64) string {
		return fmt.Sprintf("%s (%s), peak RSS %s", rate(rt, " tasks/s"), ms(d), mb(peak))
	}
	r.add(row{scenario: "import (CSV over HTTP), one file", gloss: fig(g, gd, gpeak), base: fig(b, bd, bpeak), ratio: ratio(g / b), goal: goal, pass: pass})
	return nil
}

// disk checkpoints both databases and divides the database file's size by
// the number of tasks. Gloss's database is checkpointed from outside, as any
// SQLite client may do to a WAL database.
func (r *run) disk() error {
	var gsize int64
	what := "database file after import and a checkpoint"
	if r.glossURL != "" {
		var err error
		if gsize, err = pgBytes(r.glossURL); err != nil {
			return err
		}
		gsize -= r.pgEmpty
		what = "growth of pg_database_size over the import"
	} else {
		gpath := filepath.Join(r.tmp, "gloss", "data", "gloss.db")
		db, err := sql.Open("sqlite3", "file:"+gpath+"?_busy_timeout=10000")
		if err != nil {
			return err
		}
		if _, err := db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			db.Close()
			return err
		}
		db.Close()
		gs, err := os.Stat(gpath)
		if err != nil {
			return err
		}
		gsize = gs.Size()
	}
	var bsize int64
	if r.baseURL != "" {
		var err error
		if bsize, err = pgBytes(r.baseURL); err != nil {
			return err
		}
		bsize -= r.baseEmpty
	} else {
		if _, err := post(r.base.base+"/checkpoint", "", "text/plain", nil); err != nil {
			return err
		}
		bs, err := os.Stat(filepath.Join(r.tmp, "base", "baseline.db"))
		if err != nil {
			return err
		}
		bsize = bs.Size()
	}
	g, b := float64(gsize)/float64(r.n), float64(bsize)/float64(r.n)
	r.add(row{scenario: "bytes on disk per task (" + what + ")", gloss: fmt.Sprintf("%.0f", g), base: fmt.Sprintf("%.0f", b), ratio: ratio(g / b), goal: "≤ 1.5×", pass: g/b <= 1.5})
	return nil
}

// viewer is the small authenticated query at concurrency 64.
func (r *run) viewer() error {
	gbody := gqlBody(`{ viewer { id } }`, nil)
	gs := runLoad(64, 500*time.Millisecond, r.dur, 0, func(int) error {
		_, err := post(r.gloss.base+"/graphql", r.glossToken, "application/json", gbody)
		return err
	})
	bs := runLoad(64, 500*time.Millisecond, r.dur, 0, func(int) error {
		_, err := post(r.base.base+"/viewer", baselineToken(1), "application/json", gbody)
		return err
	})
	if err := loadErr(&gs, &bs); err != nil {
		return err
	}
	x := gs.rate() / bs.rate()
	r.add(row{scenario: "`{ viewer { id } }` with a token, c=64",
		gloss: rate(gs.rate(), " req/s") + ", p99 " + ms(gs.pct(.99)),
		base:  rate(bs.rate(), " req/s") + ", p99 " + ms(bs.pct(.99)),
		ratio: ratio(x), goal: "≥ 0.5×, p99 ≤ 2× plain", pass: x >= 0.5 && gs.pct(.99) <= 2*bs.pct(.99)})
	return nil
}

func loadErr(ss ...*stats) error {
	for _, s := range ss {
		if s.n == 0 || s.errs > s.n/100 {
			return fmt.Errorf("%d ok, %d failed; first failure: %v", s.n, s.errs, s.firstErr)
		}
	}
	return nil
}

const pageQuery = `query($p: ID!, $a: Cursor) { tasks(projectId: $p, first: 100, after: $a) { edges { node { id data totalAnnotations } } pageInfo { endCursor hasNextPage } } }`

// page reads the first data-manager page of 100 tasks with their data at
// concurrency 16.
func (r *run) page() error {
	gbody := gqlBody(pageQuery, map[string]any{"p": r.project})
	gs := runLoad(16, 500*time.Millisecond, r.dur, 0, func(int) error {
		_, err := post(r.gloss.base+"/graphql", r.glossToken, "application/json", gbody)
		return err
	})
	burl := r.base.base + "/tasks?project=1"
	bs := runLoad(16, 500*time.Millisecond, r.dur, 0, func(int) error {
		_, err := get(burl, baselineToken(1))
		return err
	})
	if err := loadErr(&gs, &bs); err != nil {
		return err
	}
	x := gs.rate() / bs.rate()
	r.add(row{scenario: "data-manager page of 100 with data, c=16",
		gloss: fmt.Sprintf("%s, p50 %s, p99 %s", rate(gs.rate(), " req/s"), ms(gs.pct(.5)), ms(gs.pct(.99))),
		base:  fmt.Sprintf("%s, p50 %s, p99 %s", rate(bs.rate(), " req/s"), ms(bs.pct(.5)), ms(bs.pct(.99))),
		ratio: ratio(x), goal: "≥ 0.5×, p99 ≤ 20 ms", pass: x >= 0.5 && gs.pct(.99) <= 20*time.Millisecond})
	return nil
}

// walkLimit caps the cursor walk so that a slow server cannot stall the run.
const walkLimit = 90 * time.Second

// walk reads half the project page by page, following the cursor, one
// request at a time.
func (r *run) walk() error {
	type page struct {
		Tasks struct {
			Edges    []struct{ Node struct{ ID string } }
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	want := r.n / 2
	walkOne := func(fetch func(after *string) (page, error)) (time.Duration, []time.Duration, int, error) {
		var lats []time.Duration
		var after *string
		seen := 0
		t0 := time.Now()
		for seen < want && time.Since(t0) < walkLimit {
			t := time.Now()
			p, err := fetch(after)
			if err != nil {
				return 0, nil, 0, err
			}
			lats = append(lats, time.Since(t))
			seen += len(p.Tasks.Edges)
			after = p.Tasks.PageInfo.EndCursor
			if !p.Tasks.PageInfo.HasNextPage {
				break
			}
		}
		return time.Since(t0), lats, seen, nil
	}
	gd, glats, gseen, err := walkOne(func(after *string) (page, error) {
		var p page
		vars := map[string]any{"p": r.project}
		if after != nil {
			vars["a"] = *after
		}
		err := gql(r.gloss.base, r.glossToken, pageQuery, vars, &p)
		return p, err
	})
	if err != nil {
		return err
	}
	bd, _, bseen, err := walkOne(func(after *string) (page, error) {
		var env struct{ Data page }
		u := r.base.base + "/tasks?project=1"
		if after != nil {
			u += "&after=" + *after
		}
		b, err := get(u, baselineToken(1))
		if err == nil {
			err = json.Unmarshal(b, &env)
		}
		return env.Data, err
	})
	if err != nil {
		return err
	}
	if bseen < want {
		return fmt.Errorf("baseline walk saw %d tasks, want %d", bseen, want)
	}
	// Per-task time, so a capped Gloss walk compares fairly.
	g, b := gd.Seconds()/float64(gseen)*float64(want), bd.Seconds()
	avg := func(ds []time.Duration) time.Duration {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return s / time.Duration(max(1, len(ds)))
	}
	k := min(10, len(glats)/2)
	first, deep := avg(glats[:k]), avg(glats[len(glats)-k:])
	fig := fmt.Sprintf("%.2f s (first %d pages %s each, deepest %d %s)", g, k, ms(first), k, ms(deep))
	if gseen < want {
		fig = fmt.Sprintf("%.1f s estimated from %d tasks in %.0f s (capped); first %d pages %s each, deepest %d %s", g, gseen, gd.Seconds(), k, ms(first), k, ms(deep))
	}
	r.add(row{scenario: fmt.Sprintf("walk half the project (%d tasks) by cursor, pages of 100", want),
		gloss: fig, base: fmt.Sprintf("%.2f s", b), ratio: ratio(g / b),
		goal: "deep page ≤ 2× the first", pass: deep <= 2*first})
	return nil
}

// export downloads the whole project as JSON and as CSV from each server,
// timing the first byte and the whole body.
func (r *run) export() error {
	for _, format := range []string{"JSON", "CSV"} {
		once := func(p *proc, url, token string) (ttfb, total time.Duration, peak int64, err error) {
			stop := p.sampleRSS()
			defer func() { peak = stop() }()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Token "+token)
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				return 0, 0, 0, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				b, _ := io.ReadAll(resp.Body)
				return 0, 0, 0, fmt.Errorf("export %s: %d %.200s", format, resp.StatusCode, b)
			}
			buf := make([]byte, 64<<10)
			lines, size, last := 0, 0, byte(0)
			for {
				k, err := resp.Body.Read(buf)
				if k > 0 {
					if size == 0 {
						ttfb = time.Since(t0)
					}
					size += k
					lines += bytes.Count(buf[:k], []byte{'\n'})
					last = buf[k-1]
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					return 0, 0, 0, err
				}
			}
			total = time.Since(t0)
			if format == "CSV" && lines < r.n+1 {
				return 0, 0, 0, fmt.Errorf("CSV export of %s had %d lines, want %d", url, lines, r.n+1)
			}
			if format == "JSON" && last != ']' && last != '\n' {
				return 0, 0, 0, fmt.Errorf("JSON export of %s was cut off after %d bytes", url, size)
			}
			return ttfb, total, 0, nil
		}
		gf, gt, gpeak, err := once(r.gloss, r.gloss.base+"/api/projects/"+r.project+"/export?format="+format, r.glossToken)
		if err != nil {
			return err
		}
		bf, bt, bpeak, err := once(r.base, r.base.base+"/export?project=1&format="+format, baselineToken(1))
		if err != nil {
			return err
		}
		g, b := float64(r.n)/gt.Seconds(), float64(r.n)/bt.Seconds()
		r.add(row{scenario: "export " + format + " of the whole project",
			gloss: fmt.Sprintf("%s, first byte %s, peak RSS %s", rate(g, " tasks/s"), ms(gf), mb(gpeak)),
			base:  fmt.Sprintf("%s, first byte %s, peak RSS %s", rate(b, " tasks/s"), ms(bf), mb(bpeak)),
			ratio: ratio(g / b), goal: "≥ 0.5×, first byte ≤ 1 s", pass: g/b >= 0.5 && gf <= time.Second})
	}
	return nil
}

// streamDur caps the label stream's run; it stops sooner when the
// project runs out of tasks.
const streamDur = 10 * time.Second

// stream runs the label stream: streamWorkers annotators, each doing
// nextTask then createAnnotation as fast as it can. Gloss's annotators join
// through the organization's invite link and are added to the project.
func (r *run) stream() error {
	tokens, err := r.annotators()
	if err != nil {
		return err
	}
	result := `[{"from_name":"label","to_name":"text","type":"choices","value":{"choices":["pos"]}}]`
	var resultJSON any
	json.Unmarshal([]byte(result), &resultJSON)
	nextBody := gqlBody(`query($p: ID!) { nextTask(projectId: $p) { id } }`, map[string]any{"p": r.project})
	const create = `mutation($in: CreateAnnotationInput!) { createAnnotation(input: $in) { id } }`
	gs := runLoad(streamWorkers, 0, streamDur, r.n, func(w int) error {
		b, err := post(r.gloss.base+"/graphql", tokens[w], "application/json", nextBody)
		if err != nil {
			return err
		}
		var next struct {
			Data struct{ NextTask *struct{ ID string } }
		}
		if err := json.Unmarshal(b, &next); err != nil {
			return err
		}
		if next.Data.NextTask == nil {
			return errDone
		}
		_, err = post(r.gloss.base+"/graphql", tokens[w], "application/json",
			gqlBody(create, map[string]any{"in": map[string]any{"taskId": next.Data.NextTask.ID, "result": resultJSON}}))
		return err
	})
	bs := runLoad(streamWorkers, 0, streamDur, r.n, func(w int) error {
		tok := baselineToken(2 + w)
		b, err := post(r.base.base+"/next?project=1", tok, "application/json", nextBody)
		if err != nil {
			return err
		}
		var next struct {
			Data struct{ NextTask *struct{ ID string } }
		}
		if err := json.Unmarshal(b, &next); err != nil {
			return err
		}
		if next.Data.NextTask == nil {
			return errDone
		}
		_, err = post(r.base.base+"/annotate", tok, "application/json",
			[]byte(`{"taskId":"`+next.Data.NextTask.ID+`","result":`+result+`}`))
		return err
	})
	if err := loadErr(&gs, &bs); err != nil {
		return err
	}
	x := gs.rate() / bs.rate()
	fig := func(s *stats) string {
		return fmt.Sprintf("%s, p50 %s, p99 %s", rate(s.rate(), " submits/s"), ms(s.pct(.5)), ms(s.pct(.99)))
	}
	r.add(row{scenario: fmt.Sprintf("label stream: `nextTask` + `createAnnotation`, %d workers, overlap 1", streamWorkers),
		gloss: fig(&gs), base: fig(&bs), ratio: ratio(x), goal: "≥ 0.4×, p99 ≤ 25 ms", pass: x >= 0.4 && gs.pct(.99) <= 25*time.Millisecond})
	return nil
}

// annotators signs streamWorkers annotators up through the organization's
// invite link, adds them to the project and returns their API tokens; it
// signs them up once per pass, for whichever of the stream and the login
// storm runs first.
func (r *run) annotators() ([]string, error) {
	if r.annotatorTokens != nil {
		return r.annotatorTokens, nil
	}
	var org struct {
		Organization struct{ InviteURL string } `json:"organization"`
	}
	if err := gql(r.gloss.base, r.glossToken, `{ organization { inviteUrl } }`, nil, &org); err != nil {
		return nil, err
	}
	_, invite, ok := strings.Cut(org.Organization.InviteURL, "invite=")
	if !ok {
		return nil, fmt.Errorf("no invite token in %q", org.Organization.InviteURL)
	}
	tokens := make([]string, streamWorkers)
	errs := make([]error, streamWorkers)
	var wg sync.WaitGroup
	for i := range streamWorkers {
		wg.Go(func() { tokens[i], errs[i] = r.annotator(i, invite) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	r.annotatorTokens = tokens
	return tokens, nil
}

func (r *run) annotator(i int, invite string) (string, error) {
	body := gqlBody(`mutation($in: SignupInput!) { signup(input: $in) { user { id } } }`, map[string]any{"in": map[string]any{
		"email": annotatorEmail(i), "password": annotatorPassword(i), "inviteToken": invite}})
	req, _ := http.NewRequest(http.MethodPost, r.gloss.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var su struct {
		Data struct {
			Signup struct{ User struct{ ID string } }
		}
	}
	if err := json.Unmarshal(b, &su); err != nil || su.Data.Signup.User.ID == "" {
		return "", fmt.Errorf("signup: %.300s", b)
	}
	if err := gql(r.gloss.base, r.glossToken, `mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
		map[string]any{"p": r.project, "u": su.Data.Signup.User.ID}, nil); err != nil {
		return "", err
	}
	req, _ = http.NewRequest(http.MethodPost, r.gloss.base+"/graphql", bytes.NewReader(gqlBody(`mutation { resetApiToken { token } }`, nil)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.gloss.base)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	b, err = do(req)
	if err != nil {
		return "", err
	}
	var tok struct {
		Data struct {
			ResetAPIToken struct{ Token string } `json:"resetApiToken"`
		}
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.Data.ResetAPIToken.Token == "" {
		return "", fmt.Errorf("resetApiToken: %.300s", b)
	}
	return tok.Data.ResetAPIToken.Token, nil
}

// evictFile writes path's dirty pages back to disk and drops its pages
// from the page cache, where no process maps them.
func evictFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
