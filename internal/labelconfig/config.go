// Package labelconfig parses Label Studio labeling configurations and checks
// annotation results against them.
//
// A labeling configuration is XML written by a project manager and later
// rendered in every annotator's browser, so it is parsed defensively: the input
// is size-, depth- and tag-capped, DTDs, custom entities and processing
// instructions are refused (no XXE, no billion laughs), and only the tags Gloss
// can render are accepted, each refused by name otherwise. Presentation
// attributes are kept as written, because Label Studio's own templates are full
// of them; what is unsafe in them is removed when rendering (see SafeStyle), not
// by refusing the config, and Config.Source keeps the config exactly as given.
//
// Parse follows Label Studio where it is lenient in ways that matter for
// moving projects over: attribute names are matched case-insensitively
// (Label Studio lower-cases them, so toName and toname are the same), a Choice
// or Label is stored under its alias when it has one, and either spelling is
// accepted back in results. Tag names are case-sensitive.
package labelconfig

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits on the configurations Parse accepts. Real configs are a few kilobytes
// with a few dozen tags, so these only stop abuse.
const (
	// MaxSize is the largest config, in bytes, that Parse reads.
	MaxSize = 256 << 10
	// MaxDepth is the deepest tag nesting Parse accepts.
	MaxDepth = 64
	// MaxTags is the most tags a config may contain.
	MaxTags = 5000
	// MaxAttrs is the most attributes one tag may carry.
	MaxAttrs = 100
)

// Error is a problem with a labeling config, located by the line it was found
// on. Its message is written for the person who wrote the config.
type Error struct {
	// Line is the 1-based line of the offending tag, or 0 when the problem is
	// with the config as a whole (for example its size).
	Line int
	// Msg says what is wrong, in plain English.
	Msg string
}

// Error returns "line N: msg", or just msg when Line is 0.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Node is one tag of a parsed config, kept so that a renderer can walk the
// layout exactly as written.
type Node struct {
	// Tag is the tag name, such as "View" or "Choices".
	Tag string
	// Attrs holds every attribute as written. Renderers should read only the
	// attributes they know, through Attr, and pass style through SafeStyle.
	Attrs map[string]string
	// Children are the child tags in document order.
	Children []*Node
	// Text is the tag's own character data, trimmed (a Header's title, say).
	Text string
	// Line is the 1-based line the tag starts on.
	Line int
}

// Attr returns the value of the named attribute, or "" if it is absent. Names
// match case-insensitively, as they do in Label Studio.
func (n *Node) Attr(name string) string {
	v, _ := n.Lookup(name)
	return v
}

