package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// recorder keeps everything that reached a fake storage: the headers and
// path of every HTTP request, or the bytes of every TCP connection.
type recorder struct {
	mu  sync.Mutex
	got bytes.Buffer
}

func (r *recorder) add(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got.Write(b)
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got.String()
}

// MustHTTPRecorder serves a storage endpoint on loopback that records
// every request and answers 403.
func MustHTTPRecorder(t testing.TB) (*recorder, string) {
	t.Helper()
	rec := &recorder{}
	url := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.WriteString(r.Method + " " + r.URL.String() + "\n")
		_ = r.Header.Write(&b)
		rec.add(b.Bytes())
		w.WriteHeader(http.StatusForbidden)
	}))
	return rec, url
}

// MustTCPRecorder listens on loopback, records what every connection
// sends first and closes it; it returns the port.
func MustTCPRecorder(t testing.TB) (*recorder, int) {
	t.Helper()
	rec := &recorder{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// The first command (HELLO, with AUTH when there is a
				// password) comes in one write; then the door closes.
				buf := make([]byte, 4096)
				n, _ := c.Read(buf)
				rec.add(buf[:n])
			}()
		}
	}()
	return rec, ln.Addr().(*net.TCPAddr).Port
}

// TestStorageCredentialsStayWithTheirEndpoint: a manager may edit a
// storage whose credentials an owner entered, and a secret left empty is
// kept. Pointing the storage somewhere else while keeping them would send
// them there — the S3 session token and key id, a GCS bearer token signed
// with the service-account key (good against Google for an hour), an Azure
// SharedKey signature, a Redis password in AUTH — to a server the manager
// runs. Such an edit is refused unless the credentials are given again (or
// emptied), and the refused edit sends nothing anywhere.
func TestStorageCredentialsStayWithTheirEndpoint(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, project, manager)

	gcsKey, gcsKeyBody := serviceAccountKey(t)
	const (
		s3Token    = "session-token-for-the-real-endpoint-only"
		s3KeyID    = "AKIDREALENDPOINTONLY"
		azureKey   = "UmVhbEF6dXJlQWNjb3VudEtleU5ldmVyU2VudEVsc2V3aGVyZQ=="
		redisWord  = "redis-password-for-the-real-host-only"
		unusedPort = "http://127.0.0.1:9" // the discard port: nothing answers
	)
	const updateStorage = `mutation($s: ID!, $i: UpdateStorageInput!) { updateStorage(id: $s, input: $i) { id secretSet } }`
	const settingsQuery = `query($p: ID!) { project(id: $p) { storages { id endpoint bucket secretSet } } }`

	for _, tc := range []struct {
		name   string
		create map[string]any                 // the kind's settings, with credentials
		move   func(to string) map[string]any // the kind's settings pointing at the recorder, credentials kept
		tcp    bool                           // the recorder is a TCP listener (Redis), not HTTP
		secret []string                       // what must never reach the recorder
		fresh  map[string]any                 // new credentials, given with a move
		gone   []string                       // what must not reach the recorder after that move
	}{
		{
			name: "S3", create: map[string]any{"s3": map[string]any{"bucket": "media", "endpoint": unusedPort,
				"accessKeyId": s3KeyID, "secretAccessKey": s3Secret, "sessionToken": s3Token}},
			move:   func(to string) map[string]any { return map[string]any{"bucket": "media", "endpoint": to} },
			secret: []string{s3Token, s3KeyID, "Authorization"},
			fresh:  map[string]any{"accessKeyId": "AKIDFRESH", "secretAccessKey": "fresh secret", "sessionToken": ""},
			gone:   []string{s3Token, s3KeyID},
		},
		{
			name: "GCS", create: map[string]any{"gcs": map[string]any{"bucket": "media", "endpoint": unusedPort, "credentialsJson": gcsKey}},
			move:   func(to string) map[string]any { return map[string]any{"bucket": "media", "endpoint": to} },
			secret: []string{"Authorization", "Bearer", gcsKeyBody},
			fresh:  map[string]any{"credentialsJson": ""},
			gone:   []string{"Authorization", "Bearer"},
		},
		{
			name: "AZURE", create: map[string]any{"azure": map[string]any{"container": "media", "accountName": "devstoreaccount1",
				"endpoint": unusedPort + "/devstoreaccount1", "accountKey": azureKey}},
			move: func(to string) map[string]any {
				return map[string]any{"container": "media", "accountName": "devstoreaccount1", "endpoint": to + "/devstoreaccount1"}
			},
			secret: []string{"Authorization", "SharedKey"},
			fresh:  map[string]any{"accountKey": ""},
			gone:   []string{"Authorization", "SharedKey"},
		},
		{
			name: "REDIS", tcp: true, create: map[string]any{"redis": map[string]any{"host": "127.0.0.1", "port": 9, "password": redisWord}},
			move: func(to string) map[string]any {
				port, _ := strconv.Atoi(to)
				return map[string]any{"host": "127.0.0.1", "port": port}
			},
			secret: []string{redisWord},
			fresh:  map[string]any{"password": ""},
			gone:   []string{redisWord},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"projectId": project, "direction": "IMPORT", "kind": tc.name}
			for k, v := range tc.create {
				in[k] = v
			}
			id := str(owner.ok(createStorageMutation, map[string]any{"i": in}), "createStorage", "id")
			before := owner.ok(settingsQuery, map[string]any{"p": project})

			var rec *recorder
			var to string
			if tc.tcp {
				var port int
				rec, port = MustTCPRecorder(t)
				to = strconv.Itoa(port)
			} else {
				rec, to = MustHTTPRecorder(t)
			}
			field := strings.ToLower(tc.name)
			r := manager.gql(updateStorage, map[string]any{"s": id, "i": map[string]any{field: tc.move(to)}})
			if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "credentials") {
				t.Errorf("moving the storage with its credentials kept: want BAD_USER_INPUT naming the credentials, got %s", r.Raw)
			}
			if after := owner.ok(settingsQuery, map[string]any{"p": project}); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("a refused edit changed the storage:\n%v\n%v", before, after)
			}
			manager.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok } }`, map[string]any{"s": id})
			manager.ok(syncMutation, map[string]any{"s": id})
			for _, secret := range tc.secret {
				if got := rec.String(); strings.Contains(got, secret) {
					t.Fatalf("the manager's server received %q:\n%.2000s", secret, got)
				}
			}

			// Given again with the move — here new ones, or none — the
			// edit goes through, and the old ones are gone.
			move := tc.move(to)
			for k, v := range tc.fresh {
				move[k] = v
			}
			manager.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{field: move}})
			manager.ok(`mutation($s: ID!) { checkStorage(id: $s) { ok } }`, map[string]any{"s": id})
			got := rec.String()
			if got == "" {
				t.Fatal("the storage did not reach its new endpoint: the checks above prove nothing")
			}
			for _, old := range tc.gone {
				if strings.Contains(got, old) {
					t.Fatalf("a credential replaced or emptied with the move reached the new endpoint (%q):\n%.2000s", old, got)
				}
			}
		})
	}
	mustNotLeak(t, s, owner, project, s3Token)
	mustNotLeak(t, s, owner, project, redisWord)
}

// TestLocalTargetStaysInItsFolder: a target storage's objects are
// <folder>/<prefix>/<annotation id>, and a symlink inside the folder may
// lead out of it. Writing through it is refused; so must be creating
// folders and deleting objects through it, which would otherwise create
// folders and delete files (named as annotation ids) outside the document
// root.
func TestLocalTargetStaysInItsFolder(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out", "escape")); err != nil {
		t.Fatal(err)
	}
	s, owner := MustOwner(t, map[string]string{"LOCAL_FILES_SERVING_ENABLED": "true", "LOCAL_FILES_DOCUMENT_ROOT": root})
	project := (&team{s: s, owner: owner}).project(t, textClassification, nil)
	owner.ok(importTasks, map[string]any{"p": project, "t": []any{map[string]any{"text": "one"}}})
	for _, prefix := range []string{"escape", "escape/made"} {
		owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "EXPORT",
			"kind": "LOCAL", "prefix": prefix, "canDeleteObjects": true, "local": map[string]any{"path": "out"}}})
	}
	// A control target without a symlink shows when the writes are done.
	owner.ok(createStorageMutation, map[string]any{"i": map[string]any{"projectId": project, "direction": "EXPORT",
		"kind": "LOCAL", "prefix": "plain", "canDeleteObjects": true, "local": map[string]any{"path": "out"}}})

	_, a := annotate(owner, project)
	// Outside, a file that happens to bear the annotation's name.
	victim := filepath.Join(outside, a)
	if err := os.WriteFile(victim, []byte("not Gloss's"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the annotation in the control target", func() bool {
		_, err := os.Stat(filepath.Join(root, "out", "plain", a))
		return err == nil
	})
	owner.ok(`mutation($a: ID!) { deleteAnnotation(id: $a) }`, map[string]any{"a": a})
	waitFor(t, "the control target's object to go", func() bool {
		_, err := os.Stat(filepath.Join(root, "out", "plain", a))
		return os.IsNotExist(err)
	})
	if b, err := os.ReadFile(victim); err != nil || string(b) != "not Gloss's" {
		t.Errorf("a target storage deleted or changed a file outside the document root: %v %q", err, b)
	}
	if _, err := os.Stat(filepath.Join(outside, "made")); err == nil {
		t.Error("a target storage made a folder outside the document root")
	}
}

// TestStorageCredentialsStayWithTheirBucket: keys an owner entered for one
// bucket often reach others. A manager who points the storage at another
// bucket, container, GCS project or Redis database while keeping them
// (to sync it, and read what it holds through the data proxy) is refused,
// and the storage is left as it was; given again, the credentials go.
func TestStorageCredentialsStayWithTheirBucket(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, project, manager)
	gcsKey, _ := serviceAccountKey(t)
	const (
		endpoint      = "http://127.0.0.1:9"
		updateStorage = `mutation($s: ID!, $i: UpdateStorageInput!) { updateStorage(id: $s, input: $i) { id bucket } }`
		settings      = `query($p: ID!) { project(id: $p) { storages { id endpoint bucket prefix secretSet } } }`
	)
	for _, tc := range []struct {
		name   string
		create map[string]any
		moves  []map[string]any // each keeping the credentials
		fresh  map[string]any   // credentials given again
	}{
		{"S3", map[string]any{"bucket": "media", "endpoint": endpoint, "accessKeyId": "AKIDMEDIA", "secretAccessKey": s3Secret},
			[]map[string]any{{"bucket": "finance"}}, map[string]any{"accessKeyId": "", "secretAccessKey": ""}},
		{"GCS", map[string]any{"bucket": "media", "endpoint": endpoint, "credentialsJson": gcsKey},
			[]map[string]any{{"bucket": "finance"}, {"bucket": "media", "projectId": "someone-else"}}, map[string]any{"credentialsJson": ""}},
		{"AZURE", map[string]any{"container": "media", "accountName": "devstoreaccount1", "endpoint": endpoint + "/devstoreaccount1",
			"accountKey": "UmVhbEF6dXJlQWNjb3VudEtleU5ldmVyU2VudEVsc2V3aGVyZQ=="},
			[]map[string]any{{"container": "finance", "accountName": "devstoreaccount1"}}, map[string]any{"accountKey": ""}},
		{"REDIS", map[string]any{"host": "127.0.0.1", "port": 9, "password": "redis-password"},
			[]map[string]any{{"host": "127.0.0.1", "port": 9, "db": 3}}, map[string]any{"password": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			field := strings.ToLower(tc.name)
			id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{
				"projectId": project, "direction": "IMPORT", "kind": tc.name, field: tc.create}}), "createStorage", "id")
			before := owner.ok(settings, map[string]any{"p": project})
			for _, move := range tc.moves {
				r := manager.gql(updateStorage, map[string]any{"s": id, "i": map[string]any{field: move}})
				if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "credentials") {
					t.Errorf("%v with the credentials kept: want BAD_USER_INPUT naming the credentials, got %s", move, r.Raw)
				}
				if after := owner.ok(settings, map[string]any{"p": project}); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("a refused edit changed the storage:\n%v\n%v", before, after)
				}
				// An edit that keeps the bucket keeps the credentials.
				keep := map[string]any{}
				for k, v := range tc.create {
					if !strings.Contains(strings.ToLower(k), "key") && k != "password" && k != "credentialsJson" {
						keep[k] = v
					}
				}
				if got := manager.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{"prefix": "new/", field: keep}}); got == nil {
					t.Fatal("an edit in place was refused")
				}
				for k, v := range tc.fresh {
					move[k] = v
				}
				manager.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{field: move}})
				if path(manager.ok(settings, map[string]any{"p": project}), "project", "storages").([]any)[0].(map[string]any)["secretSet"] != false {
					t.Errorf("%v with the credentials emptied: still set", move)
				}
				// Set them again for the next move.
				owner.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{field: tc.create}})
				before = owner.ok(settings, map[string]any{"p": project})
			}
			owner.ok(`mutation($s: ID!) { deleteStorage(id: $s) }`, map[string]any{"s": id})
		})
	}
}

// TestAPrefixKeepsItsCredentials: a prefix often keeps one project's
// files from another's in a shared bucket. A manager who moves an owner's
// storage out of its prefix while keeping the credentials (to sync, and
// read, what the rest of the bucket holds) is refused and nothing
// changes; narrowing the prefix, or moving it with the credentials given
// again, goes through.
func TestAPrefixKeepsItsCredentials(t *testing.T) {
	s, owner := MustOwner(t, map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"})
	tm := &team{s: s, owner: owner}
	project := tm.project(t, imageConfig, nil)
	manager := tm.joinAs(t, "MANAGER")
	tm.addMember(t, project, manager)
	const (
		updateStorage = `mutation($s: ID!, $i: UpdateStorageInput!) { updateStorage(id: $s, input: $i) { id prefix } }`
		settings      = `query($p: ID!) { project(id: $p) { storages { id endpoint bucket prefix secretSet } } }`
	)
	s3 := map[string]any{"bucket": "shared", "endpoint": "http://127.0.0.1:9", "accessKeyId": "AKIDSHARED", "secretAccessKey": s3Secret}
	id := str(owner.ok(createStorageMutation, map[string]any{"i": map[string]any{
		"projectId": project, "direction": "IMPORT", "kind": "S3", "prefix": "teams/a/", "s3": s3}}), "createStorage", "id")
	before := owner.ok(settings, map[string]any{"p": project})
	keep := map[string]any{"bucket": "shared", "endpoint": "http://127.0.0.1:9"}
	for _, in := range []map[string]any{
		{"prefix": "teams/"},
		{"prefix": ""},
		{"prefix": "teams/b/"},
		{"prefix": "teams/", "s3": keep},
	} {
		r := manager.gql(updateStorage, map[string]any{"s": id, "i": in})
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "credentials") || !strings.Contains(r.Errors[0].Message, "prefix") {
			t.Errorf("%v with the credentials kept: want BAD_USER_INPUT naming the credentials and the prefix, got %s", in, r.Raw)
		}
		if after := owner.ok(settings, map[string]any{"p": project}); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused edit changed the storage:\n%v\n%v", before, after)
		}
	}
	// Narrower: the credentials stay.
	if p := str(manager.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{"prefix": "teams/a/2026/"}}), "updateStorage", "prefix"); p != "teams/a/2026/" {
		t.Fatalf("narrowing the prefix: %q", p)
	}
	if path(owner.ok(settings, map[string]any{"p": project}), "project", "storages").([]any)[0].(map[string]any)["secretSet"] != true {
		t.Error("narrowing the prefix dropped the credentials")
	}
	// Elsewhere with the credentials given again (here emptied): it goes.
	manager.ok(updateStorage, map[string]any{"s": id, "i": map[string]any{"prefix": "teams/b/",
		"s3": map[string]any{"bucket": "shared", "endpoint": "http://127.0.0.1:9", "accessKeyId": "", "secretAccessKey": ""}}})
	st := path(owner.ok(settings, map[string]any{"p": project}), "project", "storages").([]any)[0].(map[string]any)
	if st["prefix"] != "teams/b/" || st["secretSet"] != false {
		t.Errorf("a move with the credentials given again: %v", st)
	}
}
