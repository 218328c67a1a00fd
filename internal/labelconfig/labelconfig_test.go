package labelconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// validConfigs are Label Studio gallery templates as shipped (where Gloss
// supports their tags) and configs exercising the rest of what Parse accepts.
var validConfigs = []struct {
	name     string
	src      string
	objects  []string // "Tag name value key"
	controls []string // see describeControl
	keys     []string
}{
	{
		// Label Studio's templates restyle the page with <Style>: accepted,
		// its CSS not applied.
		name: "style tag",
		src: `<View>
  <Style>.lsf-main-content > .ant-typography { font-size: 18px; }</Style>
  <Text name="text" value="$text"/>
  <Choices name="c" toName="text"><Choice value="A"/></Choices>
</View>`,
		objects:  []string{"Text text $text text"},
		controls: []string{"Choices c->text [A] single"},
		keys:     []string{"text"},
	},
	{
		name: "text classification template",
		src: `
<View>
  <Text name="text" value="$text"/>
  <View style="box-shadow: 2px 2px 5px #999;
               padding: 20px; margin-top: 2em;
               border-radius: 5px;">
    <Header value="Choose text sentiment"/>
    <Choices name="sentiment" toName="text"
             choice="single" showInLine="true">
      <Choice value="Positive"/>
      <Choice value="Negative"/>
      <Choice value="Neutral"/>
    </Choices>
  </View>
</View>


<!-- {
"data": {"text": "This is a great 3D movie that delivers everything almost right in your face."}

}
-->

`,
		objects:  []string{"Text text $text text"},
		controls: []string{"Choices sentiment->text [Positive Negative Neutral] single"},
		keys:     []string{"text"},
	},
	{
		name: "sentiment with radio buttons and hotkeys",
		src: `<View>
  <Header value="$title"/>
  <Text name="review" value="$review" granularity="word"/>
  <Choices name="sentiment" toName="review" choice="single-radio" showInline="true" required="true">
    <Choice value="Positive" hotkey="1" background="green"/>
    <Choice value="Negative" hotkey="2" hint="Clearly unhappy"/>
    <Choice value="Neutral" alias="neutral" selected="true"/>
  </Choices>
</View>`,
		objects:  []string{"Text review $review review"},
		controls: []string{"Choices sentiment->review [Positive Negative neutral] single"},
		keys:     []string{"title", "review"},
	},
	{
		name: "named entity recognition template",
		src: `
<View>
  <Labels name="label" toName="text">
    <Label value="PER" background="red"/>
    <Label value="ORG" background="darkorange"/>
    <Label value="LOC" background="orange"/>
    <Label value="MISC" background="green"/>
  </Labels>

  <Text name="text" value="$ner"/>
</View>
`,
		objects:  []string{"Text text $ner ner"},
		controls: []string{"Labels label->text [PER ORG LOC MISC] single"},
		keys:     []string{"ner"},
	},
	{
		name: "image classification template",
		src: `
<View>
  <Image name="image" value="$image"/>
  <Choices name="choice" toName="image">
    <Choice value="Adult content"/>
    <Choice value="Weapons" />
    <Choice value="Violence" />
  </Choices>
</View>
`,
		objects:  []string{"Image image $image image"},
		controls: []string{"Choices choice->image [Adult content Weapons Violence] single"},
		keys:     []string{"image"},
	},
	{
		name: "object detection with bounding boxes template",
		src: `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Airplane" background="green"/>
    <Label value="Car" background="blue"/>
  </RectangleLabels>
</View>
`,
		objects:  []string{"Image image $image image"},
		controls: []string{"RectangleLabels label->image [Airplane Car] single"},
		keys:     []string{"image"},
	},
	{
		name: "semantic segmentation with polygons template",
		src: `<View>

  <Header value="Select label and click the image to start"/>
  <Image name="image" value="$image" zoom="true"/>

  <PolygonLabels name="label" toName="image"
                 strokeWidth="3" pointSize="small"
                 opacity="0.9">
    <Label value="Airplane" background="red"/>
    <Label value="Car" background="blue"/>
  </PolygonLabels>

</View>
`,
		objects:  []string{"Image image $image image"},
		controls: []string{"PolygonLabels label->image [Airplane Car] single"},
		keys:     []string{"image"},
	},
	{
		name: "keypoints template",
		src: `
<View>
  <KeyPointLabels name="kp-1" toName="img-1">
    <Label value="Face" background="red" />
    <Label value="Nose" background="green" />
  </KeyPointLabels>
  <Image name="img-1" value="$img" />
</View>
`,
		objects:  []string{"Image img-1 $img img"},
		controls: []string{"KeyPointLabels kp-1->img-1 [Face Nose] single"},
		keys:     []string{"img"},
	},
	{
		name: "image captioning template",
		src: `<View>
  <Image name="image" value="$captioning"/>
  <Header value="Describe the image:"/>
  <TextArea name="caption" toName="image" placeholder="Enter description here..."
            rows="5" maxSubmissions="1"/>
</View>
`,
		objects:  []string{"Image image $captioning captioning"},
		controls: []string{"TextArea caption->image"},
		keys:     []string{"captioning"},
	},
	{
		name: "machine translation template",
		src: `
<View>
  <View style="display: grid; grid-template: auto/1fr 1fr; column-gap: 1em">
    <Header value="Read the sentence in English" />
    <Header value="Provide translaton in Spanish" />

  <Text name="english" value="$english" />

  <TextArea name="spanish" toName="english" transcription="true"
            showSubmitButton="true" maxSubmissions="1" editable="true"
            required="true"/>
  </View>
</View>
`,
		objects:  []string{"Text english $english english"},
		controls: []string{"TextArea spanish->english"},
		keys:     []string{"english"},
	},
	{
		name: "rating",
		src: `<View>
  <Text name="text" value="$text"/>
  <Rating name="rating" toName="text" maxRating="10" icon="star" size="medium" defaultValue="0"/>
</View>`,
		objects:  []string{"Text text $text text"},
		controls: []string{"Rating rating->text max=10"},
		keys:     []string{"text"},
	},
	{
		name:     "rating with default maximum",
		src:      `<View><Image name="i" value="$url"/><Rating name="r" toName="i"/></View>`,
		objects:  []string{"Image i $url url"},
		controls: []string{"Rating r->i max=5"},
		keys:     []string{"url"},
	},
	{
		name: "taxonomy template",
		src: `<View>
  <Text name="text" value="$text"/>
  <Taxonomy name="taxonomy" toName="text">
    <Choice value="Archaea" />
    <Choice value="Bacteria" />
    <Choice value="Eukarya">
      <Choice value="Human" />
      <Choice value="Oppossum" />
      <Choice value="Extraterrestial" />
    </Choice>
  </Taxonomy>
</View>
`,
		objects:  []string{"Text text $text text"},
		controls: []string{"Taxonomy taxonomy->text {Archaea Bacteria Eukarya{Human Oppossum Extraterrestial}}"},
		keys:     []string{"text"},
	},
	{
		name: "relation extraction template",
		src: `
<View>
   <Relations>
    <Relation value="org:founded_by"/>
    <Relation value="org:founded"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="Organization" background="orange"/>
    <Label value="Person" background="green"/>
    <Label value="Datetime" background="blue"/>
  </Labels>

  <Text name="text" value="$text"/>
</View>

<!-- {"data": {
"text": "Microsoft was founded by Bill Gates and Paul Allen on April 4, 1975."
}}
-->
`,
		objects: []string{"Text text $text text"},
		controls: []string{
			"Relations -> [org:founded_by org:founded]",
			"Labels label->text [Organization Person Datetime] single",
		},
		keys: []string{"text"},
	},
	{
		name: "hypertext entity recognition",
		src: `<View>
  <Labels name="ner" toName="text" choice="multiple">
    <Label value="Title" background="green"/>
    <Label value="Author" background="blue"/>
  </Labels>
  <View style="border: 1px solid #CCC; border-radius: 10px; padding: 5px">
    <HyperText name="text" value="$html" inline="true"/>
  </View>
</View>`,
		objects:  []string{"HyperText text $html html"},
		controls: []string{"Labels ner->text [Title Author] multiple"},
		keys:     []string{"html"},
	},
	{
		name: "number",
		src: `<View>
  <Text name="text" value="$text"/>
  <Number name="number" toName="text" min="0" max="100" step="0.5" slider="true"/>
</View>`,
		objects:  []string{"Text text $text text"},
		controls: []string{"Number number->text min=0 max=100"},
		keys:     []string{"text"},
	},
	{
		name: "datetime",
		src: `<View>
  <Text name="txt" value="$text" />
  <DateTime name="datetime" toName="txt" only="date" min="2000-01-01"/>
</View>`,
		objects:  []string{"Text txt $text text"},
		controls: []string{"DateTime datetime->txt"},
		keys:     []string{"text"},
	},
	{
		name: "declaration, comments, styles, headers, filter and literal text",
		src: `<?xml version="1.0" encoding="UTF-8"?>
<!-- a pairwise comparison -->
<View style="display: flex; background: url(https://evil.example/x.png)">
  <Header value="$question"/>
  <Header value="$ amounts are in USD"/>
  <Header>Compare the two answers &amp; pick one</Header>
  <View style="width: 50%">
    <Text name="left" value="$answer.left" />
    <Text name="right" value="$answers_b"/>
    <Text name="instructions" value="Read both answers first."/>
  </View>
  <Filter name="filter" toName="best" hotkey="shift+f" minlength="1"/>
  <Choices name="best" toname="left, right" showInLine="true" onclick="alert(1)">
    <View style="display: flex"><Choice value="Left" alias="L"/></View>
    <Choice value="Right" alias="R"/>
  </Choices>
</View>
<!-- trailing comment -->`,
		objects: []string{
			"Text left $answer.left answer",
			"Text right $answers_b answers_b",
			"Text instructions Read both answers first. ",
		},
		controls: []string{"Choices best->left,right [L R] single"},
		keys:     []string{"question", "answer", "answers_b"},
	},
	{
		name: "multi-page image and per-region controls",
		src: `<View>
  <Image name="pages" valueList="$pages"/>
  <RectangleLabels name="box" toName="pages" choice="multiple" rotateControl="true" zoomControl="true" smart="true" strokeWidth="3" opacity="0.5" fillColor="#ff0000">
    <Label value="Text" maxUsages="3"/>
    <Label value="Figure"/>
  </RectangleLabels>
  <TextArea name="transcription" toName="pages" perRegion="true" editable="true" displayMode="region-list"/>
  <Choices name="quality" toName="pages" perRegion="true" choice="multiple">
    <Choice value="Blurry"/>
  </Choices>
</View>`,
		objects: []string{"Image pages $pages pages"},
		controls: []string{
			"RectangleLabels box->pages [Text Figure] multiple",
			"TextArea transcription->pages",
			"Choices quality->pages [Blurry] multiple",
		},
		keys: []string{"pages"},
	},
}

