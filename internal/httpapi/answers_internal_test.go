package httpapi

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// TestAppendActor holds appendActor to json.Marshal: the same fields (so a field the spec
// gains fails here until appendActor writes it) and the same values once decoded, for the
// strings JSON quoting gets wrong most easily.
func TestAppendActor(t *testing.T) {
	strs := []string{
		"", "William Shatner", `say "hi"`, `back\slash`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "naïve 日本語 🖖", "\u2028\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80",
	}
	ids := []int64{0, 1, -1, math.MaxInt64, math.MinInt64}
	for i, s := range strs {
		a := actorsapi.Actor{Actor: s, Id: ids[i%len(ids)], Role: strs[len(strs)-1-i]}
		got := appendActor(nil, &a)
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(got) {
			t.Fatalf("appendActor(%#v) = %s: not valid JSON", a, got)
		}
		var gotFields, wantFields map[string]any
		if err := json.Unmarshal(got, &gotFields); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &wantFields); err != nil {
			t.Fatal(err)
		}
		for k := range wantFields {
			if _, ok := gotFields[k]; !ok {
				t.Fatalf("appendActor does not write %q, a field of actorsapi.Actor: add it there", k)
			}
		}
		if !reflect.DeepEqual(gotFields, wantFields) {
			t.Errorf("appendActor(%#v)\n = %s\nwant %s (json.Marshal)", a, got, want)
		}
		var back actorsapi.Actor
		if err := json.Unmarshal(got, &back); err != nil || back.Id != a.Id {
			t.Errorf("appendActor(%#v) = %s: id decodes to %d, %v", a, got, back.Id, err)
		}
	}
}

// TestAnswerBodies: a page's body is a JSON array, [] when empty, ended as json.Encoder ends
// it; an actor's is the actor.
func TestAnswerBodies(t *testing.T) {
	page := []actorsapi.Actor{{Actor: "Leonard Nimoy", Id: 2, Role: "Spock"}, {Actor: "Nichelle Nichols", Id: 7, Role: "Uhura"}}
	for _, tc := range []struct {
		name string
		a    answer
		want string
	}{
		{"empty page", answer{status: 200, list: true, actors: []actorsapi.Actor{}}, "[]\n"},
		{"page", answer{status: 200, list: true, actors: page}, `[{"actor":"Leonard Nimoy","id":2,"role":"Spock"},{"actor":"Nichelle Nichols","id":7,"role":"Uhura"}]` + "\n"},
		{"actor", answer{status: 201, actor: page[0]}, `{"actor":"Leonard Nimoy","id":2,"role":"Spock"}` + "\n"},
	} {
		w := httptest.NewRecorder()
		if err := tc.a.write(w); err != nil {
			t.Fatal(err)
		}
		if w.Code != tc.a.status || w.Body.String() != tc.want || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q %q; want %d %q application/json", tc.name, w.Code, w.Body, w.Header().Get("Content-Type"), tc.a.status, tc.want)
		}
	}
}
