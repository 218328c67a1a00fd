package labelconfig

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on annotation results.
const (
	// MaxResultItems is the most items one annotation result may hold.
	MaxResultItems = 10000
	// MaxTextAreaItems is the most texts one textarea item may hold.
	MaxTextAreaItems = 100
	// MaxTextAreaLength is the longest text, in characters, a textarea item may hold.
	MaxTextAreaLength = 10000
	// MaxPolygonPoints is the most points one polygon may have.
	MaxPolygonPoints = 10000
	// MaxSpanDepth is the most text spans of one result that may cover one
	// character of an object: nested entities are a few deep, while
	// thousands stacked made every viewer's editor draw millions of marks.
	MaxSpanDepth = 100
)

// slack absorbs floating-point rounding in coordinates, which are percentages
// of the image size computed in the browser.
const slack = 1e-6

// ResultError is a problem with one item of an annotation result. Its message
// is written for API users.
type ResultError struct {
	// Index is the position of the offending item in the result.
	Index int
	// Msg says what is wrong, in plain English.
	Msg string
}

// Error returns "result[i]: msg".
func (e *ResultError) Error() string { return fmt.Sprintf("result[%d]: %s", e.Index, e.Msg) }

// ValidateResult checks an annotation result, in Label Studio's JSON shape,
// against the config and the task's data, and returns a *ResultError for the
// first problem it finds. Each item names its control (from_name), the object
// it labels (to_name) and its type, the control's tag in lower case; relations
// between items instead carry type "relation" with from_id and to_id. Text
// offsets count Unicode code points, as Label Studio's exports and every
// Python reader (text[start:end]) do; the editor converts from the
// browser's UTF-16 indices at its edge.
func (c *Config) ValidateResult(result []map[string]any, data map[string]any) error {
	if len(result) > MaxResultItems {
		return &ResultError{Index: MaxResultItems, Msg: fmt.Sprintf("a result may hold at most %d items", MaxResultItems)}
	}
	v := &resultValidator{cfg: c, data: data, ids: map[string]bool{}, texts: map[string][]rune{}, relationAccept: map[string]bool{}}
	for _, ctl := range c.Controls {
		if ctl.Tag == "Relations" {
			v.relationLabels = append(v.relationLabels, ctl.Values...)
			for k := range ctl.accept {
				v.relationAccept[k] = true
			}
		}
	}
	for _, item := range result {
		if typ, _ := item["type"].(string); typ == "relation" {
			continue
		}
		if id, ok := item["id"].(string); ok && id != "" {
			v.ids[id] = true
		}
	}
	for i, item := range result {
		v.index = i
		if msg := v.item(item); msg != "" {
			return &ResultError{Index: i, Msg: msg}
		}
	}
	if err := c.checkUsages(result); err != nil {
		return err
	}
	return v.spanDepth()
}

// labelsKey is the key of a labels tag's labels in a result's value: the
// tag's name in lower case, but "htmllabels" for HyperTextLabels, as Label
// Studio names it.
func labelsKey(tag string) string {
	if tag == "HyperTextLabels" {
		return "htmllabels"
	}
	return strings.ToLower(tag)
}

// checkUsages refuses a result that puts a label on more regions than its
// maxUsages allows. It runs after every item has been checked, so each
// region's labels are a list of its control's.
func (c *Config) checkUsages(result []map[string]any) error {
	var used map[string]int // by control name and label
	for i, item := range result {
		name, _ := item["from_name"].(string)
		ctl := c.Control(name)
		if ctl == nil || ctl.maxUsages == nil {
			continue
		}
		value, _ := item["value"].(map[string]any)
		labels, _ := value[labelsKey(ctl.Tag)].([]any)
		for _, l := range labels {
			s, _ := l.(string)
			bound, ok := ctl.maxUsages[s]
			if !ok {
				continue
			}
			if used == nil {
				used = map[string]int{}
			}
			key := name + "\x00" + bound.label
			if used[key]++; used[key] > bound.max {
				return &ResultError{Index: i, Msg: fmt.Sprintf("label %q of %q is on more than %d regions, the most its maxUsages allows", clip(bound.label), clip(name), bound.max)}
			}
		}
	}
	return nil
}

