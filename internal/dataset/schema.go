package dataset

import (
	"slices"
	"strconv"
	"strings"

	"gloss/internal/export"
	"gloss/internal/labelconfig"
)

// exportSchema tells the export writers what the labeling configuration
// holds: data keys, control names, the image and text keys, and the class
// names of region labels and the class ids the config fixes for them.
func exportSchema(cfg *labelconfig.Config) export.Schema {
	s := export.Schema{DataKeys: cfg.DataKeys}
	for _, o := range cfg.Objects {
		switch o.Tag {
		case "Image":
			if s.ImageKey == "" {
				s.ImageKey = o.DataKey
			}
		case "Text", "HyperText":
			if s.TextKey == "" {
				s.TextKey = o.DataKey
			}
		}
	}
	for _, c := range cfg.Controls {
		s.ControlNames = append(s.ControlNames, c.Name)
		switch c.Tag {
		case "RectangleLabels", "PolygonLabels", "KeyPointLabels", "Labels":
			for _, v := range c.Values {
				if !slices.Contains(s.Labels, v) {
					s.Labels = append(s.Labels, v)
				}
			}
		}
	}
	s.Categories = fixedCategories(cfg.Root)
	return s
}

// fixedCategories returns the class ids that <Label category="N"> gives
// the labels of the region labels controls under n, keyed by the name
// results store (the alias when one is given). An id that is not a whole
// number from 0 is ignored, and so is one beyond export.MaxCategoryID (by
// the export itself).
func fixedCategories(n *labelconfig.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *labelconfig.Node, inLabels bool)
	walk = func(n *labelconfig.Node, inLabels bool) {
		if n == nil {
			return
		}
		if inLabels && n.Tag == "Label" {
			if id, err := strconv.Atoi(strings.TrimSpace(n.Attr("category"))); err == nil && id >= 0 {
				name := n.Attr("alias")
				if name == "" {
					name = n.Attr("value")
				}
				if _, seen := out[name]; !seen {
					out[name] = id
				}
			}
		}
		switch n.Tag {
		case "RectangleLabels", "PolygonLabels", "KeyPointLabels", "Labels":
			inLabels = true
		}
		for _, c := range n.Children {
			walk(c, inLabels)
		}
	}
	walk(n, false)
	return out
}
