package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// dataTypesProject labels every data type beyond text and boxes: ellipses and
// brush masks on an image, a dialogue, HTML and audio.
const dataTypesProject = `<View>
  <Image name="image" value="$image"/>
  <EllipseLabels name="ell" toName="image"><Label value="Eye"/></EllipseLabels>
  <BrushLabels name="mask" toName="image"><Label value="Road"/></BrushLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue"/>
  <ParagraphLabels name="intent" toName="dialogue"><Label value="Question"/></ParagraphLabels>
  <HyperText name="page" value="$html"/>
  <HyperTextLabels name="ner" toName="page"><Label value="Title"/></HyperTextLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="speech" toName="audio"><Label value="Speech"/></Labels>
  <TextArea name="transcript" toName="audio" perRegion="true"/>
</View>`

// dataTypesResult is one annotation in Label Studio's JSON shapes; the brush
// mask is 2×1 pixels, the first opaque, as label_studio_converter encodes it.
const dataTypesResult = `[
  {"id": "e1", "from_name": "ell", "to_name": "image", "type": "ellipselabels", "original_width": 640, "original_height": 480, "image_rotation": 0,
   "value": {"x": 40.5, "y": 30, "radiusX": 10, "radiusY": 7.25, "rotation": 15, "ellipselabels": ["Eye"]}},
  {"id": "m1", "from_name": "mask", "to_name": "image", "type": "brushlabels", "original_width": 2, "original_height": 1,
   "value": {"format": "rle", "rle": [0, 0, 0, 8, 57, 27, 252, 64, 0, 127, 198, 0], "brushlabels": ["Road"]}},
  {"id": "p1", "from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels",
   "value": {"start": "0", "end": "1", "startOffset": 6, "endOffset": 4, "text": "is it?\nHere", "paragraphlabels": ["Question"]}},
  {"id": "h1", "from_name": "ner", "to_name": "page", "type": "hypertextlabels",
   "value": {"start": "/h1[1]/text()[1]", "end": "/h1[1]/text()[1]", "startOffset": 0, "endOffset": 5, "globalOffsets": {"start": 0, "end": 5}, "text": "Hello", "htmllabels": ["Title"]}},
  {"id": "a1", "from_name": "speech", "to_name": "audio", "type": "labels", "original_length": 12.5,
   "value": {"start": 1.5, "end": 4.25, "channel": 0, "labels": ["Speech"]}},
  {"id": "a1", "from_name": "transcript", "to_name": "audio", "type": "textarea",
   "value": {"start": 1.5, "end": 4.25, "channel": 0, "text": ["hello there"]}}
]`

const dataTypesTask = `{"image": "https://example.com/a.png", "html": "<h1>Hello</h1><p>world</p>", "audio": "https://example.com/a.wav",
  "dialogue": [{"author": "Alice", "text": "Where is it?"}, {"author": "Bob", "text": "Here it is."}]}`

// TestDataTypesRoundTrip: an annotation of every new data type, imported in
// Label Studio's JSON, comes back from the JSON export unchanged; a task whose
// annotation breaks one of them is refused with the reason, and nothing of
// the import is stored.
func TestDataTypesRoundTrip(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, dataTypesProject, nil)

	r := upload(t, tm.owner, id, map[string]string{"tasks.json": `[{"data": ` + dataTypesTask + `, "annotations": [{"result": ` + dataTypesResult + `}]}]`})
	if r.Status != http.StatusCreated || !strings.Contains(r.Raw, `"taskCount":1`) {
		t.Fatalf("import: status %d: %s", r.Status, r.Raw)
	}

	req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format=JSON", nil)
	ex := tm.owner.do(req)
	var out []struct {
		Annotations []struct {
			Result []map[string]any `json:"result"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal([]byte(ex.Raw), &out); ex.Status != 200 || err != nil {
		t.Fatalf("export %d: %v", ex.Status, err)
	}
	var want []map[string]any
	if err := json.Unmarshal([]byte(dataTypesResult), &want); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || len(out[0].Annotations) != 1 {
		t.Fatalf("export holds %d tasks: %s", len(out), ex.Raw)
	}
	if got := out[0].Annotations[0].Result; !reflect.DeepEqual(got, want) {
		t.Fatalf("result changed on the way through:\n got  %v\n want %v", got, want)
	}

	bad := map[string]string{
		"ellipse off the image":  strings.Replace(dataTypesResult, `"x": 40.5`, `"x": 140.5`, 1),
		"brush bytes cut short":  strings.Replace(dataTypesResult, `, 0, 127, 198, 0]`, `]`, 1),
		"paragraph not there":    strings.Replace(dataTypesResult, `"end": "1"`, `"end": "7"`, 1),
		"html span not xpath":    strings.Replace(dataTypesResult, `"start": "/h1[1]/text()[1]"`, `"start": "javascript:alert(1)"`, 1),
		"audio segment reversed": strings.Replace(dataTypesResult, `"start": 1.5, "end": 4.25, "channel": 0, "labels"`, `"start": 4.5, "end": 1.25, "channel": 0, "labels"`, 1),
	}
	wantMsg := map[string]string{
		"ellipse off the image":  "value.x (140.5) must be from 0 to 100",
		"brush bytes cut short":  "value.rle ends after",
		"paragraph not there":    `value.end (7) is not a paragraph of "dialogue"`,
		"html span not xpath":    "must be an XPath starting with /",
		"audio segment reversed": "must satisfy 0 <= start < end",
	}
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{json.RawMessage(dataTypesTask)}})
	taskID := str(tm.annotator.ok(nextTaskQuery, map[string]any{"p": id}), "nextTask", "id")
	for name, result := range bad {
		r := tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": json.RawMessage(result)}})
		if !strings.Contains(r.Errors[0].Message, wantMsg[name]) {
			t.Errorf("%s: message %q does not say %q", name, r.Errors[0].Message, wantMsg[name])
		}
		if n := path(tm.owner.ok(`query($t: ID!) { task(id: $t) { totalAnnotations } }`, map[string]any{"t": taskID}), "task", "totalAnnotations"); n.(float64) != 0 {
			t.Fatalf("%s: a refused annotation was stored (%v)", name, n)
		}
	}
	// The same annotation made in the editor is accepted and stored as sent.
	tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": json.RawMessage(dataTypesResult)}})
	res := tm.owner.ok(`query($t: ID!) { task(id: $t) { annotations { result } } }`, map[string]any{"t": taskID})
	var got []map[string]any
	b, _ := json.Marshal(path(res, "task", "annotations", 0, "result"))
	if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("stored result differs (%v):\n got  %v\n want %v", err, got, want)
	}
}