// textSpan is a text span of the result: its item's index and its place.
// A span of Paragraphs is placed at paragraph<<32 + offset.
type textSpan struct {
	index      int
	start, end int64
	paragraphs bool
}

// noteSpan records a span over obj for spanDepth.
func (v *resultValidator) noteSpan(obj *Object, start, end int64, paragraphs bool) {
	if v.spans == nil {
		v.spans = map[string][]textSpan{}
	}
	v.spans[obj.Name] = append(v.spans[obj.Name], textSpan{v.index, start, end, paragraphs})
}

// noteHyperTextSpan records a HyperText span by its globalOffsets, which
// place it in the text the editor draws spans over; one without them is
// not drawn as a span, and is not counted.
func (v *resultValidator) noteHyperTextSpan(obj *Object, value map[string]any) {
	g, ok := value["globalOffsets"].(map[string]any)
	if !ok {
		return
	}
	start, msg := intField(g, "start")
	end, msg2 := intField(g, "end")
	if msg == "" && msg2 == "" {
		v.noteSpan(obj, start, end, false)
	}
}

// spanDepth checks that at most MaxSpanDepth spans cover any character of
// an object, in one sweep over the spans' edges per object.
func (v *resultValidator) spanDepth() error {
	for _, name := range slices.Sorted(maps.Keys(v.spans)) {
		spans := v.spans[name]
		if len(spans) <= MaxSpanDepth {
			continue
		}
		type edge struct {
			at    int64
			delta int
			span  int // the item's index
		}
		edges := make([]edge, 0, 2*len(spans))
		for _, sp := range spans {
			edges = append(edges, edge{sp.start, 1, sp.index}, edge{sp.end, -1, sp.index})
		}
		where := func(at int64) string { return fmt.Sprintf("character %d", at) }
		if spans[0].paragraphs {
			where = func(at int64) string { return fmt.Sprintf("paragraph %d, character %d", at>>32, at&(1<<32-1)) }
		}
		// A span ends before the character at its end: ends first; then
		// in the order of the result.
		slices.SortFunc(edges, func(a, b edge) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta), cmp.Compare(a.span, b.span))
		})
		depth := 0
		for _, e := range edges {
			if depth += e.delta; depth > MaxSpanDepth {
				return &ResultError{Index: e.span, Msg: fmt.Sprintf("more than %d spans cover %s of %q; the limit is %d", MaxSpanDepth, where(e.at), name, MaxSpanDepth)}
			}
		}
	}
	return nil
}

type resultValidator struct {
	cfg   *Config
	data  map[string]any
	ids   map[string]bool   // ids of the region items, for relations
	texts map[string][]rune // object name -> its text as code points, computed once

	dialogues map[string]*dialogue // object name -> its paragraphs, read once

	index int                   // the item being checked
	spans map[string][]textSpan // object name -> the text spans over it, for spanDepth

	relationLabels []string        // the Relation options of all Relations tags
	relationAccept map[string]bool // their values and aliases
}

