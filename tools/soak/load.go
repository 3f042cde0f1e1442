package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load is the clients' side of the soak: the operations, their counters and the model.
type load struct {
	base, user, password string
	client               *http.Client
	model                *model

	requests      atomic.Int64
	preconditions atomic.Int64 // 412: another client wrote first; an expected answer
	gone          atomic.Int64 // 404 after a DELETE was sent; an expected answer
	errors        atomic.Int64
	ops           [opCount]atomic.Int64
}

type op int

const (
	opCreate op = iota
	opGet
	opReplace
	opPatch
	opDelete
	opList
	opCount
)

var opNames = [opCount]string{"create", "get", "replace", "patch", "delete", "list"}

// weights: out of 100. Deletes are rarer than creates, so the store grows slowly and reads
// meet live actors mostly.
var weights = [opCount]int{opCreate: 15, opGet: 30, opReplace: 15, opPatch: 15, opDelete: 5, opList: 20}

func newLoad(base, user, password string, client *http.Client) *load {
	return &load{base: base, user: user, password: password, client: client, model: newModel()}
}

// run sends requests from n clients until ctx ends. A request under way then completes:
// cancelling it would leave its effect on the store unknown to the model.
func (l *load) run(ctx context.Context, n int) {
	var wg sync.WaitGroup
	for c := range n {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			for i := 0; ctx.Err() == nil; i++ {
				l.one(context.Background(), r, c, i)
			}
		})
	}
	wg.Wait()
}

func (l *load) one(ctx context.Context, r *rand.Rand, client, i int) {
	roll := r.IntN(100)
	o := op(0)
	for ; roll >= weights[o]; o++ {
		roll -= weights[o]
	}
	l.ops[o].Add(1)
	name := fmt.Sprintf("Soak %d-%d", client, i)
	switch o {
	case opCreate:
		a, status, err := l.do(ctx, http.MethodPost, "/actors", "application/json", "", map[string]string{"actor": name, "role": "Extra"})
		if l.expect("create", status, err, http.StatusCreated) {
			l.model.add(a.Id, a.Actor, a.Role, a.version)
		}
	case opGet:
		id, _ := l.model.pick(r)
		_, status, err := l.do(ctx, http.MethodGet, actorPath(id), "", "", nil)
		if status == http.StatusNotFound && l.model.mayBeGone(id, 0) {
			l.gone.Add(1)
			return
		}
		l.expect("get", status, err, http.StatusOK)
	case opReplace, opPatch:
		id, version := l.model.pick(r)
		method, ct, body := http.MethodPut, "application/json", map[string]string{"actor": name, "role": "Replaced"}
		if o == opPatch {
			method, ct, body = http.MethodPatch, "application/merge-patch+json", map[string]string{"role": name}
		}
		ifMatch := etag(version)
		if o == opPatch && r.IntN(2) == 0 {
			ifMatch = "" // an unconditional patch: last writer wins, and the model still knows who
		}
		a, status, err := l.do(ctx, method, actorPath(id), ct, ifMatch, body)
		switch {
		case status == http.StatusPreconditionFailed:
			l.preconditions.Add(1)
		case status == http.StatusNotFound && l.model.mayBeGone(id, 0):
			l.gone.Add(1)
		case l.expect(strings.ToLower(method), status, err, http.StatusOK):
			l.model.wrote(id, a.Actor, a.Role, a.version)
		}
	case opDelete:
		id, version := l.model.pick(r)
		l.model.deleting(id)
		_, status, err := l.do(ctx, http.MethodDelete, actorPath(id), "", etag(version), nil)
		switch {
		case status == http.StatusPreconditionFailed:
			l.preconditions.Add(1)
		case status == http.StatusNotFound && l.model.mayBeGone(id, 1):
			l.gone.Add(1)
		case l.expect("delete", status, err, http.StatusNoContent):
			l.model.deleted(id)
		}
	case opList:
		after := r.Int64N(l.model.maxID() + 1)
		page, _, status, err := l.list(ctx, fmt.Sprintf("/actors?limit=100&after=%d", after))
		if l.expect("list", status, err, http.StatusOK) {
			for j, a := range page {
				if a.Id <= after || j > 0 && a.Id <= page[j-1].Id {
					l.fail("list after=%d: ids out of order: %d", after, a.Id)
					return
				}
			}
		}
	}
}

