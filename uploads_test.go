package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const uploadImageConfig = `<View><Image name="image" value="$image"/><Choices name="c" toName="image"><Choice value="A"/></Choices></View>`

// onePixelPNG is a valid 1×1 PNG.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

// uploadFiles posts binary files to the import route as b.
func uploadFiles(t testing.TB, b *browser, projectID string, files map[string][]byte) *gqlResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, content := range files {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/api/projects/"+projectID+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.do(req)
}

func getUpload(b *browser, path string) *gqlResponse {
	req, _ := http.NewRequest(http.MethodGet, b.s.URL+path, nil)
	return b.do(req)
}

// TestUploadsAreServedInertly uploads media through the import route and
// reads them back: each becomes a task naming /api/uploads/<generated
// name>; images are served inline with their sniffed type, markup and
// polyglots only as downloads, all with nosniff and a sandbox CSP; nobody
// who cannot read a task naming the file gets it.
func TestUploadsAreServedInertly(t *testing.T) {
	s, owner := MustOwner(t, nil)
	invite := inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))
	outsider := s.browser(t) // an annotator of the organization, not in the project
	outsiderEmail := uniqueEmail("outsider")
	outsider.ok(signupMutation, signupVars(outsiderEmail, ownerPassword, invite))
	pid := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Uploads", "labelConfig": uploadImageConfig}}), "createProject", "id")

	files := map[string][]byte{
		"../../etc/photo.PNG": onePixelPNG,
		"drawing.svg":         []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`),
		"polyglot.png":        []byte("<html><body><script>alert(3)</script></body></html>"),
	}
	if r := uploadFiles(t, owner, pid, files); r.Status != http.StatusCreated || !strings.Contains(r.Raw, `"taskCount":3`) {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	d := owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { data } } } }`, map[string]any{"p": pid})
	var paths []string
	for _, e := range path(d, "tasks", "edges").([]any) {
		p := str(e, "node", "data", "image")
		if !strings.HasPrefix(p, "/api/uploads/") || strings.Contains(p, "etc") || strings.Contains(p, "photo") || strings.Contains(p, "..") {
			t.Fatalf("task data names %q: want a generated name", p)
		}
		paths = append(paths, p)
	}
	// An .html file an earlier release stored as an upload (now such a
	// file is read as a task's markup): still served, inertly.
	page := strings.Repeat("ab", 16) + ".html"
	pagePath := filepath.Join(s.DataDir, "uploads", page)
	if err := os.WriteFile(pagePath, []byte("<!doctype html><html><script>alert(document.cookie)</script></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(pagePath, old, old); err != nil {
		t.Fatal(err)
	}
	owner.ok(importTasks, map[string]any{"p": pid, "t": []any{map[string]any{"image": "/api/uploads/" + page}}})
	s.stop()
	s = mustStartIn(t, s.DataDir, s.env)
	owner = s.browser(t)
	owner.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	outsider = s.browser(t)
	outsider.ok(loginMutation, loginVars(outsiderEmail, ownerPassword))
	paths = append(paths, "/api/uploads/"+page)
	if len(paths) != 4 {
		t.Fatalf("tasks: %v", d)
	}

	served := map[string]bool{}
	for _, p := range paths {
		r := getUpload(owner, p)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, r.Status, r.Raw)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("GET %s: headers %v", p, r.Header)
		}
		inline := r.Header.Get("Content-Disposition") == ""
		switch {
		case bytes.Equal([]byte(r.Raw), onePixelPNG):
			served["png"] = true
			if !inline || r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("the PNG: type %q, disposition %q; want inline image/png", r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		default:
			served[r.Raw[:5]] = true
			if inline || r.Header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("%q: type %q, disposition %q; want an octet-stream attachment", r.Raw, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		}
	}
	if len(served) != 4 {
		t.Errorf("served %v", served)
	}

	// Refusals: not a member of the project, no session, names that are
	// not uploads. All 404 but the anonymous 401. (Another organization's
	// members are in the permission matrix, http:upload.)
	for name, b := range map[string]*browser{"an annotator outside the project": outsider} {
		if r := getUpload(b, paths[0]); r.Status != http.StatusNotFound || strings.Contains(r.Raw, "PNG") {
			t.Errorf("%s: %d %q", name, r.Status, r.Raw)
		}
	}
	if r := getUpload(s.browser(t), paths[0]); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.Status)
	}
	for _, p := range []string{"/api/uploads/..%2Fsecret.key", "/api/uploads/secret.key", "/api/uploads/gloss.db", "/api/uploads/" + strings.Repeat("0", 32) + ".png", paths[0] + ".png", "/api/uploads/" + strings.ToUpper(strings.TrimPrefix(paths[0], "/api/uploads/"))} {
		if r := getUpload(owner, p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Raw)
		}
	}
	// Another task of the organization that names the file (one exported
	// and imported again into another project) serves it too, to whoever
	// may read that task, and only once they may: here an annotator once
	// the label stream hands it to them.
	other := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Elsewhere", "labelConfig": uploadImageConfig}}), "createProject", "id")
	(&team{s: s, owner: owner}).addMember(t, other, outsider)
	owner.ok(importTasks, map[string]any{"p": other, "t": []any{map[string]any{"image": paths[0]}}})
	if r := getUpload(outsider, paths[0]); r.Status != http.StatusNotFound {
		t.Errorf("an annotator with no task handed out yet: %d", r.Status)
	}
	outsider.ok(nextTaskQuery, map[string]any{"p": other}) // the stream hands them the task
	if r := getUpload(outsider, paths[0]); r.Status != http.StatusOK {
		t.Errorf("an annotator holding a task of the organization that names the file: %d %s", r.Status, r.Raw)
	}
	for _, p := range paths[1:] {
		if r := getUpload(outsider, p); r.Status != http.StatusNotFound {
			t.Errorf("an upload their task does not name, %s: %d", p, r.Status)
		}
	}
}

