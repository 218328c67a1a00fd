package labelconfig

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

const dataTypesConfig = `<View>
  <Image name="image" value="$image"/>
  <EllipseLabels name="ell" toName="image"><Label value="Eye"/><Label value="Wheel"/></EllipseLabels>
  <Ellipse name="plain" toName="image"/>
  <BrushLabels name="mask" toName="image"><Label value="Road"/></BrushLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue" nameKey="speaker" textKey="line"/>
  <ParagraphLabels name="intent" toName="dialogue"><Label value="Question"/><Label value="Answer"/></ParagraphLabels>
  <HyperText name="page" value="$html"/>
  <HyperTextLabels name="ner" toName="page"><Label value="Title"/></HyperTextLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="speech" toName="audio"><Label value="Speech"/><Label value="Noise"/></Labels>
  <TextArea name="transcript" toName="audio" perRegion="true"/>
</View>`

var dataTypesData = map[string]any{
	"image": "https://example.com/a.png",
	"html":  "<h1>Hello</h1><p>world</p>",
	"audio": "https://example.com/a.wav",
	"dialogue": []any{
		map[string]any{"speaker": "Alice", "line": "Where is it?"},
		map[string]any{"speaker": "Bob", "line": "Here 😀."},
	},
}

// encodeRLE writes values in Label Studio's brush RLE (the encoder of
// label_studio_converter's brush.py: 8-bit words, run sizes 3, 4, 8, 16).
func encodeRLE(values []byte) []int {
	var bits strings.Builder
	put := func(v uint64, n int) { fmt.Fprintf(&bits, "%0*b", n, v) }
	put(uint64(len(values)), 32)
	put(7, 5)
	for _, s := range []uint64{3, 4, 8, 16} {
		put(s-1, 4)
	}
	for i := 0; i < len(values); {
		j := i
		for j < len(values) && values[j] == values[i] && j-i < 1<<16 {
			j++
		}
		n := uint64(j - i)
		switch {
		case n == 1:
			put(0, 1)
			put(0, 2)
			put(0, 3)
		case n <= 8:
			put(1, 1)
			put(0, 2)
			put(n-1, 3)
		case n <= 16:
			put(1, 1)
			put(1, 2)
			put(n-1, 4)
		case n <= 256:
			put(1, 1)
			put(2, 2)
			put(n-1, 8)
		default:
			put(1, 1)
			put(3, 2)
			put(n-1, 16)
		}
		put(uint64(values[i]), 8)
		i = j
	}
	s := bits.String()
	s += strings.Repeat("0", 8-len(s)%8)
	out := make([]int, len(s)/8)
	for i := range out {
		var b int
		for _, c := range s[i*8 : i*8+8] {
			b = b<<1 | int(c-'0')
		}
		out[i] = b
	}
	return out
}

func mask(w, h int) []byte {
	m := make([]byte, w*h*4)
	for i := range w * h / 2 {
		m[i*4+3] = 255
	}
	return m
}