// Lookup returns the value of the named attribute and whether it is present.
// Names match case-insensitively, as they do in Label Studio.
func (n *Node) Lookup(name string) (string, bool) {
	if v, ok := n.Attrs[name]; ok {
		return v, true
	}
	for k, v := range n.Attrs {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// Object is a tag that shows task data: Text, HyperText or Image.
type Object struct {
	// Name is the object's name, which controls refer to in toName.
	Name string
	// Tag is the object's tag: "Text", "HyperText", "Image", "Paragraphs",
	// "Audio" or "Table".
	Tag string
	// Value is the value attribute as written, usually "$key" (for an Image
	// with several pages, the valueList attribute).
	Value string
	// DataKey is the task data field the object shows, or "" when Value is
	// literal text rather than a "$key" reference.
	DataKey string
	// Line is the line the tag starts on.
	Line int

	valueIsURL bool // Text valueType="url": the data holds a link, not the text

	nameKey, textKey string // Paragraphs: the keys of each paragraph's author and text
}

// Control is a tag that produces annotation results, such as Choices or
// RectangleLabels. Relations is a control too, though it usually has no name.
type Control struct {
	// Name is the control's name, which results carry as from_name. It is ""
	// only for a Relations tag without one.
	Name string
	// Tag is the tag name, such as "Choices"; results carry it lower-cased as
	// their type.
	Tag string
	// ToName lists the names of the objects the control labels.
	ToName []string
	// Values are the options (Choice, Label or Relation) in document order, as
	// results store them: the alias when one is given, otherwise the value.
	Values []string
	// Choice is "single" or "multiple" for Choices and the labels tags, and ""
	// for other controls. Choices' "single-radio" is reported as "single".
	Choice string
	// MaxRating is the highest rating a Rating control allows (default 5).
	MaxRating int
	// Min and Max bound a Number control's value when set.
	Min, Max *float64
	// Taxonomy is the tree of nested Choice options of a Taxonomy control.
	Taxonomy []*TaxonomyNode
	// Line is the line the tag starts on.
	Line int

	accept     map[string]bool // every spelling accepted in results: value and alias
	taxIndex   map[taxonKey]*TaxonomyNode
	leafsOnly  bool   // Taxonomy leafsOnly="true"
	allowEmpty bool   // labels tag allowEmpty="true"
	dateFormat string // DateTime format attribute, a strftime pattern

	// maxUsages bounds, by each spelling of a label, how many regions of
	// one result the label may be on (maxUsages of the Label, or of its
	// labels tag); defaultUsages is the labels tag's, 0 for no bound.
	maxUsages     map[string]usageBound
	defaultUsages int
}

// taxonKey finds a taxonomy option by its parent (nil at the top level) and
// either spelling of its value.
type taxonKey struct {
	parent *TaxonomyNode
	value  string
}

// TaxonomyNode is one option of a Taxonomy control.
type TaxonomyNode struct {
	// Value is the option as results store it in a path: the alias when one is
	// given, otherwise the value attribute.
	Value string
	// Label is the value attribute, which annotators see.
	Label string
	// Children are the nested options.
	Children []*TaxonomyNode
}

// Config is a parsed, checked labeling configuration.
type Config struct {
	// Source is the config exactly as given to Parse; store and return this.
	Source string
	// Root is the <View> at the top of the tag tree.
	Root *Node
	// Objects are the data-showing tags in document order.
	Objects []Object
	// Controls are the result-producing tags in document order.
	Controls []Control
	// DataKeys are the task data fields the config reads ("$key" references
	// of objects and headers), in document order and without repeats.
	DataKeys []string

	objectIndex  map[string]int // name -> index into Objects, built by Parse
	controlIndex map[string]int // name -> index into Controls, built by Parse
}

// Control returns the control with the given name, or nil.
func (c *Config) Control(name string) *Control {
	if name == "" {
		return nil
	}
	if c.controlIndex != nil {
		if i, ok := c.controlIndex[name]; ok {
			return &c.Controls[i]
		}
		return nil
	}
	for i := range c.Controls {
		if c.Controls[i].Name == name {
			return &c.Controls[i]
		}
	}
	return nil
}

// Object returns the object with the given name, or nil.
func (c *Config) Object(name string) *Object {
	if name == "" {
		return nil
	}
	if c.objectIndex != nil {
		if i, ok := c.objectIndex[name]; ok {
			return &c.Objects[i]
		}
		return nil
	}
	for i := range c.Objects {
		if c.Objects[i].Name == name {
			return &c.Objects[i]
		}
	}
	return nil
}

// supportedTags lists, in the order error messages show them, the only tags
// Gloss renders. Anything else is refused by name.
var supportedTags = []string{
	"View", "Header", "Text", "HyperText", "Image", "Paragraphs", "Audio", "Table",
	"Choices", "Choice", "Labels", "Label",
	"RectangleLabels", "PolygonLabels", "KeyPointLabels",
	"Ellipse", "EllipseLabels", "BrushLabels", "ParagraphLabels", "HyperTextLabels",
	"TextArea", "Rating", "Number", "DateTime", "Taxonomy",
	"Relations", "Relation", "Filter", "Style",
}

type tagKind int

const (
	kindLayout  tagKind = iota + 1 // View, Header, Filter, Style
	kindObject                     // Text, HyperText, Image, Paragraphs, Audio, Table
	kindControl                    // Choices, Labels, ..., Relations
	kindOption                     // Choice, Label, Relation
)

var tagKinds = map[string]tagKind{
	"View": kindLayout, "Header": kindLayout, "Filter": kindLayout, "Style": kindLayout,
	"Text": kindObject, "HyperText": kindObject, "Image": kindObject,
	"Paragraphs": kindObject, "Audio": kindObject, "Table": kindObject,
	"Ellipse": kindControl, "EllipseLabels": kindControl, "BrushLabels": kindControl,
	"ParagraphLabels": kindControl, "HyperTextLabels": kindControl,
	"Choices": kindControl, "Labels": kindControl, "RectangleLabels": kindControl,
	"PolygonLabels": kindControl, "KeyPointLabels": kindControl, "TextArea": kindControl,
	"Rating": kindControl, "Number": kindControl, "DateTime": kindControl,
	"Taxonomy": kindControl, "Relations": kindControl,
	"Choice": kindOption, "Label": kindOption, "Relation": kindOption,
}

// isLabelsTag reports whether tag is one of the region-labeling controls,
// whose options are Label tags.
func isLabelsTag(tag string) bool {
	switch tag {
	case "Labels", "RectangleLabels", "PolygonLabels", "KeyPointLabels",
		"EllipseLabels", "BrushLabels", "ParagraphLabels", "HyperTextLabels":
		return true
	}
	return false
}

// Parse reads a Label Studio labeling config and checks its structure. Every
// error it returns is an *Error naming the line and, where there is one, the
// offending tag, attribute or name.
func Parse(src string) (*Config, error) {
	if len(src) > MaxSize {
		return nil, errorf(0, "the labeling config is %d bytes; the limit is %d bytes (256 KiB)", len(src), MaxSize)
	}
	root, err := parseTree(strings.TrimPrefix(src, "\ufeff"))
	if err != nil {
		return nil, err
	}
	b := &builder{
		cfg:   &Config{Source: src, Root: root},
		names: map[string]*Node{},
		keys:  map[string]bool{},
	}
	if err := b.walk(root, scope{}); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return b.cfg, nil
}

// parseTree tokenizes src with encoding/xml and builds the tag tree, refusing
// anything that is not plain elements, attributes, text and comments.
func parseTree(src string) (*Node, error) {
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	d.Entity = nil // only &amp; &lt; &gt; &quot; &apos; and character references
	d.AutoClose = nil

	var (
		root  *Node
		stack []*Node
		text  []*strings.Builder
		tags  int
		first = true
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(err, line)
		}
		isFirst := first
		first = false
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target != "xml" {
				return nil, errorf(line, "processing instruction <?%s ...?> is not allowed in a labeling config", t.Target)
			}
			if !isFirst {
				return nil, errorf(line, "the <?xml ...?> declaration must come first, before anything else")
			}
		case xml.Directive:
			return nil, errorf(line, "%s are not allowed in a labeling config: Gloss does not load DTDs or define entities", directiveKind(t))
		case xml.Comment:
			// Comments are fine; Label Studio templates carry sample data in them.
		case xml.CharData:
			if len(stack) > 0 {
				text[len(text)-1].Write(t)
			} else if strings.Trim(string(t), " \t\r\n") != "" {
				return nil, errorf(line, "text outside the root <View> tag")
			}
		case xml.StartElement:
			tags++
			if tags > MaxTags {
				return nil, errorf(line, "the labeling config has more than %d tags", MaxTags)
			}
			if len(stack) >= MaxDepth {
				return nil, errorf(line, "tags are nested more than %d deep", MaxDepth)
			}
			if root != nil && len(stack) == 0 {
				return nil, errorf(line, "only one root <View> tag is allowed; found <%s> after it", t.Name.Local)
			}
			n, err := newNode(t, line, root == nil)
			if err != nil {
				return nil, err
			}
			if root == nil {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			}
			stack = append(stack, n)
			text = append(text, &strings.Builder{})
		case xml.EndElement:
			// The decoder has already checked that it matches.
			n := stack[len(stack)-1]
			n.Text = strings.TrimSpace(text[len(text)-1].String())
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		}
	}
	if root == nil {
		return nil, errorf(1, "the labeling config is empty: it must be a <View> tag")
	}
	return root, nil
}

