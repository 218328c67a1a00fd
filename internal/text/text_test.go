package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 10, "plain"},
		{"plain", 3, "pla"},
		{"aé", 2, "a"},                             // é is two bytes: not cut in two
		{"a\xffb\xfe\xfdc", 20, "a\uFFFDb\uFFFDc"}, // a run of bad bytes is one U+FFFD
		{"nul\x00here", 20, "nulhere"},
		{"\xc3", 5, "\uFFFD"},
		{strings.Repeat("é", 10), 5, "éé"},
		{"", 0, ""},
	} {
		got := Clip(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) || len(got) > c.n && c.n >= len(c.want) {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	s := "already fine"
	if Clean(s) != s {
		t.Error("Clean changed a clean string")
	}
}
