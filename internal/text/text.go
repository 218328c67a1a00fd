// Package text fits strings that come from outside (request headers,
// imported fields, names) into the text columns that keep them.
package text

import (
	"strings"
	"unicode/utf8"
)

// Clip returns s as a text column of at most n bytes keeps it on either
// database: Clean, then cut between characters. PostgreSQL refuses text
// that is not valid UTF-8 or holds a NUL, so a stray byte in a User-Agent
// header, or a character cut in two, failed the statement that stored it.
func Clip(s string, n int) string {
	s = Clean(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Clean returns s as valid UTF-8 (each run of bytes that is not becomes
// U+FFFD) without NUL bytes.
func Clean(s string) string {
	if IsClean(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// IsClean reports whether s is valid UTF-8 without NUL bytes: text that
// either database keeps as it is.
func IsClean(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
