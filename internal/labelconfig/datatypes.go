package labelconfig

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// This file holds the checks of the data types added after the first ones:
// ellipses and brush masks on images, dialogues (Paragraphs), HTML spans
// (HyperTextLabels) and audio segments. Their result shapes are Label
// Studio's, so that annotations move between the two unchanged.

// labelsTagList names the tags that hold <Label> options, for messages.
const labelsTagList = "<Labels>, <RectangleLabels>, <PolygonLabels>, <KeyPointLabels>, <EllipseLabels>, <BrushLabels>, <ParagraphLabels> or <HyperTextLabels>"

// Limits on the new result shapes.
const (
	// MaxRLEBytes is the longest brush mask, in bytes of Label Studio's RLE.
	MaxRLEBytes = 512 << 10
	// MaxBrushPixels is the largest image, in pixels, a brush mask may cover.
	MaxBrushPixels = 100_000_000
	// MaxXPathLength is the longest XPath a HyperText span may carry.
	MaxXPathLength = 1000
)

func attrOr(n *Node, name, fallback string) string {
	if v := strings.TrimSpace(n.Attr(name)); v != "" {
		return v
	}
	return fallback
}

// labelsObjectMismatch says why a control cannot label an object of the given
// tag, or returns "" when it can. Only region-labeling controls are limited.
func labelsObjectMismatch(ctlTag, ctlName, target, objTag string) string {
	var want []string
	switch ctlTag {
	case "Labels":
		want = []string{"Text", "HyperText", "Audio"}
	case "RectangleLabels", "PolygonLabels", "KeyPointLabels", "EllipseLabels", "BrushLabels", "Ellipse":
		want = []string{"Image"}
	case "ParagraphLabels":
		want = []string{"Paragraphs"}
	case "HyperTextLabels":
		want = []string{"HyperText"}
	default:
		return ""
	}
	for _, w := range want {
		if w == objTag {
			return ""
		}
	}
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = "<" + w + ">"
	}
	allowed := orList(names)
	if len(names) == 1 {
		allowed = article(want[0]) + " " + allowed
	}
	msg := fmt.Sprintf("<%s name=%q> can only label %s, but toName %q is %s <%s>", ctlTag, ctlName, allowed, target, article(objTag), objTag)
	switch {
	case objTag == "Image":
		msg += "; use <RectangleLabels>, <PolygonLabels>, <KeyPointLabels>, <EllipseLabels> or <BrushLabels> for images"
	case objTag == "Text" || ctlTag != "Labels" && objTag == "Audio":
		msg += "; use <Labels> for text and audio"
	case objTag == "Paragraphs":
		msg += "; use <ParagraphLabels> for paragraphs"
	}
	return msg
}

func article(tag string) string {
	if tag != "" && strings.ContainsAny(tag[:1], "AEIOU") {
		return "an"
	}
	return "a"
}

func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ellipse checks an ellipse in percent of the image: its centre (x, y) lies
// in the image and its radii are positive and no larger than the image.
func ellipse(value map[string]any) string {
	for _, key := range []string{"x", "y"} {
		f, msg := numberField(value, key)
		if msg != "" {
			return msg
		}
		if f < -slack || f > 100+slack {
			return fmt.Sprintf("value.%s (%g) must be from 0 to 100 (percent of the image; the ellipse's centre)", key, f)
		}
	}
	for _, key := range []string{"radiusX", "radiusY"} {
		f, msg := numberField(value, key)
		if msg != "" {
			return msg
		}
		if f <= 0 || f > 100+slack {
			return fmt.Sprintf("value.%s (%g) must be greater than 0 and at most 100 (percent of the image)", key, f)
		}
	}
	if raw, ok := value["rotation"]; ok && raw != nil {
		if _, msg := numberField(value, "rotation"); msg != "" {
			return msg
		}
	}
	return ""
}

