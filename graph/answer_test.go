package graph

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestQuotedLenIsWhatGqlgenWrites: the answer budget counts a text as
// long as gqlgen writes it, escapes included.
func TestQuotedLenIsWhatGqlgenWrites(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted"`, `back\slash`, "tab\there", "cr\rlf\n", "\x00\x01\x1f",
		"ünïcödé ✓", "\xff\xfe invalid", "<script>&amp;</script>", string(bytes.Repeat([]byte{'\n'}, 1000)),
	} {
		var w bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&w)
		if got := quotedLen(s); got != w.Len() {
			t.Errorf("quotedLen(%q) = %d, gqlgen writes %d bytes", s, got, w.Len())
		}
	}
}
