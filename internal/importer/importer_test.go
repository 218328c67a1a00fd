package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// render prints a task compactly so expectations fit on one line.
func render(t Task) string {
	var b strings.Builder
	b.Write(t.Data)
	if t.Meta != nil {
		fmt.Fprintf(&b, " meta=%s", t.Meta)
	}
	for _, a := range t.Annotations {
		fmt.Fprintf(&b, " ann(%s", a.Result)
		if a.WasCancelled {
			b.WriteString(" cancelled")
		}
		if a.GroundTruth {
			b.WriteString(" gt")
		}
		if a.LeadTime != 0 {
			fmt.Fprintf(&b, " lead=%g", a.LeadTime)
		}
		b.WriteString(")")
	}
	for _, p := range t.Predictions {
		fmt.Fprintf(&b, " pred(%s", p.Result)
		if p.Score != nil {
			fmt.Fprintf(&b, " score=%g", *p.Score)
		}
		if p.ModelVersion != "" {
			fmt.Fprintf(&b, " model=%s", p.ModelVersion)
		}
		b.WriteString(")")
	}
	return b.String()
}

// mustParse parses input and returns the rendered tasks, checking the
// invariants every accepted task must meet.
func mustParse(tb testing.TB, input string, o Options) ([]string, int, error) {
	tb.Helper()
	var got []string
	n, err := Parse(strings.NewReader(input), o, func(t Task) error {
		checkTask(tb, t)
		got = append(got, render(t))
		return nil
	})
	if n != len(got) {
		tb.Errorf("Parse returned %d, fn saw %d tasks", n, len(got))
	}
	return got, n, err
}

// checkTask checks the invariants of an accepted task.
func checkTask(tb testing.TB, t Task) {
	tb.Helper()
	if !json.Valid(t.Data) || t.Data[0] != '{' {
		tb.Fatalf("Data is not a JSON object: %q", t.Data)
	}
	if t.Meta != nil && (!json.Valid(t.Meta) || t.Meta[0] != '{') {
		tb.Fatalf("Meta is not a JSON object: %q", t.Meta)
	}
	for _, a := range t.Annotations {
		if !json.Valid(a.Result) || a.Result[0] != '[' {
			tb.Fatalf("annotation result is not a list: %q", a.Result)
		}
	}
	for _, p := range t.Predictions {
		if !json.Valid(p.Result) || p.Result[0] != '[' {
			tb.Fatalf("prediction result is not a list: %q", p.Result)
		}
	}
}

type goodCase struct {
	name  string
	input string
	key   string // TextKey
	want  []string
}

type badCase struct {
	name     string
	input    string
	limits   Limits
	row      int
	line     int
	msg      string // substring of RowError.Msg
	accepted int    // tasks passed to fn before the error
}

// runGood runs good cases for one format.
func runGood(t *testing.T, f Format, cases []goodCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := mustParse(t, tc.input, Options{Format: f, TextKey: tc.key})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n != len(tc.want) {
				t.Errorf("count = %d, want %d", n, len(tc.want))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("tasks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// runBad runs bad cases for one format.
func runBad(t *testing.T, f Format, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, n, err := mustParse(t, tc.input, Options{Format: f, Limits: tc.limits})
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want *RowError", err, err)
			}
			if re.Row != tc.row || re.Line != tc.line || !strings.Contains(re.Msg, tc.msg) {
				t.Errorf("got row %d line %d %q, want row %d line %d containing %q", re.Row, re.Line, re.Msg, tc.row, tc.line, tc.msg)
			}
			if n != tc.accepted {
				t.Errorf("accepted %d tasks before the error, want %d", n, tc.accepted)
			}
		})
	}
}

// nested returns a task whose data nests depth levels in all, counting
// the task object itself.
func nested(depth int) string {
	return `[{"data":{"a":` + strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2) + `}}]`
}

