package httpapi

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
)

// encodedActor is one actor version's JSON, encoded once and reused by every answer that
// shows that version: GET of the actor, and every list page it is on. The bytes are what
// the generated responses' json.Encoder would write (see appendActorJSON).
type encodedActor struct {
	actor actors.Actor // the version encoded, compared in full before reuse
	body  []byte       // {"actor":…,"id":…,"role":…}\n
	etag  []string     // the ETag header's value slice: {`"<version>"`}
}

// item is the actor's JSON as an element of a list.
func (e *encodedActor) item() []byte { return e.body[:len(e.body)-1] }

// maxEncodings bounds the cache (about 250 bytes an entry); past it an arbitrary entry makes
// room, so a client walking a large store costs some encoding, never unbounded memory.
const maxEncodings = 4096

// encodings caches encodedActor by id. An entry is reused only for the very actor it was
// made from (id, version, name and role), so a stale one is never served, whatever store
// is behind the handlers.
type encodings struct {
	mu   sync.RWMutex
	byID map[int64]*encodedActor
}

func newEncodings() *encodings {
	return &encodings{byID: make(map[int64]*encodedActor)}
}

func (c *encodings) get(a actors.Actor) *encodedActor {
	c.mu.RLock()
	e := c.byID[a.ID]
	c.mu.RUnlock()
	if e != nil && e.actor == a {
		return e
	}
	e = &encodedActor{actor: a, body: append(appendActorJSON(make([]byte, 0, 64+len(a.Name)+len(a.Role)), a), '\n'), etag: []string{etag(a)}}
	c.mu.Lock()
	if len(c.byID) >= maxEncodings {
		for id := range c.byID {
			delete(c.byID, id)
			break
		}
	}
	c.byID[a.ID] = e
	c.mu.Unlock()
	return e
}

// getActor200 answers GET /actors/{id} with an encoded actor.
type getActor200 struct{ *encodedActor }

func (r getActor200) VisitGetActorResponse(w http.ResponseWriter) error {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["Etag"] = r.etag
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(r.body)
	return err
}

// listPage answers GET /actors with one page of actors.
type listPage struct {
	actors  []actors.Actor
	encoded *encodings
	link    string // the Link header; empty on the last page
}

// listBuffers recycles list bodies: a page of 100 is about 8 KiB.
var listBuffers = sync.Pool{New: func() any { return new([]byte) }}

func (p *listPage) VisitListActorsResponse(w http.ResponseWriter) error {
	bp := listBuffers.Get().(*[]byte)
	defer listBuffers.Put(bp)
	buf := append((*bp)[:0], '[')
	buf = p.encoded.appendList(buf, p.actors)
	buf = append(buf, ']', '\n')
	*bp = buf
	h := w.Header()
	h["Content-Type"] = headerJSON
	if p.link != "" {
		h.Set("Link", p.link)
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf)
	return err
}

// appendList appends page as the elements of a JSON list: the cached encodings where they
// are current, the others encoded in place. Those are cached too while the cache has room;
// a full cache is not churned by a client paging through a large store, since encoding in
// place costs no more than caching would.
func (c *encodings) appendList(b []byte, page []actors.Actor) []byte {
	missed := false
	c.mu.RLock()
	for i, a := range page {
		if i > 0 {
			b = append(b, ',')
		}
		if e := c.byID[a.ID]; e != nil && e.actor == a {
			b = append(b, e.item()...)
		} else {
			b = appendActorJSON(b, a)
			missed = true
		}
	}
	room := len(c.byID)+len(page) <= maxEncodings
	c.mu.RUnlock()
	if missed && room {
		for _, a := range page {
			c.get(a)
		}
	}
	return b
}

// nextLink is the Link header to the page after the one ending at id last.
func nextLink(limit int, last int64) string {
	var buf [96]byte
	b := append(buf[:0], "</actors?limit="...)
	b = strconv.AppendInt(b, int64(limit), 10)
	b = append(b, "&after="...)
	b = strconv.AppendInt(b, last, 10)
	b = append(b, `>; rel="next"`...)
	return string(b)
}

var (
	_ actorsapi.GetActorResponseObject   = getActor200{}
	_ actorsapi.ListActorsResponseObject = (*listPage)(nil)
)