// item checks one result item and returns what is wrong with it, or "".
func (v *resultValidator) item(item map[string]any) string {
	if item == nil {
		return "each result item must be an object"
	}
	if id, ok := item["id"]; ok && id != nil {
		if _, isString := id.(string); !isString {
			return `"id" must be a string`
		}
	}
	typ, msg := stringField(item, "type")
	if msg != "" {
		return msg
	}
	if typ == "relation" {
		return v.relation(item)
	}
	fromName, msg := stringField(item, "from_name")
	if msg != "" {
		return msg
	}
	toName, msg := stringField(item, "to_name")
	if msg != "" {
		return msg
	}
	ctl := v.cfg.Control(fromName)
	if ctl == nil {
		return fmt.Sprintf("from_name %q is not a control in the labeling config (controls: %s)", clip(fromName), list(v.cfg.controlNames()))
	}
	if ctl.Tag == "Relations" {
		return fmt.Sprintf("from_name %q is a <Relations> tag; relations are items with type \"relation\", from_id and to_id", clip(fromName))
	}
	if !slices.Contains(ctl.ToName, toName) {
		return fmt.Sprintf("to_name %q is not an object that %q labels (%s)", clip(toName), clip(fromName), list(ctl.ToName))
	}
	if want := strings.ToLower(ctl.Tag); typ != want {
		return fmt.Sprintf("type %q does not match from_name %q, a <%s> tag; expected type %q", clip(typ), clip(fromName), ctl.Tag, want)
	}
	value, ok := item["value"].(map[string]any)
	if !ok {
		return `"value" must be an object`
	}
	obj := v.cfg.Object(toName)
	if obj == nil {
		return fmt.Sprintf("to_name %q is not an object in the labeling config", clip(toName))
	}
	switch ctl.Tag {
	case "Choices":
		return ctl.checkOptions(value, "choices", "choice", "choices")
	case "Labels":
		if obj.Tag == "Text" {
			if msg := v.span(obj, value); msg != "" {
				return msg
			}
		}
		if msg := labelsRegion(obj, value); msg != "" {
			return msg
		}
		if obj.Tag == "HyperText" {
			v.noteHyperTextSpan(obj, value)
		}
		return ctl.checkOptions(value, "labels", "label", "labels")
	case "RectangleLabels":
		if msg := rectangle(item, value); msg != "" {
			return msg
		}
		return ctl.checkOptions(value, "rectanglelabels", "label", "labels")
	case "PolygonLabels":
		if msg := polygon(value); msg != "" {
			return msg
		}
		return ctl.checkOptions(value, "polygonlabels", "label", "labels")
	case "KeyPointLabels":
		if msg := keypoint(value); msg != "" {
			return msg
		}
		return ctl.checkOptions(value, "keypointlabels", "label", "labels")
	case "Ellipse", "EllipseLabels", "BrushLabels", "ParagraphLabels", "HyperTextLabels":
		return v.dataTypeItem(ctl, obj, item, value)
	case "TextArea":
		return textArea(value)
	case "Rating":
		return ctl.rating(value)
	case "Number":
		return ctl.number(value)
	case "DateTime":
		return ctl.dateTime(value)
	case "Taxonomy":
		return ctl.taxonomy(value)
	}
	return fmt.Sprintf("results for <%s> are not supported", ctl.Tag)
}

func (c *Config) controlNames() []string {
	var names []string
	for _, ctl := range c.Controls {
		if ctl.Name != "" && ctl.Tag != "Relations" {
			names = append(names, ctl.Name)
		}
	}
	return names
}

// relation checks a link between two region items.
func (v *resultValidator) relation(item map[string]any) string {
	for _, key := range []string{"from_id", "to_id"} {
		id, msg := stringField(item, key)
		if msg != "" {
			return msg
		}
		if !v.ids[id] {
			return fmt.Sprintf("%s %q is not the id of any region in this result", key, clip(id))
		}
	}
	if dir, ok := item["direction"]; ok && dir != nil {
		s, _ := dir.(string)
		switch s {
		case "right", "left", "bi", "":
		default:
			return `"direction" must be "right", "left" or "bi"`
		}
	}
	labels, present := item["labels"]
	if !present || labels == nil {
		return ""
	}
	values, msg := stringList(labels, "labels")
	if msg != "" {
		return msg
	}
	if len(values) == 0 {
		return ""
	}
	if len(v.relationLabels) == 0 {
		return "relation labels are given, but the labeling config has no <Relations> tag with <Relation> options"
	}
	for _, s := range values {
		if !v.relationAccept[s] {
			return fmt.Sprintf("relation label %q is not one of the relation labels (%s)", clip(s), list(v.relationLabels))
		}
	}
	return ""
}

// checkOptions checks the list of chosen options under key: known to the
// control, not repeated, and only one when the control allows one.
func (ctl *Control) checkOptions(value map[string]any, key, noun, nouns string) string {
	raw, ok := value[key]
	if !ok {
		return fmt.Sprintf("value.%s is missing", key)
	}
	chosen, msg := stringList(raw, "value."+key)
	if msg != "" {
		return msg
	}
	if len(chosen) == 0 && !ctl.allowEmpty {
		return fmt.Sprintf("value.%s must list at least one %s", key, noun)
	}
	if ctl.Choice == "single" && len(chosen) > 1 {
		return fmt.Sprintf("%q allows only one %s, but %d are given", ctl.Name, noun, len(chosen))
	}
	seen := map[string]bool{}
	for _, s := range chosen {
		if !ctl.accept[s] {
			return fmt.Sprintf("%s %q is not one of the %s of %q (%s)", noun, clip(s), nouns, ctl.Name, list(ctl.Values))
		}
		if seen[s] {
			return fmt.Sprintf("%s %q is listed twice", noun, clip(s))
		}
		seen[s] = true
	}
	return ""
}

