//go:build pg

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// TestBusyServerKeepsItsConnections sends 3,000 authenticated requests, 48
// at a time, to a server on a fresh PostgreSQL database and counts the
// sessions PostgreSQL opened for that database meanwhile: the server's pool
// (20 connections) keeps what it opens, rather than closing every
// connection beyond two after its query and opening a new server process
// for the next one (which made about 140 sessions in 4 s of such load).
func TestBusyServerKeepsItsConnections(t *testing.T) {
	s, owner := MustOwner(t, nil)
	url := s.env["DATABASE_URL"]
	if url == "" {
		t.Fatal("the PostgreSQL suite gives each server a database")
	}
	token := str(owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	sessions := func() int {
		// Each probe is a session of its own, counted at its start.
		return countRows(t, url, `SELECT sessions::int FROM pg_stat_database WHERE datname = current_database()`)
	}
	before := sessions()

	const workers, each = 48, 63 // 3,024 requests
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	body := []byte(`{"query":"{ viewer { id } }"}`)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Token "+token)
				resp, err := hc.Do(req)
				if err != nil {
					errs <- err
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"viewer":{"id":`)) {
					errs <- fmt.Errorf("%d %s", resp.StatusCode, raw)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("viewer request: %v", err)
	}
	// Connections that closed have reported their sessions; one probe is
	// the count's own.
	opened := sessions() - before - 1
	t.Logf("%d sessions opened", opened)
	if opened > 20 {
		t.Fatalf("PostgreSQL opened %d sessions for 3,024 requests: the pool keeps at most 20 and should reuse them", opened)
	}
}