// newNode checks a start tag and turns it into a Node.
func newNode(t xml.StartElement, line int, isRoot bool) (*Node, error) {
	if t.Name.Space != "" {
		return nil, errorf(line, "tag <%s> uses an XML namespace (%s), which Gloss does not support", t.Name.Local, t.Name.Space)
	}
	tag := t.Name.Local
	if isRoot && tag != "View" {
		return nil, errorf(line, "the root tag must be <View>, not <%s>", tag)
	}
	if _, ok := tagKinds[tag]; !ok {
		hint := ""
		for _, s := range supportedTags {
			if strings.EqualFold(s, tag) {
				hint = fmt.Sprintf("; tag names are case-sensitive, did you mean <%s>?", s)
			}
		}
		return nil, errorf(line, "tag <%s> is not supported by Gloss (supported: %s)%s", tag, strings.Join(supportedTags, ", "), hint)
	}
	if len(t.Attr) > MaxAttrs {
		return nil, errorf(line, "<%s> has %d attributes; the limit is %d", tag, len(t.Attr), MaxAttrs)
	}
	n := &Node{Tag: tag, Attrs: make(map[string]string, len(t.Attr)), Line: line}
	seen := make(map[string]bool, len(t.Attr))
	for _, a := range t.Attr {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			name := a.Name.Local
			if a.Name.Space != "" {
				name = a.Name.Space + ":" + name
			}
			return nil, errorf(line, "attribute %s on <%s> uses an XML namespace, which Gloss does not support", name, tag)
		}
		lower := strings.ToLower(a.Name.Local)
		if seen[lower] {
			return nil, errorf(line, "attribute %s appears twice on <%s> (attribute names are not case-sensitive)", a.Name.Local, tag)
		}
		seen[lower] = true
		n.Attrs[a.Name.Local] = a.Value
	}
	return n, nil
}

