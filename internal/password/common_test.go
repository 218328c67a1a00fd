package password

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

// TestCommonListIsZxcvbns checks the embedded list against the zxcvbn
// package it was generated from: sorted (Check searches it), and exactly
// the entries Check could match, so nothing was dropped or added.
func TestCommonListIsZxcvbns(t *testing.T) {
	var want []string
	for _, pw := range frequency.FrequencyLists["passwords"] {
		if n := utf8.RuneCountInString(pw); pw == strings.ToLower(pw) && n >= MinLength && n <= MaxLength {
			want = append(want, pw)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	got := common()
	if !slices.IsSorted(got) {
		t.Fatal("common.txt is not sorted; run go generate ./internal/password")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("common.txt has %d entries, the zxcvbn list %d that Check could match; run go generate ./internal/password", len(got), len(want))
	}
}
