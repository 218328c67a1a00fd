package export

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"slices"
)

// writeCoNLL writes the CONLL2003 format as Label Studio's
// Converter.convert_to_conll2003 does: "-DOCSTART- -X- O" once, then for
// each converter item (see items) one "token -X- _ TAG" line per token and a
// blank line. Tags are BIO (B-PER, I-PER, O) from the spans of the first
// control whose results have type "labels". Tasks without annotations are
// written with every tag O, as in Label Studio; tasks whose data has no
// string under Schema.TextKey are left out.
//
// Differences from Label Studio:
//   - None: tokens are NLTK's Treebank tokenizer's (treebank.go, the rules
//     the converter relies on, in Go), and span offsets count code points,
//     as the converter's Python strings do.
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
				// An imported annotation's label is not held to the
				// configuration: a line break in it would start a token
				// of its own.
				bw.WriteString(cleanLine(tok.tag))
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

// span is a labeled stretch of text, in code points, end exclusive.
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

// conllTags tokenizes text as NLTK's Treebank tokenizer does and tags the
// tokens as the converter's create_tokens_and_tags does: spans in order of
// start; a token overlapping the current span gets B- (the first) or I-
// (the rest) and the span's first label; a token past the span moves on to
// the next span that reaches it; everything else, and every token of a span
// without labels, is O. Offsets count code points.
func conllTags(text string, spans []span) []conllToken {
	toks := treebankSpans(text)
	out := make([]conllToken, len(toks))
	for i, t := range toks {
		out[i] = conllToken{text: t.text, tag: "O"}
	}
	if len(spans) == 0 {
		return out
	}
	cur, next := spans[0], 1
	prefix := "B-"
	for i, t := range toks {
		tokEnd := t.end - 1
		if t.start > cur.end-1 {
			for next < len(spans) {
				cur, next = spans[next], next+1
				prefix = "B-"
				if t.start <= cur.end-1 {
					break
				}
			}
		}
		if tokEnd < cur.start || cur.label == "" {
			continue
		}
		if cur.start <= tokEnd && cur.end-1 >= t.start {
			out[i].tag = prefix + cur.label
			prefix = "I-"
		}
	}
	return out
}
