package labelconfig

import (
	"strings"
	"testing"
)

// TestCheckResult checks the rules every stored result obeys, and that the
// error names the place.
func TestCheckResult(t *testing.T) {
	deep := `[{"value":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}]`
	tests := []struct {
		name, raw, want string // want "" means accepted
	}{
		{"empty", `[]`, ""},
		{"ordinary", `[{"id":"a","type":"choices","value":{"choices":["x"]},"score":1e300,"tiny":1e-400}]`, ""},
		{"paired surrogates", `[{"value":{"text":["\ud83d\ude00"]}}]`, ""},
		{"deep", deep, "result[0].value.a.a.a"},
		{"deep message", deep, "nested more than 64 levels deep"},
		{"NUL", `[{"value":{"text":["ok","a\u0000b"]}}]`, `result[0].value.text[1]: contains a NUL character`},
		{"NUL in a key", `[{"value":{"a\u0000":1}}]`, `result[0].value: a key contains a NUL character`},
		{"lone high surrogate", `[{"value":{"text":["\ud800x"]}}]`, `result[0].value.text[0]: contains an unpaired UTF-16 surrogate escape`},
		{"lone low surrogate", `[{"value":{"text":"\udc00"}}]`, `result[0].value.text: contains an unpaired`},
		{"huge number", `[{"value":{"x":1e400}}]`, `result[0].value.x: the number 1e400 is too large to store`},
		{"huge negative number", `[{"value":{"x":-` + strings.Repeat("9", 400) + `}}]`, `result[0].value.x: the number`},
		{"repeated key", `[{"value":{"x":1,"x":2}}]`, `result[0].value: has the key "x" twice`},
		{"odd key in path", `[{"value":{"a b":"\u0000"}}]`, `result[0].value["a b"]: contains a NUL`},
		{"not a list", `{"value":{}}`, `result: must be a list of Label Studio regions`},
		{"item not an object", `[{}, "x"]`, `result[1]: each result item must be an object`},
		{"invalid UTF-8", "[{\"value\":\"\xff\"}]", `result: is not valid UTF-8`},
		{"too large", `[{"value":{"text":["` + strings.Repeat("x", MaxResultBytes) + `"]}}]`, `result: the result is larger than`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckResult([]byte(tt.raw), "result")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatal("accepted")
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