// directiveKind names what a <!...> directive declares, for error messages.
func directiveKind(d xml.Directive) string {
	word := strings.ToUpper(strings.TrimSpace(string(d)))
	switch {
	case strings.HasPrefix(word, "DOCTYPE"):
		return "DOCTYPE declarations"
	case strings.HasPrefix(word, "ENTITY"):
		return "ENTITY declarations"
	}
	return "<!...> declarations"
}

// syntaxError turns a decoder error into an *Error with a line number and a
// message that says what to fix.
func syntaxError(err error, line int) *Error {
	var se *xml.SyntaxError
	if !errors.As(err, &se) {
		return errorf(line, "malformed XML: %s", strings.TrimPrefix(err.Error(), "xml: "))
	}
	if ent, ok := strings.CutPrefix(se.Msg, "invalid character entity "); ok {
		ent, _, _ = strings.Cut(ent, " ")
		return errorf(se.Line, "entity %s is not allowed: only &amp; &lt; &gt; &quot; &apos; and numeric character references are", ent)
	}
	return errorf(se.Line, "malformed XML: %s", se.Msg)
}

// scope is where the walker is in the tree: the nearest enclosing tag that
// restricts what may appear inside it.
type scope struct {
	owner   *Node         // nearest object, control or option tag; nil at the top
	control int           // index into Controls of the enclosing control, if any
	taxon   *TaxonomyNode // the enclosing taxonomy option, if inside one
}

type builder struct {
	cfg   *Config
	names map[string]*Node
	keys  map[string]bool
}

func (b *builder) walk(n *Node, s scope) error {
	if err := checkPlacement(n, s); err != nil {
		return err
	}
	if err := b.claimName(n); err != nil {
		return err
	}
	inner := s
	switch tagKinds[n.Tag] {
	case kindLayout:
		// <Style> is Label Studio's CSS for the page. Gloss accepts it, so
		// that a config moves over as it is, and applies none of it: CSS
		// from a config could restyle the whole app (hide a button, dress
		// a field as another). It holds text only.
		if n.Tag == "Style" && len(n.Children) > 0 {
			return errorf(n.Line, "<Style> holds CSS text only, not <%s>", n.Children[0].Tag)
		}
		if n.Tag == "Header" {
			// A header is only a title, so "$ off" is literal text rather
			// than a mistake; only a real "$key" reads task data.
			if key, err := dataKey(n.Attr("value")); err == nil {
				b.useKey(key)
			}
		}
	case kindObject:
		if err := b.addObject(n); err != nil {
			return err
		}
		inner = scope{owner: n}
	case kindControl:
		ctl, err := newControl(n)
		if err != nil {
			return err
		}
		b.cfg.Controls = append(b.cfg.Controls, ctl)
		inner = scope{owner: n, control: len(b.cfg.Controls) - 1}
	case kindOption:
		taxon, err := b.addOption(n, s)
		if err != nil {
			return err
		}
		inner = scope{owner: n, control: s.control, taxon: taxon}
	}
	for _, child := range n.Children {
		if err := b.walk(child, inner); err != nil {
			return err
		}
	}
	if tagKinds[n.Tag] == kindControl {
		return checkOptions(&b.cfg.Controls[inner.control], n)
	}
	return nil
}