func describeControl(c Control) string {
	s := fmt.Sprintf("%s %s->%s", c.Tag, c.Name, strings.Join(c.ToName, ","))
	if len(c.Values) > 0 || c.Tag == "Relations" {
		s += fmt.Sprintf(" [%s]", strings.Join(c.Values, " "))
	}
	if c.Choice != "" {
		s += " " + c.Choice
	}
	if c.Tag == "Rating" {
		s += fmt.Sprintf(" max=%d", c.MaxRating)
	}
	if c.Min != nil {
		s += fmt.Sprintf(" min=%g", *c.Min)
	}
	if c.Max != nil {
		s += fmt.Sprintf(" max=%g", *c.Max)
	}
	if len(c.Taxonomy) > 0 {
		s += " " + describeTaxonomy(c.Taxonomy)
	}
	return s
}

func describeTaxonomy(nodes []*TaxonomyNode) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = n.Value
		if len(n.Children) > 0 {
			parts[i] += describeTaxonomy(n.Children)
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func TestParseValid(t *testing.T) {
	for _, tc := range validConfigs {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if cfg.Source != tc.src {
				t.Error("Source is not the config as given")
			}
			if cfg.Root == nil || cfg.Root.Tag != "View" {
				t.Fatalf("Root = %+v, want a View", cfg.Root)
			}
			var objects []string
			for _, o := range cfg.Objects {
				objects = append(objects, fmt.Sprintf("%s %s %s %s", o.Tag, o.Name, o.Value, o.DataKey))
				if cfg.Object(o.Name) == nil {
					t.Errorf("Object(%q) = nil", o.Name)
				}
			}
			if !slices.Equal(objects, tc.objects) {
				t.Errorf("Objects:\n got %q\nwant %q", objects, tc.objects)
			}
			var controls []string
			for _, c := range cfg.Controls {
				controls = append(controls, describeControl(c))
				if c.Name != "" && cfg.Control(c.Name) == nil {
					t.Errorf("Control(%q) = nil", c.Name)
				}
			}
			if !slices.Equal(controls, tc.controls) {
				t.Errorf("Controls:\n got %q\nwant %q", controls, tc.controls)
			}
			if !slices.Equal(cfg.DataKeys, tc.keys) {
				t.Errorf("DataKeys = %q, want %q", cfg.DataKeys, tc.keys)
			}
			if err := cfg.ValidateResult(nil, nil); err != nil {
				t.Errorf("ValidateResult(nil, nil) = %v", err)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	cfg, err := Parse(validConfigs[len(validConfigs)-2].src)
	if err != nil {
		t.Fatal(err)
	}
	root := cfg.Root
	if root.Line != 3 || root.Attr("style") == "" {
		t.Errorf("root = line %d style %q", root.Line, root.Attr("style"))
	}
	header := root.Children[2]
	if header.Tag != "Header" || header.Text != "Compare the two answers & pick one" || header.Line != 6 {
		t.Errorf("header = %s %q line %d", header.Tag, header.Text, header.Line)
	}
	choices := root.Children[5]
	if choices.Tag != "Choices" || choices.Attr("toName") != "left, right" || choices.Attr("onclick") != "alert(1)" {
		t.Errorf("choices attrs = %v", choices.Attrs)
	}
	if v, ok := choices.Lookup("SHOWINLINE"); !ok || v != "true" {
		t.Errorf("Lookup is not case-insensitive: %q %v", v, ok)
	}
	if cfg.Control("filter") != nil || cfg.Object("best") != nil || cfg.Control("") != nil {
		t.Error("Control/Object found a tag of the wrong kind")
	}
}

func TestParseInvalid(t *testing.T) {
	deep := strings.Repeat("<View>\n", 70) + `<Text name="t" value="$t"/>` + strings.Repeat("</View>", 70)
	many := "<View>" + strings.Repeat(`<Header value="x"/>`, MaxTags) + `<Text name="t" value="$t"/></View>`
	huge := `<View><Text name="t" value="$t"/>` + strings.Repeat(" ", MaxSize) + "</View>"

	tests := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"elements in Style", `<View><Style><Text name="t" value="$t"/></Style></View>`, 1, "<Style> holds CSS text only, not <Text>"},
		{"XXE", `<!DOCTYPE View [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><View>&xxe;</View>`, 1, "DOCTYPE declarations are not allowed"},
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<View><Text name="t" value="&lol3;"/></View>`, 2, "DOCTYPE declarations are not allowed"},
		{"entity declaration", "<View>\n<!ENTITY x \"y\"></View>", 2, "ENTITY declarations are not allowed"},
		{"undefined entity", "<View>\n  <Header value=\"&nbsp;\"/>\n</View>", 2, "entity &nbsp; is not allowed"},
		{"undefined entity in text", "<View>\n\n<Header>&xxe;</Header></View>", 3, "entity &xxe; is not allowed"},
		{"processing instruction", "<View>\n<?php echo 1 ?></View>", 2, "processing instruction <?php ...?> is not allowed"},
		{"late xml declaration", " <?xml version=\"1.0\"?><View/>", 1, "must come first"},
		{"unknown Video tag", "<View>\n  <Text name=\"t\" value=\"$t\"/>\n  <Video name=\"a\" value=\"$a\"/>\n</View>", 3,
			"tag <Video> is not supported by Gloss (supported: View, Header, Text, HyperText, Image, Paragraphs, Audio, Table, Choices, Choice, Labels, Label, RectangleLabels, PolygonLabels, KeyPointLabels, Ellipse, EllipseLabels, BrushLabels, ParagraphLabels, HyperTextLabels, TextArea, Rating, Number, DateTime, Taxonomy, Relations, Relation, Filter, Style)"},
		{"script tag", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<script>alert(1)</script></View>", 3, "tag <script> is not supported"},
		{"VideoRectangle", "<View>\n<VideoRectangle name=\"n\" toName=\"t\"/></View>", 2, "tag <VideoRectangle> is not supported"},
		{"lowercase tag", "<View>\n<text name=\"t\" value=\"$t\"/></View>", 2, "did you mean <Text>?"},
		{"root not View", `<Text name="t" value="$t"/>`, 1, "the root tag must be <View>, not <Text>"},
		{"lowercase root", `<view><Text name="t" value="$t"/></view>`, 1, "the root tag must be <View>, not <view>"},
		{"two roots", "<View><Text name=\"t\" value=\"$t\"/></View>\n<View/>", 2, "only one root <View>"},
		{"text outside root", "hello <View/>", 1, "text outside the root"},
		{"empty", "  <!-- nothing -->  ", 1, "empty"},
		{"namespaced tag", "<View>\n<x:Text name=\"t\" value=\"$t\"/></View>", 2, "XML namespace"},
		{"namespaced attribute", "<View xmlns:x=\"urn:x\"><Text name=\"t\" value=\"$t\"/></View>", 1, "XML namespace"},
		{"duplicate attribute", "<View>\n<Text name=\"t\" Name=\"u\" value=\"$t\"/></View>", 2, "attribute Name appears twice on <Text>"},
		{"dangling toName", "<View>\n<Text name=\"text\" value=\"$text\"/>\n<Choices name=\"c\" toName=\"txet\">\n<Choice value=\"A\"/></Choices></View>", 3, `toName "txet" of <Choices name="c"> does not match`},
		{"second toName dangling", "<View>\n<Text name=\"a\" value=\"$a\"/>\n<TextArea name=\"c\" toName=\"a,b\"/></View>", 3, `toName "b"`},
		{"toName at a control", "<View>\n<Text name=\"a\" value=\"$a\"/>\n<TextArea name=\"c\" toName=\"a\"/>\n<TextArea name=\"d\" toName=\"c\"/></View>", 4, `toName "c" of <TextArea name="d"> refers to a <TextArea> tag`},
		{"duplicate names", "<View>\n<Text name=\"text\" value=\"$a\"/>\n\n<Text name=\"text\" value=\"$b\"/></View>", 4, `name "text" is used twice (first by <Text> on line 2)`},
		{"duplicate control and object name", "<View>\n<Text name=\"x\" value=\"$a\"/>\n<TextArea name=\"x\" toName=\"x\"/></View>", 3, `name "x" is used twice`},
		{"Labels on Image", "<View>\n<Image name=\"image\" value=\"$image\"/>\n<Labels name=\"label\" toName=\"image\">\n<Label value=\"Car\"/></Labels></View>", 3, `<Labels name="label"> can only label <Text>, <HyperText> or <Audio>, but toName "image" is an <Image>`},
		{"RectangleLabels on Text", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<RectangleLabels name=\"r\" toName=\"t\"><Label value=\"A\"/></RectangleLabels></View>", 3, `can only label an <Image>`},
		{"Choice outside Choices", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choice value=\"A\"/></View>", 3, "<Choice> must be inside <Choices> or <Taxonomy>"},
		{"Choice inside Labels", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Labels name=\"l\" toName=\"t\">\n<Label value=\"A\"/>\n<Choice value=\"B\"/></Labels></View>", 5, "tag <Choice> cannot be inside <Labels>"},
		{"Label inside Choices", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\">\n<Label value=\"B\"/></Choices></View>", 4, "tag <Label> cannot be inside <Choices>"},
		{"Label outside labels", "<View>\n<Label value=\"B\"/></View>", 2, "<Label> must be inside <Labels>"},
		{"Relation outside Relations", "<View>\n<Relation value=\"B\"/></View>", 2, "<Relation> must be inside <Relations>"},
		{"nested Choice in Choices", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\">\n<Choice value=\"A\">\n<Choice value=\"B\"/></Choice></Choices></View>", 5, "nested choices are only allowed in <Taxonomy>"},
		{"View inside Taxonomy", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Taxonomy name=\"c\" toName=\"t\">\n<View/></Taxonomy></View>", 4, "tag <View> cannot be inside <Taxonomy>"},
		{"object inside control", "<View>\n<Choices name=\"c\" toName=\"t\">\n<Choice value=\"A\"/>\n<Text name=\"t\" value=\"$t\"/></Choices></View>", 4, "tag <Text> cannot be inside <Choices>"},
		{"tag inside object", "<View>\n<Text name=\"t\" value=\"$t\">\n<Header value=\"x\"/></Text></View>", 3, "tag <Header> cannot be inside <Text>"},
		{"empty Choices", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\">\n</Choices></View>", 3, `<Choices name="c"> has no <Choice> options`},
		{"dynamic Choices", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\" value=\"$options\"/></View>", 3, "options loaded from task data"},
		{"empty Labels", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Labels name=\"l\" toName=\"t\"/></View>", 3, `<Labels name="l"> has no <Label> options`},
		{"empty Taxonomy", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Taxonomy name=\"x\" toName=\"t\"/></View>", 3, "has no <Choice> options"},
		{"Choice without value", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\">\n<Choice alias=\"A\"/></Choices></View>", 4, "<Choice> needs a value attribute"},
		{"control without name", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<TextArea toName=\"t\"/></View>", 3, "<TextArea> needs a name attribute"},
		{"control without toName", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<TextArea name=\"a\"/></View>", 3, `<TextArea name="a"> needs a toName attribute`},
		{"object without name", "<View>\n<Text value=\"$t\"/></View>", 2, "<Text> needs a name attribute"},
		{"object without value", "<View>\n<Image name=\"i\"/></View>", 2, `<Image name="i"> needs a value attribute`},
		{"bare dollar value", "<View>\n<Text name=\"t\" value=\"$\"/></View>", 2, "does not name a task data field"},
		{"no object", "<View>\n<Header value=\"hello\"/></View>", 1, "no object to label"},
		{"bad choice mode", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Choices name=\"c\" toName=\"t\" choice=\"some\"><Choice value=\"A\"/></Choices></View>", 3, `choice="some"`},
		{"bad maxRating", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Rating name=\"r\" toName=\"t\" maxRating=\"1000\"/></View>", 3, `maxRating="1000"`},
		{"bad Number bound", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Number name=\"n\" toName=\"t\" min=\"NaN\"/></View>", 3, `min="NaN"`},
		{"Number min above max", "<View>\n<Text name=\"t\" value=\"$t\"/>\n<Number name=\"n\" toName=\"t\" min=\"5\" max=\"1\"/></View>", 3, "min greater than max"},
		{"mismatched close", "<View>\n<Text name=\"t\" value=\"$t\">\n\n</View>", 4, "malformed XML: element <Text> closed by </View>"},
		{"unclosed root", "<View>\n<Text name=\"t\" value=\"$t\"/>\n", 3, "malformed XML: unexpected EOF"},
		{"unquoted attribute", "<View>\n\n<Text name=t value=\"$t\"/></View>", 3, "malformed XML"},
		{"bad comment", "<View>\n<!-- a -- b --></View>", 2, "malformed XML"},
		{"unsupported encoding", `<?xml version="1.0" encoding="UTF-7"?><View/>`, 1, "malformed XML"},
		{"oversize", huge, 0, "the limit is 262144 bytes (256 KiB)"},
		{"too deep", deep, MaxDepth + 1, "nested more than 64 deep"},
		{"too many tags", many, 1, "more than 5000 tags"},
		{"too many attributes", "<View>\n<Text name=\"t\" value=\"$t\"" + strings.Repeat(` a=""`, MaxAttrs) + "/></View>", 2, "the limit is 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse(tc.src)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", cfg)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if perr.Line != tc.line {
				t.Errorf("Line = %d, want %d (%v)", perr.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d: ", tc.line)) {
				t.Errorf("error %q does not start with its line", err)
			}
		})
	}
}

func TestSafeStyle(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"color: red", "color: red"},
		{"box-shadow: 2px 2px 5px #999;\n   padding: 20px; margin-top: 2em;\n   border-radius: 5px;",
			"box-shadow: 2px 2px 5px #999; padding: 20px; margin-top: 2em; border-radius: 5px"},
		{"display: grid; grid-template: auto/1fr 1fr; column-gap: 1em", "display: grid; grid-template: auto/1fr 1fr; column-gap: 1em"},
		{"font-family: 'Helvetica Neue', sans-serif; color: rgb(1, 2, 3)", "font-family: 'Helvetica Neue', sans-serif; color: rgb(1, 2, 3)"},
		{"--accent: #f00; -webkit-user-select: none", "--accent: #f00; -webkit-user-select: none"},
		{"content: 'a;b'; color: red", "content: 'a;b'; color: red"},
		{"color: red; background: url(https://evil.example/x.png)", "color: red"},
		{"background: URL ( 'x' ); color: blue", "color: blue"},
		{"background-image: url(\"x;y\"); color: blue", "color: blue"},
		{"width: expression(alert(1)); height: 1px", "height: 1px"},
		{"background: javascript:alert(1); margin: 0", "margin: 0"},
		{"@import 'evil.css'; color: red", "color: red"},
		{"behavior: url(x.htc); color: red", "color: red"},
		{"-moz-binding: url(x.xml#y); color: red", "color: red"},
		{`background: u\72l(x); color: red`, "color: red"},
		{`font-family: "a\"; background: url(x)"; color: red`, "color: red"},
		{"background: image-set('x.png' 1x); color: red", "color: red"},
		{"background: -moz-element(#login); color: red", "color: red"},
		{"color: red /* ; background: url(x) */", ""},
		{"color: red; }</style><script>", "color: red"},
		{"color red; margin: 0", "margin: 0"},
		{"1color: red; : red; color: ", ""},
		{"content: 'unterminated; color: red", ""},
		{"width: calc(100% - (2px); color: red", ""},
		{"color: red\x00; margin: 0", "margin: 0"},
	}
	for _, tc := range tests {
		if got := SafeStyle(tc.in); got != tc.want {
			t.Errorf("SafeStyle(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// resultConfig has one control of every kind, for ValidateResult.
const resultConfig = `<View>
  <Header value="$title"/>
  <Text name="text" value="$text"/>
  <Text name="remote" value="$link" valueType="url"/>
  <Text name="fixed" value="Hello"/>
  <HyperText name="html" value="$html"/>
  <Image name="image" value="$image"/>
  <Choices name="sentiment" toName="text">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral" alias="neu"/>
  </Choices>
  <Choices name="topics" toName="text,image" choice="multiple">
    <Choice value="Sports"/>
    <Choice value="Politics"/>
  </Choices>
  <Labels name="label" toName="text,remote,fixed">
    <Label value="Person"/>
    <Label value="Organization"/>
    <Label value="Location"/>
  </Labels>
  <Labels name="htmlner" toName="html"><Label value="Title"/></Labels>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Plane"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="Nose"/></KeyPointLabels>
  <TextArea name="notes" toName="text" rows="3"/>
  <Rating name="stars" toName="text"/>
  <Number name="score" toName="text" min="0" max="10"/>
  <DateTime name="when" toName="text" only="date"/>
  <DateTime name="custom" toName="text" format="%d/%m/%Y"/>
  <Taxonomy name="tax" toName="text">
    <Choice value="Animal">
      <Choice value="Mammal"><Choice value="Cat"/></Choice>
      <Choice value="Bird" alias="bird"/>
    </Choice>
    <Choice value="Plant"/>
  </Taxonomy>
  <Taxonomy name="leaves" toName="text" leafsOnly="true">
    <Choice value="A"><Choice value="A1"/></Choice>
  </Taxonomy>
  <Relations>
    <Relation value="works_for"/>
    <Relation value="located_in"/>
  </Relations>
</View>`

// resultData's text has an emoji, two UTF-16 code units long, before "Bob":
// "Bob" is at code points 5..8 (what results store, as Label Studio's
// exports and Python's text[start:end] count) but at UTF-16 offsets 6..9.
var resultData = map[string]any{
	"title": "T",
	"text":  "Hi 😀 Bob works at ACME",
	"link":  "https://example.com/doc.txt",
	"html":  "<p>Hello</p>",
	"image": "https://example.com/a.png",
}

func TestValidateResult(t *testing.T) {
	cfg, err := Parse(resultConfig)
	if err != nil {
		t.Fatal(err)
	}
	span := func(start, end int, text, label string) string {
		v := fmt.Sprintf(`"start": %d, "end": %d, "labels": [%q]`, start, end, label)
		if text != "" {
			v += fmt.Sprintf(`, "text": %q`, text)
		}
		return fmt.Sprintf(`{"id": "s%d", "from_name": "label", "to_name": "text", "type": "labels", "value": {%s}}`, start, v)
	}
	box := func(value string) string {
		return `{"id": "b1", "from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 200, "original_height": 100, "value": ` + value + `}`
	}
	item := func(from, to, typ, value string) string {
		return fmt.Sprintf(`{"id": "x", "from_name": %q, "to_name": %q, "type": %q, "value": %s}`, from, to, typ, value)
	}

	tests := []struct {
		name   string
		result string
		index  int    // -1 when valid
		want   string // part of the message
	}{
		{"empty", `[]`, -1, ""},
		{"single choice", `[` + item("sentiment", "text", "choices", `{"choices": ["Positive"]}`) + `]`, -1, ""},
		{"choice by alias and by value", `[` + item("sentiment", "text", "choices", `{"choices": ["neu"]}`) + `,` + item("sentiment", "text", "choices", `{"choices": ["Neutral"]}`) + `]`, -1, ""},
		{"multiple choices", `[` + item("topics", "image", "choices", `{"choices": ["Sports", "Politics"]}`) + `]`, -1, ""},
		{"two choices on single", `[` + item("sentiment", "text", "choices", `{"choices": ["Positive", "Negative"]}`) + `]`, 0, `"sentiment" allows only one choice, but 2 are given`},
		{"unknown choice", `[` + item("sentiment", "text", "choices", `{"choices": ["Happy"]}`) + `]`, 0, `choice "Happy" is not one of the choices of "sentiment" (Positive, Negative, neu)`},
		{"no choices", `[` + item("topics", "text", "choices", `{"choices": []}`) + `]`, 0, "at least one choice"},
		{"repeated choice", `[` + item("topics", "text", "choices", `{"choices": ["Sports", "Sports"]}`) + `]`, 0, `choice "Sports" is listed twice`},
		{"choice not a string", `[` + item("topics", "text", "choices", `{"choices": [1]}`) + `]`, 0, "value.choices[0] must be a string"},
		{"unknown from_name", `[` + item("sentimnet", "text", "choices", `{"choices": ["Positive"]}`) + `]`, 0, `from_name "sentimnet" is not a control`},
		{"unknown to_name", `[` + item("sentiment", "image", "choices", `{"choices": ["Positive"]}`) + `]`, 0, `to_name "image" is not an object that "sentiment" labels (text)`},
		{"wrong type", `[` + item("sentiment", "text", "labels", `{"choices": ["Positive"]}`) + `]`, 0, `type "labels" does not match from_name "sentiment", a <Choices> tag; expected type "choices"`},
		{"missing type", `[{"from_name": "sentiment", "to_name": "text", "value": {}}]`, 0, `"type" is missing`},
		{"value not an object", `[` + item("sentiment", "text", "choices", `["Positive"]`) + `]`, 0, `"value" must be an object`},
		{"numeric id", `[{"id": 3, "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]`, 0, `"id" must be a string`},
		{"extra keys", `[{"id": "a", "from_name": "sentiment", "to_name": "text", "type": "choices", "origin": "manual", "score": 0.5, "readonly": false, "value": {"choices": ["Positive"]}}]`, -1, ""},

		{"span in code points", `[` + span(5, 8, "Bob", "Person") + `]`, -1, ""},
		{"span at the end", `[` + span(18, 22, "ACME", "Organization") + `]`, -1, ""},
		{"span covering the emoji", `[` + span(3, 4, "😀", "Person") + `]`, -1, ""},
		{"span in UTF-16 units", `[` + span(6, 9, "Bob", "Person") + `]`, 0, `value.text "Bob" does not match the text at 6..9 of "text", which is "ob "`},
		{"span past the end", `[` + span(18, 23, "", "Organization") + `]`, 0, "value.end (23) is past the end of the text of \"text\" (22 characters)"},
		{"span reversed", `[` + span(9, 6, "", "Person") + `]`, 0, "0 <= start < end"},
		{"span without text", `[` + span(6, 9, "", "Person") + `]`, -1, ""},
		{"span text too short", `[` + span(0, 22, "Hi", "Person") + `]`, 0, `value.text "Hi" does not match the text at 0..22 of "text", which is "Hi 😀 Bob works at ACME"`},
		{"span text too long", `[` + span(3, 4, "😀 ", "Person") + `]`, 0, `does not match the text at 3..4`},
		{"span past the emoji", `[` + span(3, 5, "😀", "Person") + `]`, 0, `does not match the text at 3..5`},
		{"fractional offset", `[{"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 1.5, "end": 3, "labels": ["Person"]}}]`, 0, "value.start must be a whole number"},
		{"unknown label", `[` + span(5, 8, "Bob", "Persn") + `]`, 0, `label "Persn" is not one of the labels of "label" (Person, Organization, Location)`},
		{"two labels on single", `[{"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 6, "end": 9, "labels": ["Person", "Location"]}}]`, 0, "allows only one label"},
		{"span on literal text", `[{"from_name": "label", "to_name": "fixed", "type": "labels", "value": {"start": 0, "end": 5, "text": "Hello", "labels": ["Person"]}}]`, -1, ""},
		{"span on linked text", `[{"from_name": "label", "to_name": "remote", "type": "labels", "value": {"start": 0, "end": 5000, "labels": ["Person"]}}]`, -1, ""},
		{"hypertext span", `[{"from_name": "htmlner", "to_name": "html", "type": "labels", "value": {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0, "endOffset": 5, "labels": ["Title"]}}]`, -1, ""},
		{"hypertext unknown label", `[{"from_name": "htmlner", "to_name": "html", "type": "labels", "value": {"start": "/p[1]", "end": "/p[1]", "startOffset": 0, "endOffset": 1, "labels": ["Body"]}}]`, 0, `label "Body" is not one of the labels of "htmlner" (Title)`},

		{"rectangle", `[` + box(`{"x": 10, "y": 20.5, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["Car"]}`) + `]`, -1, ""},
		{"rectangle touching the edges", `[` + box(`{"x": 0, "y": 0, "width": 100.0000000001, "height": 100, "rectanglelabels": ["Car"]}`) + `]`, -1, ""},
		{"rectangle past the right edge", `[` + box(`{"x": 80, "y": 0, "width": 30, "height": 10, "rectanglelabels": ["Car"]}`) + `]`, 0, "extends past the edge of the image"},
		{"rectangle at negative y", `[` + box(`{"x": 10, "y": -1, "width": 30, "height": 10, "rectanglelabels": ["Car"]}`) + `]`, 0, "must be from 0 to 100"},
		{"rectangle of zero width", `[` + box(`{"x": 10, "y": 1, "width": 0, "height": 10, "rectanglelabels": ["Car"]}`) + `]`, 0, "must be greater than 0"},
		{"rectangle with string coordinate", `[` + box(`{"x": "10", "y": 1, "width": 5, "height": 10, "rectanglelabels": ["Car"]}`) + `]`, 0, "value.x must be a number"},
		{"rectangle missing height", `[` + box(`{"x": 10, "y": 1, "width": 5, "rectanglelabels": ["Car"]}`) + `]`, 0, "value.height is missing"},
		{"rotated rectangle inside", `[` + box(`{"x": 50, "y": 10, "width": 10, "height": 20, "rotation": 90, "rectanglelabels": ["Car"]}`) + `]`, -1, ""},
		{"rotated rectangle outside", `[` + box(`{"x": 5, "y": 10, "width": 10, "height": 20, "rotation": 90, "rectanglelabels": ["Car"]}`) + `]`, 0, "rotated rectangle"},
		{"rotated rectangle without image size", `[{"from_name": "box", "to_name": "image", "type": "rectanglelabels", "value": {"x": 5, "y": 10, "width": 10, "height": 20, "rotation": 90, "rectanglelabels": ["Car"]}}]`, -1, ""},
		{"full turn is no rotation", `[` + box(`{"x": 80, "y": 0, "width": 30, "height": 10, "rotation": 360, "rectanglelabels": ["Car"]}`) + `]`, 0, "extends past the edge of the image"},
		{"rectangle unknown label", `[` + box(`{"x": 1, "y": 1, "width": 5, "height": 5, "rectanglelabels": ["Bus"]}`) + `]`, 0, `label "Bus" is not one of the labels of "box" (Car, Plane)`},
		{"rectangle without labels", `[` + box(`{"x": 1, "y": 1, "width": 5, "height": 5}`) + `]`, 0, "value.rectanglelabels is missing"},
		{"rectangle wrong type", `[{"from_name": "box", "to_name": "image", "type": "rectangle", "value": {}}]`, 0, `expected type "rectanglelabels"`},

		{"polygon", `[` + item("poly", "image", "polygonlabels", `{"points": [[0, 0], [50, 10.5], [100, 100]], "closed": true, "polygonlabels": ["Road"]}`) + `]`, -1, ""},
		{"polygon with two points", `[` + item("poly", "image", "polygonlabels", `{"points": [[0, 0], [50, 10]], "polygonlabels": ["Road"]}`) + `]`, 0, "at least 3 points"},
		{"polygon point outside", `[` + item("poly", "image", "polygonlabels", `{"points": [[0, 0], [50, 10], [101, 5]], "polygonlabels": ["Road"]}`) + `]`, 0, "value.points[2] must hold two numbers from 0 to 100"},
		{"polygon point malformed", `[` + item("poly", "image", "polygonlabels", `{"points": [[0, 0], [50], [1, 5]], "polygonlabels": ["Road"]}`) + `]`, 0, "value.points[1] must be a pair"},

		{"keypoint", `[` + item("kp", "image", "keypointlabels", `{"x": 10, "y": 99.5, "width": 0.7, "keypointlabels": ["Nose"]}`) + `]`, -1, ""},
		{"keypoint outside", `[` + item("kp", "image", "keypointlabels", `{"x": 100.5, "y": 5, "keypointlabels": ["Nose"]}`) + `]`, 0, "value.x (100.5) must be from 0 to 100"},
		{"keypoint negative width", `[` + item("kp", "image", "keypointlabels", `{"x": 1, "y": 5, "width": -1, "keypointlabels": ["Nose"]}`) + `]`, 0, "must not be negative"},

		{"textarea", `[` + item("notes", "text", "textarea", `{"text": ["one", "two"]}`) + `]`, -1, ""},
		{"textarea not a list", `[` + item("notes", "text", "textarea", `{"text": "one"}`) + `]`, 0, "value.text must be a list of strings"},
		{"textarea too many", `[` + item("notes", "text", "textarea", `{"text": [`+strings.Repeat(`"a",`, 100)+`"a"]}`) + `]`, 0, "at most 100 texts"},
		{"textarea too long", `[` + item("notes", "text", "textarea", `{"text": ["`+strings.Repeat("é", 10001)+`"]}`) + `]`, 0, "10001 characters long"},

		{"rating", `[` + item("stars", "text", "rating", `{"rating": 5}`) + `]`, -1, ""},
		{"rating above max", `[` + item("stars", "text", "rating", `{"rating": 6}`) + `]`, 0, "value.rating (6) must be from 1 to 5"},
		{"rating zero", `[` + item("stars", "text", "rating", `{"rating": 0}`) + `]`, 0, "must be from 1 to 5"},
		{"rating fractional", `[` + item("stars", "text", "rating", `{"rating": 2.5}`) + `]`, 0, "whole number"},

		{"number", `[` + item("score", "text", "number", `{"number": 7.25}`) + `]`, -1, ""},
		{"number below min", `[` + item("score", "text", "number", `{"number": -1}`) + `]`, 0, "below the minimum"},
		{"number above max", `[` + item("score", "text", "number", `{"number": 10.5}`) + `]`, 0, "above the maximum"},
		{"number as string", `[` + item("score", "text", "number", `{"number": "7"}`) + `]`, 0, "value.number must be a number"},

		{"datetime date", `[` + item("when", "text", "datetime", `{"datetime": "2024-02-29"}`) + `]`, -1, ""},
		{"datetime minutes", `[` + item("when", "text", "datetime", `{"datetime": "2024-02-29T13:45"}`) + `]`, -1, ""},
		{"datetime RFC 3339", `[` + item("when", "text", "datetime", `{"datetime": "2024-02-29T13:45:00+02:00"}`) + `]`, -1, ""},
		{"datetime invalid", `[` + item("when", "text", "datetime", `{"datetime": "2023-02-29"}`) + `]`, 0, `value.datetime "2023-02-29" is not a date or time`},
		{"datetime words", `[` + item("when", "text", "datetime", `{"datetime": "yesterday"}`) + `]`, 0, "is not a date or time"},
		{"datetime custom format", `[` + item("custom", "text", "datetime", `{"datetime": "29/02/2024"}`) + `]`, -1, ""},

		{"taxonomy", `[` + item("tax", "text", "taxonomy", `{"taxonomy": [["Animal", "Mammal", "Cat"], ["Animal"], ["Plant"], ["Animal", "bird"], ["Animal", "Bird"]]}`) + `]`, -1, ""},
		{"taxonomy wrong branch", `[` + item("tax", "text", "taxonomy", `{"taxonomy": [["Animal", "Cat"]]}`) + `]`, 0, `taxonomy path ["Animal", "Cat"] is not in "tax": "Cat" is not an option under "Animal" (Mammal, bird)`},
		{"taxonomy unknown root", `[` + item("tax", "text", "taxonomy", `{"taxonomy": [["Fungus"]]}`) + `]`, 0, `"Fungus" is not an option at the top level (Animal, Plant)`},
		{"taxonomy flat list", `[` + item("tax", "text", "taxonomy", `{"taxonomy": ["Animal"]}`) + `]`, 0, "value.taxonomy[0] must be a list of strings"},
		{"taxonomy leaf only", `[` + item("leaves", "text", "taxonomy", `{"taxonomy": [["A", "A1"]]}`) + `]`, -1, ""},
		{"taxonomy inner node on leaf only", `[` + item("leaves", "text", "taxonomy", `{"taxonomy": [["A"]]}`) + `]`, 0, `"leaves" accepts only leaf options, but "A" has nested options`},

		{"relation", `[` + span(5, 8, "Bob", "Person") + `,` + span(18, 22, "ACME", "Organization") + `,
			{"from_id": "s5", "to_id": "s18", "type": "relation", "direction": "right", "labels": ["works_for"]},
			{"from_id": "s18", "to_id": "s5", "type": "relation", "direction": "bi", "labels": []}]`, -1, ""},
		{"relation to unknown id", `[` + span(5, 8, "Bob", "Person") + `,
			{"from_id": "s5", "to_id": "nope", "type": "relation", "direction": "right"}]`, 1, `to_id "nope" is not the id of any region in this result`},
		{"relation unknown label", `[` + span(5, 8, "Bob", "Person") + `,` + span(18, 22, "ACME", "Organization") + `,
			{"from_id": "s5", "to_id": "s18", "type": "relation", "labels": ["owns"]}]`, 2, `relation label "owns" is not one of the relation labels (works_for, located_in)`},
		{"relation bad direction", `[` + span(5, 8, "Bob", "Person") + `,` + span(18, 22, "ACME", "Organization") + `,
			{"from_id": "s5", "to_id": "s18", "type": "relation", "direction": "up"}]`, 2, `"direction" must be`},
		{"relation to another relation", `[{"id": "r", "from_id": "r", "to_id": "r", "type": "relation"}]`, 0, `from_id "r" is not the id of any region`},
	}
	// Spans stacked over one character: MaxSpanDepth of them, and one more.
	// Side by side, any number (one ends where the next starts).
	stacked := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = span(0, 22, "", "Person")
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	var side []string
	for i := range 3 * MaxSpanDepth {
		side = append(side, fmt.Sprintf(`{"from_name": "label", "to_name": "remote", "type": "labels", "value": {"start": %d, "end": %d, "labels": ["Person"]}}`, i, i+1))
	}
	points := make([]string, MaxPolygonPoints+1)
	for i := range points {
		points[i] = "[1, 2]"
	}
	tests = append(tests, []struct {
		name   string
		result string
		index  int
		want   string
	}{
		{"spans stacked to the limit", stacked(MaxSpanDepth), -1, ""},
		{"spans stacked past the limit", stacked(MaxSpanDepth + 1), MaxSpanDepth, fmt.Sprintf(`more than %d spans cover character 0 of "text"`, MaxSpanDepth)},
		{"spans side by side", "[" + strings.Join(side, ",") + "]", -1, ""},
		{"polygon with the most points", `[` + item("poly", "image", "polygonlabels", `{"points": [`+strings.Join(points[1:], ",")+`], "polygonlabels": ["Road"]}`) + `]`, -1, ""},
		{"polygon with too many points", `[` + item("poly", "image", "polygonlabels", `{"points": [`+strings.Join(points, ",")+`], "polygonlabels": ["Road"]}`) + `]`, 0, fmt.Sprintf("value.points has %d points; a polygon may have at most %d", MaxPolygonPoints+1, MaxPolygonPoints)},
	}...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var result []map[string]any
			if err := json.Unmarshal([]byte(tc.result), &result); err != nil {
				t.Fatalf("bad test JSON: %v", err)
			}
			err := cfg.ValidateResult(result, resultData)
			if tc.index < 0 {
				if err != nil {
					t.Fatalf("ValidateResult: %v", err)
				}
				return
			}
			var rerr *ResultError
			if !errors.As(err, &rerr) {
				t.Fatalf("error %T %v is not a *ResultError", err, err)
			}
			if rerr.Index != tc.index {
				t.Errorf("Index = %d, want %d (%v)", rerr.Index, tc.index, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("result[%d]: ", tc.index)) {
				t.Errorf("error %q does not start with its index", err)
			}
		})
	}
}

func TestValidateResultData(t *testing.T) {
	cfg, err := Parse(`<View>
  <Text name="text" value="$doc.body"/>
  <Labels name="label" toName="text"><Label value="X"/></Labels>
  <Relations/>
</View>`)
	if err != nil {
		t.Fatal(err)
	}
	spanItem := map[string]any{"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
		"value": map[string]any{"start": 0, "end": 2, "text": "ab", "labels": []string{"X"}}}
	relation := map[string]any{"type": "relation", "from_id": "a", "to_id": "a", "labels": []any{"r"}}
	tests := []struct {
		name   string
		result []map[string]any
		data   map[string]any
		want   string
	}{
		{"nested field", []map[string]any{spanItem}, map[string]any{"doc": map[string]any{"body": "abc"}}, ""},
		{"missing data", []map[string]any{spanItem}, nil, `task data has no field "doc.body"`},
		{"missing nested field", []map[string]any{spanItem}, map[string]any{"doc": map[string]any{}}, `task data has no field "doc.body"`},
		{"field not a string", []map[string]any{spanItem}, map[string]any{"doc": map[string]any{"body": 3.0}}, "is not a string"},
		{"relation labels without Relation options", []map[string]any{spanItem, relation}, map[string]any{"doc": map[string]any{"body": "abc"}}, "has no <Relations> tag"},
		{"nil item", []map[string]any{nil}, nil, "must be an object"},
		{"too many items", make([]map[string]any, MaxResultItems+1), nil, "at most 10000 items"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := cfg.ValidateResult(tc.result, tc.data)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ValidateResult: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not contain %q", err, tc.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that it reports failures only as
// *Error, and that every config it accepts is self-consistent.
func FuzzParse(f *testing.F) {
	for _, tc := range validConfigs {
		f.Add(tc.src)
	}
	f.Add(resultConfig)
	f.Add(`<!DOCTYPE View [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><View>&xxe;</View>`)
	f.Add(`<View><Choices name="c" toName="t"><Choice value="A"><Choice value="B"/></Choice></Choices><Text name="t" value="$t"/></View>`)
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := Parse(src)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		if cfg.Source != src || cfg.Root == nil || cfg.Root.Tag != "View" || len(cfg.Objects) == 0 {
			t.Fatalf("accepted config is inconsistent: %+v", cfg)
		}
		if err := cfg.ValidateResult(nil, nil); err != nil {
			t.Fatalf("ValidateResult(nil, nil) = %v", err)
		}
		for _, ctl := range cfg.Controls {
			for _, to := range ctl.ToName {
				if cfg.Object(to) == nil {
					t.Fatalf("control %q points at missing object %q", ctl.Name, to)
				}
			}
		}
	})
}

// FuzzValidateResult checks that ValidateResult never panics and reports
// failures only as *ResultError, whatever result and task data it is given.
func FuzzValidateResult(f *testing.F) {
	cfg, err := Parse(resultConfig)
	if err != nil {
		f.Fatal(err)
	}
	text := `{"text": "Hi 😀 Bob works at ACME", "html": "<p>x</p>"}`
	for _, result := range []string{
		`[{"id":"a","from_name":"label","to_name":"text","type":"labels","value":{"start":5,"end":8,"text":"Bob","labels":["Person"]}},` +
			`{"id":"b","from_name":"label","to_name":"text","type":"labels","value":{"start":18,"end":22,"labels":["Organization"]}},` +
			`{"from_id":"a","to_id":"b","type":"relation","direction":"right","labels":["works_for"]}]`,
		`[{"from_name":"htmlner","to_name":"html","type":"labels","value":{"start":"/p[1]","end":"/p[1]","startOffset":0,"endOffset":1,"labels":["Title"]}}]`,
		`[{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["neu"]}}]`,
		`[{"id":"r","from_name":"box","to_name":"image","type":"rectanglelabels","original_width":200,"original_height":100,"value":{"x":50,"y":10,"width":10,"height":20,"rotation":90,"rectanglelabels":["Car"]}}]`,
		`[{"from_name":"poly","to_name":"image","type":"polygonlabels","value":{"points":[[0,0],[50,10.5],[100,100]],"polygonlabels":["Road"]}}]`,
		`[{"from_name":"kp","to_name":"image","type":"keypointlabels","value":{"x":10,"y":99.5,"width":1,"keypointlabels":["Nose"]}}]`,
		`[{"from_name":"notes","to_name":"text","type":"textarea","value":{"text":["one"]}}]`,
		`[{"from_name":"stars","to_name":"text","type":"rating","value":{"rating":5}}]`,
		`[{"from_name":"score","to_name":"text","type":"number","value":{"number":7.25}}]`,
		`[{"from_name":"when","to_name":"text","type":"datetime","value":{"datetime":"2024-02-29T13:45"}}]`,
		`[{"from_name":"tax","to_name":"text","type":"taxonomy","value":{"taxonomy":[["Animal","Mammal","Cat"],["Plant"]]}}]`,
		`[{"from_name":"leaves","to_name":"text","type":"taxonomy","value":{"taxonomy":[[]]}},{"type":"relation","from_id":"x","to_id":"y"}]`,
	} {
		f.Add(result, text)
	}
	f.Fuzz(func(t *testing.T, result, data string) {
		var r []map[string]any
		var d map[string]any
		if json.Unmarshal([]byte(result), &r) != nil {
			return
		}
		_ = json.Unmarshal([]byte(data), &d)
		if err := cfg.ValidateResult(r, d); err != nil {
			var rerr *ResultError
			if !errors.As(err, &rerr) || rerr.Index < 0 || rerr.Index > len(r) {
				t.Fatalf("bad error %T %v", err, err)
			}
		}
	})
}

// TestMaxUsages checks Label Studio's maxUsages: on a Label, or on its
// labels tag for every label without its own; both spellings of a label
// count against one bound; a bad value is a config error.
func TestMaxUsages(t *testing.T) {
	cfg, err := Parse(`<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image" maxUsages="2">
    <Label value="Car" alias="car" maxUsages="1"/>
    <Label value="Plane"/>
    <Label value="Tree" maxUsages="3"/>
  </RectangleLabels>
</View>`)
	if err != nil {
		t.Fatal(err)
	}
	box := func(labels ...string) map[string]any {
		ls := make([]any, len(labels))
		for i, l := range labels {
			ls[i] = l
		}
		return map[string]any{"from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 10, "original_height": 10,
			"value": map[string]any{"x": 1, "y": 1, "width": 1, "height": 1, "rotation": 0, "rectanglelabels": ls}}
	}
	for _, tc := range []struct {
		name   string
		result []map[string]any
		index  int // -1 when valid
		want   string
	}{
		{"within every bound", []map[string]any{box("Car"), box("Plane"), box("Plane"), box("Tree"), box("Tree"), box("Tree")}, -1, ""},
		{"a label's own bound", []map[string]any{box("Car"), box("Plane"), box("Car")}, 2, `label "car" of "box" is on more than 1 regions`},
		{"by value then by alias", []map[string]any{box("car"), box("Car")}, 1, `label "car"`},
		{"the tag's bound", []map[string]any{box("Plane"), box("Plane"), box("Plane")}, 2, `label "Plane" of "box" is on more than 2 regions`},
		{"a label's bound above the tag's", []map[string]any{box("Tree"), box("Tree"), box("Tree"), box("Tree")}, 3, "more than 3"},
	} {
		err := cfg.ValidateResult(tc.result, nil)
		var re *ResultError
		switch {
		case tc.index < 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.index >= 0 && (!errors.As(err, &re) || re.Index != tc.index || !strings.Contains(re.Msg, tc.want)):
			t.Errorf("%s: %v, want item %d saying %q", tc.name, err, tc.index, tc.want)
		}
	}
	// Values Label Studio reads as no bound (Number() of 0, NaN, a
	// negative) bound nothing here either; "1.0" is 1.
	for attr, bound := range map[string]bool{`maxUsages="0"`: false, `maxUsages="two"`: false, `maxUsages="-1"`: false, `maxUsages=""`: false, `maxUsages="1.0"`: true} {
		cfg, err := Parse(`<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Car" ` + attr + `/></RectangleLabels></View>`)
		if err != nil {
			t.Fatalf("%s: %v", attr, err)
		}
		if err := cfg.ValidateResult([]map[string]any{box("Car"), box("Car")}, nil); (err != nil) != bound {
			t.Errorf("%s: two Cars give %v, want bounded %v", attr, err, bound)
		}
	}
	// A Label's own value decides alone, as Label Studio's
	// Number(label || labels) reads it, even one that bounds nothing.
	own, err := Parse(`<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image" maxUsages="1"><Label value="Car" maxUsages="0"/><Label value="Bus"/></RectangleLabels></View>`)
	if err != nil {
		t.Fatal(err)
	}
	if err := own.ValidateResult([]map[string]any{box("Car"), box("Car")}, nil); err != nil {
		t.Errorf("Car's own maxUsages=\"0\" bounds nothing: %v", err)
	}
	if err := own.ValidateResult([]map[string]any{box("Bus"), box("Bus")}, nil); err == nil {
		t.Error("Bus has the tag's bound of 1, but two were accepted")
	}
	// HyperTextLabels keep their labels under "htmllabels".
	html, err := Parse(`<View><HyperText name="page" value="$html"/><HyperTextLabels name="ner" toName="page" maxUsages="1"><Label value="PII"/></HyperTextLabels></View>`)
	if err != nil {
		t.Fatal(err)
	}
	span := map[string]any{"from_name": "ner", "to_name": "page", "type": "hypertextlabels", "value": map[string]any{
		"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0, "endOffset": 2, "htmllabels": []any{"PII"}}}
	if err := html.ValidateResult([]map[string]any{span, span}, map[string]any{"html": "<p>hello</p>"}); err == nil || !strings.Contains(err.Error(), `label "PII" of "ner"`) {
		t.Errorf("two PII spans: %v, want refused", err)
	}
}

// TestTable: Label Studio's Table is an object whose field the import
// requires, labeled by classification controls, not by region labels.
func TestTable(t *testing.T) {
	cfg, err := Parse(`<View><Table name="table" value="$info"/><Choices name="ok" toName="table"><Choice value="Valid"/></Choices></View>`)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.DataKeys, []string{"info"}) || cfg.Object("table") == nil || cfg.Object("table").Tag != "Table" {
		t.Fatalf("data keys %v, object %+v", cfg.DataKeys, cfg.Object("table"))
	}
	item := map[string]any{"from_name": "ok", "to_name": "table", "type": "choices", "value": map[string]any{"choices": []any{"Valid"}}}
	if err := cfg.ValidateResult([]map[string]any{item}, map[string]any{"info": map[string]any{"a": 1}}); err != nil {
		t.Fatalf("a choice on the table: %v", err)
	}
	if _, err := Parse(`<View><Table name="table" value="$info"/><Labels name="l" toName="table"><Label value="A"/></Labels></View>`); err == nil || !strings.Contains(err.Error(), "can only label") {
		t.Fatalf("Labels on a Table: %v, want refused", err)
	}
}