// audioSegment checks a segment of audio in seconds, with an optional
// channel number.
func audioSegment(value map[string]any) string {
	start, msg := numberField(value, "start")
	if msg != "" {
		return msg
	}
	end, msg := numberField(value, "end")
	if msg != "" {
		return msg
	}
	if start < 0 || end <= start {
		return fmt.Sprintf("value.start (%g) and value.end (%g) are seconds of the audio and must satisfy 0 <= start < end", start, end)
	}
	if raw, ok := value["channel"]; ok && raw != nil {
		c, msg := intField(value, "channel")
		if msg != "" {
			return msg
		}
		if c < 0 || c > 255 {
			return fmt.Sprintf("value.channel (%d) must be from 0 to 255", c)
		}
	}
	return ""
}

// paragraphIndex reads a paragraph index, which Label Studio writes as a
// string ("3") and older versions as a number.
func paragraphIndex(value map[string]any, key string) (int64, string) {
	raw, ok := value[key]
	if !ok || raw == nil {
		return 0, fmt.Sprintf("value.%s is missing", key)
	}
	if s, isString := raw.(string); isString {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return 0, fmt.Sprintf("value.%s (%q) must be a paragraph index, a whole number", key, clip(s))
		}
		return n, ""
	}
	return intField(value, key)
}

// paragraphSpan checks a span of a dialogue: from paragraph start at
// startOffset to paragraph end at endOffset, offsets within each paragraph's
// text. When the task data is known, the paragraphs must exist and the
// offsets lie within their text.
func (v *resultValidator) paragraphSpan(obj *Object, value map[string]any) string {
	start, msg := paragraphIndex(value, "start")
	if msg != "" {
		return msg
	}
	end, msg := paragraphIndex(value, "end")
	if msg != "" {
		return msg
	}
	startOffset, msg := intField(value, "startOffset")
	if msg != "" {
		return msg
	}
	endOffset, msg := intField(value, "endOffset")
	if msg != "" {
		return msg
	}
	if start < 0 || end < start {
		return fmt.Sprintf("value.start (%d) and value.end (%d) must be paragraph indexes with 0 <= start <= end", start, end)
	}
	if startOffset < 0 || endOffset < 0 || start == end && endOffset <= startOffset {
		return fmt.Sprintf("value.startOffset (%d) and value.endOffset (%d) must not be negative, and within one paragraph startOffset < endOffset", startOffset, endOffset)
	}
	if startOffset < 1<<32 && endOffset < 1<<32 && end < 1<<31 {
		v.noteSpan(obj, start<<32+startOffset, end<<32+endOffset, true)
	}
	if raw, ok := value["text"]; ok && raw != nil {
		if _, isString := raw.(string); !isString {
			return "value.text must be a string"
		}
	}
	if obj.DataKey == "" || v.data == nil {
		return ""
	}
	d := v.dialogue(obj)
	if d.msg != "" {
		return d.msg
	}
	if end >= int64(len(d.texts)) {
		return fmt.Sprintf("value.end (%d) is not a paragraph of %q, which has %d", end, obj.Name, len(d.texts))
	}
	// Offsets are counted as the browser counts them (UTF-16 code units);
	// a count in code points is never larger, so both are accepted.
	for _, p := range []struct {
		key    string
		index  int64
		offset int64
	}{{"startOffset", start, startOffset}, {"endOffset", end, endOffset}} {
		if n := d.length(p.index); p.offset > n {
			return fmt.Sprintf("value.%s (%d) is past the end of paragraph %d of %q (%d characters)", p.key, p.offset, p.index, obj.Name, n)
		}
	}
	return ""
}

// dialogue is the task data a Paragraphs object shows, read once per
// result: a result may hold thousands of spans over one dialogue, and
// reading the dialogue (and measuring its paragraphs) again for each of
// them made a 1 MiB result over a large dialogue cost tens of seconds.
type dialogue struct {
	texts []string
	units []int64 // each paragraph's length in UTF-16 code units, -1 until measured
	msg   string  // why the data is not a dialogue, or ""
}

// dialogue returns the paragraphs obj shows, read from the task data on
// the first call for obj.
func (v *resultValidator) dialogue(obj *Object) *dialogue {
	if d, ok := v.dialogues[obj.Name]; ok {
		return d
	}
	texts, msg := paragraphs(v.data, obj)
	d := &dialogue{texts: texts, msg: msg, units: make([]int64, len(texts))}
	for i := range d.units {
		d.units[i] = -1
	}
	if v.dialogues == nil {
		v.dialogues = map[string]*dialogue{}
	}
	v.dialogues[obj.Name] = d
	return d
}