func TestParseJSON(t *testing.T) {
	runGood(t, JSON, []goodCase{
		{name: "full tasks", input: `[
  {
    "id": 7,
    "data": {"text": "first", "n": [1, 2]},
    "meta": {"source": "x"},
    "annotations": [
      {"result": [{"type": "choices", "value": {"choices": ["pos"]}}], "was_cancelled": true, "lead_time": 12.5, "ground_truth": true, "completed_by": 3},
      {"result": []}
    ],
    "predictions": [{"result": [], "score": 0.25, "model_version": "v1"}, {"result": [{"a": 1}]}],
    "drafts": []
  },
  {"data": {"text": "second"}}
]`, want: []string{
			`{"text":"first","n":[1,2]} meta={"source":"x"} ann([{"type":"choices","value":{"choices":["pos"]}}] cancelled gt lead=12.5) ann([]) pred([] score=0.25 model=v1) pred([{"a":1}])`,
			`{"text":"second"}`,
		}},
		{name: "flat tasks are data", input: `[{"text": "a", "id": 3}, {"image": "x.png", "annotations": 5}]`, want: []string{
			`{"text":"a","id":3}`,
			`{"image":"x.png","annotations":5}`,
		}},
		{name: "single task object", input: `{"data": {"x": 1}, "predictions": [{"result": [], "score": 1}]}`, want: []string{
			`{"x":1} pred([] score=1)`,
		}},
		// Label Studio's JSON export writes a task's predictions as their
		// ids; it reads a score with float() and keeps a model version as
		// text.
		{name: "predictions and annotations as ids are skipped", input: `[{"data": {"a": 1}, "predictions": [286, {"result": [], "score": "0.5", "model_version": 3}], "annotations": [17]}]`, want: []string{
			`{"a":1} pred([] score=0.5 model=3)`,
		}},
		{name: "a score that is no number is none", input: `[{"data": {}, "predictions": [{"result": [], "score": "high"}]}]`, want: []string{
			`{} pred([])`,
		}},
		{name: "single flat object", input: "\n\n  {\"text\": \"only\"}\n", want: []string{`{"text":"only"}`}},
		{name: "strings are text tasks", input: `["a", "b \"q\"\n", "<&>"]`, want: []string{
			`{"text":"a"}`, `{"text":"b \"q\"\n"}`, `{"text":"<&>"}`,
		}},
		{name: "custom text key", key: "review", input: `["fine"]`, want: []string{`{"review":"fine"}`}},
		{name: "unknown keys next to data are ignored", input: `[{"data": {"a": 1}, "foo": {"bar": 2}, "id": 9}]`, want: []string{`{"a":1}`}},
		{name: "null optional fields", input: `[{"data": {}, "meta": null, "annotations": null, "predictions": [{"result": [], "score": null, "model_version": null}]}]`, want: []string{
			`{} pred([])`,
		}},
		{name: "unicode kept as written", input: `[{"data": {"t": "héllo 世界 😀", "e": "\u00e9\ud83d\ude00"}}]`, want: []string{
			`{"t":"héllo 世界 😀","e":"\u00e9\ud83d\ude00"}`,
		}},
		{name: "BOM and CRLF", input: "\uFEFF[\r\n  {\"data\": {\"a\": \"x\\r\\ny\"}},\r\n  \"s\"\r\n]\r\n", want: []string{
			`{"a":"x\r\ny"}`, `{"text":"s"}`,
		}},
		{name: "whitespace in strings kept", input: `[{"data": { "a" : [ 1 , 2 ] , "s" : " x  y " }}]`, want: []string{`{"a":[1,2],"s":" x  y "}`}},
		{name: "escaped key names", input: `[{"d\u0061ta": {"a": 1}}]`, want: []string{`{"a":1}`}},
		{name: "depth 64 is fine", input: nested(64), want: []string{
			`{"a":` + strings.Repeat("[", 62) + strings.Repeat("]", 62) + `}`,
		}},
	})
	runBad(t, JSON, []badCase{
		{name: "syntax error inside a task", input: "[\n  {\"data\": {\"a\": 1}},\n  {\"data\": {\"a\": 2,}},\n  {\"data\": {}}\n]",
			row: 2, line: 3, msg: "invalid JSON: invalid character '}'", accepted: 1},
		{name: "syntax error deep inside a pretty task", input: "[\n{\n\"data\": {\n\"a\": 1,\n\"b\": tru\n}\n}\n]",
			row: 1, line: 5, msg: "invalid JSON"},
		{name: "missing comma", input: "[\n{\"data\":{}}\n{\"data\":{}}\n]", row: 2, line: 3, msg: "expected comma", accepted: 1},
		{name: "extra closing brace", input: "[\n{\"data\":{}},\n{\"data\":{}}}\n]", row: 0, line: 3, msg: "invalid character '}' after array element", accepted: 2},
		{name: "trailing comma", input: "[\n{\"data\":{}},\n]", row: 2, line: 3, msg: "invalid JSON", accepted: 1},
		{name: "truncated", input: "[\n{\"data\":{}},\n{\"data\": {\"a\"", row: 2, line: 3, msg: "ends in the middle of a task", accepted: 1},
		{name: "unclosed list", input: "[\n{\"data\":{}}\n", row: 0, line: 3, msg: "invalid JSON", accepted: 1},
		{name: "data not object", input: "[\n  {\"data\": {}},\n  {\"data\": [1]}\n]", row: 2, line: 3, msg: `"data" must be a JSON object, not a list`, accepted: 1},
		{name: "data null", input: `[{"data": null}]`, row: 1, line: 1, msg: `"data" must be a JSON object, not null`},
		{name: "data string", input: `[{"data": "x"}]`, row: 1, line: 1, msg: `"data" must be a JSON object, not a string`},
		{name: "number item", input: `["ok", 42]`, row: 2, line: 1, msg: "a task must be a JSON object, not a number", accepted: 1},
		{name: "null item", input: `[null]`, row: 1, line: 1, msg: "not null"},
		{name: "bool item", input: `[true]`, row: 1, line: 1, msg: "not true or false"},
		{name: "nested list item", input: `[[{"data":{}}]]`, row: 1, line: 1, msg: "not a list"},
		{name: "meta not object", input: `[{"data": {}, "meta": [1]}]`, row: 1, line: 1, msg: `"meta" must be a JSON object`},
		{name: "annotations not list", input: `[{"data": {}, "annotations": {}}]`, row: 1, line: 1, msg: `"annotations" must be a list`},
		{name: "annotation not object", input: `[{"data": {}, "annotations": [[]]}]`, row: 1, line: 1, msg: `annotations[0] must be a JSON object`},
		{name: "annotation without result", input: `[{"data": {}, "annotations": [{"result": []}, {"lead_time": 1}]}]`, row: 1, line: 1, msg: `annotations[1]: "result" must be a list`},
		{name: "annotation result not list", input: `[{"data": {}, "annotations": [{"result": {}}]}]`, row: 1, line: 1, msg: `annotations[0]: "result" must be a list`},
		{name: "was_cancelled not bool", input: `[{"data": {}, "annotations": [{"result": [], "was_cancelled": "yes"}]}]`, row: 1, line: 1, msg: `annotations[0]: "was_cancelled" must be true or false`},
		{name: "lead_time not number", input: `[{"data": {}, "annotations": [{"result": [], "lead_time": "5"}]}]`, row: 1, line: 1, msg: `annotations[0]: "lead_time" must be a number, not a string`},
		{name: "prediction without result", input: `[{"data": {}, "predictions": [{"score": 1}]}]`, row: 1, line: 1, msg: `predictions[0]: "result" must be a list`},
		{name: "score not number", input: `[{"data": {}, "predictions": [{"result": [], "score": true}]}]`, row: 1, line: 1, msg: `predictions[0]: "score" must be a number`},
		{name: "score not finite", input: `[{"data": {}, "predictions": [{"result": [], "score": 1e999}]}]`, row: 1, line: 1, msg: `task.predictions[0].score: the number 1e999 is too large to store`},
		{name: "model_version not string", input: `[{"data": {}, "predictions": [{"result": [], "model_version": {}}]}]`, row: 1, line: 1, msg: `predictions[0]: "model_version" must be a string or a number`},
		{name: "duplicate key", input: `[{"data": {}, "data": {"a": 1}}]`, row: 1, line: 1, msg: `task: has the key "data" twice`},
		{name: "duplicate nested key", input: `[{"data": {"a": {"b": 1, "b": 2}}}]`, row: 1, line: 1, msg: `task.data.a: has the key "b" twice`},
		{name: "NUL in a result", input: `[{"data": {}, "annotations": [{"result": [{"value": {"text": ["a\u0000"]}}]}]}]`, row: 1, line: 1, msg: `task.annotations[0].result[0].value.text[0]: contains a NUL character`},
		{name: "result item not an object", input: `[{"data": {}, "annotations": [{"result": [1]}]}]`, row: 1, line: 1, msg: `annotations[0].result[0]: each result item must be an object`},
		{name: "duplicate escaped key", input: `[{"text": 1, "t\u0065xt": 2}]`, row: 1, line: 1, msg: `the key "text" twice`},
		{name: "no data", input: `[{"id": 1, "annotations": []}]`, row: 1, line: 1, msg: `the task has no "data"`},
		{name: "empty object", input: `[{}]`, row: 1, line: 1, msg: "the task is empty"},
		{name: "too deep", input: nested(65), row: 1, line: 1, msg: "nested more than 64 levels"},
		{name: "invalid UTF-8", input: "[\n{\"data\": {\"a\": \"\xff\"}}]", row: 1, line: 2, msg: "not valid UTF-8"},
		{name: "NUL escape", input: `[{"data": {"a": "x\u0000"}}]`, row: 1, line: 1, msg: "NUL character"},
		{name: "lone surrogate", input: `[{"data": {"a": "\ud800x"}}]`, row: 1, line: 1, msg: "unpaired UTF-16 surrogate"},
		{name: "lone low surrogate", input: `[{"data": {"a": "\udc00"}}]`, row: 1, line: 1, msg: "unpaired UTF-16 surrogate"},
		{name: "top-level string", input: "\n\"abc\"", line: 2, msg: "must hold a JSON list of tasks or a single task object"},
		{name: "top-level number", input: `42`, line: 1, msg: "must hold a JSON list"},
		{name: "data after list", input: "[{\"data\":{}}]\n\nx", line: 3, msg: "unexpected data after the list of tasks", accepted: 1},
		{name: "data after object", input: "{\"data\":{}}\n{\"data\":{}}", line: 2, msg: "unexpected data after the task", accepted: 1},
		{name: "empty file", input: "", msg: "the file has no tasks"},
		{name: "only whitespace and BOM", input: "\uFEFF \n\t", msg: "the file has no tasks"},
		{name: "empty list", input: "[ ]", msg: "the file has no tasks"},
		{name: "too many tasks", input: "[\n{\"data\":{}},\n{\"data\":{}},\n{\"data\":{}}\n]", limits: Limits{MaxTasks: 2},
			row: 3, line: 4, msg: "the file has more than 2 tasks", accepted: 2},
		{name: "file too large", input: `[{"data":{"a":"` + strings.Repeat("x", 100) + `"}}]`, limits: Limits{MaxBytes: 64},
			msg: "the file is larger than 64 bytes"},
		{name: "task too large", input: "[\n{\"data\":{}},\n{\"data\":{\"a\":\"" + strings.Repeat("x", 100) + "\"}}]", limits: Limits{MaxTaskBytes: 100},
			row: 2, line: 3, msg: "the task is larger than 100 bytes", accepted: 1},
		{name: "task far too large", input: "[\n{\"data\":{}},\n\n{\"data\":{\"a\":\"" + strings.Repeat("x", 1<<20) + "\"}}]", limits: Limits{MaxTaskBytes: 100},
			row: 2, line: 4, msg: "the task is larger than 100 bytes", accepted: 1},
	})
}

