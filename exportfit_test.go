package main

import (
	"archive/zip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const imageBoxes = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
</View>`

// exportGet downloads the project's export with the query string q.
func exportGet(tm *team, id, q string) *gqlResponse {
	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?"+q, nil)
	return tm.owner.do(req)
}

// exportsAudited counts the project.exported audit events.
func exportsAudited(t *testing.T, tm *team) int {
	d := tm.owner.ok(`{ auditEvents(first: 100, filter: {action: "project.exported"}) { edges { node { action } } } }`, nil)
	return len(path(d, "auditEvents", "edges").([]any))
}

// TestExportRefusesUnfitFormats: COCO and YOLO of a text project and CoNLL
// of an image project answer 400 with the reason, instead of an empty 200
// file, and record no export; Project.exportFormats lists only the formats
// that fit; a fitting format downloads and is recorded once.
func TestExportRefusesUnfitFormats(t *testing.T) {
	tm := MustTeam(t)
	text := tm.project(t, nerConfig, nil)
	image := tm.project(t, imageBoxes, nil)
	tm.owner.ok(importTasks, map[string]any{"p": text, "t": []any{map[string]any{"text": "Ada went to Paris."}}})
	tm.owner.ok(importTasks, map[string]any{"p": image, "t": []any{map[string]any{"image": "https://example.com/a.png"}}})

	for _, tc := range []struct{ project, format, reason string }{
		{text, "COCO", "COCO needs RectangleLabels or PolygonLabels on an Image"},
		{text, "YOLO", "YOLO needs RectangleLabels or PolygonLabels on an Image"},
		{text, "VOC", "VOC needs RectangleLabels on an Image"},
		{image, "CONLL2003", "CONLL2003 needs Labels on a Text"},
		{text, "JSON&only_annotated=maybe", `only_annotated must be true or false, not \"maybe\"`},
		{text, "PDF", "unsupported export format"},
	} {
		before := exportsAudited(t, tm)
		r := exportGet(tm, tc.project, "format="+tc.format)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, tc.reason) {
			t.Fatalf("%s: status %d: %s", tc.format, r.Status, r.Raw)
		}
		if n := exportsAudited(t, tm); n != before {
			t.Fatalf("%s: a refused export was audited (%d events, want %d)", tc.format, n, before)
		}
	}

	formats := func(id string) string {
		d := tm.owner.ok(`query($id: ID!) { project(id: $id) { exportFormats { name fits reason } } }`, map[string]any{"id": id})
		var names []string
		for _, f := range path(d, "project", "exportFormats").([]any) {
			m := f.(map[string]any)
			if m["fits"] == true {
				names = append(names, m["name"].(string))
			} else if m["reason"] == nil || m["reason"] == "" {
				t.Fatalf("unfit format without a reason: %v", m)
			}
		}
		return strings.Join(names, ",")
	}
	if got := formats(text); got != "JSON,JSON_MIN,CSV,TSV,CONLL2003" {
		t.Fatalf("text project formats: %s", got)
	}
	if got := formats(image); got != "JSON,JSON_MIN,CSV,TSV,COCO,VOC,YOLO" {
		t.Fatalf("image project formats: %s", got)
	}

	before := exportsAudited(t, tm)
	for id, f := range map[string]string{text: "CONLL2003", image: "COCO"} {
		if r := exportGet(tm, id, "format="+f); r.Status != http.StatusOK || len(r.Raw) == 0 {
			t.Fatalf("%s: status %d: %s", f, r.Status, r.Raw)
		}
	}
	if n := exportsAudited(t, tm); n != before+2 {
		t.Fatalf("fitting exports audited %d times, want 2", n-before)
	}
}

