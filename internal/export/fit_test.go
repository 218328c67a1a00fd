package export

import (
	"strings"
	"testing"

	"gloss/internal/labelconfig"
)

// TestFit: COCO/YOLO need an image labels control on an Image, VOC
// RectangleLabels on one (polygons are not boxes), CONLL2003
// Labels on a Text; the tabular and JSON formats fit everything. A control
// pointing at another object does not count.
func TestFit(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   string
	}{
		{`<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="A"/></Choices></View>`, "JSON,JSON_MIN,CSV,TSV"},
		{`<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A"/></Labels></View>`, "JSON,JSON_MIN,CSV,TSV,CONLL2003"},
		{`<View><Image name="i" value="$image"/><PolygonLabels name="p" toName="i"><Label value="A"/></PolygonLabels></View>`, "JSON,JSON_MIN,CSV,TSV,COCO,YOLO"},
		// Key points alone: COCO and YOLO would hold no annotation.
		{`<View><Image name="i" value="$image"/><KeyPointLabels name="k" toName="i"><Label value="A"/></KeyPointLabels></View>`, "JSON,JSON_MIN,CSV,TSV"},
		{`<View><Image name="i" value="$image"/><Choices name="c" toName="i"><Choice value="A"/></Choices></View>`, "JSON,JSON_MIN,CSV,TSV"},
		{`<View><Image name="i" value="$image"/><Text name="t" value="$text"/><RectangleLabels name="r" toName="i"><Label value="A"/></RectangleLabels><Labels name="l" toName="t"><Label value="B"/></Labels></View>`, "JSON,JSON_MIN,CSV,TSV,CONLL2003,COCO,VOC,YOLO"},
	} {
		cfg, err := labelconfig.Parse(tc.config)
		if err != nil {
			t.Fatalf("%s: %v", tc.config, err)
		}
		var got []string
		for _, f := range Fitting(cfg) {
			got = append(got, string(f))
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: fits %v, want %s", tc.config, got, tc.want)
		}
		for _, f := range Formats {
			ok, reason := Fit(f, cfg)
			if ok != (CheckFit(f, cfg) == nil) || ok == (reason != "") {
				t.Errorf("%s %s: Fit says %v %q but CheckFit disagrees", tc.config, f, ok, reason)
			}
		}
	}
}
