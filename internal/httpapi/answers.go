package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// answer is every answer that carries actors, in the spec's shapes: the generated
// actorsapi.Actor, the spec's headers. It is written with one json.Marshal and its headers
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
	var body any = &a.actor
	if a.list {
		body = &a.actors
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	h := w.Header()
	h["Content-Type"] = headerJSON
	for _, kv := range [...][2]string{{"Etag", a.etag}, {"Location", a.location}, {"Link", a.link}} {
		if kv[1] != "" {
			h[kv[0]] = []string{kv[1]}
		}
	}
	w.WriteHeader(a.status)
	_, err = w.Write(append(b, '\n')) // as json.Encoder ends it
	return err
}