// span checks a text span's offsets, in code points, against the text
// the object shows, and its optional copy of the spanned text.
func (v *resultValidator) span(obj *Object, value map[string]any) string {
	start, msg := intField(value, "start")
	if msg != "" {
		return msg
	}
	end, msg := intField(value, "end")
	if msg != "" {
		return msg
	}
	if start < 0 || end <= start {
		return fmt.Sprintf("value.start (%d) and value.end (%d) must satisfy 0 <= start < end", start, end)
	}
	v.noteSpan(obj, start, end, false)
	runes, msg := v.text(obj)
	if msg != "" || runes == nil {
		return msg
	}
	if end > int64(len(runes)) {
		return fmt.Sprintf("value.end (%d) is past the end of the text of %q (%d characters)", end, obj.Name, len(runes))
	}
	raw, ok := value["text"]
	if !ok || raw == nil {
		return ""
	}
	got, isString := raw.(string)
	if !isString {
		return "value.text must be a string"
	}
	if !equalRunes(runes[start:end], got) {
		// Convert only what the message shows: the span may be the whole text.
		want := string(runes[start:min(end, start+4*clipLength)])
		return fmt.Sprintf("value.text %q does not match the text at %d..%d of %q, which is %q", clip(got), start, end, obj.Name, clip(want))
	}
	return ""
}

// equalRunes reports whether s is exactly runes, stopping at the first
// difference so the cost is bounded by the shorter of the two.
func equalRunes(runes []rune, s string) bool {
	i := 0
	for _, r := range s {
		if i >= len(runes) || runes[i] != r {
			return false
		}
		i++
	}
	return i == len(runes)
}

// text returns the object's text as code points, or nil when the text is
// not known here (the data holds a link to it).
func (v *resultValidator) text(obj *Object) ([]rune, string) {
	if runes, ok := v.texts[obj.Name]; ok {
		return runes, ""
	}
	if obj.valueIsURL {
		v.texts[obj.Name] = nil
		return nil, ""
	}
	s := obj.Value
	if obj.DataKey != "" {
		var msg string
		if s, msg = lookupText(v.data, obj); msg != "" {
			return nil, msg
		}
	}
	runes := []rune(s)
	if runes == nil {
		runes = []rune{}
	}
	v.texts[obj.Name] = runes
	return runes, ""
}

// lookupText finds the string a "$key" or "$key.sub.field" value refers to.
func lookupText(data map[string]any, obj *Object) (string, string) {
	path := strings.TrimPrefix(obj.Value, "$")
	end := 0
	for end < len(path) && (isKeyByte(path[end]) || path[end] == '.') {
		end++
	}
	var cur any = data
	for _, part := range strings.Split(strings.Trim(path[:end], "."), ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", fmt.Sprintf("task data has no field %q, which <%s name=%q> shows", path[:end], obj.Tag, obj.Name)
		}
		if cur, ok = m[part]; !ok {
			return "", fmt.Sprintf("task data has no field %q, which <%s name=%q> shows", path[:end], obj.Tag, obj.Name)
		}
	}
	s, ok := cur.(string)
	if !ok {
		return "", fmt.Sprintf("task data field %q, which <%s name=%q> shows, is not a string", path[:end], obj.Tag, obj.Name)
	}
	return s, ""
}

