package httpapi

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/actors-dev/actors/internal/actors"
)

// TestAppendActorJSON holds the hand-written encoder to encoding/json's output for the
// generated type, on tricky strings and on random ones.
func TestAppendActorJSON(t *testing.T) {
	cases := []string{
		"", "William Shatner", `quote " backslash \ slash /`, "<script>&amp;</script>",
		"\x00\x01\b\f\n\r\t\x1f\x7f", "line\u2028para\u2029", "bad \xff\xfe utf8 \xc3", "日本語 🚀 é",
		strings.Repeat("a", 200),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "\"", "\\", "<", ">", "&", "\n", "\x00", "\x1f", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "🚀", " "}
	for range 2000 {
		var sb strings.Builder
		for range rng.IntN(12) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for i, name := range cases {
		a := actors.Actor{ID: int64(i) - 3, Name: name, Role: cases[len(cases)-1-i], Version: 1}
		want, err := json.Marshal(toAPI(a))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendActorJSON(nil, a); string(got) != string(want) {
			t.Fatalf("appendActorJSON(%q, %q)\n got %s\nwant %s", a.Name, a.Role, got, want)
		}
	}
}
