package export

import (
	"fmt"
	"slices"

	"gloss/internal/fault"
	"gloss/internal/labelconfig"
)

// Fit says whether a project with labeling configuration cfg can be exported
// in f, and when it cannot, why, in words for the person who asked. JSON,
// JSON_MIN, CSV and TSV fit every configuration. COCO and YOLO need a
// RectangleLabels or PolygonLabels control on an Image (their writers skip
// key points: a project of key points alone came back as an archive with no
// annotation); CONLL2003 needs a Labels control on a Text: the inputs Label
// Studio's converter asks of them, so an export never comes back empty.
// VOC holds boxes only: it needs RectangleLabels on an Image.
func Fit(f Format, cfg *labelconfig.Config) (bool, string) {
	switch f {
	case JSON, JSONMin, CSV, TSV:
		return true, ""
	case COCO, YOLO:
		if labels(cfg, "Image", "RectangleLabels", "PolygonLabels") {
			return true, ""
		}
		return false, fmt.Sprintf("%s needs RectangleLabels or PolygonLabels on an Image (key points are not exported to it), and this project's labeling config has none", f)
	case VOC:
		if labels(cfg, "Image", "RectangleLabels") {
			return true, ""
		}
		return false, fmt.Sprintf("%s needs RectangleLabels on an Image (it holds boxes only), and this project's labeling config has none", f)
	case CoNLL2003:
		if labels(cfg, "Text", "Labels") {
			return true, ""
		}
		return false, fmt.Sprintf("%s needs Labels on a Text, and this project's labeling config has none", f)
	}
	return false, fmt.Sprintf("unsupported export format %q", f)
}

// CheckFit is Fit as an error: nil when f fits cfg, otherwise a
// BAD_USER_INPUT error carrying the reason.
func CheckFit(f Format, cfg *labelconfig.Config) error {
	if ok, reason := Fit(f, cfg); !ok {
		return fault.Invalid("%s", reason)
	}
	return nil
}

// Fitting returns the formats that fit cfg, in Formats order.
func Fitting(cfg *labelconfig.Config) []Format {
	var out []Format
	for _, f := range Formats {
		if ok, _ := Fit(f, cfg); ok {
			out = append(out, f)
		}
	}
	return out
}

// labels reports whether cfg has a control of one of tags pointing at an
// object tagged object.
func labels(cfg *labelconfig.Config, object string, tags ...string) bool {
	if cfg == nil {
		return false
	}
	for _, c := range cfg.Controls {
		if !slices.Contains(tags, c.Tag) {
			continue
		}
		for _, o := range cfg.Objects {
			if o.Tag == object && slices.Contains(c.ToName, o.Name) {
				return true
			}
		}
	}
	return false
}