// rectangle checks a box given as percentages of the image: it must lie
// within the image. A rotated box is checked by its corners when the item
// carries the image's size in pixels, since rotation happens in pixel space.
func rectangle(item, value map[string]any) string {
	var box [4]float64
	for i, key := range []string{"x", "y", "width", "height"} {
		f, msg := numberField(value, key)
		if msg != "" {
			return msg
		}
		box[i] = f
	}
	x, y, w, h := box[0], box[1], box[2], box[3]
	if x < -slack || y < -slack || x > 100+slack || y > 100+slack {
		return fmt.Sprintf("value.x and value.y (%g, %g) must be from 0 to 100 (percent of the image)", x, y)
	}
	if w <= 0 || h <= 0 {
		return fmt.Sprintf("value.width and value.height (%g, %g) must be greater than 0", w, h)
	}
	rotation := 0.0
	if _, ok := value["rotation"]; ok && value["rotation"] != nil {
		r, msg := numberField(value, "rotation")
		if msg != "" {
			return msg
		}
		rotation = math.Mod(r, 360)
		if rotation < 0 {
			rotation += 360
		}
		if rotation < 1e-9 || 360-rotation < 1e-9 {
			rotation = 0
		}
	}
	if rotation == 0 {
		if x+w > 100+slack || y+h > 100+slack {
			return fmt.Sprintf("the rectangle (x %g, y %g, width %g, height %g) extends past the edge of the image", x, y, w, h)
		}
		return ""
	}
	ow, okW := positive(item["original_width"])
	oh, okH := positive(item["original_height"])
	ratio := oh / ow
	if !okW || !okH || ratio == 0 || math.IsInf(ratio, 0) {
		return "" // without the image's shape the rotated corners cannot be placed
	}
	// The box turns clockwise about its top-left corner in pixel space; in
	// percent of the image that only depends on the image's aspect ratio.
	sin, cos := math.Sincos(rotation * math.Pi / 180)
	for _, c := range [][2]float64{{0, 0}, {w, 0}, {0, h}, {w, h}} {
		cx := x + c[0]*cos - c[1]*ratio*sin
		cy := y + c[0]/ratio*sin + c[1]*cos
		if cx < -1e-3 || cy < -1e-3 || cx > 100+1e-3 || cy > 100+1e-3 {
			return fmt.Sprintf("the rotated rectangle (x %g, y %g, width %g, height %g, rotation %g) extends past the edge of the image", x, y, w, h, rotation)
		}
	}
	return ""
}

func positive(raw any) (float64, bool) {
	f, ok := toFloat(raw)
	return f, ok && f > 0 && !math.IsInf(f, 0)
}

// polygon checks a polygon's points, each [x, y] in percent of the image.
func polygon(value map[string]any) string {
	raw, ok := value["points"]
	if !ok {
		return "value.points is missing"
	}
	points, ok := raw.([]any)
	if !ok {
		return "value.points must be a list of [x, y] points"
	}
	if len(points) < 3 {
		return fmt.Sprintf("a polygon needs at least 3 points, but value.points has %d", len(points))
	}
	if len(points) > MaxPolygonPoints {
		return fmt.Sprintf("value.points has %d points; a polygon may have at most %d", len(points), MaxPolygonPoints)
	}
	for i, p := range points {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			return fmt.Sprintf("value.points[%d] must be a pair [x, y]", i)
		}
		for _, c := range pair {
			f, ok := toFloat(c)
			if !ok || math.IsNaN(f) || f < -slack || f > 100+slack {
				return fmt.Sprintf("value.points[%d] must hold two numbers from 0 to 100 (percent of the image)", i)
			}
		}
	}
	return ""
}

// keypoint checks a point in percent of the image, with an optional size.
func keypoint(value map[string]any) string {
	for _, key := range []string{"x", "y"} {
		f, msg := numberField(value, key)
		if msg != "" {
			return msg
		}
		if f < -slack || f > 100+slack {
			return fmt.Sprintf("value.%s (%g) must be from 0 to 100 (percent of the image)", key, f)
		}
	}
	if raw, ok := value["width"]; ok && raw != nil {
		f, msg := numberField(value, "width")
		if msg != "" {
			return msg
		}
		if f < 0 {
			return fmt.Sprintf("value.width (%g) must not be negative", f)
		}
	}
	return ""
}

func textArea(value map[string]any) string {
	raw, ok := value["text"]
	if !ok {
		return "value.text is missing"
	}
	texts, msg := stringList(raw, "value.text")
	if msg != "" {
		return msg
	}
	if len(texts) > MaxTextAreaItems {
		return fmt.Sprintf("value.text may hold at most %d texts, but has %d", MaxTextAreaItems, len(texts))
	}
	for i, s := range texts {
		if n := utf8.RuneCountInString(s); n > MaxTextAreaLength {
			return fmt.Sprintf("value.text[%d] is %d characters long; the limit is %d", i, n, MaxTextAreaLength)
		}
	}
	return ""
}