// expect counts an answer other than want as an error, and reports whether it was want.
func (l *load) expect(what string, status int, err error, want int) bool {
	switch {
	case err != nil:
		l.fail("%s: %v", what, err)
		return false
	case status != want:
		l.fail("%s: status %d, want %d", what, status, want)
		return false
	}
	return true
}

func (l *load) fail(format string, args ...any) {
	if l.errors.Add(1) <= 10 { // the first few say what went wrong; the count says how often
		fmt.Fprintf(os.Stderr, "soak: error: "+format+"\n", args...)
	}
}

// actor is an answer's actor with its ETag's version.
type actor struct {
	Id      int64  `json:"id"`
	Actor   string `json:"actor"`
	Role    string `json:"role"`
	version int64
}

func actorPath(id int64) string { return "/actors/" + strconv.FormatInt(id, 10) }

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// do sends one request. A JSON body is encoded from body when it is not nil.
func (l *load) do(ctx context.Context, method, path, contentType, ifMatch string, body any) (actor, int, error) {
	var a actor
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return a, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, rd)
	if err != nil {
		return a, 0, err
	}
	req.SetBasicAuth(l.user, l.password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	l.requests.Add(1)
	resp, err := l.client.Do(req)
	if err != nil {
		return a, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return a, resp.StatusCode, err
	}
	if resp.StatusCode/100 == 2 && len(data) > 0 {
		if err := json.Unmarshal(data, &a); err != nil {
			return a, resp.StatusCode, fmt.Errorf("answer %s: %w", data, err)
		}
	}
	if tag := resp.Header.Get("ETag"); tag != "" {
		if a.version, err = strconv.ParseInt(strings.Trim(tag, `"`), 10, 64); err != nil {
			return a, resp.StatusCode, fmt.Errorf("ETag %q: %w", tag, err)
		}
	}
	return a, resp.StatusCode, nil
}

// list GETs one page and returns it with the path of the next, from Link.
func (l *load) list(ctx context.Context, path string) ([]actor, string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		return nil, "", 0, err
	}
	req.SetBasicAuth(l.user, l.password)
	l.requests.Add(1)
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, "", 0, err
	}
	defer resp.Body.Close()
	var page []actor
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			return nil, "", resp.StatusCode, err
		}
	}
	next := ""
	if link := resp.Header.Get("Link"); link != "" {
		// </actors?limit=N&after=ID>; rel="next"
		if start, end := strings.Index(link, "<"), strings.Index(link, ">"); start == 0 && end > 0 && strings.Contains(link[end:], `rel="next"`) {
			next = link[1:end]
		}
	}
	return page, next, resp.StatusCode, nil
}

func (l *load) summary(d time.Duration) string {
	var ops []string
	for o := range opCount {
		ops = append(ops, fmt.Sprintf("%s %d", opNames[o], l.ops[o].Load()))
	}
	n := l.requests.Load()
	return fmt.Sprintf("%d requests (%.0f/s: %s), %d errors, %d answered 412 (If-Match races, expected), %d answered 404 after a delete (expected)",
		n, float64(n)/d.Seconds(), strings.Join(ops, ", "), l.errors.Load(), l.preconditions.Load(), l.gone.Load())
}

// verify lists the whole store, following Link, and compares it with the model.
func (l *load) verify(ctx context.Context) ([]string, error) {
	stored := map[int64]actor{}
	for path := "/actors?limit=1000"; path != ""; {
		page, next, status, err := l.list(ctx, path)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("GET %s: status %d", path, status)
		}
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			if _, dup := stored[a.Id]; dup {
				return nil, fmt.Errorf("id %d listed twice", a.Id)
			}
			stored[a.Id] = a
		}
		path = next
	}
	l.model.mu.Lock()
	defer l.model.mu.Unlock()
	var diffs []string
	for id, want := range l.model.actors {
		got, ok := stored[id]
		delete(stored, id)
		switch {
		case want.deleted && ok:
			diffs = append(diffs, fmt.Sprintf("id %d was deleted (204) but is listed", id))
		case want.deleted:
		case !ok:
			diffs = append(diffs, fmt.Sprintf("id %d (%q, version %d) is lost", id, want.name, want.version))
		case got.Actor != want.name || got.Role != want.role:
			diffs = append(diffs, fmt.Sprintf("id %d is %q/%q, want %q/%q (version %d)", id, got.Actor, got.Role, want.name, want.role, want.version))
		}
	}
	for id, a := range stored {
		diffs = append(diffs, fmt.Sprintf("id %d (%q) is listed but no client created it", id, a.Actor))
	}
	return diffs, nil
}
