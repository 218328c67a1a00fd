package export

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"testing"
	"time"
)

// TestVOC pins the VOC archive against convert_to_voc's output: one XML file
// per task with boxes, in minidom's layout, boxes in whole pixels, the first
// box's size; tasks without boxes or annotations get no file, and what XML
// cannot hold in a label or a name is replaced so the file parses.
func TestVOC(t *testing.T) {
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	box := func(label string, x, y, w, h float64) map[string]any {
		return map[string]any{"id": "r", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
			"original_width": 800, "original_height": 600,
			"value": map[string]any{"x": x, "y": y, "width": w, "height": h, "rotation": 0, "rectanglelabels": []string{label}}}
	}
	result := func(items ...map[string]any) json.RawMessage {
		b, _ := json.Marshal(items)
		return b
	}
	polygon := map[string]any{"from_name": "poly", "to_name": "image", "type": "polygonlabels", "original_width": 800, "original_height": 600,
		"value": map[string]any{"points": [][]float64{{1, 1}, {2, 2}, {3, 1}}, "polygonlabels": []string{"Road"}}}
	tasks := []*Task{
		{ID: 1, Data: json.RawMessage(`{"image": "s3://bucket/dir/cat.jpg"}`), Annotations: []Annotation{
			{ID: 10, CompletedBy: 7, CreatedAt: at, Result: result(box("Cat", 10, 20, 30.5, 40), polygon, box(`A&B <"x">`+"\x01", 0, 0, 100, 100))},
			{ID: 11, CompletedBy: 8, CreatedAt: at.Add(-time.Hour), Result: result(box("Old", 1, 1, 1, 1))},
		}},
		{ID: 2, Data: json.RawMessage(`{"image": "dog.png"}`)}, // no annotation
		{ID: 3, Data: json.RawMessage(`{"image": "fish.png"}`), Annotations: []Annotation{{ID: 12, CreatedAt: at, Result: result(polygon)}}},
	}
	out := mustWrite(t, VOC, Schema{ImageKey: "image", Labels: []string{"Cat"}}, tasks)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if want := []string{"images/", "Annotations/", "Annotations/cat.xml"}; !slices.Equal(names, want) {
		t.Fatalf("entries = %q, want %q", names, want)
	}
	rc, err := zr.File[2].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	want := `<?xml version="1.0" encoding="utf-8"?>
<annotation>
<folder>images</folder>
<filename>cat.jpg</filename>
<source>
<database>MyDatabase</database>
<annotation>COCO2017</annotation>
<image>flickr</image>
<flickrid>NULL</flickrid>
<annotator>7</annotator>
</source>
<owner>
<flickrid>NULL</flickrid>
<name>Label Studio</name>
</owner>
<size>
<width>800</width>
<height>600</height>
<depth>3</depth>
</size>
<segmented>0</segmented>
<object>
<name>Cat</name>
<pose>Unspecified</pose>
<truncated>0</truncated>
<difficult>0</difficult>
<bndbox>
<xmin>80</xmin>
<ymin>120</ymin>
<xmax>324</xmax>
<ymax>360</ymax>
</bndbox>
</object>
<object>
<name>A&amp;B &lt;&quot;x&quot;&gt;` + "\uFFFD" + `</name>
<pose>Unspecified</pose>
<truncated>0</truncated>
<difficult>0</difficult>
<bndbox>
<xmin>0</xmin>
<ymin>0</ymin>
<xmax>800</xmax>
<ymax>600</ymax>
</bndbox>
</object>
</annotation>
`
	if string(got) != want {
		t.Errorf("cat.xml:\n%s\nwant:\n%s", got, want)
	}
	var doc struct {
		Objects []struct {
			Name string `xml:"name"`
		} `xml:"object"`
	}
	if err := xml.Unmarshal(got, &doc); err != nil || len(doc.Objects) != 2 {
		t.Errorf("cat.xml does not parse as XML: %v %+v", err, doc)
	}
}

// TestVOCBoxesAmongOtherRegions: a text span listed before the boxes does
// not stand for the first box (whose size the file takes), and a rotated
// box is written as the axis-aligned box around it.
func TestVOCBoxesAmongOtherRegions(t *testing.T) {
	span := map[string]any{"from_name": "ner", "to_name": "text", "type": "labels", "value": map[string]any{"start": 0, "end": 2, "labels": []string{"PER"}}}
	turned := map[string]any{"from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 100, "original_height": 100,
		"value": map[string]any{"x": 50, "y": 10, "width": 20, "height": 20, "rotation": 90, "rectanglelabels": []string{"Cat"}}}
	b, _ := json.Marshal([]any{span, turned})
	tasks := []*Task{{ID: 1, Data: json.RawMessage(`{"image": "a.jpg", "text": "Al"}`), Annotations: []Annotation{{ID: 1, Result: b}}}}
	out := mustWrite(t, VOC, Schema{ImageKey: "image"}, tasks)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 3 || zr.File[2].Name != "Annotations/a.xml" {
		t.Fatalf("entries %v", zr.File)
	}
	rc, _ := zr.File[2].Open()
	got, _ := io.ReadAll(rc)
	// Turned 90° about its top-left corner, the 20×20 box spans x 30..50
	// and y 10..30, less what the trigonometry's rounding takes from y
	// before int() truncates it, as in Python.
	for _, want := range []string{"<width>100</width>", "<xmin>30</xmin>", "<ymin>9</ymin>", "<xmax>50</xmax>", "<ymax>29</ymax>"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("a.xml lacks %s:\n%s", want, got)
		}
	}
}