func (ctl *Control) rating(value map[string]any) string {
	r, msg := intField(value, "rating")
	if msg != "" {
		return msg
	}
	if r < 1 || r > int64(ctl.MaxRating) {
		return fmt.Sprintf("value.rating (%d) must be from 1 to %d", r, ctl.MaxRating)
	}
	return ""
}

func (ctl *Control) number(value map[string]any) string {
	f, msg := numberField(value, "number")
	if msg != "" {
		return msg
	}
	if ctl.Min != nil && f < *ctl.Min {
		return fmt.Sprintf("value.number (%g) is below the minimum of %q (%g)", f, ctl.Name, *ctl.Min)
	}
	if ctl.Max != nil && f > *ctl.Max {
		return fmt.Sprintf("value.number (%g) is above the maximum of %q (%g)", f, ctl.Name, *ctl.Max)
	}
	return ""
}

// dateLayouts are the forms Label Studio's DateTime control stores: date and
// time, date, time, year-month or year, plus RFC 3339 from API clients.
var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02",
	"2006-01", "2006", "15:04",
}

func (ctl *Control) dateTime(value map[string]any) string {
	s, msg := stringField(value, "datetime")
	if msg != "" {
		return "value." + msg
	}
	if ctl.dateFormat != "" {
		// A custom strftime format can produce almost anything; keep it short.
		if len(s) > 100 {
			return "value.datetime is too long"
		}
		return ""
	}
	for _, layout := range dateLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("value.datetime %q is not a date or time; use a form such as 2006-01-02T15:04, 2006-01-02 or RFC 3339", clip(s))
}

// taxonomy checks that each chosen path, from a top-level option down, exists
// in the control's tree.
func (ctl *Control) taxonomy(value map[string]any) string {
	raw, ok := value["taxonomy"]
	if !ok {
		return "value.taxonomy is missing"
	}
	paths, ok := raw.([]any)
	if !ok {
		return "value.taxonomy must be a list of paths, each a list of option values"
	}
	if len(paths) == 0 {
		return "value.taxonomy must list at least one path"
	}
	for i, p := range paths {
		path, msg := stringList(p, fmt.Sprintf("value.taxonomy[%d]", i))
		if msg != "" {
			return msg
		}
		if len(path) == 0 {
			return fmt.Sprintf("value.taxonomy[%d] is an empty path", i)
		}
		level := ctl.Taxonomy
		var node, parent *TaxonomyNode
		for depth, s := range path {
			node = ctl.taxIndex[taxonKey{parent, s}]
			if node == nil {
				where := "at the top level"
				if depth > 0 {
					where = fmt.Sprintf("under %q", clip(path[depth-1]))
				}
				var options []string
				for _, n := range level {
					options = append(options, n.Value)
				}
				return fmt.Sprintf("taxonomy path %s is not in %q: %q is not an option %s (%s)", quoteList(path), ctl.Name, clip(s), where, list(options))
			}
			level, parent = node.Children, node
		}
		if ctl.leafsOnly && len(node.Children) > 0 {
			return fmt.Sprintf("%q accepts only leaf options, but %q has nested options", ctl.Name, node.Value)
		}
	}
	return ""
}

// stringField returns item[key] as a non-empty string.
func stringField(item map[string]any, key string) (string, string) {
	raw, ok := item[key]
	if !ok || raw == nil {
		return "", fmt.Sprintf("%q is missing", key)
	}
	s, ok := raw.(string)
	if !ok || s == "" {
		return "", fmt.Sprintf("%q must be a non-empty string", key)
	}
	return s, ""
}

// numberField returns value[key] as a finite number.
func numberField(value map[string]any, key string) (float64, string) {
	raw, ok := value[key]
	if !ok || raw == nil {
		return 0, fmt.Sprintf("value.%s is missing", key)
	}
	f, ok := toFloat(raw)
	if !ok {
		return 0, fmt.Sprintf("value.%s must be a number", key)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Sprintf("value.%s must be a finite number", key)
	}
	return f, ""
}