// length returns the length of paragraph i in UTF-16 code units, measured
// once.
func (d *dialogue) length(i int64) int64 {
	if d.units[i] < 0 {
		n := int64(0)
		for _, r := range d.texts[i] {
			n += int64(utf16.RuneLen(r))
		}
		d.units[i] = n
	}
	return d.units[i]
}

// paragraphs returns the texts of the dialogue a Paragraphs object shows: a
// list of objects, each with the text under the object's textKey.
func paragraphs(data map[string]any, obj *Object) ([]string, string) {
	raw, ok := data[obj.DataKey]
	if !ok {
		return nil, fmt.Sprintf("task data has no field %q, which <Paragraphs name=%q> shows", obj.DataKey, obj.Name)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Sprintf("task data field %q, which <Paragraphs name=%q> shows, must be a list of {%q, %q} objects", obj.DataKey, obj.Name, obj.nameKey, obj.textKey)
	}
	out := make([]string, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("task data field %q[%d] must be an object with %q and %q", obj.DataKey, i, obj.nameKey, obj.textKey)
		}
		s, ok := m[obj.textKey].(string)
		if !ok {
			return nil, fmt.Sprintf("task data field %q[%d] has no string %q", obj.DataKey, i, obj.textKey)
		}
		out[i] = s
	}
	return out, ""
}

// hyperTextSpan checks a span of HTML in Label Studio's shape: XPaths of the
// start and end text nodes with offsets in them, and optional globalOffsets
// into the page's text.
func hyperTextSpan(value map[string]any) string {
	for _, key := range []string{"start", "end"} {
		s, msg := stringField(value, key)
		if msg != "" {
			return "value." + msg + " (an XPath such as /p[1]/text()[1])"
		}
		if len(s) > MaxXPathLength {
			return fmt.Sprintf("value.%s is an XPath of %d bytes; the limit is %d", key, len(s), MaxXPathLength)
		}
		if !strings.HasPrefix(s, "/") {
			return fmt.Sprintf("value.%s (%q) must be an XPath starting with /", key, clip(s))
		}
	}
	for _, key := range []string{"startOffset", "endOffset"} {
		n, msg := intField(value, key)
		if msg != "" {
			return msg
		}
		if n < 0 {
			return fmt.Sprintf("value.%s (%d) must not be negative", key, n)
		}
	}
	if raw, ok := value["globalOffsets"]; ok && raw != nil {
		g, ok := raw.(map[string]any)
		if !ok {
			return "value.globalOffsets must be an object {start, end}"
		}
		start, msg := intField(g, "start")
		if msg != "" {
			return "value.globalOffsets: " + msg
		}
		end, msg := intField(g, "end")
		if msg != "" {
			return "value.globalOffsets: " + msg
		}
		if start < 0 || end <= start {
			return fmt.Sprintf("value.globalOffsets start (%d) and end (%d) must satisfy 0 <= start < end", start, end)
		}
	}
	if raw, ok := value["text"]; ok && raw != nil {
		if _, isString := raw.(string); !isString {
			return "value.text must be a string"
		}
	}
	return ""
}

// brush checks a brush mask in Label Studio's RLE format (value.format "rle",
// value.rle a list of bytes): the header must be sound and the runs must
// decode to exactly the number of values it declares, which is
// original_width × original_height × 4 (RGBA) when the item gives the image
// size. The mask is walked, not expanded, so a small RLE declaring a huge
// mask costs little.
func brush(item, value map[string]any) string {
	if f, _ := value["format"].(string); f != "rle" {
		return `value.format must be "rle" (Label Studio's brush format)`
	}
	raw, ok := value["rle"].([]any)
	if !ok {
		return "value.rle must be a list of bytes (numbers from 0 to 255)"
	}
	if len(raw) > MaxRLEBytes {
		return fmt.Sprintf("value.rle has %d bytes; the limit is %d", len(raw), MaxRLEBytes)
	}
	data := make([]byte, len(raw))
	for i, e := range raw {
		f, ok := toFloat(e)
		if !ok || f != math.Trunc(f) || f < 0 || f > 255 {
			return fmt.Sprintf("value.rle[%d] must be a whole number from 0 to 255", i)
		}
		data[i] = byte(f)
	}
	num, msg := walkRLE(data)
	if msg != "" {
		return "value.rle " + msg
	}
	w, okW := positive(item["original_width"])
	h, okH := positive(item["original_height"])
	if okW && okH {
		if w != math.Trunc(w) || h != math.Trunc(h) || w*h > MaxBrushPixels {
			return fmt.Sprintf("original_width and original_height (%g, %g) must be whole numbers of pixels, at most %d in all", w, h, MaxBrushPixels)
		}
		if float64(num) != w*h*4 {
			return fmt.Sprintf("value.rle holds %d values, but an image of %g×%g pixels needs %g (4 per pixel)", num, w, h, w*h*4)
		}
	} else if num > 4*MaxBrushPixels {
		return fmt.Sprintf("value.rle declares %d values; the limit is %d", num, 4*MaxBrushPixels)
	}
	return ""
}

