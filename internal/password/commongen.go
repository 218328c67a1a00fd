//go:build ignore

// commongen writes common.txt: the entries of zxcvbn's list of the 30,000
// most common passwords (github.com/trustelem/zxcvbn, MIT, from Dropbox's
// zxcvbn) that Check could ever match, i.e. lower-case ones of an allowed
// length, sorted, one a line. The server embeds that file instead of
// importing the zxcvbn package, whose init builds every one of its word
// lists (English words, names, surnames...) on the heap of every process.
package main

import (
	"log"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

func main() {
	var keep []string
	for _, pw := range frequency.FrequencyLists["passwords"] {
		n := utf8.RuneCountInString(pw)
		// Check lower-cases what it looks up, after the length rule.
		if pw == strings.ToLower(pw) && n >= 8 && n <= 128 && !strings.Contains(pw, "\n") {
			keep = append(keep, pw)
		}
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	if err := os.WriteFile("common.txt", []byte(strings.Join(keep, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}