// TestUploadsStayInTheirOrganization: whoever learned an upload's name
// (a removed member, a reader of an export or a webhook payload) cannot
// read it from an organization of their own by importing a task that
// names it there.
func TestUploadsStayInTheirOrganization(t *testing.T) {
	s, owner := MustOwner(t, nil)
	pid := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Uploads", "labelConfig": uploadImageConfig}}), "createProject", "id")
	if r := uploadFiles(t, owner, pid, map[string][]byte{"a.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	d := owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { data } } } }`, map[string]any{"p": pid})
	name := str(d, "tasks", "edges", 0, "node", "data", "image")

	stranger := (&team{s: s, owner: owner}).joinAs(t, "ANNOTATOR")
	org := str(stranger.ok(`mutation { createOrganization(title: "Mine") { id } }`, nil), "createOrganization", "id")
	stranger.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": org})
	mine := str(stranger.ok(createProject, map[string]any{"i": map[string]any{"title": "Mine", "labelConfig": uploadImageConfig}}), "createProject", "id")
	stranger.ok(importTasks, map[string]any{"p": mine, "t": []any{map[string]any{"image": name}}})
	if r := getUpload(stranger, name); r.Status != http.StatusNotFound || bytes.Equal([]byte(r.Raw), onePixelPNG) {
		t.Fatalf("another organization's task naming the upload: %d", r.Status)
	}
	if r := getUpload(owner, name); r.Status != http.StatusOK {
		t.Fatalf("the owner: %d", r.Status)
	}
}

// TestTheImportCapCountsTheWholeImport: GLOSS_IMPORT_MAX_TASKS is the most
// tasks one import holds, across all its files and its uploaded media (a
// file's own cap let many files of a million lines each through, and media
// were never counted), and an import takes at most 10,000 files (each is
// spooled to a file of its own first). Past either, nothing is imported
// and no uploaded file stays.
func TestTheImportCapCountsTheWholeImport(t *testing.T) {
	tm := MustTeamWith(t, map[string]string{"GLOSS_IMPORT_MAX_TASKS": "5"})
	p := tm.project(t, textClassification, nil)
	uploads := filepath.Join(tm.s.DataDir, "uploads")
	stored := func() int {
		entries, _ := os.ReadDir(uploads)
		return len(entries)
	}
	for name, files := range map[string]map[string][]byte{
		"two files of three tasks": {"a.txt": []byte("1\n2\n3\n"), "b.txt": []byte("4\n5\n6\n")},
		"six media files": {"1.png": pngBytes, "2.png": pngBytes, "3.png": pngBytes,
			"4.png": pngBytes, "5.png": pngBytes, "6.png": pngBytes},
		"media and a file": {"1.png": pngBytes, "2.png": pngBytes, "c.txt": []byte("1\n2\n3\n4\n")},
	} {
		r := uploadFiles(t, tm.owner, p, files)
		if r.Status != 400 || !strings.Contains(r.Raw, "more than 5 tasks") {
			t.Errorf("%s: HTTP %d %s; want 400 naming the cap", name, r.Status, r.Raw)
		}
		if n := taskCount(t, tm.owner, p); n != 0 || stored() != 0 {
			t.Fatalf("%s: a refused import left %d tasks and %d uploaded files", name, n, stored())
		}
	}
	files := map[string][]byte{}
	for i := range 10_001 {
		files[fmt.Sprintf("%05d.txt", i)] = []byte("x")
	}
	if r := uploadFiles(t, tm.owner, p, files); r.Status != 400 || !strings.Contains(r.Raw, "at most 10000 files") {
		t.Errorf("10,001 files: HTTP %d %.300s; want 400 naming the file cap", r.Status, r.Raw)
	}
	// Within the cap, across files and media.
	if r := uploadFiles(t, tm.owner, p, map[string][]byte{"1.png": pngBytes, "d.txt": []byte("1\n2\n3\n4\n")}); r.Status != http.StatusCreated {
		t.Fatalf("an import of 5 tasks: HTTP %d %s", r.Status, r.Raw)
	}
	if n := taskCount(t, tm.owner, p); n != 5 {
		t.Fatalf("%d tasks, want 5", n)
	}
}

// TestUploadsAndLinesGoToTheirObjects: an uploaded image goes to the data
// key of the config's first Image (or Audio), and a line of a text file to
// the first object's, not to a Header's title key that comes before them
// (which a text file's tasks then lack: GLOSS_IMPORT_ALLOW_MISSING_KEYS).
func TestUploadsAndLinesGoToTheirObjects(t *testing.T) {
	tm := MustTeamWith(t, map[string]string{"GLOSS_IMPORT_ALLOW_MISSING_KEYS": "true"})
	const choices = `<Choices name="c" toName="o"><Choice value="A"/></Choices>`
	images := tm.project(t, `<View><Header value="$title"/><Text name="caption" value="$caption"/><Image name="o" value="$image"/>`+choices+`</View>`, nil)
	texts := tm.project(t, `<View><Header value="$title"/><Text name="o" value="$body"/>`+choices+`</View>`, nil)
	if r := uploadFiles(t, tm.owner, images, map[string][]byte{"a.png": pngBytes}); r.Status != http.StatusCreated {
		t.Fatalf("upload: HTTP %d %s", r.Status, r.Raw)
	}
	if r := uploadFiles(t, tm.owner, texts, map[string][]byte{"lines.txt": []byte("first line\n")}); r.Status != http.StatusCreated {
		t.Fatalf("text file: HTTP %d %s", r.Status, r.Raw)
	}
	for p, want := range map[string]string{images: "image", texts: "body"} {
		d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { data } } } }`, map[string]any{"p": p})
		data := path(d, "tasks", "edges", 0, "node", "data").(map[string]any)
		if _, ok := data[want]; !ok || len(data) != 1 {
			t.Errorf("the task holds %v; want its value under %q", data, want)
		}
	}
}

// TestUploadsOfAnEarlierReleaseAreRecorded: an earlier release kept no
// record of its uploads. At start they are recorded, each for the first
// task that names it, so they are served as before to whoever may read
// that task, and not through a later task of another organization.
func TestUploadsOfAnEarlierReleaseAreRecorded(t *testing.T) {
	s, owner := MustOwner(t, nil)
	pid := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Uploads", "labelConfig": uploadImageConfig}}), "createProject", "id")
	if r := uploadFiles(t, owner, pid, map[string][]byte{"a.png": onePixelPNG, "b.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	var names []string
	d := owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { data } } } }`, map[string]any{"p": pid})
	for _, e := range path(d, "tasks", "edges").([]any) {
		names = append(names, str(e, "node", "data", "image"))
	}
	const strangerEmail = "stranger@example.com"
	stranger := s.browser(t)
	stranger.ok(signupMutation, signupVars(strangerEmail, ownerPassword, inviteToken(str(owner.ok(orgQuery, nil), "organization", "inviteUrl"))))
	org := str(stranger.ok(`mutation { createOrganization(title: "Mine") { id } }`, nil), "createOrganization", "id")
	stranger.ok(`mutation($o: ID!) { switchOrganization(id: $o) { id } }`, map[string]any{"o": org})
	mine := str(stranger.ok(createProject, map[string]any{"i": map[string]any{"title": "Mine", "labelConfig": uploadImageConfig}}), "createProject", "id")
	stranger.ok(importTasks, map[string]any{"p": mine, "t": []any{map[string]any{"image": names[0]}}})

	// A third file no task names, as an earlier release left a file whose
	// task was deleted (its deletion now removes the file).
	orphan := "/api/uploads/" + strings.Repeat("e", 32) + ".png"
	if err := os.WriteFile(filepath.Join(s.DataDir, "uploads", strings.TrimPrefix(orphan, "/api/uploads/")), onePixelPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	// As an earlier release left it: no record, and files older than an
	// import in flight could be (a fresh one is left to a later start).
	db := insider(t, s)
	mustExec(t, db, "DELETE FROM uploads")
	old := time.Now().Add(-time.Hour)
	for _, n := range append([]string{orphan}, names...) {
		if err := os.Chtimes(filepath.Join(s.DataDir, "uploads", strings.TrimPrefix(n, "/api/uploads/")), old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A fresh file with no record: maybe another replica's import that
	// has yet to commit its own.
	fresh := strings.Repeat("f", 32) + ".png"
	if err := os.WriteFile(filepath.Join(s.DataDir, "uploads", fresh), onePixelPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	s.stop()
	s2 := mustStartIn(t, s.DataDir, s.env)
	owner2, stranger2 := s2.browser(t), s2.browser(t)
	owner2.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	stranger2.ok(loginMutation, loginVars(strangerEmail, ownerPassword))
	for _, n := range names {
		if r := getUpload(owner2, n); r.Status != http.StatusOK {
			t.Errorf("the owner after the upgrade, %s: %d %s", n, r.Status, r.Raw)
		}
		if r := getUpload(stranger2, n); r.Status != http.StatusNotFound {
			t.Errorf("another organization after the upgrade, %s: %d", n, r.Status)
		}
	}
	// The file no task names is recorded as nobody's, so that no later
	// start looks for it again, and served to nobody.
	if r := getUpload(owner2, orphan); r.Status != http.StatusNotFound {
		t.Errorf("a file no task names: %d", r.Status)
	}
	var recorded int
	if err := db.SQL.QueryRow(rebind(db, "SELECT COUNT(*) FROM uploads WHERE task_id = 0 AND name = $1"), strings.TrimPrefix(orphan, "/api/uploads/")).Scan(&recorded); err != nil || recorded != 1 {
		t.Errorf("the file no task names is recorded %d times (%v), want once as nobody's", recorded, err)
	}
	if err := db.SQL.QueryRow(rebind(db, "SELECT COUNT(*) FROM uploads WHERE name = $1"), fresh).Scan(&recorded); err != nil || recorded != 0 {
		t.Errorf("a fresh file is recorded %d times (%v); want it left to a later start", recorded, err)
	}
}

// TestAnUploadIsFoundByItsUsesNotBySearch: a file is served through a task
// other than its own (one exported and imported again) because the import
// recorded that the task uses it, not by a search of the organization's
// task data, which any signed-in user could make the server run over
// every task with one GET. Without the record, the file is not served
// through that task; a start records the uses of tasks an earlier release
// imported, once.
func TestAnUploadIsFoundByItsUsesNotBySearch(t *testing.T) {
	s, owner := MustOwner(t, nil)
	tm := &team{s: s, owner: owner}
	first := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "First", "labelConfig": uploadImageConfig}}), "createProject", "id")
	if r := uploadFiles(t, owner, first, map[string][]byte{"a.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	name := str(owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { data } } } }`, map[string]any{"p": first}),
		"tasks", "edges", 0, "node", "data", "image")
	other := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Again", "labelConfig": uploadImageConfig}}), "createProject", "id")
	annotator := tm.joinAs(t, "ANNOTATOR")
	tm.addMember(t, other, annotator)
	owner.ok(importTasks, map[string]any{"p": other, "t": []any{map[string]any{"image": name}}})
	annotator.ok(nextTaskQuery, map[string]any{"p": other})
	if r := getUpload(annotator, name); r.Status != http.StatusOK {
		t.Fatalf("through the task imported again: %d %s", r.Status, r.Raw)
	}

	// Without the record of the use (as an earlier release left it), the
	// task still names the file, and the file is not served through it.
	db := insider(t, s)
	mustExec(t, db, "DELETE FROM upload_uses")
	if r := getUpload(annotator, name); r.Status != http.StatusNotFound {
		t.Fatalf("with no use recorded: %d; the file was found by a search of task data", r.Status)
	}
	if r := getUpload(owner, name); r.Status != http.StatusOK {
		t.Fatalf("the owner, through the file's own task: %d", r.Status)
	}
	// The next start records it again.
	email := str(annotator.ok(`{ viewer { email } }`, nil), "viewer", "email")
	s.stop()
	s2 := mustStartIn(t, s.DataDir, s.env)
	annotator2 := s2.browser(t)
	annotator2.ok(loginMutation, loginVars(email, ownerPassword))
	if r := getUpload(annotator2, name); r.Status != http.StatusOK {
		t.Fatalf("after a start recorded the earlier release's uses: %d %s", r.Status, r.Raw)
	}

	// A task an older replica imports during a rolling upgrade, after
	// that start, keeps no record of its use either: the next start
	// records it (from the last task it looked at on).
	owner2 := s2.browser(t)
	owner2.ok(loginMutation, loginVars(ownerEmail, ownerPassword))
	third := str(owner2.ok(createProject, map[string]any{"i": map[string]any{"title": "Third", "labelConfig": uploadImageConfig}}), "createProject", "id")
	tm2 := &team{s: s2, owner: owner2}
	tm2.addMember(t, third, annotator2)
	owner2.ok(importTasks, map[string]any{"p": third, "t": []any{map[string]any{"image": name}}})
	last := str(owner2.ok(`query($p: ID!) { tasks(projectId: $p, first: 1) { edges { node { id } } } }`, map[string]any{"p": third}), "tasks", "edges", 0, "node", "id")
	db2 := insider(t, s2)
	mustExec(t, db2, "DELETE FROM upload_uses WHERE task_id = $1 AND name <> '-'", last)
	mustExec(t, db2, "DELETE FROM upload_uses WHERE task_id <> $1 AND name <> '-'", last) // and the earlier use
	s2.stop()
	s3 := mustStartIn(t, s.DataDir, s.env)
	annotator3 := s3.browser(t)
	annotator3.ok(loginMutation, loginVars(email, ownerPassword))
	annotator3.ok(nextTaskQuery, map[string]any{"p": third})
	if r := getUpload(annotator3, name); r.Status != http.StatusOK {
		t.Fatalf("through a task an older replica imported after the last start: %d %s", r.Status, r.Raw)
	}
}