// checkPlacement enforces which tags may appear inside which: objects and
// controls sit in the layout, options sit in their own kind of control, and
// objects and options (other than taxonomy choices) hold nothing.
func checkPlacement(n *Node, s scope) error {
	kind := tagKinds[n.Tag]
	if s.owner == nil {
		switch n.Tag {
		case "Choice":
			return errorf(n.Line, "<Choice> must be inside <Choices> or <Taxonomy>")
		case "Label":
			return errorf(n.Line, "<Label> must be inside <Labels> or another labels tag (%s)", labelsTagList)
		case "Relation":
			return errorf(n.Line, "<Relation> must be inside <Relations>")
		}
		return nil
	}
	owner := s.owner.Tag
	var ok bool // objects and leaf options hold nothing
	switch {
	case owner == "Taxonomy" || s.taxon != nil:
		ok = n.Tag == "Choice"
	case tagKinds[owner] != kindControl:
	case owner == "Choices":
		ok = n.Tag == "Choice" || kind == kindLayout
	case isLabelsTag(owner):
		ok = n.Tag == "Label" || kind == kindLayout
	case owner == "Relations":
		ok = n.Tag == "Relation" || kind == kindLayout
	default:
		ok = kind == kindLayout
	}
	if ok {
		return nil
	}
	msg := fmt.Sprintf("tag <%s> cannot be inside <%s>", n.Tag, owner)
	switch {
	case n.Tag == "Choice" && owner == "Choice":
		msg += " (nested choices are only allowed in <Taxonomy>)"
	case n.Tag == "Choice":
		msg += "; <Choice> belongs in <Choices> or <Taxonomy>"
	case n.Tag == "Label":
		msg += "; <Label> belongs in <Labels> or another labels tag (" + labelsTagList + ")"
	case n.Tag == "Relation":
		msg += "; <Relation> belongs in <Relations>"
	}
	return errorf(n.Line, "%s", msg)
}

// claimName records a tag's name and refuses a name used twice, since results
// refer to tags by name alone.
func (b *builder) claimName(n *Node) error {
	name, ok := n.Lookup("name")
	kind := tagKinds[n.Tag]
	needsName := kind == kindObject || (kind == kindControl && n.Tag != "Relations")
	if needsName && strings.TrimSpace(name) == "" {
		return errorf(n.Line, "<%s> needs a name attribute", n.Tag)
	}
	if !ok || name == "" {
		return nil
	}
	if first, dup := b.names[name]; dup {
		return errorf(n.Line, "name %q is used twice (first by <%s> on line %d); names must be unique", name, first.Tag, first.Line)
	}
	b.names[name] = n
	return nil
}

func (b *builder) addObject(n *Node) error {
	name := n.Attr("name")
	value, ok := n.Lookup("value")
	if !ok && n.Tag == "Image" {
		value, ok = n.Lookup("valueList")
	}
	if !ok || value == "" {
		return errorf(n.Line, "<%s name=%q> needs a value attribute, such as value=\"$%s\"", n.Tag, name, strings.ToLower(n.Tag))
	}
	key, err := dataKey(value)
	if err != nil {
		return errorf(n.Line, "<%s name=%q>: %s", n.Tag, name, err)
	}
	b.useKey(key)
	b.cfg.Objects = append(b.cfg.Objects, Object{
		Name:       name,
		Tag:        n.Tag,
		Value:      value,
		DataKey:    key,
		Line:       n.Line,
		valueIsURL: strings.EqualFold(n.Attr("valueType"), "url"),
		nameKey:    attrOr(n, "nameKey", "author"),
		textKey:    attrOr(n, "textKey", "text"),
	})
	return nil
}

func (b *builder) useKey(key string) {
	if key != "" && !b.keys[key] {
		b.keys[key] = true
		b.cfg.DataKeys = append(b.cfg.DataKeys, key)
	}
}

