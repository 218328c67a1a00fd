// Package scalar holds the GraphQL scalars that bind to plain Go types:
// JSON values kept as raw bytes (task data and meta) and as decoded lists
// (annotation and prediction results).
package scalar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// RawJSON is a JSON value passed through without decoding.
type RawJSON = json.RawMessage

// MarshalRawJSON writes raw JSON as is; an empty value is null, and so is
// one that is not JSON. Every writer checks what it stores (imports do), but
// the response is written around these bytes as they are (web's
// transport), so a value that is not JSON, from a restore or an edit in the
// database, must not become the structure of someone's response.
func MarshalRawJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(bytes.TrimSpace(v)) == 0 || !json.Valid(v) {
			_, _ = w.Write([]byte("null"))
			return
		}
		_, _ = w.Write(v)
	})
}

// UnmarshalRawJSON re-encodes a GraphQL input value as raw JSON.
func UnmarshalRawJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("not a JSON value: %w", err)
	}
	return b, nil
}
