package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// projectionConfig has an image with boxes (for COCO and YOLO), a text with
// labels (for CONLL2003) and a choice, so that every export format fits and
// has something to write.
const projectionConfig = `<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Cat"/></RectangleLabels>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/></Labels>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>`

// emailPattern finds anything email-shaped in an export.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// apiView is what the API shows one viewer of a project's people: the
// emails it answers (User.email) and, per annotation id, the author it
// answers (Annotation.completedBy: id and email, empty when hidden).
type apiView struct {
	emails  map[string]bool
	authors map[string]apiAuthor
}

type apiAuthor struct{ id, email string }

// viewOf asks the API, as b, for every user and annotation of the project
// that an export could name.
func viewOf(t *testing.T, b *browser, projectID string) apiView {
	t.Helper()
	r := b.gql(`query($p: ID!) {
		viewer { id email }
		project(id: $p) { members { id email } }
		members(first: 100) { edges { node { user { id email } } } }
		tasks(projectId: $p, first: 10) { edges { node { annotations { id completedBy { id email } } } } }
	}`, map[string]any{"p": projectID})
	if r.Status != http.StatusOK || r.Data == nil {
		t.Fatalf("API view: %d %s", r.Status, r.Raw)
	}
	for _, e := range r.Errors {
		// The API refuses emails field by field; anything else is a failure.
		if c, _ := e.Extensions["code"].(string); c != "FORBIDDEN" {
			t.Fatalf("API view error: %s", r.Raw)
		}
	}
	v := apiView{emails: map[string]bool{}, authors: map[string]apiAuthor{}}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if e, ok := x["email"].(string); ok && e != "" {
				v.emails[e] = true
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(r.Data)
	for _, edge := range path(r.Data, "tasks", "edges").([]any) {
		for _, a := range path(edge, "node", "annotations").([]any) {
			v.authors[str(a, "id")] = apiAuthor{id: str(a, "completedBy", "id"), email: str(a, "completedBy", "email")}
		}
	}
	return v
}

// exportText returns the export's text: the body, or every file of a zip
// archive, each prefixed by its name.
func exportText(t *testing.T, format string, body []byte) string {
	t.Helper()
	if format != "COCO" && format != "YOLO" && format != "VOC" {
		return string(body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("%s export is not a zip: %v", format, err)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		sb.WriteString(f.Name + "\n" + string(b) + "\n")
	}
	return sb.String()
}

// TestExportsFollowTheAPIFieldRules downloads every export format as every
// role and holds it to what the API shows that role: no email the API
// refuses them, and the annotator of each annotation as the API's
// completedBy answers it (its user id, hidden where the API hides it).
// Roles that may not export are refused and get no data.
func TestExportsFollowTheAPIFieldRules(t *testing.T) {
	s, owner := MustOwner(t, nil)
	tm := &team{s: s, owner: owner}
	people := map[string]*browser{"OWNER": owner}
	for _, role := range []string{"ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR"} {
		people[role] = tm.joinAs(t, role)
	}
	peer := tm.joinAs(t, "ANNOTATOR")
	everyone := map[string]string{} // email -> user id
	for _, b := range append([]*browser{peer}, people["OWNER"], people["ADMIN"], people["MANAGER"], people["REVIEWER"], people["ANNOTATOR"]) {
		d := b.ok(`{ viewer { id email } }`, nil)
		everyone[str(d, "viewer", "email")] = str(d, "viewer", "id")
	}

	id := tm.project(t, projectionConfig, nil)
	for _, b := range []*browser{people["MANAGER"], people["REVIEWER"], people["ANNOTATOR"], peer} {
		tm.addMember(t, id, b)
	}
	var tasks []any
	for i := range 3 {
		tasks = append(tasks, map[string]any{"image": fmt.Sprintf("https://example.com/img/%d.png", i), "text": fmt.Sprintf("sentence number %d", i)})
	}
	owner.ok(importTasks, map[string]any{"p": id, "t": tasks})
	label := func(b *browser) string {
		tid := handOut(b, id)
		res := []any{
			map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": map[string]any{"choices": []any{"Positive"}}},
			map[string]any{"id": "r", "from_name": "box", "to_name": "img", "type": "rectanglelabels", "original_width": 100, "original_height": 100,
				"value": map[string]any{"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": []any{"Cat"}}},
		}
		return str(b.ok(createAnn, map[string]any{"i": map[string]any{"taskId": tid, "result": res}}), "createAnnotation", "id")
	}
	annotations := []string{label(people["ANNOTATOR"]), label(peer), label(people["REVIEWER"])}

	formats := []string{"JSON", "JSON_MIN", "CSV", "TSV", "CONLL2003", "COCO", "VOC", "YOLO"}
	download := func(b *browser, format string) *gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/projects/"+id+"/export?format="+format, nil)
		return b.do(req)
	}
	// Who may export, as testdata/permissions.tsv says (http:export own).
	mayExport := map[string]int{"OWNER": 200, "ADMIN": 200, "MANAGER": 200, "REVIEWER": 403, "ANNOTATOR": 403}

	for _, role := range []string{"OWNER", "ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR", "ANONYMOUS"} {
		b := people[role]
		if role == "ANONYMOUS" {
			b = s.browser(t)
		}
		var view apiView
		if role != "ANONYMOUS" {
			view = viewOf(t, b, id)
		}
		// The field rules themselves, as the API states them.
		switch role {
		case "OWNER", "ADMIN":
			if len(view.emails) < len(everyone) {
				t.Fatalf("%s: the API shows %d emails, want all %d", role, len(view.emails), len(everyone))
			}
		case "MANAGER", "REVIEWER", "ANNOTATOR":
			if len(view.emails) != 1 {
				t.Fatalf("%s: the API shows the emails %v, want only their own", role, view.emails)
			}
		}
		for _, format := range formats {
			t.Run(role+"/"+format, func(t *testing.T) {
				r := download(b.on(t), format)
				want, ok := mayExport[role]
				if !ok {
					want = http.StatusUnauthorized
				}
				if r.Status != want {
					t.Fatalf("status %d, want %d: %.300s", r.Status, want, r.Raw)
				}
				if want != http.StatusOK {
					if strings.Contains(r.Raw, "sentence number") || emailPattern.MatchString(r.Raw) {
						t.Fatalf("a refused export carries data: %s", r.Raw)
					}
					return
				}
				text := exportText(t, format, []byte(r.Raw))
				marker := map[string]string{"CONLL2003": "sentence", "COCO": "img/0.png", "VOC": "Annotations/0.xml", "YOLO": "labels/0.txt"}[format]
				if marker == "" {
					marker = "sentence number"
				}
				if !strings.Contains(text, marker) {
					t.Fatalf("the export lacks the tasks: %.500s", text)
				}
				for _, e := range emailPattern.FindAllString(text, -1) {
					if !view.emails[e] {
						t.Fatalf("the %s export gives %s the email %s, which the API refuses them", format, role, e)
					}
				}
				checkAnnotators(t, format, role, text, view, annotations)
			})
		}
	}
}

// checkAnnotators holds the annotator fields of the formats that have them
// to the API's completedBy answers.
func checkAnnotators(t *testing.T, format, role, text string, view apiView, annotations []string) {
	t.Helper()
	// want is the annotator the API shows for annotation id: the user id,
	// as Label Studio's converter names annotators, or "" when the API
	// hides the author. No export names an annotator by email.
	want := func(id string) string {
		a, ok := view.authors[id]
		if !ok {
			t.Fatalf("the API does not show %s the annotation %s", role, id)
		}
		return a.id
	}
	got := map[string]string{}
	switch format {
	case "JSON":
		var tasks []struct {
			Annotations []struct {
				ID          int  `json:"id"`
				CompletedBy *int `json:"completed_by"`
			} `json:"annotations"`
		}
		if err := json.Unmarshal([]byte(text), &tasks); err != nil {
			t.Fatalf("JSON export: %v", err)
		}
		for _, tk := range tasks {
			for _, a := range tk.Annotations {
				id := strconv.Itoa(a.ID)
				if a.CompletedBy == nil {
					got[id] = ""
				} else {
					got[id] = strconv.Itoa(*a.CompletedBy)
				}
				// The JSON export carries ids only: the API's id.
				if w := view.authors[id].id; got[id] != w {
					t.Fatalf("JSON completed_by of %s is %q, the API says %q", id, got[id], w)
				}
			}
		}
		return
	case "JSON_MIN":
		var recs []map[string]any
		if err := json.Unmarshal([]byte(text), &recs); err != nil {
			t.Fatalf("JSON_MIN export: %v", err)
		}
		for _, rec := range recs {
			id := fmt.Sprint(rec["annotation_id"])
			switch a := rec["annotator"].(type) {
			case string:
				got[id] = a
			case float64:
				got[id] = strconv.Itoa(int(a))
			case nil:
				got[id] = ""
			}
		}
	case "CSV", "TSV":
		cr := csv.NewReader(strings.NewReader(text))
		if format == "TSV" {
			cr.Comma = '\t'
		}
		rows, err := cr.ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s export: %v", format, err)
		}
		ai, ii := slices.Index(rows[0], "annotator"), slices.Index(rows[0], "annotation_id")
		if ai < 0 || ii < 0 {
			t.Fatalf("%s header %q", format, rows[0])
		}
		for _, row := range rows[1:] {
			got[row[ii]] = row[ai]
		}
	default:
		// CONLL2003, COCO and YOLO name no annotator. VOC names one per
		// image, export.Annotation.CompletedBy as JSON's completed_by,
		// which is zero where the API hides the author.
		return
	}
	for _, id := range annotations {
		if g, ok := got[id]; !ok || g != want(id) {
			t.Fatalf("the %s export names the annotator of %s %q for %s; the API says %q", format, id, g, role, want(id))
		}
	}
}

