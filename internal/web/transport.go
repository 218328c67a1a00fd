package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/semaphore"

	"gloss/internal/fault"
	"gloss/internal/viewer"
)

// postTransport is the one way in to GraphQL: a POST with one JSON object
// as its body. It is gqlgen's transport.POST with two costs taken out of
// every request: the body is decoded once (checkGraphQLRequest has decoded
// and checked it), and a response without errors is written as gqlgen
// produced it instead of being decoded and encoded again by json.Marshal
// (which re-validated the whole `data`, a page of tasks included, byte by
// byte). Status codes and content types are transport.POST's.
type postTransport struct{}

var _ graphql.Transport = postTransport{}

// Supports takes every POST; checkGraphQLRequest has refused any other
// content type.
func (postTransport) Supports(r *http.Request) bool { return r.Method == http.MethodPost }

// Do runs the operation checkGraphQLRequest put into the context.
func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseContentType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	params, _ := ctx.Value(paramsKey{}).(*graphql.RawParams)
	if params == nil { // not through checkGraphQLRequest: a wiring bug
		w.WriteHeader(http.StatusInternalServerError)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("internal error")}))
		return
	}
	params.Headers = r.Header
	now := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: now, End: now}
	rc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == graphQLResponseJSON {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
}

const graphQLResponseJSON = "application/graphql-response+json"

// responseContentType is transport.POST's choice from the Accept header:
// application/json unless the client prefers (or names only types other
// than) application/graphql-response+json.
func responseContentType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphQLResponseJSON:
			return graphQLResponseJSON
		}
	}
	return graphQLResponseJSON
}