func TestParseJSONLimitsAreInclusive(t *testing.T) {
	input := `[{"data":{}},{"data":{}}]`
	task := len(`{"data":{}}`)
	_, n, err := mustParse(t, input, Options{Format: JSON, Limits: Limits{MaxTasks: 2, MaxBytes: int64(len(input)), MaxTaskBytes: task}})
	if err != nil || n != 2 {
		t.Fatalf("Parse at the limits = %d, %v; want 2, nil", n, err)
	}
}

func TestParseJSONL(t *testing.T) {
	runGood(t, JSONL, []goodCase{
		{name: "tasks and blank lines", input: "{\"data\": {\"a\": 1}}\n\n  \n{\"text\": \"flat\"}\n\"plain\"\n", want: []string{
			`{"a":1}`, `{"text":"flat"}`, `{"text":"plain"}`,
		}},
		{name: "annotations", input: `{"data": {}, "annotations": [{"result": [{"x": 1}], "ground_truth": true}]}`, want: []string{
			`{} ann([{"x":1}] gt)`,
		}},
		{name: "BOM, CRLF, no final newline", input: "\uFEFF{\"data\":{\"a\":\"é\"}}\r\n\r\n{\"data\":{\"b\":2}}", want: []string{
			`{"a":"é"}`, `{"b":2}`,
		}},
		{name: "long line", input: `{"data":{"a":"` + strings.Repeat("y", 100_000) + `"}}`, want: []string{
			`{"a":"` + strings.Repeat("y", 100_000) + `"}`,
		}},
	})
	runBad(t, JSONL, []badCase{
		{name: "malformed line", input: "{\"data\":{}}\n\n{\"data\":{}\n{\"data\":{}}\n", row: 2, line: 3, msg: "invalid JSON: unexpected end of JSON input", accepted: 1},
		{name: "pretty printed object", input: "{\n\"data\": {}\n}\n", row: 1, line: 1, msg: "invalid JSON"},
		{name: "two values on a line", input: `{"data":{}} {"data":{}}`, row: 1, line: 1, msg: "invalid JSON"},
		{name: "data not object", input: "\n\n{\"data\": 5}\n", row: 1, line: 3, msg: `"data" must be a JSON object, not a number`},
		{name: "number line", input: "{\"a\":1}\n7\n", row: 2, line: 2, msg: "not a number", accepted: 1},
		{name: "invalid UTF-8", input: "{\"data\":{\"a\":\"\xc3\x28\"}}\n", row: 1, line: 1, msg: "not valid UTF-8"},
		{name: "empty", input: "\n\r\n", msg: "the file has no tasks"},
		{name: "too many", input: "{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n", limits: Limits{MaxTasks: 2}, row: 3, line: 4, msg: "more than 2 tasks", accepted: 2},
		{name: "line too long", input: "{\"a\":1}\n\n{\"a\":\"" + strings.Repeat("z", 300_000) + "\"}\n", limits: Limits{MaxTaskBytes: 1000},
			row: 2, line: 3, msg: "the task is larger than 1000 bytes", accepted: 1},
		{name: "file too large", input: strings.Repeat("{\"a\":1}\n", 100), limits: Limits{MaxBytes: 200}, msg: "the file is larger than 200 bytes", accepted: 25},
	})
}

