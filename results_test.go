package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
)

// deepValue returns a result whose value nests depth objects deep.
func deepValue(depth int) []any {
	var v any = "Positive"
	for range depth {
		v = map[string]any{"a": v}
	}
	return []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices",
		"value": map[string]any{"choices": []any{"Positive"}, "deep": v}}}
}

// strictJSON decodes b as a strict reader would (Python's json module with
// its recursion limit, PostgreSQL's jsonb): nesting at most maxDepth deep, no
// NUL, no replacement character from a broken surrogate, finite numbers.
func strictJSON(b []byte, maxDepth int) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				if depth++; depth > maxDepth {
					return fmt.Errorf("nested more than %d deep", maxDepth)
				}
			} else {
				depth--
			}
		case string:
			if strings.ContainsAny(tok, "\x00\uFFFD") {
				return fmt.Errorf("string %q holds a NUL or a broken surrogate", tok)
			}
		case json.Number:
			if f, err := tok.Float64(); err != nil || math.IsInf(f, 0) {
				return fmt.Errorf("number %s is out of range", tok)
			}
		}
	}
}

// TestResultsObeyTheImportRules sends deep, NUL-laden and otherwise
// unstorable results through createAnnotation, updateAnnotation and import:
// each is refused with BAD_USER_INPUT naming the problem and the place, and
// nothing is stored; the JSON export stays readable by strict readers.
func TestResultsObeyTheImportRules(t *testing.T) {
	tm := MustTeam(t)
	id := tm.project(t, textClassification, nil)
	tm.owner.ok(importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "one"}, map[string]any{"text": "two"}}})
	taskID := handOut(tm.annotator, id)
	annotations := func() string {
		return snapshot(tm.owner, `query($p: ID!) { tasks(projectId: $p, first: 10) { edges { node { id annotations { id result } } } } }`, map[string]any{"p": id})
	}

	nul := choice("Positive\u0000")
	nulDeep := deepValue(3)
	nulDeep[0].(map[string]any)["value"].(map[string]any)["note"] = map[string]any{"text": []any{"fine", "bad\u0000"}}
	bad := []struct {
		name   string
		result []any
		want   []string // in the message
	}{
		{"5000 deep", deepValue(5000), []string{"result[0].value.deep.a.a", "nested more than 64 levels deep"}},
		{"65 deep", deepValue(64), []string{"nested more than 64 levels deep"}},
		{"NUL", nul, []string{"result[0].value.choices[0]", "NUL character"}},
		{"NUL further in", nulDeep, []string{"result[0].value.note.text[1]", "NUL character"}},
		{"huge number", []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices",
			"value": map[string]any{"choices": []any{"Positive"}, "n": json.Number("1e400")}}}, []string{"result[0].value.n", "too large"}},
		{"too large", []any{map[string]any{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices",
			"value": map[string]any{"choices": []any{"Positive"}, "pad": strings.Repeat("x", 1<<20)}}}, []string{"larger than"}}, // the request body limit answers first
	}

	t.Run("createAnnotation", func(t *testing.T) {
		before := annotations()
		for _, tc := range bad {
			r := tm.annotator.wantCode("BAD_USER_INPUT", createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": tc.result}})
			for _, w := range tc.want {
				if !strings.Contains(r.Errors[0].Message, w) {
					t.Errorf("%s: message %q does not say %q", tc.name, r.Errors[0].Message, w)
				}
			}
		}
		if after := annotations(); after != before {
			t.Fatalf("a refused createAnnotation stored something:\n%s\n%s", before, after)
		}
		// 64 levels of value (under the result's own three) are fine.
		ok := deepValue(60)
		tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": taskID, "result": ok}})
	})

	t.Run("updateAnnotation", func(t *testing.T) {
		other := handOut(tm.annotator, id)
		annID := str(tm.annotator.ok(createAnn, map[string]any{"i": map[string]any{"taskId": other, "result": choice("Negative")}}), "createAnnotation", "id")
		before := annotations()
		for _, tc := range bad {
			r := tm.annotator.wantCode("BAD_USER_INPUT", `mutation($a: ID!, $r: JSON!) { updateAnnotation(id: $a, input: {result: $r}) { id } }`,
				map[string]any{"a": annID, "r": tc.result})
			for _, w := range tc.want {
				if !strings.Contains(r.Errors[0].Message, w) {
					t.Errorf("%s: message %q does not say %q", tc.name, r.Errors[0].Message, w)
				}
			}
		}
		if after := annotations(); after != before || !strings.Contains(after, "Negative") {
			t.Fatalf("a refused updateAnnotation changed the annotation:\n%s\n%s", before, after)
		}
	})

	t.Run("import", func(t *testing.T) {
		before := taskCount(t, tm.owner, id)
		for _, tc := range bad {
			if tc.name == "too large" {
				continue // a task that large is refused as a task (1 MiB per task)
			}
			for _, kind := range []string{"annotations", "predictions"} {
				task := map[string]any{"data": map[string]any{"text": "imported"}, kind: []any{map[string]any{"result": tc.result}}}
				r := tm.owner.wantCode("BAD_USER_INPUT", importTasks, map[string]any{"p": id, "t": []any{map[string]any{"text": "fine"}, task}})
				msg := r.Errors[0].Message
				if !strings.Contains(msg, kind+"[0].result") || !strings.Contains(msg, tc.want[len(tc.want)-1]) {
					t.Errorf("%s in %s: message %q", tc.name, kind, msg)
				}
			}
		}
		// What GraphQL variables cannot carry, a file can: a lone surrogate
		// and a repeated key inside a result.
		for name, file := range map[string]string{
			"lone surrogate": `[{"data": {"text": "x"}, "annotations": [{"result": [{"value": {"text": ["\ud800"]}}]}]}]`,
			"repeated key":   `[{"data": {"text": "x"}, "predictions": [{"result": [{"value": {"a": 1, "a": 2}}]}]}]`,
		} {
			r := upload(t, tm.owner, id, map[string]string{"tasks.json": file})
			if r.Status != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Raw, "result[0].value") {
				t.Errorf("%s: %d %s", name, r.Status, r.Raw)
			}
		}
		if after := taskCount(t, tm.owner, id); after != before {
			t.Fatalf("a refused import stored tasks: %d before, %d after", before, after)
		}
	})

	t.Run("the JSON export stays strict", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, tm.s.URL+"/api/projects/"+id+"/export?format=JSON", nil)
		r := tm.owner.do(req)
		if r.Status != http.StatusOK {
			t.Fatalf("export: %d %s", r.Status, r.Raw)
		}
		if err := strictJSON([]byte(r.Raw), 100); err != nil {
			t.Fatalf("the JSON export is not strict JSON: %v", err)
		}
		if !strings.Contains(r.Raw, "Negative") {
			t.Fatal("the export lacks the stored annotation")
		}
	})
}
