package export

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"unicode"
	"unicode/utf16"
)

// writeCoNLL writes the CONLL2003 format as Label Studio's
// Converter.convert_to_conll2003 does: "-DOCSTART- -X- O" once, then for
// each converter item (see items) one "token -X- _ TAG" line per token and a
// blank line. Tags are BIO (B-PER, I-PER, O) from the spans of the first
// control whose results have type "labels". Tasks without annotations are
// written with every tag O, as in Label Studio; tasks whose data has no
// string under Schema.TextKey are left out.
//
// Differences from Label Studio, and why:
//   - Tokens are split on white space (Python's str.split), not with NLTK's
//     Treebank tokenizer, which also splits punctuation off; "Paris," is one
//     token here.
//   - Span offsets are read as UTF-16 code units, which is what the labeling
//     UI stores. The converter slices Python strings by code point, so it
//     mis-tags text after an emoji or any other character outside the BMP.
func writeCoNLL(w io.Writer, s Schema, next func() (*Task, error)) error {
	if s.TextKey == "" {
		return errors.New("the schema names no text key")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("-DOCSTART- -X- O\n"); err != nil {
		return err
	}
	err := each(next, func(t *Task) error {
		data, err := jsonObjectOrEmpty(t.Data, "data")
		if err != nil {
			return err
		}
		obj, err := parseObject(data)
		if err != nil {
			return err
		}
		raw, ok := obj.get(s.TextKey)
		var text string
		if !ok || json.Unmarshal(raw, &text) != nil {
			return nil
		}
		for _, it := range items(t) {
			outs, err := it.outputs(s)
			if err != nil {
				return err
			}
			for _, tok := range conllTags(text, labelSpans(outs)) {
				bw.WriteString(tok.text)
				bw.WriteString(" -X- _ ")
				bw.WriteString(tok.tag)
				bw.WriteByte('\n')
			}
			if err := bw.WriteByte('\n'); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// span is a labeled stretch of text, in UTF-16 code units, end exclusive.
type span struct {
	start, end int
	label      string // "" when the span has no label
}

// labelSpans returns the spans of the first "labels" control, or nil when
// any of them lacks a numeric start or end (the converter then tags all O).
func labelSpans(outs []output) []span {
	for _, o := range outs {
		if len(o.values) == 0 || o.values[0].typ != "labels" {
			continue
		}
		spans := make([]span, 0, len(o.values))
		for _, v := range o.values {
			var sp struct {
				Start  *float64 `json:"start"`
				End    *float64 `json:"end"`
				Labels []string `json:"labels"`
			}
			b, err := v.obj.appendJSON(nil)
			if err != nil || json.Unmarshal(b, &sp) != nil || sp.Start == nil || sp.End == nil {
				return nil
			}
			label := ""
			if len(sp.Labels) > 0 {
				label = sp.Labels[0]
			}
			spans = append(spans, span{start: int(*sp.Start), end: int(*sp.End), label: label})
		}
		slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
		return spans
	}
	return nil
}

// conllToken is a token with its tag.
type conllToken struct {
	text, tag string
}

// conllTags splits text on white space and tags each token B- when it is the
// first token to overlap a span, I- when it continues the span of the token
// before, and O otherwise. Offsets count UTF-16 code units.
func conllTags(text string, spans []span) []conllToken {
	var out []conllToken
	pos := 0      // UTF-16 offset of the rune at byte i
	tokByte := -1 // byte offset of the current token's start
	tokPos := 0   // UTF-16 offset of the current token's start
	si, last := 0, -1
	flush := func(endByte, endPos int) {
		tok := conllToken{text: text[tokByte:endByte], tag: "O"}
		for si < len(spans) && spans[si].end <= tokPos {
			si++
		}
		if si < len(spans) && spans[si].start < endPos && spans[si].label != "" {
			if si == last {
				tok.tag = "I-" + spans[si].label
			} else {
				tok.tag = "B-" + spans[si].label
			}
			last = si
		}
		out = append(out, tok)
		tokByte = -1
	}
	for i, r := range text {
		if isPySpace(r) {
			if tokByte >= 0 {
				flush(i, pos)
			}
		} else if tokByte < 0 {
			tokByte, tokPos = i, pos
		}
		pos += utf16.RuneLen(r)
	}
	if tokByte >= 0 {
		flush(len(text), pos)
	}
	return out
}

// isPySpace reports whether Python's str.split treats r as white space.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
