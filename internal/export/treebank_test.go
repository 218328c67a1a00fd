package export

import (
	"slices"
	"strings"
	"testing"
)

// TestTreebankTokens: the tokens NLTK's TreebankWordTokenizer gives (the
// cases are from its documentation and its rules), which Label Studio's
// converter writes to CoNLL.
func TestTreebankTokens(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
			"Good|muffins|cost|$|3.88|in|New|York.|Please|buy|me|two|of|them.|Thanks|."},
		{"They'll save and invest more.", "They|'ll|save|and|invest|more|."},
		{"hi, my name can't hello,", "hi|,|my|name|ca|n't|hello|,"},
		{"Ada went to Paris, France.", "Ada|went|to|Paris|,|France|."},
		{"1,000 people: wow!", "1,000|people|:|wow|!"},
		{"I cannot, gonna wanna go", "I|can|not|,|gon|na|wan|na|go"},
		{`He said "hi" (twice) -- ok?`, "He|said|``|hi|''|(|twice|)|--|ok|?"},
		{"Wait... what;", "Wait|...|what|;"},
		{"It's Bob's dog'", "It|'s|Bob|'s|dog|'"},
		{"😀😀😀 Bob met Alice in New York.", "😀😀😀|Bob|met|Alice|in|New|York|."},
	} {
		if got := strings.Join(treebankTokens(tc.in), "|"); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// TestTreebankSpans: span_tokenize's offsets (code points), from NLTK's
// documentation, and quotes found as the text writes them.
func TestTreebankSpans(t *testing.T) {
	text := "Good muffins cost $3.88\nin New (York).  Please (buy) me\ntwo of them.\n(Thanks)."
	want := [][2]int{{0, 4}, {5, 12}, {13, 17}, {18, 19}, {19, 23}, {24, 26}, {27, 30}, {31, 32}, {32, 36},
		{36, 37}, {37, 38}, {40, 46}, {47, 48}, {48, 51}, {51, 52}, {53, 55}, {56, 59}, {60, 62}, {63, 68},
		{69, 70}, {70, 76}, {76, 77}, {77, 78}}
	var got [][2]int
	for _, s := range treebankSpans(text) {
		got = append(got, [2]int{s.start, s.end})
	}
	if !slices.Equal(got, want) {
		t.Errorf("spans\n got %v\nwant %v", got, want)
	}
	var toks []string
	for _, s := range treebankSpans(`The "quick" fox`) {
		toks = append(toks, s.text)
	}
	if strings.Join(toks, "|") != `The|"|quick|"|fox` {
		t.Errorf("quotes: %q", toks)
	}
}

// TestCoNLLTags: spans in code points (an emoji is one), tagged as the
// converter's create_tokens_and_tags tags Treebank tokens.
func TestCoNLLTags(t *testing.T) {
	text := "😀😀😀 Bob met Alice in New York."
	spans := []span{{4, 7, "PER"}, {12, 17, "PER"}, {21, 29, "LOC"}}
	var got []string
	for _, tok := range conllTags(text, spans) {
		got = append(got, tok.text+"/"+tok.tag)
	}
	want := []string{"😀😀😀/O", "Bob/B-PER", "met/O", "Alice/B-PER", "in/O", "New/B-LOC", "York/I-LOC", "./O"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// Punctuation inside a span is tagged with it; a span without labels is O.
	got = got[:0]
	for _, tok := range conllTags("Paris, France is big", []span{{0, 13, "LOC"}, {17, 20, ""}}) {
		got = append(got, tok.text+"/"+tok.tag)
	}
	if want := []string{"Paris/B-LOC", ",/I-LOC", "France/I-LOC", "is/O", "big/O"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
