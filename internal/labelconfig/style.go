package labelconfig

import "strings"

// unsafeInStyle lists what may not appear in a kept declaration, compared
// against the declaration lower-cased and with whitespace removed: anything
// that loads a resource, runs script, or pulls in other rules or elements.
var unsafeInStyle = []string{
	"url(", "image(", "image-set(", "cross-fade(", "element(", "src(",
	"expression(", "javascript:", "vbscript:", "behavior", "-moz-binding",
	"@", // @import and any other at-rule
	"/*", "*/", "<", ">", "{", "}",
}

// SafeStyle returns an inline CSS style with every declaration that could load
// a resource or run code removed: those containing url(), expression(),
// javascript:, @import, behavior, -moz-binding or a backslash escape (which
// could spell any of those), plus comments, braces, angle brackets, control
// characters and anything that is not a plain "property: value" pair. The
// declarations that remain are returned in order, joined by "; ". Renderers
// apply it to every style attribute from a labeling config; the stored config
// keeps the original.
func SafeStyle(style string) string {
	var kept []string
	for _, decl := range splitDeclarations(style) {
		if d := strings.TrimSpace(decl); d != "" && safeDeclaration(d) {
			kept = append(kept, d)
		}
	}
	return strings.Join(kept, "; ")
}

// splitDeclarations splits a style at the semicolons that end declarations,
// respecting quotes and parentheses as a CSS parser would. A declaration that
// holds a backslash, or a string or parenthesis left open, comes back as ""
// so that it is dropped whole.
func splitDeclarations(style string) []string {
	var (
		out     []string
		start   int
		quote   byte
		depth   int
		tainted bool
	)
	end := func(i int) {
		if tainted || quote != 0 || depth != 0 {
			out = append(out, "")
		} else {
			out = append(out, style[start:i])
		}
		start, quote, depth, tainted = i+1, 0, 0, false
	}
	for i := 0; i < len(style); i++ {
		c := style[i]
		switch {
		case c == '\\':
			tainted = true
			i++ // the escaped character cannot end a string or declaration
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\n' || c == '\r' || c == '\f' {
				tainted = true // an unescaped newline ends a CSS string badly
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				tainted = true
			} else {
				depth--
			}
		case c == ';' && depth == 0:
			end(i)
		}
	}
	end(len(style))
	return out
}

// safeDeclaration reports whether one "property: value" declaration is
// harmless.
func safeDeclaration(d string) bool {
	prop, value, ok := strings.Cut(d, ":")
	if !ok || !isPropertyName(strings.TrimSpace(prop)) || strings.TrimSpace(value) == "" {
		return false
	}
	var compact strings.Builder
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			continue
		case c < 0x20 || c == 0x7f:
			return false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		compact.WriteByte(c)
	}
	lower := compact.String()
	for _, bad := range unsafeInStyle {
		if strings.Contains(lower, bad) {
			return false
		}
	}
	return true
}

// isPropertyName reports whether s is a plain CSS property name, including
// vendor-prefixed and custom ("--x") properties.
func isPropertyName(s string) bool {
	name := strings.TrimLeft(s, "-")
	if len(s)-len(name) > 2 || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c != '-' && !('0' <= c && c <= '9')) {
			return false
		}
	}
	return true
}