// dataKey returns the task data field a "$key" value refers to: the letters,
// digits and underscores after the "$" ("$doc.title" reads field "doc"). A
// value without a leading "$" is literal and refers to no field.
func dataKey(value string) (string, error) {
	rest, ok := strings.CutPrefix(value, "$")
	if !ok {
		return "", nil
	}
	i := 0
	for i < len(rest) && isKeyByte(rest[i]) {
		i++
	}
	if i == 0 {
		return "", fmt.Errorf("value %q does not name a task data field; use \"$\" followed by the field name", value)
	}
	return rest[:i], nil
}

func isKeyByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// newControl reads a control tag's own attributes; its options are added as
// the walker reaches them.
func newControl(n *Node) (Control, error) {
	ctl := Control{Name: n.Attr("name"), Tag: n.Tag, Line: n.Line, accept: map[string]bool{}}
	if n.Tag != "Relations" {
		seen := map[string]bool{}
		for part := range strings.SplitSeq(n.Attr("toName"), ",") {
			if part = strings.TrimSpace(part); part != "" && !seen[part] {
				seen[part] = true
				ctl.ToName = append(ctl.ToName, part)
			}
		}
		if len(ctl.ToName) == 0 {
			return ctl, errorf(n.Line, "<%s name=%q> needs a toName attribute naming the object it labels", n.Tag, ctl.Name)
		}
	}
	switch {
	case n.Tag == "Choices":
		switch mode := n.Attr("choice"); mode {
		case "", "single", "single-radio":
			ctl.Choice = "single"
		case "multiple":
			ctl.Choice = "multiple"
		default:
			return ctl, errorf(n.Line, "<Choices name=%q> has choice=%q; use single, single-radio or multiple", ctl.Name, mode)
		}
	case isLabelsTag(n.Tag):
		switch mode := n.Attr("choice"); mode {
		case "", "single":
			ctl.Choice = "single"
		case "multiple":
			ctl.Choice = "multiple"
		default:
			return ctl, errorf(n.Line, "<%s name=%q> has choice=%q; use single or multiple", n.Tag, ctl.Name, mode)
		}
		ctl.allowEmpty = isTrue(n.Attr("allowEmpty"))
		ctl.defaultUsages = maxUsages(n)
	case n.Tag == "Rating":
		ctl.MaxRating = 5
		if s, ok := n.Lookup("maxRating"); ok {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || v < 1 || v > 100 {
				return ctl, errorf(n.Line, "<Rating name=%q> has maxRating=%q; use a whole number from 1 to 100", ctl.Name, s)
			}
			ctl.MaxRating = v
		}
	case n.Tag == "Number":
		for _, bound := range []struct {
			attr string
			dst  **float64
		}{{"min", &ctl.Min}, {"max", &ctl.Max}} {
			s, ok := n.Lookup(bound.attr)
			if !ok || strings.TrimSpace(s) == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return ctl, errorf(n.Line, "<Number name=%q> has %s=%q; use a number", ctl.Name, bound.attr, s)
			}
			*bound.dst = &v
		}
		if ctl.Min != nil && ctl.Max != nil && *ctl.Min > *ctl.Max {
			return ctl, errorf(n.Line, "<Number name=%q> has min greater than max", ctl.Name)
		}
	case n.Tag == "Taxonomy":
		ctl.leafsOnly = isTrue(n.Attr("leafsOnly"))
	case n.Tag == "DateTime":
		ctl.dateFormat = n.Attr("format")
	}
	return ctl, nil
}

func isTrue(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "true") }

// usageBound is a label's maxUsages, and the spelling results store it by.
type usageBound struct {
	label string
	max   int
}

// maxUsages reads n's maxUsages attribute: 0 (no bound) when absent or
// not a whole number of 1 or more, as Label Studio reads it (Number(),
// where 0 and NaN bound nothing). Refusing such values instead would make
// configs stored before maxUsages was read fail to parse.
func maxUsages(n *Node) int {
	v, err := strconv.ParseFloat(strings.TrimSpace(n.Attr("maxUsages")), 64)
	if err != nil || v < 1 || v != math.Trunc(v) || v > math.MaxInt32 {
		return 0
	}
	return int(v)
}

