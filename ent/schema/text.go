package schema

import (
	"strings"
	"unicode/utf8"

	"gloss/internal/fault"
	"gloss/internal/labelconfig"
	txt "gloss/internal/text"
)

// The validators of user-facing fields. They are the one place where the
// length and shape of what people type is decided: lengths count
// characters (runes), not bytes, so a title of 200 emoji is as long as a
// title of 200 letters. Their messages complete the field's name ("title
// is longer than 200 characters"); the error presenter puts the name in
// front.

// text returns the validator of a string of at most max characters that,
// when required, is not blank. Every such string is UTF-8 text without a
// NUL: PostgreSQL refuses anything else (an internal error, where SQLite
// kept it), and GraphQL lets a NUL through as "\u0000".
func text(max int, required bool) func(string) error {
	return func(s string) error {
		if !txt.IsClean(s) {
			return fault.Invalid("must be UTF-8 text without NUL characters")
		}
		if required && strings.TrimSpace(s) == "" {
			return fault.Invalid("must not be empty")
		}
		if utf8.RuneCountInString(s) > max {
			return fault.Invalid("is longer than %d characters", max)
		}
		return nil
	}
}

// required is the validator of a required string of at most max characters.
func required(max int) func(string) error { return text(max, true) }

// maxRunes is the validator of an optional string of at most max characters.
func maxRunes(max int) func(string) error { return text(max, false) }

// between is the validator of an integer from min to max.
func between(min, max int) func(int) error {
	return func(n int) error {
		if n < min || n > max {
			return fault.Invalid("must be between %d and %d", min, max)
		}
		return nil
	}
}

// labelConfig is the validator of a Label Studio labeling configuration:
// at most max characters, and one Gloss can render.
func labelConfig(max int) func(string) error {
	return func(s string) error {
		if err := required(max)(s); err != nil {
			return err
		}
		if _, err := labelconfig.Parse(s); err != nil {
			return fault.Invalid("is not a configuration Gloss can use: %v", err)
		}
		return nil
	}
}
