package httpapi

import (
	"encoding/json/jsontext"
	"net/http"
	"strconv"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// answer is every answer that carries actors, in the spec's shapes: the generated
// actorsapi.Actor, the spec's headers. Its body is appended by appendActor and its headers
// put straight into the header map, where the generated response types encode through a
// bytes.Buffer and a json.Encoder and set each header with Header.Set and fmt.Sprint: five
// allocations more an answer. The tests check every answer against the spec.
type answer struct {
	status               int
	actor                actorsapi.Actor
	actors               []actorsapi.Actor // a page's, with list set
	list                 bool
	etag, location, link string // each sent when set
}

func (a *answer) VisitListActorsResponse(w http.ResponseWriter) error   { return a.write(w) }
func (a *answer) VisitGetActorResponse(w http.ResponseWriter) error     { return a.write(w) }
func (a *answer) VisitCreateActorResponse(w http.ResponseWriter) error  { return a.write(w) }
func (a *answer) VisitReplaceActorResponse(w http.ResponseWriter) error { return a.write(w) }
func (a *answer) VisitPatchActorResponse(w http.ResponseWriter) error   { return a.write(w) }

var headerJSON = []string{"application/json"} // shared: see headerNoSniff

func (a *answer) write(w http.ResponseWriter) error {
	var b []byte
	if a.list {
		b = append(make([]byte, 0, 2+80*len(a.actors)), '[')
		for i := range a.actors {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendActor(b, &a.actors[i])
		}
		b = append(b, ']')
	} else {
		b = appendActor(make([]byte, 0, 96), &a.actor)
	}
	h := w.Header()
	h["Content-Type"] = headerJSON
	for _, kv := range [...][2]string{{"Etag", a.etag}, {"Location", a.location}, {"Link", a.link}} {
		if kv[1] != "" {
			h[kv[0]] = []string{kv[1]}
		}
	}
	w.WriteHeader(a.status)
	_, err := w.Write(append(b, '\n')) // as json.Encoder ends it
	return err
}

// appendActor appends a as JSON, where encoding/json's reflection was the largest cost of
// a GET /actors in the handler chain. TestAppendActor holds it to json.Marshal's output
// for every field of actorsapi.Actor. Strings are quoted as JSON requires, without
// json.Marshal's escaping of <, > and & for HTML: an answer is never embedded in a page.
func appendActor(b []byte, a *actorsapi.Actor) []byte {
	b = append(b, `{"actor":`...)
	b, _ = jsontext.AppendQuote(b, a.Actor) // invalid UTF-8 is replaced, as json.Marshal does
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, a.Id, 10)
	b = append(b, `,"role":`...)
	b, _ = jsontext.AppendQuote(b, a.Role)
	return append(b, '}')
}