func TestParseCSV(t *testing.T) {
	runGood(t, CSV, []goodCase{
		{name: "basic", input: "text,label,n\nhello,pos,1\n\"a, b\",\"say \"\"hi\"\"\",\n", want: []string{
			`{"text":"hello","label":"pos","n":"1"}`,
			`{"text":"a, b","label":"say \"hi\"","n":""}`,
		}},
		// Saved by a spreadsheet that writes decimal commas: Label Studio
		// detects the semicolons.
		{name: "separated by semicolons", input: "text;price\nhello;3,5\n\"a; b\";1\n", want: []string{
			`{"text":"hello","price":"3,5"}`,
			`{"text":"a; b","price":"1"}`,
		}},
		{name: "a semicolon in a comma-separated header", input: "text,note\nx,a;b\n", want: []string{
			`{"text":"x","note":"a;b"}`,
		}},
		{name: "multi-line field", input: "text,id\n\"line one\nline two\",7\n", want: []string{
			`{"text":"line one\nline two","id":"7"}`,
		}},
		{name: "BOM and CRLF", input: "\uFEFFtext,x\r\nfirst,1\r\nsecond,2\r\n", want: []string{
			`{"text":"first","x":"1"}`, `{"text":"second","x":"2"}`,
		}},
		{name: "unicode and escapes", input: "t\u00e9xt,tab\n世界 😀,\"a\tb\\c\"\n", want: []string{
			`{"téxt":"世界 😀","tab":"a\tb\\c"}`,
		}},
		{name: "task field names are data", input: "annotations,predictions,meta,data\n[],[],{},x\n", want: []string{
			`{"annotations":"[]","predictions":"[]","meta":"{}","data":"x"}`,
		}},
		{name: "blank lines skipped", input: "a\n\nx\n\ny\n", want: []string{`{"a":"x"}`, `{"a":"y"}`}},
	})
	runBad(t, CSV, []badCase{
		{name: "wrong field count", input: "a,b,c\n1,2,3\n1,2,3,4\n", row: 2, line: 3, msg: "row has 4 fields, the header has 3", accepted: 1},
		{name: "too few fields after multi-line field", input: "a,b\n\"x\ny\",1\n\n2\n", row: 2, line: 5, msg: "row has 1 fields, the header has 2", accepted: 1},
		{name: "duplicate header", input: "text,label,text\n1,2,3\n", line: 1, msg: `the header has the column "text" twice`},
		{name: "empty header name", input: "text,,label\n1,2,3\n", line: 1, msg: "column 2 of the header has no name"},
		{name: "blank header name", input: "\n\ntext, \n1,2\n", line: 3, msg: "column 2 of the header has no name"},
		{name: "empty file", input: "", msg: "the file has no tasks"},
		{name: "only a BOM", input: "\uFEFF", msg: "the file has no tasks"},
		{name: "header only", input: "text,label\r\n", msg: "the file has no tasks"},
		{name: "bare quote", input: "a,b\n1,2\n3,x\"y\n", row: 2, line: 3, msg: `bare " in non-quoted-field`, accepted: 1},
		{name: "unterminated quote", input: "a,b\n1,\"2\n", row: 1, line: 2, msg: `extraneous or missing " in quoted-field`},
		{name: "invalid UTF-8 value", input: "a,b\n1,\xff\n", row: 1, line: 2, msg: `column "b" is not valid UTF-8`},
		{name: "invalid UTF-8 header", input: "a,\xfe\n1,2\n", line: 1, msg: "column 2 of the header is not valid UTF-8"},
		{name: "NUL value", input: "a\nx\x00y\n", row: 1, line: 2, msg: `column "a" contains a NUL character`},
		{name: "too many", input: "a\n1\n2\n3\n", limits: Limits{MaxTasks: 2}, row: 3, line: 4, msg: "the file has more than 2 tasks", accepted: 2},
		{name: "row too large", input: "a\n1\n" + strings.Repeat("x", 200) + "\n", limits: Limits{MaxTaskBytes: 100}, row: 2, line: 3, msg: "the task is larger than 100 bytes", accepted: 1},
		{name: "row far too large", input: "a\n1\n\"" + strings.Repeat("x\n", 1<<20) + "\"\n", limits: Limits{MaxTaskBytes: 100}, row: 2, msg: "the task is larger than 100 bytes", accepted: 1},
		{name: "file too large", input: "a\n" + strings.Repeat("row\n", 100), limits: Limits{MaxBytes: 50}, msg: "the file is larger than 50 bytes", accepted: 12},
	})
}