// TestAnUploadGoesWithTheLastTaskThatServesIt: a file is served only
// through a task of its organization that names it, its own or one
// recorded as using it (a task exported and imported again). Deleting its
// own task keeps the file while another task uses it; deleting that one
// too (here with its project) removes the file and its record. Before,
// every uploaded file stayed on disk until its organization went, served
// to nobody: an upload, a delete, again, grew the disk without end, and a
// deleted image lived on.
func TestAnUploadGoesWithTheLastTaskThatServesIt(t *testing.T) {
	s, owner := MustOwner(t, nil)
	first := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "First", "labelConfig": uploadImageConfig}}), "createProject", "id")
	if r := uploadFiles(t, owner, first, map[string][]byte{"a.png": onePixelPNG, "b.png": onePixelPNG}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	byName := map[string]string{} // task id by the path it names
	for _, e := range path(owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id data } } } }`, map[string]any{"p": first}), "tasks", "edges").([]any) {
		byName[str(e, "node", "data", "image")] = str(e, "node", "id")
	}
	if len(byName) != 2 {
		t.Fatalf("tasks: %v", byName)
	}
	names := slices.Sorted(maps.Keys(byName))
	kept, dropped := names[0], names[1]
	file := func(p string) string {
		return filepath.Join(s.DataDir, "uploads", strings.TrimPrefix(p, "/api/uploads/"))
	}
	for _, p := range names {
		if _, err := os.Stat(file(p)); err != nil {
			t.Fatalf("the uploaded file: %v", err)
		}
	}
	// kept is used by a task of another project too.
	other := str(owner.ok(createProject, map[string]any{"i": map[string]any{"title": "Again", "labelConfig": uploadImageConfig}}), "createProject", "id")
	owner.ok(importTasks, map[string]any{"p": other, "t": []any{map[string]any{"image": kept}}})

	del := `mutation($p: ID!, $ids: [ID!]) { deleteTasks(projectId: $p, ids: $ids) }`
	owner.ok(del, map[string]any{"p": first, "ids": []string{byName[kept], byName[dropped]}})
	if _, err := os.Stat(file(dropped)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the file only its deleted task served: %v, want it removed", err)
	}
	if r := getUpload(owner, dropped); r.Status != http.StatusNotFound {
		t.Errorf("the removed upload: HTTP %d", r.Status)
	}
	if r := getUpload(owner, kept); r.Status != http.StatusOK {
		t.Fatalf("the file another task still uses: HTTP %d %s", r.Status, r.Raw)
	}
	owner.ok(`mutation($p: ID!) { deleteProject(id: $p) }`, map[string]any{"p": other})
	if _, err := os.Stat(file(kept)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the file once the last task using it went with its project: %v, want it removed", err)
	}
	db := insider(t, s)
	var left int
	if err := db.SQL.QueryRow("SELECT count(*) FROM uploads WHERE organization_id <> 0 OR task_id <> 0").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d upload records still of a task (%v)", left, err)
	}
	if err := db.SQL.QueryRow("SELECT count(*) FROM upload_uses WHERE name <> '-'").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d uses left (%v)", left, err)
	}
}

// TestHTMLFilesAreReadAsMarkup: an .html file given to the import is one
// task holding its markup under the HyperText's key, as Label Studio reads
// it, not a path that the HyperText would show as text.
func TestHTMLFilesAreReadAsMarkup(t *testing.T) {
	tm := MustTeam(t)
	pid := tm.project(t, `<View><Header value="$title"/><HyperText name="page" value="$html"/>`+
		`<Choices name="c" toName="page"><Choice value="A"/></Choices></View>`, nil)
	markup := "<!doctype html><p>Hello <b>there</b></p>"
	if r := uploadFiles(t, tm.owner, pid, map[string][]byte{"page.HTML": []byte("\ufeff" + markup)}); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, `\"title\" key is expected`) {
		t.Fatalf("a page without the config's other key: %d %s", r.Status, r.Raw)
	}
	pid = tm.project(t, `<View><HyperText name="page" value="$html"/><Choices name="c" toName="page"><Choice value="A"/></Choices></View>`, nil)
	if r := uploadFiles(t, tm.owner, pid, map[string][]byte{"page.HTML": []byte("\ufeff" + markup)}); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	d := tm.owner.ok(`query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { data } } } }`, map[string]any{"p": pid})
	if got := str(path(d, "tasks", "edges").([]any)[0], "node", "data", "html"); got != markup {
		t.Fatalf("task data html = %q, want the file's markup", got)
	}
	if r := uploadFiles(t, tm.owner, pid, map[string][]byte{"bad.htm": []byte("a\x00b")}); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "NUL") {
		t.Fatalf("a file with a NUL: %d %s", r.Status, r.Raw)
	}
	if r := uploadFiles(t, tm.owner, pid, map[string][]byte{"blank.html": []byte(" \n ")}); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "no markup") {
		t.Fatalf("a blank file: %d %s", r.Status, r.Raw)
	}
	// Nothing in an image project would show the markup.
	images := tm.project(t, uploadImageConfig, nil)
	if r := uploadFiles(t, tm.owner, images, map[string][]byte{"page.html": []byte(markup)}); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, "no HyperText or Text") {
		t.Fatalf("an HTML file into an image project: %d %s", r.Status, r.Raw)
	}
	if n := taskCount(t, tm.owner, pid) + taskCount(t, tm.owner, images); n != 1 {
		t.Fatalf("%d tasks after the refusals, want the one page", n)
	}
}
