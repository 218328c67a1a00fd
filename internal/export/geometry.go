package export

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// has reports whether the value dict has key.
func (v value) has(key string) bool {
	_, ok := v.obj.get(key)
	return ok
}

// num returns the finite number under key.
func (v value) num(key string) (float64, bool) {
	raw, ok := v.obj.get(key)
	if !ok {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// strs returns the list of strings under key.
func (v value) strs(key string) []string {
	raw, ok := v.obj.get(key)
	if !ok {
		return nil
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

// points returns the polygon points, [[x, y], ...] in percent.
func (v value) points() [][2]float64 {
	raw, ok := v.obj.get("points")
	if !ok {
		return nil
	}
	var pts [][]float64
	if json.Unmarshal(raw, &pts) != nil {
		return nil
	}
	out := make([][2]float64, 0, len(pts))
	for _, p := range pts {
		if len(p) < 2 {
			return nil
		}
		out = append(out, [2]float64{p[0], p[1]})
	}
	return out
}

// categories assigns class ids as Label Studio's converter does
// (Converter._get_labels): labels given a category id in the config
// (<Label category="N">) keep it; the other labels of the config take the
// free ids from 0 up in order of their names; labels met in results but not
// in the config take the next free id in order of first appearance.
type categories struct {
	names []string // in the order the converter lists them
	idOf  []int    // idOf[i] is names[i]'s id
	ids   map[string]int
	used  map[int]bool
	next  int // the lowest id that may be free
}

// MaxCategoryID is the largest id <Label category="N"> may fix. YOLO's
// classes.txt has a line for every id up to the largest, so an id from a
// config must not be allowed to make it (and the list behind it) billions of
// lines long; real class lists (ImageNet-21k's 21,841 classes included) are
// far below this. A larger id fixes nothing, as a negative one does not.
const MaxCategoryID = 100_000

// newCategories starts with labels, skipping repeats, and fixed, the ids the
// config gives (those from 0 to MaxCategoryID).
func newCategories(labels []string, fixed map[string]int) *categories {
	c := &categories{ids: make(map[string]int), used: make(map[int]bool)}
	named := make([]string, 0, len(fixed))
	for n := range fixed {
		named = append(named, n)
	}
	// The converter lists the fixed ones in config order; order them by id,
	// which is the same for configs that number labels in order.
	sort.Slice(named, func(i, j int) bool { return fixed[named[i]] < fixed[named[j]] })
	for _, n := range named {
		if id := fixed[n]; id >= 0 && id <= MaxCategoryID && !c.used[id] {
			c.add(n, id)
		}
	}
	rest := make([]string, 0, len(labels))
	for _, l := range labels {
		if _, ok := c.ids[l]; !ok && !slices.Contains(rest, l) {
			rest = append(rest, l)
		}
	}
	sort.Strings(rest)
	for _, l := range rest {
		c.id(l)
	}
	return c
}

// add records name with id.
func (c *categories) add(name string, id int) {
	c.ids[name] = id
	c.used[id] = true
	c.names = append(c.names, name)
	c.idOf = append(c.idOf, id)
}

// id returns name's id, giving it the lowest free id when new.
func (c *categories) id(name string) int {
	if id, ok := c.ids[name]; ok {
		return id
	}
	for c.used[c.next] {
		c.next++
	}
	c.add(name, c.next)
	return c.next
}

// byID returns the class names indexed by id, "" for ids no label has.
func (c *categories) byID() []string {
	max := -1
	for _, id := range c.idOf {
		if id > max {
			max = id
		}
	}
	out := make([]string, max+1)
	for i, n := range c.names {
		out[c.idOf[i]] = n
	}
	return out
}

// appendJSON appends the categories as [{"id": 0, "name": "..."}, ...].
func (c *categories) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, n := range c.names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(c.idOf[i]), 10)
		b = append(b, `,"name":`...)
		b = appendString(b, n)
		b = append(b, '}')
	}
	return append(b, ']')
}

// firstLabel returns the category of a region for COCO: the first label of
// rectanglelabels, polygonlabels, keypointlabels or labels, as
// convert_to_coco picks it.
func (v value) firstLabel() (string, bool) {
	for _, k := range []string{"rectanglelabels", "polygonlabels", "keypointlabels", "labels"} {
		if l := v.strs(k); len(l) > 0 {
			return l[0], true
		}
	}
	return "", false
}

// isBox reports whether COCO and YOLO treat the region as a box.
func (v value) isBox() bool {
	return v.has("rectanglelabels") || v.has("rectangle") || v.has("labels")
}

// isPolygon reports whether COCO and YOLO treat the region as a polygon.
func (v value) isPolygon() bool {
	return v.has("polygonlabels") || v.has("polygon")
}

// rotatedRectangle returns the axis-aligned box, in percent, around the
// region's rectangle turned by its rotation about the top-left corner, as
// Label Studio's Converter.rotated_rectangle computes it.
func (v value) rotatedRectangle() (x, y, w, h float64, ok bool) {
	x, okx := v.num("x")
	y, oky := v.num("y")
	w, okw := v.num("width")
	h, okh := v.num("height")
	if !okx || !oky || !okw || !okh {
		return 0, 0, 0, 0, false
	}
	r, _ := v.num("rotation")
	if math.Abs(r) > 0 {
		if w == 0 {
			return 0, 0, 0, 0, false // the converter divides by the width
		}
		alpha := math.Atan(h / w)
		beta := math.Pi * (r / 180)
		radius := math.Sqrt((w/2)*(w/2) + (h/2)*(h/2))
		x0 := x - radius*(math.Cos(math.Pi-alpha-beta)-math.Cos(math.Pi-alpha)) + w/2
		y0 := y + radius*(math.Sin(math.Pi-alpha-beta)-math.Sin(math.Pi-alpha)) + h/2
		thetas := []float64{alpha + beta, math.Pi - alpha + beta, math.Pi + alpha + beta, 2*math.Pi - alpha + beta}
		xs := make([]float64, len(thetas))
		ys := make([]float64, len(thetas))
		for i, t := range thetas {
			xs[i] = x0 + radius*math.Cos(t)
			ys[i] = y0 + radius*math.Sin(t)
		}
		x, y = slices.Min(xs), slices.Min(ys)
		w, h = slices.Max(xs)-x, slices.Max(ys)-y
	}
	return x, y, w, h, true
}

// polygonArea is the shoelace area, as utils.get_polygon_area computes it.
func polygonArea(xs, ys []float64) float64 {
	n := len(xs)
	var a, b float64
	for i := range n {
		prev := (i + n - 1) % n
		a += xs[i] * ys[prev]
		b += ys[i] * xs[prev]
	}
	return 0.5 * math.Abs(a-b)
}

// cleanLine replaces line breaks and other control characters with spaces,
// for names written one per line.
func cleanLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u0085' || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