func TestParseTSV(t *testing.T) {
	runGood(t, TSV, []goodCase{
		{name: "basic", input: "text\tlabel\r\na, b\t\"x\ty\"\r\n", want: []string{`{"text":"a, b","label":"x\ty"}`}},
	})
	runBad(t, TSV, []badCase{
		{name: "wrong field count", input: "a\tb\n1,2\n", row: 1, line: 2, msg: "row has 1 fields, the header has 2"},
	})
}

func TestParseTXT(t *testing.T) {
	runGood(t, TXT, []goodCase{
		{name: "lines", input: "first line\n\n   \nsecond \"quoted\" \\ line\t\n", want: []string{
			`{"text":"first line"}`, `{"text":"second \"quoted\" \\ line\t"}`,
		}},
		{name: "BOM and CRLF", input: "\uFEFFuno\r\ndos\r\n", want: []string{`{"text":"uno"}`, `{"text":"dos"}`}},
		{name: "custom key and unicode", key: "sentence", input: "日本語 😀 <b>", want: []string{`{"sentence":"日本語 😀 <b>"}`}},
		{name: "JSON is just text", input: `{"data": 1}`, want: []string{`{"text":"{\"data\": 1}"}`}},
	})
	runBad(t, TXT, []badCase{
		{name: "invalid UTF-8", input: "ok\n\nbad \xff\n", row: 2, line: 3, msg: "the line is not valid UTF-8", accepted: 1},
		{name: "NUL", input: "a\x00b", row: 1, line: 1, msg: "NUL character"},
		{name: "empty", input: "\uFEFF\n \n", msg: "the file has no tasks"},
		{name: "line too long", input: "a\n" + strings.Repeat("b", 101) + "\n", limits: Limits{MaxTaskBytes: 100}, row: 2, line: 2, msg: "larger than 100 bytes", accepted: 1},
		{name: "too many", input: "a\nb\nc\n", limits: Limits{MaxTasks: 1}, row: 2, line: 2, msg: "more than 1 tasks", accepted: 1},
	})
}

