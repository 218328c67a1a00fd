package main

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// stormSize is how many sign-ins arrive at once; stormRounds how many
// times.
const (
	stormSize   = 32
	stormRounds = 4
)

// Gloss's argon2id parameters (internal/password): 19 MiB, two passes, one
// lane, a 32-byte key. The baseline verifies with the same, at most one
// hash per core at once (more cannot run faster, only hold more memory).
const (
	argonMemoryKiB = 19 * 1024
	argonPasses    = 2
	argonLanes     = 1
	argonKeyLen    = 32
)

func annotatorEmail(i int) string    { return fmt.Sprintf("annotator%d@bench.example", i) }
func annotatorPassword(i int) string { return fmt.Sprintf("correct horse battery staple %d", i) }

// sampleRSS records p's peak resident memory every 5 ms until stop is
// called, which returns the peak.
func (p *proc) sampleRSS() (stop func() int64) {
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var m int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			m = max(m, p.rss())
			select {
			case <-done:
				peak <- m
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); return <-peak }
}

// storm signs the annotators in stormSize at a time (four per account, each
// from its own forwarded address, so the sign-in throttle, which allows
// five attempts in flight per account and thirty per address, refuses
// none), stormRounds times, and reports sign-ins per second and the peak
// resident memory.
func (r *run) storm() error {
	body := func(i int) []byte {
		return gqlBody(`mutation($in: LoginInput!) { login(input: $in) { user { id } } }`,
			map[string]any{"in": map[string]any{"email": annotatorEmail(i % streamWorkers), "password": annotatorPassword(i % streamWorkers)}})
	}
	once := func(p *proc, url string) (float64, int64, error) {
		stop := p.sampleRSS()
		t0 := time.Now()
		var firstErr error
		var mu sync.Mutex
		for round := range stormRounds {
			var wg sync.WaitGroup
			for i := range stormSize {
				wg.Go(func() {
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body(i)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.0.%d", round, i+1))
					if _, err := do(req); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
		}
		elapsed := time.Since(t0)
		peak := stop()
		return float64(stormSize*stormRounds) / elapsed.Seconds(), peak, firstErr
	}
	// Gloss's annotators sign up unless the stream signed them up already;
	// the baseline learns their passwords (hashing them).
	if _, err := r.annotators(); err != nil {
		return err
	}
	for i := range streamWorkers {
		b, _ := json.Marshal(map[string]string{"email": annotatorEmail(i), "password": annotatorPassword(i)})
		if _, err := post(r.base.base+"/users", "", "application/json", b); err != nil {
			return err
		}
	}
	g, gpeak, err := once(r.gloss, r.gloss.base+"/graphql")
	if err != nil {
		return err
	}
	b, bpeak, err := once(r.base, r.base.base+"/login")
	if err != nil {
		return err
	}
	x := g / b
	pr := float64(gpeak) / float64(bpeak)
	r.add(row{scenario: fmt.Sprintf("login storm, %d at once ×%d: sign-ins/s, peak RSS", stormSize, stormRounds),
		gloss: fmt.Sprintf("%s, %s", rate(g, "/s"), mb(gpeak)), base: fmt.Sprintf("%s, %s", rate(b, "/s"), mb(bpeak)),
		ratio: fmt.Sprintf("%s; RSS %s", ratio(x), ratio(pr)), goal: "≥ 0.8×, peak RSS ≤ 1.5× plain argon2id", pass: x >= 0.8 && pr <= 1.5})
	return nil
}

// addUser stores an email with the argon2id hash of its password.
func (b *baseline) addUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(in.Password), salt, argonPasses, argonMemoryKiB, argonLanes, argonKeyLen)
	if _, err := b.w.Exec(b.q.addUser, in.Email, salt, key); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
}

var hashSlots = make(chan struct{}, runtime.NumCPU())

// login checks an email and password against the stored argon2id hash.
func (b *baseline) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Variables struct {
			In struct{ Email, Password string }
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var id int
	var salt, key []byte
	if err := b.r.QueryRowContext(r.Context(), b.q.login, in.Variables.In.Email).Scan(&id, &salt, &key); err != nil {
		http.Error(w, "wrong email or password", 401)
		return
	}
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	got := argon2.IDKey([]byte(in.Variables.In.Password), salt, argonPasses, argonMemoryKiB, argonLanes, argonKeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		http.Error(w, "wrong email or password", 401)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":{"login":{"user":{"id":"%d"}}}}`, id)
}
