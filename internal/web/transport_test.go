package web

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeResponse writes what transport.POST wrote (json.Marshal of the
// response) for every kind of response, a missing one included (a request
// cancelled while it ran), apart from the HTML escaping json.Marshal adds.
func TestWriteResponseAsGqlgen(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		nil,
		{Data: json.RawMessage(`{"viewer":{"id":"1"}}`)},
		{Data: json.RawMessage(`{"t":"<b>&</b>"}`)},
		// As gqlgen hands it over: Extensions empty, not nil. Framed as it
		// is (a second encoding would write \u003c for <).
		{Data: json.RawMessage(`{"t":"<b>&</b>"}`), Extensions: map[string]any{}},
		{},
		{Errors: gqlerror.List{{Message: "no"}}},
		{Errors: gqlerror.List{{Message: "no"}}, Data: json.RawMessage(`{"a":null}`)},
		{Data: json.RawMessage(`{}`), Extensions: map[string]any{"k": 1}},
		{Data: json.RawMessage(`{}`), HasNext: &yes, Label: "l"},
	} {
		var got bytes.Buffer
		writeResponse(&got, resp)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(resp); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("wrote %s, transport.POST wrote %s", got.String(), want.String())
		}
	}
}