// addOption adds a Choice, Label or Relation to its control. Placement has
// already been checked. For a taxonomy choice it returns the new tree node, so
// that nested choices become its children.
func (b *builder) addOption(n *Node, s scope) (*TaxonomyNode, error) {
	value := n.Attr("value")
	if value == "" {
		return nil, errorf(n.Line, "<%s> needs a value attribute", n.Tag)
	}
	stored := value
	if alias := n.Attr("alias"); alias != "" {
		stored = alias
	}
	ctl := &b.cfg.Controls[s.control]
	ctl.accept[value] = true
	ctl.accept[stored] = true
	if isLabelsTag(ctl.Tag) {
		// As Label Studio reads it, Number(label || labels): a Label's own
		// value, when it has one, decides alone, even one that bounds
		// nothing; the editor reads it the same way.
		max := ctl.defaultUsages
		if n.Attr("maxUsages") != "" {
			max = maxUsages(n)
		}
		if max > 0 {
			if ctl.maxUsages == nil {
				ctl.maxUsages = map[string]usageBound{}
			}
			// Either spelling counts against the one bound.
			ctl.maxUsages[value] = usageBound{stored, max}
			ctl.maxUsages[stored] = usageBound{stored, max}
		}
	}
	if ctl.Tag != "Taxonomy" {
		ctl.Values = append(ctl.Values, stored)
		return nil, nil
	}
	node := &TaxonomyNode{Value: stored, Label: value}
	if ctl.taxIndex == nil {
		ctl.taxIndex = map[taxonKey]*TaxonomyNode{}
	}
	for _, v := range []string{stored, value} {
		if k := (taxonKey{s.taxon, v}); ctl.taxIndex[k] == nil {
			ctl.taxIndex[k] = node // the first of repeated options wins, as in Label Studio
		}
	}
	if s.taxon != nil {
		s.taxon.Children = append(s.taxon.Children, node)
	} else {
		ctl.Taxonomy = append(ctl.Taxonomy, node)
	}
	return node, nil
}

// checkOptions refuses option-based controls that were given no options.
func checkOptions(ctl *Control, n *Node) error {
	var want string
	switch {
	case ctl.Tag == "Choices" && len(ctl.Values) == 0:
		want = "<Choice>"
	case ctl.Tag == "Taxonomy" && len(ctl.Taxonomy) == 0:
		want = "<Choice>"
	case isLabelsTag(ctl.Tag) && len(ctl.Values) == 0:
		want = "<Label>"
	default:
		return nil
	}
	msg := fmt.Sprintf("<%s name=%q> has no %s options", ctl.Tag, ctl.Name, want)
	if v := n.Attr("value"); strings.HasPrefix(v, "$") {
		msg += fmt.Sprintf("; options loaded from task data (value=%q) are not supported by Gloss", v)
	}
	return errorf(n.Line, "%s", msg)
}

// finish runs the checks that need the whole tree: every toName must name an
// object of a kind the control can label, and there must be something to label.
func (b *builder) finish() error {
	cfg := b.cfg
	if len(cfg.Objects) == 0 {
		return errorf(cfg.Root.Line, "the labeling config has no object to label; add a <Text>, <HyperText>, <Paragraphs>, <Image> or <Audio> tag")
	}
	cfg.objectIndex = make(map[string]int, len(cfg.Objects))
	for i, o := range cfg.Objects {
		cfg.objectIndex[o.Name] = i
	}
	cfg.controlIndex = make(map[string]int, len(cfg.Controls))
	for i, c := range cfg.Controls {
		if c.Name != "" {
			cfg.controlIndex[c.Name] = i
		}
	}
	for _, ctl := range cfg.Controls {
		for _, target := range ctl.ToName {
			obj := cfg.Object(target)
			if obj == nil {
				if other, ok := b.names[target]; ok {
					return errorf(ctl.Line, "toName %q of <%s name=%q> refers to a <%s> tag; it must name an object such as <Text>, <Paragraphs>, <HyperText>, <Image> or <Audio>", target, ctl.Tag, ctl.Name, other.Tag)
				}
				return errorf(ctl.Line, "toName %q of <%s name=%q> does not match the name of any tag", target, ctl.Tag, ctl.Name)
			}
			if msg := labelsObjectMismatch(ctl.Tag, ctl.Name, target, obj.Tag); msg != "" {
				return errorf(ctl.Line, "%s", msg)
			}
		}
	}
	return nil
}
