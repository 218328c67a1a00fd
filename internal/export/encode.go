package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// lsTimeLayout is how Label Studio's API (Django REST framework) writes
// times: UTC with microseconds and a Z. Gloss always writes the six digits;
// Python drops them when they are all zero, which parsers treat alike.
const lsTimeLayout = "2006-01-02T15:04:05.000000Z"

// Time formats t as Label Studio writes times (in UTC, to the
// microsecond: 2024-01-01T10:00:00.123456Z), or returns "" for the zero
// time: exports, and the payloads of webhooks.
func Time(t time.Time) string { return lsTime(t) }

// lsTime is Time.
func lsTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var buf [32]byte
	return string(appendLSTime(buf[:0], t))
}

// appendLSTime appends t in lsTimeLayout (as t.UTC().AppendFormat does,
// digit by digit: an export writes two or more times per task).
func appendLSTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, lsTimeLayout)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// appendDigits appends v (0 <= v < 10^n) zero-padded to n digits.
func appendDigits(b []byte, v, n int) []byte {
	start := len(b)
	for range n {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// appendTime appends t as a JSON string, or null for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendLSTime(b, t)
	return append(b, '"')
}

// pyFloat formats f as Python's repr does (shortest round-trip digits, ".0"
// on whole numbers, exponent below 1e-4 and from 1e16), which is how Label
// Studio writes the numbers it computes. Non-finite numbers, which JSON cannot
// hold, come out as "null".
func pyFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	e := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:e], ".", "", 1)
	exp, _ := strconv.Atoi(s[e+1:])
	decpt := exp + 1
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	mant := digits[:1]
	if len(digits) > 1 {
		mant += "." + digits[1:]
	}
	es := "+"
	if exp < 0 {
		es, exp = "-", -exp
	}
	return fmt.Sprintf("%s%se%s%02d", sign, mant, es, exp)
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, as Label Studio's Python encoder does; invalid UTF-8 is
// replaced with U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendCompact appends the JSON value raw without insignificant space.
func appendCompact(b []byte, raw json.RawMessage) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return b, err
	}
	return buf.Bytes(), nil
}

// member is one key of a JSON object with its raw value.
type member struct {
	key string
	val json.RawMessage
}

// object is a JSON object that keeps its keys in order, as Python's dicts do,
// so that records built from task data list the keys as Label Studio does.
type object struct {
	members []member
	index   map[string]int
}

// parseObject reads the JSON object raw, keeping key order; a repeated key
// keeps its first place and its last value, as in Python. Values are
// sub-slices of raw, not copies.
func parseObject(raw json.RawMessage) (*object, error) {
	o := &object{}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return o, nil
	}
	if raw[0] != '{' || !json.Valid(raw) {
		return nil, errors.New("not a JSON object")
	}
	// raw is valid JSON, so the scan below only has to find boundaries.
	i := skipSpace(raw, 1)
	for raw[i] != '}' {
		end := skipValue(raw, i)
		key := raw[i:end]
		var k string
		if bytes.IndexByte(key, '\\') < 0 {
			k = string(key[1 : len(key)-1])
		} else if err := json.Unmarshal(key, &k); err != nil {
			return nil, err
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // past ':'
		end = skipValue(raw, i)
		o.set(k, raw[i:end:end])
		i = skipSpace(raw, end)
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return o, nil
}

// skipSpace returns the index of the first non-space byte of b from i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the valid JSON value starting at i.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// smallObject is how many members an object finds by scanning them; a
// larger one keeps an index.
const smallObject = 16

// find returns the position of key among the members, or -1.
func (o *object) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range o.members {
		if o.members[i].key == key {
			return i
		}
	}
	return -1
}

// set puts val under key, in key's place if it is already there.
func (o *object) set(key string, val json.RawMessage) {
	if i := o.find(key); i >= 0 {
		o.members[i].val = val
		return
	}
	o.members = append(o.members, member{key, val})
	switch n := len(o.members); {
	case o.index != nil:
		o.index[key] = n - 1
	case n > smallObject:
		o.index = make(map[string]int, 2*n)
		for i, m := range o.members {
			o.index[m.key] = i
		}
	}
}

// get returns the raw value under key.
func (o *object) get(key string) (json.RawMessage, bool) {
	i := o.find(key)
	if i < 0 {
		return nil, false
	}
	return o.members[i].val, true
}

// del removes key.
func (o *object) del(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.members = append(o.members[:i], o.members[i+1:]...)
	if o.index != nil {
		delete(o.index, key)
		for j := i; j < len(o.members); j++ {
			o.index[o.members[j].key] = j
		}
	}
}

// appendJSON appends o as compact JSON.
func (o *object) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, m := range o.members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.key)
		b = append(b, ':')
		var err error
		if b, err = appendCompact(b, m.val); err != nil {
			return b, fmt.Errorf("key %q: %w", m.key, err)
		}
	}
	return append(b, '}'), nil
}

// indented appends the compact JSON src indented by two spaces per level,
// as Python's json.dump(indent=2) writes, with prefix before every line but
// the first.
func indented(dst, src []byte, prefix string) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	if err := json.Indent(buf, src, prefix, "  "); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}

// jsonObjectOrEmpty returns raw, {} when raw is empty or null, or an error
// when raw is not a JSON object.
func jsonObjectOrEmpty(raw json.RawMessage, what string) (json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("{}"), nil
	}
	if t[0] != '{' {
		return nil, fmt.Errorf("%s is not a JSON object", what)
	}
	return t, nil
}

// jsonArrayOrEmpty returns raw, [] when raw is empty or null, or an error
// when raw is not a JSON array.
func jsonArrayOrEmpty(raw json.RawMessage, what string) (json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("[]"), nil
	}
	if t[0] != '[' {
		return nil, fmt.Errorf("%s is not a JSON array", what)
	}
	return t, nil
}