// writeResponse writes resp. gqlgen has already written `data` as compact
// JSON, so a response that is nothing else is framed around it as it is;
// one with errors or extensions goes through encoding/json. There is no
// response (nil) when the request was cancelled while its operation ran:
// that is `null`, as transport.POST wrote it, to a client that has gone.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		_, _ = w.Write([]byte("null"))
		return
	}
	// gqlgen always sets Extensions, empty when there are none.
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && len(resp.Path) == 0 && resp.HasNext == nil {
		data := resp.Data
		if len(data) == 0 {
			data = []byte("null")
		}
		b := make([]byte, 0, len(data)+10)
		b = append(b, `{"data":`...)
		b = append(b, data...)
		b = append(b, '}')
		_, _ = w.Write(b)
		return
	}
	// Without HTML escaping, as gqlgen wrote `data`: escaped, each <, >
	// and & of it would take six bytes, beyond what the answer budget
	// counted.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		// Only a resolver's marshaller writing broken JSON gets here.
		_, _ = w.Write([]byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"` + fault.Internal + `"}}],"data":null}`))
		return
	}
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

type paramsKey struct{}

// checkGraphQLRequest refuses what the GraphQL endpoint does not take before
// gqlgen sees it: anything but an application/json body, bodies over the
// limit, batched (array) requests and bodies of another shape. It decodes
// the body once, into the parameters postTransport runs.
func checkGraphQLRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			fault.WriteJSON(w, http.StatusUnsupportedMediaType, fault.BadInput, "POST /graphql takes an application/json body")
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fault.WriteJSON(w, http.StatusRequestEntityTooLarge, fault.BadInput, "the request body is larger than 1 MiB")
				return
			}
			fault.WriteJSON(w, http.StatusBadRequest, fault.BadInput, "could not read the request body")
			return
		}
		if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
			fault.WriteJSON(w, http.StatusBadRequest, fault.BadInput, "batched requests are not supported: send one operation per request")
			return
		}
		if len(body) > smallBody {
			if viewer.User(r.Context()) == nil {
				fault.WriteJSON(w, http.StatusRequestEntityTooLarge, fault.BadInput, "a request without a signed-in user is at most 64 KiB")
				return
			}
			wait, cancel := context.WithTimeout(r.Context(), bigWait)
			err := bigRequests.Acquire(wait, 1)
			cancel()
			if err != nil {
				fault.WriteJSON(w, http.StatusTooManyRequests, fault.RateLimited, "the server is busy with other large requests: try again shortly")
				return
			}
			defer bigRequests.Release(1)
		}
		params, msg := decodeBody(body)
		if msg != "" {
			fault.WriteJSON(w, http.StatusBadRequest, fault.BadInput, msg)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), paramsKey{}, params)))
	})
}

// A request body's variables, decoded, take about 25 times its bytes (a
// list of a million small numbers is a million values): sixty requests of
// 1 MiB at once took 1.5 GB. Bodies over smallBody, which only a
// labeling result with a large mask or an import through importTasks
// needs, take turns: at most bigAtOnce are decoded and run at once in a
// process, and the others wait up to bigWait. Anonymous requests (sign-in,
// sign-up, an invite's role) never need one.
const (
	smallBody = 64 << 10
	bigAtOnce = 4
	bigWait   = 10 * time.Second
)

var bigRequests = semaphore.NewWeighted(bigAtOnce)

// maxQueryBytes bounds a request's query text: values belong in variables.
// gqlgen keeps parsed queries by their text (cachedQueries), so a long
// text cost its length, parsed, for as long as it stayed there.
const maxQueryBytes = 64 << 10

// rawRequest is the body of a GraphQL request, each member as it was sent.
type rawRequest struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// decodeBody decodes body, which must be what GraphQL over HTTP takes: one
// JSON object with a string "query" and optional "operationName" (a
// string), "variables" and "extensions" (objects). It returns what is
// wrong, or the parameters (numbers in variables as json.Number, as gqlgen
// decodes them). gqlgen would otherwise answer some of these with its
// decoder's message (which echoes the whole body) or reach extensions that
// expect an operation.
func decodeBody(body []byte) (*graphql.RawParams, string) {
	const shape = `the request body must be one JSON object: {"query": "...", "variables": {...}, "operationName": "..."}`
	if !utf8.Valid(body) {
		return nil, "the request body is not valid UTF-8"
	}
	var raw rawRequest
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, shape
	}
	if json.Unmarshal(body, &raw) != nil {
		// One object and more after it, or no object at all: a decoder
		// tells them apart (it would cost every request a buffer).
		dec := json.NewDecoder(bytes.NewReader(body))
		if dec.Decode(&raw) == nil {
			if _, err := dec.Token(); err != io.EOF {
				return nil, shape + "; there is more after it"
			}
		}
		return nil, shape
	}
	kind := func(v json.RawMessage) byte {
		if v = bytes.TrimLeft(v, " \t\r\n"); len(v) == 0 {
			return 0
		}
		return v[0]
	}
	if kind(raw.Query) != '"' {
		return nil, `"query" must be a string holding the GraphQL document`
	}
	if k := kind(raw.OperationName); k != 0 && k != 'n' && k != '"' {
		return nil, `"operationName" must be a string or null`
	}
	for _, m := range []struct {
		name string
		v    json.RawMessage
	}{{"variables", raw.Variables}, {"extensions", raw.Extensions}} {
		if k := kind(m.v); k != 0 && k != 'n' && k != '{' {
			return nil, `"` + m.name + `" must be a JSON object or null`
		}
	}
	p := &graphql.RawParams{}
	if json.Unmarshal(raw.Query, &p.Query) != nil || (kind(raw.OperationName) == '"' && json.Unmarshal(raw.OperationName, &p.OperationName) != nil) {
		return nil, shape
	}
	if len(p.Query) > maxQueryBytes {
		return nil, `"query" is longer than 64 KiB: pass values as variables`
	}
	for _, m := range []struct {
		v   json.RawMessage
		out *map[string]any
	}{{raw.Variables, &p.Variables}, {raw.Extensions, &p.Extensions}} {
		if kind(m.v) != '{' {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(m.v))
		d.UseNumber()
		if d.Decode(m.out) != nil {
			return nil, shape
		}
	}
	return p, ""
}