// intField returns value[key] as a whole number.
func intField(value map[string]any, key string) (int64, string) {
	f, msg := numberField(value, key)
	if msg != "" {
		return 0, msg
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Sprintf("value.%s must be a whole number", key)
	}
	return int64(f), ""
}

// toFloat accepts the number types a result can hold: float64 from
// encoding/json, json.Number with UseNumber, and Go integers and floats from
// callers building results in code.
func toFloat(raw any) (float64, bool) {
	switch n := raw.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	}
	return 0, false
}

// stringList returns raw as a list of strings; what names it in messages.
func stringList(raw any, what string) ([]string, string) {
	switch l := raw.(type) {
	case []string:
		return l, ""
	case []any:
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Sprintf("%s[%d] must be a string", what, i)
			}
			out[i] = s
		}
		return out, ""
	}
	return nil, fmt.Sprintf("%s must be a list of strings", what)
}

// list joins names for a message, shortening long lists.
func list(names []string) string {
	const most = 20
	if len(names) == 0 {
		return "none"
	}
	if len(names) > most {
		return strings.Join(names[:most], ", ") + fmt.Sprintf(", and %d more", len(names)-most)
	}
	return strings.Join(names, ", ")
}

func quoteList(names []string) string {
	var q []string
	for i, n := range names {
		if i == 10 {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(clip(n)))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// clip shortens a string quoted in a message, so that a message never
// echoes a large part of a request back.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == clipLength {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// clipLength is how many characters of a value a message quotes.
const clipLength = 80

// Rules every stored JSON value obeys: annotation and prediction results
// (created, updated or imported) and imported tasks alike.
const (
	// MaxJSONDepth is how deeply arrays and objects may nest in a task or a
	// result. Real ones are shallow; the bound keeps everything that later
	// walks the JSON (the database, exports, the labeling UI, downstream
	// readers such as Python's json module) away from pathological input.
	MaxJSONDepth = 64
	// MaxResultBytes is the largest result, as JSON, one annotation or
	// prediction may hold (the size of the largest imported task).
	MaxResultBytes = 1 << 20
)

// JSONError is a problem at one place of a JSON value. Its message is
// written for API users.
type JSONError struct {
	// Path says where, as in result[0].value.text[2].
	Path string
	// Msg says what is wrong, in plain English.
	Msg string
}

// Error returns "path: msg".
func (e *JSONError) Error() string { return e.Path + ": " + e.Msg }

// CheckResult checks an annotation's or prediction's result, as JSON, against
// the rules every path that stores one shares (createAnnotation,
// updateAnnotation and import): at most MaxResultBytes, valid JSON that
// CheckJSON accepts, and a list of objects. root names the result in
// messages ("result", "annotations[0].result"). ValidateResult then checks
// the items against a labeling configuration.
func CheckResult(raw []byte, root string) error {
	if len(raw) > MaxResultBytes {
		return &JSONError{Path: root, Msg: fmt.Sprintf("the result is larger than %d bytes", MaxResultBytes)}
	}
	if err := CheckJSON(raw, root); err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return &JSONError{Path: root, Msg: "must be a list of Label Studio regions"}
	}
	for i, it := range items {
		if len(it) == 0 || it[0] != '{' {
			return &JSONError{Path: fmt.Sprintf("%s[%d]", root, i), Msg: "each result item must be an object"}
		}
	}
	return nil
}

// CheckJSON checks what json.Valid does not, and what a JSON value must obey
// to be stored and read back anywhere: valid UTF-8; nesting at most
// MaxJSONDepth deep; no NUL character and no unpaired UTF-16 surrogate
// escape in a string or key (PostgreSQL's jsonb refuses both, and many
// readers choke on them); no key twice in one object (parsers disagree on
// which value wins); and no number beyond float64's range (readers turn it
// into infinity or fail). The error is a *JSONError naming the place, with
// root as the name of the whole value. It stops at the first problem,
// without descending further, so a deep value costs little.
func CheckJSON(b []byte, root string) error {
	if !utf8.Valid(b) {
		return &JSONError{Path: root, Msg: "is not valid UTF-8"}
	}
	var stack []jsonFrame
	fail := func(msg string) error { return &JSONError{Path: jsonPath(root, stack), Msg: msg} }
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= MaxJSONDepth {
				return fail(fmt.Sprintf("nested more than %d levels deep", MaxJSONDepth))
			}
			stack = append(stack, jsonFrame{object: c == '{', expectKey: c == '{', index: -1})
			if c == '[' {
				stack[len(stack)-1].index = 0
			}
			i++
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].object {
					stack[n-1].expectKey = true
				} else {
					stack[n-1].index++
				}
			}
			i++
		case '"':
			end, s, msg := scanJSONString(b, i)
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].expectKey {
				f := &stack[n-1]
				if msg != "" {
					return fail("a key " + msg) // the place is the object
				}
				if f.keys == nil {
					f.keys = map[string]struct{}{}
				}
				if _, dup := f.keys[s]; dup {
					return fail(fmt.Sprintf("has the key %q twice", clip(s)))
				}
				f.keys[s] = struct{}{}
				f.key, f.expectKey = s, false
			} else if msg != "" {
				return fail(msg)
			}
			i = end
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			j := i + 1
			for j < len(b) && strings.IndexByte("0123456789.eE+-", b[j]) >= 0 {
				j++
			}
			if f, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil && math.IsInf(f, 0) {
				return fail(fmt.Sprintf("the number %s is too large to store", clip(string(b[i:j]))))
			}
			i = j
		default: // whitespace, colons, true, false, null
			i++
		}
	}
	return nil
}

