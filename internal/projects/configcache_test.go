package projects

import (
	"fmt"
	"strings"
	"testing"
)

// TestParsedConfigsAreBoundedBySize: the cache of parsed configurations
// holds at most maxParsedConfigBytes of their texts, however few they are:
// large configurations parse to about ten times their size.
func TestParsedConfigsAreBoundedBySize(t *testing.T) {
	for i := range 48 {
		var b strings.Builder
		fmt.Fprintf(&b, `<View><Text name="text" value="$text"/><Choices name="c%d" toName="text">`, i)
		for j := 0; b.Len() < 200<<10; j++ {
			fmt.Fprintf(&b, `<Choice value="label number %d of a long list of choices"/>`, j)
		}
		b.WriteString(`</Choices></View>`)
		if _, err := parsed(b.String()); err != nil {
			t.Fatal(err)
		}
		parsedConfigs.Lock()
		held := parsedConfigs.bytes
		total := 0
		for text := range parsedConfigs.m {
			total += len(text)
		}
		parsedConfigs.Unlock()
		if total > maxParsedConfigBytes || held != total {
			t.Fatalf("after %d configurations of 200 KiB the cache holds %d bytes of text (counted %d); the bound is %d", i+1, total, held, maxParsedConfigBytes)
		}
	}
}