// walkRLE reads an RLE stream as Label Studio writes it (thi.ng rle-pack: a
// 32-bit count, a 5-bit word size, four 4-bit run-length sizes, then runs)
// and returns the count, or what is wrong.
func walkRLE(data []byte) (uint64, string) {
	r := bitReader{data: data}
	num, ok := r.read(32)
	wordSize, ok2 := r.read(5)
	if !ok || !ok2 {
		return 0, "is too short to hold an RLE header"
	}
	wordSize++
	var sizes [4]uint64
	for i := range sizes {
		s, ok := r.read(4)
		if !ok {
			return 0, "is too short to hold an RLE header"
		}
		sizes[i] = s + 1
	}
	for i := uint64(0); i < num; {
		repeat, ok1 := r.read(1)
		which, ok2 := r.read(2)
		if !ok1 || !ok2 {
			return 0, fmt.Sprintf("ends after %d of the %d values it declares", i, num)
		}
		n, ok := r.read(uint(sizes[which]))
		if !ok {
			return 0, fmt.Sprintf("ends after %d of the %d values it declares", i, num)
		}
		j := i + 1 + n
		if j > num {
			return 0, fmt.Sprintf("has a run past the %d values it declares", num)
		}
		words := uint64(1)
		if repeat == 0 {
			words = j - i
		}
		if !r.skip(words * wordSize) {
			return 0, fmt.Sprintf("ends after %d of the %d values it declares", i, num)
		}
		i = j
	}
	return num, ""
}

// bitReader reads big-endian bit fields from a byte slice.
type bitReader struct {
	data []byte
	pos  uint64 // in bits
}

func (r *bitReader) read(n uint) (uint64, bool) {
	if r.pos+uint64(n) > uint64(len(r.data))*8 {
		return 0, false
	}
	var v uint64
	for range n {
		b := r.data[r.pos/8] >> (7 - r.pos%8) & 1
		v = v<<1 | uint64(b)
		r.pos++
	}
	return v, true
}

func (r *bitReader) skip(n uint64) bool {
	if n > uint64(len(r.data))*8-r.pos {
		return false
	}
	r.pos += n
	return true
}

// labelsRegion checks the region of a <Labels> result on the objects other
// than Text: an XPath span of HTML or a segment of audio.
func labelsRegion(obj *Object, value map[string]any) string {
	switch obj.Tag {
	case "HyperText":
		if _, isString := value["start"].(string); isString {
			return hyperTextSpan(value)
		}
	case "Audio":
		return audioSegment(value)
	}
	return ""
}

// dataTypeItem checks a result of one of the controls this file adds.
func (v *resultValidator) dataTypeItem(ctl *Control, obj *Object, item, value map[string]any) string {
	var msg string
	switch ctl.Tag {
	case "Ellipse":
		return ellipse(value)
	case "EllipseLabels":
		msg = ellipse(value)
	case "BrushLabels":
		msg = brush(item, value)
	case "ParagraphLabels":
		msg = v.paragraphSpan(obj, value)
	case "HyperTextLabels":
		if msg = hyperTextSpan(value); msg == "" {
			v.noteHyperTextSpan(obj, value)
		}
	}
	if msg != "" {
		return msg
	}
	return ctl.checkOptions(value, labelsKey(ctl.Tag), "label", "labels")
}
