package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"time"
)

// hc is the one HTTP client of the load generator: keep-alive, enough idle
// connections for the highest concurrency used.
var hc = &http.Client{
	Timeout: 10 * time.Minute,
	Transport: &http.Transport{
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     time.Minute,
	},
}

// post sends body to url with the token and returns the response body; a
// status other than 200, or a GraphQL error in the body, is an error.
func post(url, token, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	return do(req)
}

func get(url, token string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token "+token)
	return do(req)
}

func do(req *http.Request) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 { // an import answers 201 Created
		return nil, fmt.Errorf("%s %s: %d %.300s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if bytes.HasPrefix(b, []byte(`{"errors"`)) || bytes.Contains(b, []byte(`"errors":[`)) {
		return nil, fmt.Errorf("%s %s: %.300s", req.Method, req.URL.Path, b)
	}
	return b, nil
}

// gqlBody encodes a GraphQL request once, so load loops send fixed bytes.
func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// gql runs a GraphQL operation against Gloss and decodes its data into out.
func gql(base, token, query string, vars map[string]any, out any) error {
	b, err := post(base+"/graphql", token, "application/json", gqlBody(query, vars))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Data, out)
}

// multipartCSV wraps a CSV file in a multipart body with the field "file".
func multipartCSV(name string, csv []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(csv)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}