func TestValidateDataTypes(t *testing.T) {
	cfg, err := Parse(dataTypesConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"dialogue", "audio", "page"} {
		if cfg.Object(o) == nil {
			t.Fatalf("object %q not parsed", o)
		}
	}
	item := func(from, to, typ, value string) string {
		return fmt.Sprintf(`{"id": "r1", "from_name": %q, "to_name": %q, "type": %q, "original_width": 4, "original_height": 2, "value": %s}`, from, to, typ, value)
	}
	rle, _ := json.Marshal(encodeRLE(mask(4, 2)))
	huge := make([]int, MaxRLEBytes+1)
	hugeJSON, _ := json.Marshal(huge)
	// A header declaring 4e9 values in a few bytes: refused without expanding it.
	bomb, _ := json.Marshal(append([]int{0xEE, 0x6B, 0x28, 0x00, 0x3C, 0x80, 0x0F}, make([]int, 8)...))
	truncated, _ := json.Marshal(encodeRLE(mask(4, 2))[:12])

	tests := []struct {
		name, result string
		want         string // "" when valid, else part of the message
	}{
		{"ellipse", item("ell", "image", "ellipselabels", `{"x": 50, "y": 40, "radiusX": 10, "radiusY": 5.5, "rotation": 30, "ellipselabels": ["Eye"]}`), ""},
		{"plain ellipse", item("plain", "image", "ellipse", `{"x": 0, "y": 100, "radiusX": 1, "radiusY": 1}`), ""},
		{"ellipse centre outside", item("ell", "image", "ellipselabels", `{"x": 101, "y": 40, "radiusX": 10, "radiusY": 5, "ellipselabels": ["Eye"]}`), "value.x (101) must be from 0 to 100"},
		{"ellipse zero radius", item("ell", "image", "ellipselabels", `{"x": 1, "y": 40, "radiusX": 0, "radiusY": 5, "ellipselabels": ["Eye"]}`), "value.radiusX (0) must be greater than 0"},
		{"ellipse huge radius", item("ell", "image", "ellipselabels", `{"x": 1, "y": 40, "radiusX": 5, "radiusY": 1e9, "ellipselabels": ["Eye"]}`), "value.radiusY (1e+09) must be greater than 0 and at most 100"},
		{"ellipse string radius", item("ell", "image", "ellipselabels", `{"x": 1, "y": 40, "radiusX": "5", "radiusY": 5, "ellipselabels": ["Eye"]}`), "value.radiusX must be a number"},
		{"ellipse unknown label", item("ell", "image", "ellipselabels", `{"x": 1, "y": 40, "radiusX": 5, "radiusY": 5, "ellipselabels": ["Nose"]}`), `label "Nose" is not one of the labels of "ell" (Eye, Wheel)`},
		{"ellipse wrong type", item("ell", "image", "rectanglelabels", `{"x": 1, "y": 40, "radiusX": 5, "radiusY": 5, "ellipselabels": ["Eye"]}`), `expected type "ellipselabels"`},

		{"paragraph span", item("intent", "dialogue", "paragraphlabels", `{"start": "0", "end": "1", "startOffset": 6, "endOffset": 8, "text": "is it?\nHere 😀", "paragraphlabels": ["Question"]}`), ""},
		{"paragraph span with numbers", item("intent", "dialogue", "paragraphlabels", `{"start": 1, "end": 1, "startOffset": 0, "endOffset": 8, "paragraphlabels": ["Answer"]}`), ""},
		{"paragraph past the last", item("intent", "dialogue", "paragraphlabels", `{"start": "0", "end": "2", "startOffset": 0, "endOffset": 1, "paragraphlabels": ["Answer"]}`), `value.end (2) is not a paragraph of "dialogue", which has 2`},
		{"paragraph offset past the text", item("intent", "dialogue", "paragraphlabels", `{"start": "1", "end": "1", "startOffset": 0, "endOffset": 9, "paragraphlabels": ["Answer"]}`), "value.endOffset (9) is past the end of paragraph 1"},
		{"paragraph reversed", item("intent", "dialogue", "paragraphlabels", `{"start": "1", "end": "0", "startOffset": 0, "endOffset": 1, "paragraphlabels": ["Answer"]}`), "0 <= start <= end"},
		{"paragraph index not a number", item("intent", "dialogue", "paragraphlabels", `{"start": "one", "end": "1", "startOffset": 0, "endOffset": 1, "paragraphlabels": ["Answer"]}`), `value.start ("one") must be a paragraph index`},
		{"paragraph unknown label", item("intent", "dialogue", "paragraphlabels", `{"start": "0", "end": "0", "startOffset": 0, "endOffset": 1, "paragraphlabels": ["Greeting"]}`), `label "Greeting" is not one of the labels of "intent"`},

		{"html span", item("ner", "page", "hypertextlabels", `{"start": "/h1[1]/text()[1]", "end": "/h1[1]/text()[1]", "startOffset": 0, "endOffset": 5, "globalOffsets": {"start": 0, "end": 5}, "text": "Hello", "htmllabels": ["Title"]}`), ""},
		{"html span without xpath", item("ner", "page", "hypertextlabels", `{"start": 0, "end": 5, "startOffset": 0, "endOffset": 5, "htmllabels": ["Title"]}`), `value."start" must be a non-empty string`},
		{"html span relative xpath", item("ner", "page", "hypertextlabels", `{"start": "h1", "end": "/h1", "startOffset": 0, "endOffset": 5, "htmllabels": ["Title"]}`), "must be an XPath starting with /"},
		{"html span huge xpath", item("ner", "page", "hypertextlabels", `{"start": "/`+strings.Repeat("p", MaxXPathLength)+`", "end": "/h1", "startOffset": 0, "endOffset": 5, "htmllabels": ["Title"]}`), "the limit is 1000"},
		{"html span negative offset", item("ner", "page", "hypertextlabels", `{"start": "/h1", "end": "/h1", "startOffset": -1, "endOffset": 5, "htmllabels": ["Title"]}`), "value.startOffset (-1) must not be negative"},
		{"html span bad global offsets", item("ner", "page", "hypertextlabels", `{"start": "/h1", "end": "/h1", "startOffset": 0, "endOffset": 5, "globalOffsets": {"start": 5, "end": 1}, "htmllabels": ["Title"]}`), "0 <= start < end"},
		{"html span unknown label", item("ner", "page", "hypertextlabels", `{"start": "/h1", "end": "/h1", "startOffset": 0, "endOffset": 5, "htmllabels": ["Body"]}`), `label "Body" is not one of the labels of "ner"`},

		{"audio segment", item("speech", "audio", "labels", `{"start": 0.5, "end": 3.25, "channel": 0, "labels": ["Speech"]}`), ""},
		{"audio transcription", item("transcript", "audio", "textarea", `{"start": 0.5, "end": 3.25, "text": ["hello there"]}`), ""},
		{"audio reversed", item("speech", "audio", "labels", `{"start": 3, "end": 1, "labels": ["Speech"]}`), "must satisfy 0 <= start < end"},
		{"audio negative", item("speech", "audio", "labels", `{"start": -1, "end": 1, "labels": ["Speech"]}`), "must satisfy 0 <= start < end"},
		{"audio bad channel", item("speech", "audio", "labels", `{"start": 0, "end": 1, "channel": 1.5, "labels": ["Speech"]}`), "value.channel must be a whole number"},
		{"audio start as text", item("speech", "audio", "labels", `{"start": "0", "end": 1, "labels": ["Speech"]}`), "value.start must be a number"},
		{"audio unknown label", item("speech", "audio", "labels", `{"start": 0, "end": 1, "labels": ["Music"]}`), `label "Music" is not one of the labels of "speech" (Speech, Noise)`},

		{"brush mask", item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(rle)+`, "brushlabels": ["Road"]}`), ""},
		{"brush wrong format", item("mask", "image", "brushlabels", `{"format": "png", "rle": `+string(rle)+`, "brushlabels": ["Road"]}`), `value.format must be "rle"`},
		{"brush byte out of range", item("mask", "image", "brushlabels", `{"format": "rle", "rle": [0, 0, 0, 300], "brushlabels": ["Road"]}`), "value.rle[3] must be a whole number from 0 to 255"},
		{"brush huge rle", item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(hugeJSON)+`, "brushlabels": ["Road"]}`), "the limit is 524288"},
		{"brush bomb header", item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(bomb)+`, "brushlabels": ["Road"]}`), "ends after"},
		{"brush truncated", item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(truncated)+`, "brushlabels": ["Road"]}`), "ends after"},
		{"brush short header", item("mask", "image", "brushlabels", `{"format": "rle", "rle": [1, 2], "brushlabels": ["Road"]}`), "too short to hold an RLE header"},
		{"brush size mismatch", strings.Replace(item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(rle)+`, "brushlabels": ["Road"]}`), `"original_width": 4`, `"original_width": 5`, 1), "an image of 5×2 pixels needs 40"},
		{"brush unknown label", item("mask", "image", "brushlabels", `{"format": "rle", "rle": `+string(rle)+`, "brushlabels": ["Sky"]}`), `label "Sky" is not one of the labels of "mask"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var result []map[string]any
			if err := json.Unmarshal([]byte("["+tt.result+"]"), &result); err != nil {
				t.Fatal(err)
			}
			err := cfg.ValidateResult(result, dataTypesData)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused a valid result: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("accepted an invalid result; want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseDataTypesInvalid(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"EllipseLabels on Text", `<View><Text name="t" value="$t"/><EllipseLabels name="e" toName="t"><Label value="A"/></EllipseLabels></View>`, `<EllipseLabels name="e"> can only label an <Image>, but toName "t" is a <Text>`},
		{"ParagraphLabels on Text", `<View><Text name="t" value="$t"/><ParagraphLabels name="p" toName="t"><Label value="A"/></ParagraphLabels></View>`, `<ParagraphLabels name="p"> can only label a <Paragraphs>, but toName "t" is a <Text>`},
		{"HyperTextLabels on Image", `<View><Image name="i" value="$i"/><HyperTextLabels name="h" toName="i"><Label value="A"/></HyperTextLabels></View>`, `can only label a <HyperText>, but toName "i" is an <Image>`},
		{"Labels on Paragraphs", `<View><Paragraphs name="p" value="$d"/><Labels name="l" toName="p"><Label value="A"/></Labels></View>`, "use <ParagraphLabels> for paragraphs"},
		{"BrushLabels without labels", `<View><Image name="i" value="$i"/><BrushLabels name="b" toName="i"/></View>`, `<BrushLabels name="b"> has no <Label> options`},
		{"Audio without value", `<View><Audio name="a"/></View>`, `<Audio name="a"> needs a value attribute`},
		{"Label in Ellipse", `<View><Image name="i" value="$i"/><Ellipse name="e" toName="i"><Label value="A"/></Ellipse></View>`, "tag <Label> cannot be inside <Ellipse>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

// TestParagraphSpansReadTheDialogueOnce: a result may hold thousands of
// paragraph spans over one dialogue, and each span used to read the whole
// dialogue from the task data again and convert the paragraphs it names to
// UTF-16 to measure them. A 1 MiB result of such spans over a large dialogue
// kept a core busy for tens of seconds per request, which any annotator
// could send. The dialogue is now read, and each paragraph measured, once
// per result; the work is held here by the bytes allocated, which grew with
// the number of spans times the size of the paragraph.
func TestParagraphSpansReadTheDialogueOnce(t *testing.T) {
	cfg, err := Parse(dataTypesConfig)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("Where is it? 😀 ", 8000)
	data := map[string]any{"dialogue": []any{
		map[string]any{"speaker": "Alice", "line": line},
		map[string]any{"speaker": "Bob", "line": "Here."},
	}}
	const spans = 1000
	result := make([]map[string]any, spans)
	for i := range result {
		result[i] = map[string]any{"from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels",
			"value": map[string]any{"start": "0", "end": "0", "startOffset": i, "endOffset": i + 1, "paragraphlabels": []any{"Question"}}}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := cfg.ValidateResult(result, data); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
		t.Fatalf("checking %d spans over a paragraph of %d bytes allocated %d MB: the dialogue is read again for each span", spans, len(line), grown>>20)
	}
	// The paragraph is still measured in UTF-16 code units: the emoji
	// counts twice, so the end of the first paragraph is 8000*16 units.
	for _, tc := range []struct {
		offset int
		ok     bool
	}{{8000 * 16, true}, {8000*16 + 1, false}} {
		item := map[string]any{"from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels",
			"value": map[string]any{"start": "0", "end": "0", "startOffset": 0, "endOffset": tc.offset, "paragraphlabels": []any{"Question"}}}
		err := cfg.ValidateResult([]map[string]any{item, item}, data)
		if (err == nil) != tc.ok {
			t.Fatalf("endOffset %d: error %v, want ok %v", tc.offset, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "result[0]: value.endOffset (128001) is past the end of paragraph 0") {
			t.Fatalf("endOffset %d: error %v", tc.offset, err)
		}
	}
}

// TestSpanDepthCoversParagraphsAndHyperText: the editor draws spans of
// Paragraphs and HyperText with the same code as Text's, so MaxSpanDepth
// holds for them too: paragraphs by (paragraph, offset), HyperText by its
// globalOffsets (a span without them is not drawn as one).
func TestSpanDepthCoversParagraphsAndHyperText(t *testing.T) {
	cfg, err := Parse(dataTypesConfig)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{
		"dialogue": []any{map[string]any{"speaker": "Alice", "line": "Where is it?"}, map[string]any{"speaker": "Bob", "line": "Here."}},
		"html":     "<p>Hello world</p>",
	}
	stack := func(n int, item func() map[string]any) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = item()
		}
		return out
	}
	paragraph := func() map[string]any {
		return map[string]any{"from_name": "intent", "to_name": "dialogue", "type": "paragraphlabels",
			"value": map[string]any{"start": "0", "end": "1", "startOffset": 3, "endOffset": 2, "paragraphlabels": []any{"Question"}}}
	}
	hyper := func(global bool) func() map[string]any {
		return func() map[string]any {
			v := map[string]any{"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0, "endOffset": 5, "htmllabels": []any{"Title"}}
			if global {
				v["globalOffsets"] = map[string]any{"start": 0, "end": 5}
			}
			return map[string]any{"from_name": "ner", "to_name": "page", "type": "hypertextlabels", "value": v}
		}
	}
	for _, tc := range []struct {
		name   string
		result []map[string]any
		want   string
	}{
		{"paragraph spans to the limit", stack(MaxSpanDepth, paragraph), ""},
		{"paragraph spans past it", stack(MaxSpanDepth+1, paragraph), `more than 100 spans cover paragraph 0, character 3 of "dialogue"`},
		{"HyperText spans past it", stack(MaxSpanDepth+1, hyper(true)), `more than 100 spans cover character 0 of "page"`},
		{"HyperText spans without globalOffsets", stack(MaxSpanDepth+1, hyper(false)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cfg.ValidateResult(tc.result, data)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("ValidateResult = %v, want %q", err, tc.want)
			}
		})
	}
}
