package web

import (
	"strings"
	"testing"
)

// decodeBody accepts one JSON object with a string query and says what is
// wrong with anything else.
func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		body, want string // want: "" to accept, else part of the message
	}{
		{`{"query": "{ viewer { id } }"}`, ""},
		{` {"query": "q", "variables": {"n": 1}, "operationName": null} ` + "\n", ""},
		{`{"query": "q"} {"query": "q"}`, "there is more after it"},
		{`{"query": "q"} x`, "there is more after it"},
		{`[{"query": "q"}]`, "must be one JSON object"},
		{`{"query": "q"`, "must be one JSON object"},
		{``, "must be one JSON object"},
		{"{\"query\": \"\xff\"}", "not valid UTF-8"},
		{`{"query": 5}`, `"query" must be a string`},
		{`{"query": "q", "variables": [1]}`, `"variables" must be a JSON object or null`},
		{`{"query": "q", "operationName": 1}`, `"operationName" must be a string or null`},
	} {
		p, msg := decodeBody([]byte(tc.body))
		switch {
		case tc.want == "" && (p == nil || msg != ""):
			t.Errorf("%q refused: %s", tc.body, msg)
		case tc.want != "" && (p != nil || !strings.Contains(msg, tc.want)):
			t.Errorf("%q: got %q, want a refusal saying %q", tc.body, msg, tc.want)
		}
	}
	p, _ := decodeBody([]byte(`{"query": "q", "variables": {"n": 12345678901234567890}}`))
	if got := p.Variables["n"]; got == nil || got.(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("a large number variable came out as %v", got)
	}
}