// jsonFrame is one open array or object while CheckJSON walks a value.
type jsonFrame struct {
	object    bool
	expectKey bool                // an object's next string is a key
	index     int                 // an array's current element
	key       string              // an object's current key
	keys      map[string]struct{} // an object's keys so far
}

// jsonPath writes where the walk is: root, then [i] for array elements and
// .key (or ["key"] when not a plain name) for object members.
func jsonPath(root string, stack []jsonFrame) string {
	var sb strings.Builder
	sb.WriteString(root)
	for _, f := range stack {
		switch {
		case !f.object:
			sb.WriteString("[" + strconv.Itoa(f.index) + "]")
		case f.expectKey:
			// Between members: the object itself is the place.
		case isPlainName(f.key):
			sb.WriteString("." + f.key)
		default:
			sb.WriteString("[" + strconv.Quote(clip(f.key)) + "]")
		}
	}
	return sb.String()
}

// isPlainName reports whether key reads well after a dot in a path.
func isPlainName(key string) bool {
	for i, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return key != ""
}

// scanJSONString reads the JSON string starting at b[i] (a quote) and
// returns the index just past it, its text, and what is wrong with it ("" if
// nothing): a NUL character or an unpaired UTF-16 surrogate escape.
func scanJSONString(b []byte, i int) (end int, text string, problem string) {
	escaped := false
	j := i + 1
	for ; j < len(b) && b[j] != '"'; j++ {
		if b[j] != '\\' {
			continue
		}
		escaped = true
		j++
		if j >= len(b) || b[j] != 'u' {
			continue
		}
		r := hex4(b[j+1:])
		j += 4
		switch {
		case r == 0:
			problem = `contains a NUL character ("\u0000"), which cannot be stored`
		case r >= 0xDC00 && r < 0xE000:
			problem = "contains an unpaired UTF-16 surrogate escape"
		case r >= 0xD800 && r < 0xDC00:
			if j+2 >= len(b) || b[j+1] != '\\' || b[j+2] != 'u' {
				problem = "contains an unpaired UTF-16 surrogate escape"
			} else if low := hex4(b[j+3:]); low < 0xDC00 || low >= 0xE000 {
				problem = "contains an unpaired UTF-16 surrogate escape"
			} else {
				j += 6
			}
		}
		if problem != "" {
			break
		}
	}
	end = min(j+1, len(b))
	raw := b[i:end]
	if len(raw) < 2 || raw[len(raw)-1] != '"' {
		return end, "", problem // unterminated: json.Valid refuses it
	}
	if !escaped {
		return end, string(raw[1 : len(raw)-1]), problem
	}
	if problem == "" {
		if err := json.Unmarshal(raw, &text); err != nil {
			text = string(raw)
		}
	}
	return end, text, problem
}

// hex4 decodes the 4 hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