// TestExportOptions: only_annotated leaves out tasks without a kept
// annotation (unannotated and skipped-only ones); include_predictions=false
// leaves predictions out of JSON.
func TestExportOptions(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"data": map[string]any{"text": "annotated"}, "annotations": []any{map[string]any{"result": []any{}}},
			"predictions": []any{map[string]any{"result": []any{}, "model_version": "m1"}}},
		map[string]any{"data": map[string]any{"text": "skipped"}, "annotations": []any{map[string]any{"result": []any{}, "was_cancelled": true}}},
		map[string]any{"data": map[string]any{"text": "bare"}, "predictions": []any{map[string]any{"result": []any{}, "model_version": "m2"}}},
	}})
	get := func(q string) []map[string]any {
		r := exportGet(tm, id, q)
		var out []map[string]any
		if err := json.Unmarshal([]byte(r.Raw), &out); r.Status != http.StatusOK || err != nil {
			t.Fatalf("%s: status %d: %v %s", q, r.Status, err, r.Raw)
		}
		return out
	}
	texts := func(out []map[string]any) (s []string, preds int) {
		for _, task := range out {
			s = append(s, task["data"].(map[string]any)["text"].(string))
			if p, ok := task["predictions"].([]any); ok {
				preds += len(p)
			}
		}
		return s, preds
	}
	if s, preds := texts(get("format=JSON")); strings.Join(s, ",") != "annotated,skipped,bare" || preds != 2 {
		t.Fatalf("default export: %v, %d predictions", s, preds)
	}
	if s, preds := texts(get("format=JSON&only_annotated=true&include_predictions=false")); strings.Join(s, ",") != "annotated" || preds != 0 {
		t.Fatalf("only annotated without predictions: %v, %d predictions", s, preds)
	}
	// Label Studio's names: exportType (or export_type) and
	// download_all_tasks, its opposite of only_annotated.
	if s, _ := texts(get("exportType=JSON&download_all_tasks=false")); strings.Join(s, ",") != "annotated" {
		t.Fatalf("Label Studio's parameters: %v", s)
	}
	if r := exportGet(tm, id, "export_type=CSV"); r.Status != http.StatusOK || !strings.HasPrefix(r.Raw, "annotation_id,") {
		t.Fatalf("export_type=CSV: %d %.80s", r.Status, r.Raw)
	}
	for q, msg := range map[string]string{
		"format=JSON&exportType=CSV":                  "given twice",
		"only_annotated=true&download_all_tasks=true": "disagree",
		"download_all_tasks=maybe":                    "true or false",
	} {
		if r := exportGet(tm, id, q); r.Status != http.StatusBadRequest || !strings.Contains(r.Raw, msg) {
			t.Fatalf("%s: %d %s, want 400 saying %q", q, r.Status, r.Raw, msg)
		}
	}
}

// TestCSVAsTheConverterWritesIt: CSV and TSV keep every data key the tasks
// hold (not only the config's), write a data key named like a control to
// "_data_<name>" so the annotation's answer survives, and name the
// annotator by user id, as Label Studio's converter does.
func TestCSVAsTheConverterWritesIt(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	owner := str(tm.owner.ok(`{ viewer { id } }`, nil), "viewer", "id")
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{
		map[string]any{"data": map[string]any{"text": "a", "sentiment": "raw value", "extra": 5},
			"annotations": []any{map[string]any{"result": []any{map[string]any{"id": "r1", "from_name": "sentiment", "to_name": "text",
				"type": "choices", "value": map[string]any{"choices": []any{"Positive"}}}}}}},
		map[string]any{"data": map[string]any{"text": "b", "other": "x"}},
	}})
	for _, f := range []string{"CSV", "TSV"} {
		r := exportGet(tm, id, "format="+f)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", f, r.Status, r.Raw)
		}
		sep := ","
		if f == "TSV" {
			sep = "\t"
		}
		lines := strings.Split(strings.TrimSpace(r.Raw), "\n")
		header := strings.Split(lines[0], sep)
		want := "_data_sentiment annotation_id annotator created_at extra id lead_time other sentiment text updated_at"
		if strings.Join(header, " ") != want {
			t.Fatalf("%s header %q, want %q", f, header, want)
		}
		row := strings.Split(lines[1], sep)
		cell := func(name string) string {
			for i, h := range header {
				if h == name {
					return row[i]
				}
			}
			return "?"
		}
		if cell("_data_sentiment") != "raw value" || cell("sentiment") != "Positive" || cell("extra") != "5" || cell("annotator") != owner {
			t.Fatalf("%s row %q", f, row)
		}
	}
}

// TestCOCOCategoriesFromTheConfig: <Label category="N"> in the project's
// config fixes that label's COCO category id; the other labels take the free
// ids in name order, as Label Studio's converter assigns them.
func TestCOCOCategoriesFromTheConfig(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image">
    <Label value="Zebra"/><Label value="Mango" category="0"/><Label value="Apple"/><Label value="Kiwi" category="2"/>
  </RectangleLabels>
</View>`, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"image": "https://example.com/a.png"}}})
	r := exportGet(tm, id, "format=COCO")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	zr, err := zip.NewReader(strings.NewReader(r.Raw), int64(len(r.Raw)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("result.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var coco struct {
		Categories []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"categories"`
	}
	if err := json.NewDecoder(f).Decode(&coco); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range coco.Categories {
		got = append(got, fmt.Sprintf("%d:%s", c.ID, c.Name))
	}
	if strings.Join(got, " ") != "0:Mango 2:Kiwi 1:Apple 3:Zebra" {
		t.Fatalf("categories %v", got)
	}
}