func TestParseJSONValue(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []string
		err  string
	}{
		{name: "list", raw: `[{"data":{"a":1}},"txt",{"b":2}]`, want: []string{`{"a":1}`, `{"text":"txt"}`, `{"b":2}`}},
		{name: "single task", raw: `{"data":{"a":1},"annotations":[{"result":[]}]}`, want: []string{`{"a":1} ann([])`}},
		{name: "error has no line", raw: "[\n{\"data\":{}},\n{\"data\":1}]", err: `task 2: "data" must be a JSON object, not a number`},
		{name: "string is not a list", raw: `"abc"`, err: "the value must hold a JSON list of tasks or a single task object"},
		{name: "empty list", raw: `[]`, err: "the value has no tasks"},
		{name: "null", raw: `null`, err: "the value must hold"},
		{name: "empty", raw: ``, err: "the value has no tasks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			_, err := ParseJSONValue(json.RawMessage(tc.raw), Options{}, func(task Task) error {
				checkTask(t, task)
				got = append(got, render(task))
				return nil
			})
			if tc.err != "" {
				var re *RowError
				if !errors.As(err, &re) || re.Line != 0 || err.Error() != tc.err && !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want a *RowError without a line containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseStopsOnCallerError(t *testing.T) {
	stop := errors.New("stop")
	for _, f := range []Format{JSON, JSONL, CSV, TSV, TXT} {
		t.Run(string(f), func(t *testing.T) {
			input := map[Format]string{
				JSON:  `["a","b","c"]`,
				JSONL: "\"a\"\n\"b\"\n\"c\"\n",
				CSV:   "text\na\nb\nc\n",
				TSV:   "text\na\nb\nc\n",
				TXT:   "a\nb\nc\n",
			}[f]
			calls := 0
			n, err := Parse(strings.NewReader(input), Options{Format: f}, func(Task) error {
				calls++
				if calls == 2 {
					return stop
				}
				return nil
			})
			if err != stop || n != 1 || calls != 2 {
				t.Errorf("Parse = %d, %v after %d calls; want 1, the caller's error, after 2", n, err, calls)
			}
		})
	}
}

func TestParseReadError(t *testing.T) {
	broken := errors.New("connection reset")
	for _, f := range []Format{JSON, JSONL, CSV, TSV, TXT} {
		t.Run(string(f), func(t *testing.T) {
			start := map[Format]string{JSON: "[\n", JSONL: "\"a\"\n", CSV: "a\n", TSV: "a\n", TXT: "a\n"}[f]
			r := io.MultiReader(strings.NewReader(start), &failingReader{broken})
			_, err := Parse(r, Options{Format: f}, func(Task) error { return nil })
			var re *RowError
			if !errors.Is(err, broken) || errors.As(err, &re) {
				t.Errorf("err = %v, want the read error wrapped, not a *RowError", err)
			}
		})
	}
}

type failingReader struct{ err error }

func (r *failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestParseOptions(t *testing.T) {
	if _, err := Parse(strings.NewReader("a"), Options{Format: "xlsx"}, nil); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := Parse(strings.NewReader("a"), Options{Format: TXT, TextKey: "\xff"}, nil); err == nil {
		t.Error("invalid text key accepted")
	}
	d := DefaultLimits()
	if d.MaxTasks != 1_000_000 || d.MaxBytes != 200<<20 || d.MaxTaskBytes != 1<<20 {
		t.Errorf("DefaultLimits() = %+v", d)
	}
	if got := (Limits{MaxTasks: 5}).withDefaults(); got != (Limits{MaxTasks: 5, MaxBytes: d.MaxBytes, MaxTaskBytes: d.MaxTaskBytes}) {
		t.Errorf("withDefaults() = %+v", got)
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		name string
		want Format
		err  string
	}{
		{name: "tasks.json", want: JSON},
		{name: "TASKS.JSON", want: JSON},
		{name: "dir.v2/tasks.jsonl", want: JSONL},
		{name: `C:\exports\tasks.NDJSON`, want: JSONL},
		{name: "a.b.csv", want: CSV},
		{name: "x.Tsv", want: TSV},
		{name: "notes.txt", want: TXT},
		{name: "page.HTM", want: HTML},
		{name: "sheet.xlsx", err: `unsupported file type ".xlsx": use .json, .jsonl, .ndjson, .csv, .tsv, .txt or .html`},
		{name: "dir.json/README", err: `file "README" has no extension`},
		{name: "", err: "has no extension"},
	}
	for _, tc := range tests {
		got, err := FormatOf(tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("FormatOf(%q) error = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestRowErrorMessage(t *testing.T) {
	tests := []struct {
		err  RowError
		want string
	}{
		{RowError{Row: 12, Line: 14, Msg: `"data" must be a JSON object`}, `line 14 (task 12): "data" must be a JSON object`},
		{RowError{Line: 3, Msg: "row has 4 fields, the header has 3"}, "line 3: row has 4 fields, the header has 3"},
		{RowError{Row: 2, Msg: "bad"}, "task 2: bad"},
		{RowError{Msg: "the file has no tasks"}, "the file has no tasks"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// taskJSON writes the i-th generated task of the streaming test and
// benchmarks, about 200 bytes.
func taskJSON(w io.Writer, i int) {
	fmt.Fprintf(w, `{"data":{"text":"task number %d of the generated file, padded to look like a sentence","id":%d},`+
		`"annotations":[{"result":[{"from_name":"label","to_name":"text","type":"choices","value":{"choices":["positive"]}}]}]}`, i, i)
}

// TestParseStreams parses a JSON array of 200k tasks (about 40 MB) written
// through a pipe as it is read, and checks that the live heap stays far
// below the size of the file.
func TestParseStreams(t *testing.T) {
	const tasks = 200_000
	const bound = 20 << 20
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		w.WriteString("[\n")
		for i := range tasks {
			if i > 0 {
				w.WriteString(",\n")
			}
			taskJSON(w, i)
		}
		w.WriteString("\n]\n")
		pw.CloseWithError(w.Flush())
	}()

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var peak uint64
	var written int64
	seen := 0
	n, err := Parse(pr, Options{Format: JSON}, func(task Task) error {
		written += int64(len(task.Data))
		if seen++; seen%20_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != tasks {
		t.Fatalf("parsed %d tasks, want %d", n, tasks)
	}
	if peak == 0 {
		t.Fatal("memory was never sampled")
	}
	if growth := int64(peak) - int64(before); growth > bound {
		t.Errorf("heap grew by %d bytes while parsing %d bytes of data, want under %d", growth, written, bound)
	}
	t.Logf("peak heap growth %d KiB over %d MiB of task data", (int64(peak)-int64(before))>>10, written>>20)
}

// benchmarkInput returns a file of 100k tasks in format f.
func benchmarkInput(f Format) []byte {
	var b bytes.Buffer
	switch f {
	case JSON:
		b.WriteString("[\n")
		for i := range 100_000 {
			if i > 0 {
				b.WriteString(",\n")
			}
			taskJSON(&b, i)
		}
		b.WriteString("\n]\n")
	case CSV:
		b.WriteString("text,id,label\n")
		for i := range 100_000 {
			fmt.Fprintf(&b, "\"task number %d, padded to look like a sentence\",%d,positive\n", i, i)
		}
	}
	return b.Bytes()
}

func benchmarkParse(b *testing.B, f Format) {
	input := benchmarkInput(f)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := Parse(bytes.NewReader(input), Options{Format: f}, func(Task) error { return nil })
		if err != nil || n != 100_000 {
			b.Fatalf("Parse = %d, %v", n, err)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) { benchmarkParse(b, JSON) }

func BenchmarkParseCSV(b *testing.B) { benchmarkParse(b, CSV) }

// FuzzParseJSON checks that no input makes the JSON parser panic, and that
// whatever it accepts meets the Task invariants.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`[{"data":{"a":1},"meta":{},"annotations":[{"result":[],"lead_time":1}],"predictions":[{"result":[],"score":0.5,"model_version":"v"}]}]`,
		`{"text":"flat"}`,
		"[\"a\",\n\"b\"]",
		"\uFEFF[\r\n{\"data\":{\"x\":\"\\ud83d\\ude00\"}}]",
		`[{"data":{}},]`,
		`[{"data":{"a":"\u0000"}}]`,
		nested(65),
		`[1, null, true]`,
	} {
		f.Add([]byte(s))
	}
	limits := Limits{MaxTasks: 50, MaxBytes: 1 << 16, MaxTaskBytes: 4096}
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, parse := range []func(fn func(Task) error) (int, error){
			func(fn func(Task) error) (int, error) {
				return Parse(bytes.NewReader(input), Options{Format: JSON, Limits: limits}, fn)
			},
			func(fn func(Task) error) (int, error) {
				return Parse(bytes.NewReader(input), Options{Format: JSONL, Limits: limits}, fn)
			},
			func(fn func(Task) error) (int, error) {
				return ParseJSONValue(input, Options{Limits: limits}, fn)
			},
		} {
			seen := 0
			n, err := parse(func(task Task) error {
				checkTask(t, task)
				seen++
				return nil
			})
			if n != seen {
				t.Fatalf("Parse returned %d, fn saw %d", n, seen)
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a *RowError", err, err)
			}
			if err == nil && n == 0 {
				t.Fatal("no tasks and no error")
			}
		}
	})
}

// FuzzParseTable checks the CSV, TSV and text parsers the same way.
func FuzzParseTable(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\uFEFFtext\r\n\"x\ny\"\r\n", "a\tb\n1\t2", "line\n\nline\n", "a,a\n1,2", "a\n\"x"} {
		f.Add([]byte(s))
	}
	limits := Limits{MaxTasks: 50, MaxBytes: 1 << 16, MaxTaskBytes: 4096}
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, format := range []Format{CSV, TSV, TXT} {
			n, err := Parse(bytes.NewReader(input), Options{Format: format, Limits: limits}, func(task Task) error {
				checkTask(t, task)
				return nil
			})
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("%s: error %v (%T) is not a *RowError", format, err, err)
			}
			if err == nil && n == 0 {
				t.Fatalf("%s: no tasks and no error", format)
			}
		}
	})
}

// TestRequiredKeys: every format refuses the first task lacking a required
// data key, naming the key and where it is; an empty or null value counts
// as present.
func TestRequiredKeys(t *testing.T) {
	o := func(f Format) Options { return Options{Format: f, RequiredKeys: []string{"image", "caption"}} }
	for _, tc := range []struct {
		f        Format
		in, want string
	}{
		{CSV, "image,caption\na.png,\n", ""},
		{CSV, "image,title\na.png,x\n", `line 2 (task 1): "caption" key is expected in task data`},
		{TSV, "caption\timage\n\t\n", ""},
		{JSON, `[{"image":null,"caption":""},{"data":{"image":"b"}}]`, `line 1 (task 2): "caption" key is expected`},
		{JSONL, "{\"image\":1,\"caption\":2}\n\n{\"caption\":3}\n", `line 3 (task 2): "image" key is expected`},
		{TXT, "one line\n", `line 1 (task 1): "image" key is expected`},
	} {
		n, err := Parse(strings.NewReader(tc.in), o(tc.f), func(Task) error { return nil })
		if tc.want == "" {
			if err != nil || n != 1 {
				t.Errorf("%s %q: n=%d err=%v, want one task", tc.f, tc.in, n, err)
			}
			continue
		}
		var re *RowError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: err=%v, want %q", tc.f, tc.in, err, tc.want)
		}
	}
}

// TestSniff: a task file whose name says nothing is read by its content,
// as Label Studio reads storage objects whatever their names.
func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        Format
		ok          bool
	}{
		{"a list", "\n  [{\"data\": {}}]", JSON, true},
		{"one object over lines", "\uFEFF{\n  \"data\": {\"a\": 1}\n}\n", JSON, true},
		{"one object on one line", "{\"a\": 1}\n\n", JSON, true},
		{"objects a line each", "{\"a\": 1}\n\n{\"a\": 2}\n", JSONL, true},
		{"plain text", "hello\nworld\n", "", false},
		{"a number", "42", "", false},
		{"empty", "  \n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Sniff(strings.NewReader(tc.input))
			if f != tc.want || ok != tc.ok {
				t.Fatalf("Sniff = %q, %v; want %q, %v", f, ok, tc.want, tc.ok)
			}
		})
	}
}
