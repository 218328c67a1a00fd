package export

import (
	"regexp"
	"strings"
)

// treebankRule is one regular-expression substitution of NLTK's
// TreebankWordTokenizer, written for Go's regexp (RE2): replacements use
// ${n}, and the rules that rely on Python's look-ahead or on "$" matching
// before a final newline say how they keep that meaning.
type treebankRule struct {
	re   *regexp.Regexp
	repl string
}

func tbRule(pattern, repl string) treebankRule {
	return treebankRule{regexp.MustCompile(pattern), repl}
}

// The rules of nltk.tokenize.treebank.TreebankWordTokenizer.tokenize, in
// its order (NLTK 3.8). Label Studio's converter tokenizes CoNLL text with
// it (span_tokenize).
var (
	tbStartingQuotes = []treebankRule{
		tbRule(`^"`, "``"),
		tbRule("(``)", " ${1} "),
		tbRule(`([ (\[{<])("|'')`, "${1} `` "),
	}
	tbPunctuation = []treebankRule{
		tbRule(`([:,])([^0-9])`, " ${1} ${2}"),
		// Python's "$" also matches before a final newline.
		tbRule(`([:,])(\n?)$`, " ${1} ${2}"),
		tbRule(`\.\.\.`, " ... "),
		tbRule(`[;@#$%&]`, " ${0} "),
		tbRule(`([^.])(\.)([\])}>"']*)\s*$`, "${1} ${2}${3} "),
		tbRule(`[?!]`, " ${0} "),
		tbRule(`([^'])' `, "${1} ' "),
	}
	tbParensBrackets = tbRule(`[\]\[(){}<>]`, " ${0} ")
	tbDoubleDashes   = tbRule(`--`, " -- ")
	tbEndingQuotes   = []treebankRule{
		tbRule(`''`, " '' "),
		tbRule(`"`, " '' "),
		tbRule(`([^' ])('[sS]|'[mM]|'[dD]|') `, "${1} ${2} "),
		tbRule(`([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) `, "${1} ${2} "),
	}
	tbContractions = []treebankRule{
		tbRule(`(?i)\b(can)(not)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(d)('ye)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(gim)(me)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(gon)(na)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(got)(ta)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(lem)(me)\b`, " ${1} ${2} "),
		tbRule(`(?i)\b(more)('n)\b`, " ${1} ${2} "),
		// NLTK: (?i)\b(wan)(na)(?=\s); RE2 has no look-ahead, so the white
		// space is matched and written back.
		tbRule(`(?i)\b(wan)(na)(\s)`, " ${1} ${2} ${3}"),
		tbRule(`(?i) ('t)(is)\b`, " ${1} ${2} "),
		tbRule(`(?i) ('t)(was)\b`, " ${1} ${2} "),
	}
	tbQuotes = regexp.MustCompile("``|''|\"")
)

// treebankTokens splits text into words as NLTK's TreebankWordTokenizer
// does: punctuation, brackets, quotes and clitics ("n't", "'s") apart.
func treebankTokens(text string) []string {
	apply := func(rules ...treebankRule) {
		for _, r := range rules {
			text = r.re.ReplaceAllString(text, r.repl)
		}
	}
	apply(tbStartingQuotes...)
	apply(tbPunctuation...)
	apply(tbParensBrackets, tbDoubleDashes)
	text = " " + text + " "
	apply(tbEndingQuotes...)
	apply(tbContractions...)
	return strings.Fields(text)
}

// tokenSpan is a token of a text with its place: byte offsets for slicing
// the Go string, and code point offsets, which span offsets count.
type tokenSpan struct {
	text       string
	start, end int // code points, end exclusive
}

// treebankSpans returns the tokens of text with their offsets, as NLTK's
// span_tokenize finds them: each token is looked up in the text from the
// end of the one before, the tokenizer's opening and closing quote tokens
// (two backticks, two apostrophes) standing for the quotes the text has. A token that cannot be found (it never happens for text the
// tokenizer only split) ends the list.
func treebankSpans(text string) []tokenSpan {
	tokens := treebankTokens(text)
	if strings.Contains(text, `"`) || strings.Contains(text, "''") {
		quotes := tbQuotes.FindAllString(text, -1)
		for i, t := range tokens {
			if (t == `"` || t == "``" || t == "''") && len(quotes) > 0 {
				tokens[i], quotes = quotes[0], quotes[1:]
			}
		}
	}
	out := make([]tokenSpan, 0, len(tokens))
	bytePos, cpPos := 0, 0
	for _, t := range tokens {
		i := strings.Index(text[bytePos:], t)
		if i < 0 {
			break
		}
		start := cpPos + runeCount(text[bytePos:bytePos+i])
		end := start + runeCount(t)
		out = append(out, tokenSpan{text: t, start: start, end: end})
		bytePos += i + len(t)
		cpPos = end
	}
	return out
}

// runeCount counts the code points of s, as Python's len does.
func runeCount(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}