// TestCSVHeaderFromRecordedKeys: a project records the data keys its
// imports bring (CSV files, JSON values), and the CSV export's header has a
// column for each without reading the tasks. A project without a record
// (from before projects kept one) still gets every column, read from its
// tasks, and the next start records its keys.
func TestCSVHeaderFromRecordedKeys(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	if r := upload(t, tm.owner, id, map[string]string{"tasks.csv": "text,source\na,web\n"}); r.Status != http.StatusCreated {
		t.Fatalf("import: %s", r.Raw)
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"data": map[string]any{"text": "b", "lang": "en"}}}})
	wantHeader := func(b *browser, base, when string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/projects/"+id+"/export?format=CSV", nil)
		if b.token != "" {
			req.Header.Set("Authorization", "Token "+b.token)
		}
		r := b.do(req)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", when, r.Status, r.Raw)
		}
		header := strings.Split(strings.SplitN(r.Raw, "\n", 2)[0], ",")
		for _, k := range []string{"text", "source", "lang"} {
			if !slices.Contains(header, k) {
				t.Fatalf("%s: CSV header %v has no column %q", when, header, k)
			}
		}
	}
	wantHeader(tm.owner, tm.s.URL, "recorded by the imports")
	recorded := func(db *sql.DB) string {
		t.Helper()
		var keys sql.NullString
		if err := db.QueryRow(`SELECT task_data_keys FROM projects WHERE id = ` + id).Scan(&keys); err != nil {
			t.Fatal(err)
		}
		return keys.String
	}
	db := openTestDB(t, tm.s)
	defer db.Close()
	if got := recorded(db); !strings.Contains(got, `"source"`) || !strings.Contains(got, `"lang"`) {
		t.Fatalf("recorded data keys %s", got)
	}

	// No record: the export reads the tasks' keys.
	if _, err := db.Exec(`UPDATE projects SET task_data_keys = NULL`); err != nil {
		t.Fatal(err)
	}
	wantHeader(tm.owner, tm.s.URL, "without a record")

	// The next start records them.
	token := str(tm.owner.ok(`mutation { resetApiToken { token } }`, nil), "resetApiToken", "token")
	tm.s.stop()
	s2 := mustStartIn(t, tm.s.DataDir, tm.s.env)
	if got := recorded(db); !strings.Contains(got, `"source"`) || !strings.Contains(got, `"lang"`) || !strings.Contains(got, `"text"`) {
		t.Fatalf("data keys recorded at start: %q", got)
	}
	wantHeader(s2.tokenClient(t, token), s2.URL, "after the start that recorded them")
}

// TestYOLOClassesOfHugeCategoryIDs: YOLO's classes.txt has the class of id
// i on line i+1, so <Label category="N"> made it N lines long whatever N
// was. A manager's config with category="2000000000" made an export
// allocate 32 GB for the list (and kill the server), and one with the
// largest integer panicked in the middle of the download. An id beyond
// export.MaxCategoryID fixes nothing: the label takes a free id, as one
// without a category does.
func TestYOLOClassesOfHugeCategoryIDs(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image">
    <Label value="Zebra" category="3"/><Label value="Kiwi" category="9223372036854775807"/><Label value="Mango" category="100001"/><Label value="Apple"/>
  </RectangleLabels>
</View>`, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"data": map[string]any{"image": "https://example.com/a.png"},
		"annotations": []any{map[string]any{"result": []any{map[string]any{"from_name": "box", "to_name": "image", "type": "rectanglelabels",
			"value": map[string]any{"x": 10, "y": 10, "width": 20, "height": 20, "rectanglelabels": []any{"Kiwi"}}}}}}}}})
	r := exportGet(tm, id, "format=YOLO")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %.300s", r.Status, r.Raw)
	}
	zr, err := zip.NewReader(strings.NewReader(r.Raw), int64(len(r.Raw)))
	if err != nil {
		t.Fatalf("the export is not a whole zip archive (%v): %d bytes", err, len(r.Raw))
	}
	read := func(name string) string {
		f, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, want := read("classes.txt"), "Apple\nKiwi\nMango\nZebra\n"; got != want {
		t.Fatalf("classes.txt is %d bytes, starting %.100q; want %q", len(got), got, want)
	}
	if got, want := read("labels/a.txt"), "1 0.2 0.2 0.2 0.2\n"; got != want {
		t.Fatalf("labels/a.txt %q, want %q", got, want)
	}
}