// TestAuditDownloadFollowsTheAPI checks the other download, the audit log:
// refused to everyone the API refuses auditEvents, and for owners and admins
// line for line what the API answers them, details included (the emails of
// failed sign-ins among them), so the file shows nothing the API does not.
func TestAuditDownloadFollowsTheAPI(t *testing.T) {
	s, owner := MustOwner(t, nil)
	tm := &team{s: s, owner: owner}
	people := map[string]*browser{"OWNER": owner}
	for _, role := range []string{"ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR"} {
		people[role] = tm.joinAs(t, role)
	}
	// A failed sign-in of a member records their email.
	s.browser(t).wantCode("UNAUTHENTICATED", loginMutation, map[string]any{"i": map[string]any{"email": emailOf(people["ANNOTATOR"]), "password": "wrong wrong wrong"}})

	download := func(b *browser) *gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/audit-events.jsonl", nil)
		return b.do(req)
	}
	for role, want := range map[string]int{"MANAGER": 403, "REVIEWER": 403, "ANNOTATOR": 403, "ANONYMOUS": 401} {
		b := people[role]
		if b == nil {
			b = s.browser(t)
		}
		if r := download(b); r.Status != want || emailPattern.MatchString(r.Raw) {
			t.Fatalf("%s audit download: %d %s", role, r.Status, r.Raw)
		}
	}
	for _, role := range []string{"OWNER", "ADMIN"} {
		b := people[role]
		r := download(b)
		if r.Status != http.StatusOK {
			t.Fatalf("%s audit download: %d %s", role, r.Status, r.Raw)
		}
		file := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(r.Raw), "\n") {
			var e struct {
				ID      int             `json:"id"`
				Details json.RawMessage `json:"details"`
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("audit line %q: %v", line, err)
			}
			file[strconv.Itoa(e.ID)] = canonicalJSON(t, e.Details)
		}
		api := map[string]string{}
		after := any(nil)
		for {
			d := b.ok(`query($a: Cursor) { auditEvents(first: 100, after: $a) { edges { node { id details } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": after})
			for _, edge := range path(d, "auditEvents", "edges").([]any) {
				raw, _ := json.Marshal(path(edge, "node", "details"))
				api[str(edge, "node", "id")] = canonicalJSON(t, raw)
			}
			if path(d, "auditEvents", "pageInfo", "hasNextPage") != true {
				break
			}
			after = path(d, "auditEvents", "pageInfo", "endCursor")
		}
		if !strings.Contains(r.Raw, "login.failed") {
			t.Fatalf("the download lacks the failed sign-in: %s", r.Raw)
		}
		for id, details := range file {
			if a, ok := api[id]; !ok || a != details {
				t.Fatalf("%s: audit event %s in the file has details %s, the API %s (present %v)", role, id, details, a, ok)
			}
		}
	}
}

// canonicalJSON re-encodes raw JSON (null for empty) so equal values compare
// equal.
func canonicalJSON(t *testing.T, raw []byte) string {
	t.Helper()
	if len(raw) == 0 {
		return "null"
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
