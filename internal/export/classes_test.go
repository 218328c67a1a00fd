package export

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestClassIDsGolden: COCO category and YOLO class ids as Label Studio's
// converter assigns them (Converter._get_labels): a label with
// <Label category="N"> keeps N; the other labels of the config take the free
// ids in order of their names (not declaration order); a label met only in
// results takes the next free id. YOLO's classes.txt has the name of class
// id i on line i+1 (a blank line for an id no label has).
func TestClassIDsGolden(t *testing.T) {
	s := Schema{
		ImageKey: "image",
		// Declared Zebra, Mango, Apple, Kiwi; Mango is category 0, Kiwi 2.
		Labels:     []string{"Zebra", "Mango", "Apple", "Kiwi"},
		Categories: map[string]int{"Mango": 0, "Kiwi": 2},
	}
	box := func(label string) string {
		return `{"from_name":"box","to_name":"image","type":"rectanglelabels","original_width":100,"original_height":50,` +
			`"value":{"x":10,"y":20,"width":30,"height":40,"rectanglelabels":["` + label + `"]}}`
	}
	tasks := []*Task{{
		ID: 7, Data: json.RawMessage(`{"image":"https://example.com/a.png"}`),
		Annotations: []Annotation{{ID: 70, CompletedBy: 3, Result: json.RawMessage(`[` + box("Zebra") + `,` + box("Mango") + `,` + box("Banana") + `]`)}},
	}}
	for _, tc := range []struct {
		f      Format
		golden string
	}{{COCO, "classes_coco.golden"}, {YOLO, "classes_yolo.golden"}} {
		got := zipDump(t, mustWrite(t, tc.f, s, tasks))
		path := filepath.Join("testdata", tc.golden)
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
			t.Errorf("%s differs from %s\n--- got\n%s\n--- want\n%s", tc.f, path, got, want)
		}
	}
}
