package dataset

import (
	"slices"

	"gloss/internal/export"
	"gloss/internal/labelconfig"
)

// exportSchema tells the export writers what the labeling configuration
// holds: data keys, control names, the image and text keys, and the class
// names of region labels in the order they are declared.
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
	return s
}
