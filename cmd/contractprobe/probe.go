package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"go.yaml.in/yaml/v4"

	"github.com/actors-dev/actors/internal/contract"
	"github.com/actors-dev/actors/internal/route"
)

const (
	// maxBody bounds what is read of one response: the probe's requests ask for pages of
	// one or two actors, and the spec is a few dozen KiB. Validating a hostile body costs
	// kin-openapi many times its size.
	maxBody = 1 << 20
	// maxErrors and maxErrorLength bound what a failed check prints of the violations found
	// in one response: a hostile one can hold millions.
	maxErrors      = 5
	maxErrorLength = 300
	// maxRetryAfter bounds the wait when the server limits failed authentications.
	maxRetryAfter = 15 * time.Second
	// cleanupTimeout is the time the deletes at the end get, even after an interrupt.
	cleanupTimeout = 10 * time.Second
)

// prober runs the checks against one server and writes one line per check.
type prober struct {
	base           *url.URL
	user, password string
	doc            *openapi3.T
	specYAML       []byte
	routes         *route.Table
	check          *contract.Checker
	client         *http.Client
	out            io.Writer

	checks, failures, validated int
	leftovers                   []string // paths of actors created and not yet deleted
	// driven are the operations that have answered a success (2xx), with credentials and
	// without: every operation must, or the probe says why not.
	driven map[drive]bool
}

type drive struct {
	op        *route.Op
	anonymous bool
}

func newProber(base *url.URL, user, password string, doc *openapi3.T, routes *route.Table, specYAML []byte, transport http.RoundTripper, out io.Writer) *prober {
	return &prober{
		base: base, user: user, password: password, doc: doc, specYAML: specYAML,
		routes: routes, check: briefChecker(routes), out: out, driven: map[drive]bool{},
		client: &http.Client{
			Transport: transport,
			Timeout:   10 * time.Second,
			// A redirect is an answer to check, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func briefChecker(routes *route.Table) *contract.Checker {
	c := contract.NewChecker(routes)
	c.Brief = true
	return c
}

func (p *prober) probe(ctx context.Context) {
	phases := []struct {
		name string
		run  func(context.Context)
	}{
		{"the served spec", p.servedSpec},
		{"the lifecycle of a temporary actor", p.lifecycle},
		{"the operations no scenario drove", p.every},
		// Last: each of these spends one of the server's failed authentications for this client.
		{"the challenges of the secured operations", p.challenges},
	}
	for _, phase := range phases {
		if err := ctx.Err(); err != nil {
			p.fail("the probe stopped before "+phase.name, "to run to the end (within -timeout, not interrupted)", err.Error())
			return
		}
		if p.checks > 0 && p.validated == 0 {
			fmt.Fprintf(p.out, "contractprobe: no answer from %s at all: not probing further\n", p.base)
			return
		}
		phase.run(ctx)
	}
}

func (p *prober) result() error {
	if p.failures > 0 {
		return fmt.Errorf("FAIL: %d of %d checks failed (%d responses validated against the spec)", p.failures, p.checks, p.validated)
	}
	fmt.Fprintf(p.out, "contractprobe: PASS: %d checks, %d responses validated against the spec\n", p.checks, p.validated)
	return nil
}

func (p *prober) pass(what string) {
	p.checks++
	fmt.Fprintf(p.out, "ok   %s\n", p.clean(what))
}

func (p *prober) fail(what, expected, got string) {
	p.checks++
	p.failures++
	fmt.Fprintf(p.out, "FAIL %s\n     expected: %s\n     got:      %s\n", p.clean(what), p.clean(expected), p.clean(got))
}

// clean makes a string that may hold the server's bytes fit to print: the credentials, which
// a server may send back, are redacted in every form the probe sent them in; every character
// that is not graphic is written as a Go escape, so that no escape sequence or line break
// reaches the terminal or the CI log, where it could forge the probe's own lines.
func (p *prober) clean(s string) string {
	for _, secret := range []string{base64.StdEncoding.EncodeToString([]byte(p.user + ":" + p.password)), p.user + ":" + p.password, p.password} {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsGraphic(r) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// call is one request to send.
type call struct {
	method, path string // path may hold a query
	body         string
	contentType  string
	header       map[string]string
	anonymous    bool // no credentials
}

func (c call) String() string {
	if c.anonymous {
		return c.method + " " + c.path + " without credentials"
	}
	return c.method + " " + c.path
}

// answer is a response, its body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// summary is what a failed check shows of an answer: its status, media type, and the start
// of its body.
func (a *answer) summary() string {
	body := cut(strings.TrimSpace(string(a.body[:min(len(a.body), 1<<10)])), 200)
	parts := []string{strconv.Itoa(a.status)}
	if ct := a.header.Get("Content-Type"); ct != "" {
		parts = append(parts, ct)
	}
	if body != "" {
		parts = append(parts, body)
	}
	return strings.Join(parts, " ")
}

// do sends c, reads the answer and validates it against the spec, recording a failure when
// it does not conform. It returns nil, after recording why, when there is no answer.
//
// A 429 means that this client has used up its failed authentications (the server then
// refuses even good credentials for a while), e.g. in a run moments before: do waits for
// Retry-After, at most maxRetryAfter, and sends c once more.
func (p *prober) do(ctx context.Context, c call) *answer {
	a := p.send(ctx, c)
	if a == nil || a.status != http.StatusTooManyRequests {
		return a
	}
	wait, _ := strconv.Atoi(a.header.Get("Retry-After"))
	wait = max(wait, 1)
	fmt.Fprintf(p.out, "     %s: 429, Retry-After %ds: waiting (at most %s), then once more\n", c, wait, maxRetryAfter)
	select {
	case <-time.After(min(time.Duration(wait)*time.Second, maxRetryAfter)):
	case <-ctx.Done():
	}
	return p.send(ctx, c)
}

func (p *prober) send(ctx context.Context, c call) *answer {
	u, err := p.base.Parse(c.path)
	if err != nil {
		p.fail(c.String(), "a request", err.Error())
		return nil
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u.String(), body)
	if err != nil {
		p.fail(c.String(), "a request", err.Error())
		return nil
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if !c.anonymous {
		req.SetBasicAuth(p.user, p.password)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.fail(c.String(), "an answer", err.Error())
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		p.fail(c.String(), "an answer", "reading the body: "+err.Error())
		return nil
	}
	a := &answer{status: resp.StatusCode, header: resp.Header, body: b}
	if len(b) > maxBody {
		a.body = b[:maxBody]
		p.fail(fmt.Sprintf("%s → %d", c, resp.StatusCode), fmt.Sprintf("a body of at most %d MiB", maxBody>>20), "more (answer: "+a.summary()+")")
		return a
	}
	p.validated++
	if _, op := p.routes.Match(req); op != nil && a.status >= 200 && a.status < 300 {
		p.driven[drive{op, c.anonymous}] = true
	}
	if err := p.check.Check(req, resp, b); err != nil {
		p.fail(fmt.Sprintf("%s → %d matches the spec", c, resp.StatusCode), "a response the spec documents for this operation and status", describe(err)+" (answer: "+a.summary()+")")
	}
	return a
}

// expect checks that a is status, with each of headers present, and records the outcome.
func (p *prober) expect(what string, a *answer, status int, headers ...string) bool {
	if a == nil {
		return false // do recorded why
	}
	want := strconv.Itoa(status)
	if len(headers) > 0 {
		want += " with " + strings.Join(headers, ", ")
	}
	if a.status != status {
		p.fail(what, want, a.summary())
		return false
	}
	var missing []string
	for _, h := range headers {
		if a.header.Get(h) == "" {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		p.fail(what, want, fmt.Sprintf("%d without %s", a.status, strings.Join(missing, ", ")))
		return false
	}
	p.pass(what + ": " + want)
	return true
}

// servedSpec checks the spec the server serves.
func (p *prober) servedSpec(ctx context.Context) {
	if a := p.do(ctx, call{method: "GET", path: "/openapi.yaml", anonymous: true}); p.expect("GET /openapi.yaml without credentials", a, http.StatusOK) {
		if bytes.Equal(a.body, p.specYAML) {
			p.pass("/openapi.yaml is api/openapi.yaml, byte for byte")
		} else {
			p.fail("/openapi.yaml is api/openapi.yaml", fmt.Sprintf("the %d bytes of api/openapi.yaml", len(p.specYAML)), fmt.Sprintf("%d other bytes", len(a.body)))
		}
	}
	if a := p.do(ctx, call{method: "GET", path: "/openapi.json", anonymous: true}); p.expect("GET /openapi.json without credentials", a, http.StatusOK) {
		if diff := p.sameSpec(a.body); diff != "" {
			p.fail("/openapi.json is api/openapi.yaml as JSON", "the same document", diff)
		} else {
			p.pass("/openapi.json is api/openapi.yaml as JSON")
		}
	}
}

// every drives each operation that no scenario has driven to a success: with credentials,
// and without them when it is public (the challenges send the others without). A safe one
// (GET, HEAD) is sent from its parameters' and body's examples, or their schemas. An unsafe
// one fails: the probe cannot know how to undo it, and must leave nothing behind.
func (p *prober) every(ctx context.Context) {
	for _, op := range p.routes.Ops {
		for _, anonymous := range []bool{false, true} {
			if p.driven[drive{op, anonymous}] || anonymous && !op.Public() {
				continue
			}
			c := sample(op)
			c.anonymous = anonymous
			what := c.String() + " (" + op.ID + ")"
			if op.Method != http.MethodGet && op.Method != http.MethodHead {
				p.fail(what, "a success, from a scenario that undoes what it did",
					"no scenario drives it: the probe sends a method other than GET or HEAD only in a scenario that cleans up after itself; add one to cmd/contractprobe (see lifecycle)")
				continue
			}
			p.expect(what, p.do(ctx, c), success(op))
		}
	}
}

// success is the first 2xx status the operation documents, or 200.
func success(op *route.Op) int {
	if op.Operation.Responses != nil {
		for code := 200; code < 300; code++ {
			if op.Operation.Responses.Status(code) != nil {
				return code
			}
		}
	}
	return http.StatusOK
}

// sameSpec compares a JSON document with the spec's YAML, as data; it returns what differs.
func (p *prober) sameSpec(served []byte) string {
	var want, got any
	if err := yaml.Unmarshal(p.specYAML, &want); err != nil {
		return "the spec's YAML: " + err.Error()
	}
	// Through JSON, so that numbers and maps have the types a JSON decoder gives.
	b, err := json.Marshal(want)
	if err != nil {
		return "the spec as JSON: " + err.Error()
	}
	if err := json.Unmarshal(b, &want); err != nil {
		return "the spec as JSON: " + err.Error()
	}
	if err := json.Unmarshal(served, &got); err != nil {
		return "not JSON: " + err.Error()
	}
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := want.(map[string]any)
	g, _ := got.(map[string]any)
	var keys []string
	for k := range w {
		if !reflect.DeepEqual(w[k], g[k]) {
			keys = append(keys, k)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return "a document that differs under " + strings.Join(keys, ", ")
}

// lifecycle takes a temporary actor through create, read, a conditional update, a stale
// conditional write, revalidation and delete; GET /actors is paged while it exists. The
// actor is deleted at the end whatever happened.
func (p *prober) lifecycle(ctx context.Context) {
	defer p.cleanup()
	name := fmt.Sprintf("contractprobe %d", time.Now().UnixNano())
	input := map[string]string{"actor": name, "role": "temporary, deleted by the contract probe"}
	a := p.do(ctx, call{method: "POST", path: "/actors", body: jsonString(input), contentType: "application/json"})
	if !p.expect("POST /actors creates an actor", a, http.StatusCreated, "Location", "ETag") {
		return
	}
	var created actor
	if err := json.Unmarshal(a.body, &created); err != nil || created.ID < 1 {
		p.fail("POST /actors answers the new actor", "an actor with an id", a.summary())
		return
	}
	path := "/actors/" + strconv.FormatInt(created.ID, 10)
	p.leftovers = append(p.leftovers, path)
	if loc, err := p.base.Parse(a.header.Get("Location")); err != nil || loc.Path != path {
		p.fail("POST /actors: Location names the new actor", path, a.header.Get("Location"))
	} else {
		p.pass("POST /actors: Location is " + path)
	}
	etag := a.header.Get("ETag")

	a = p.do(ctx, call{method: "GET", path: path})
	if p.expect("GET "+path, a, http.StatusOK, "ETag") {
		var got actor
		_ = json.Unmarshal(a.body, &got)
		want := actor{ID: created.ID, Actor: input["actor"], Role: input["role"]}
		switch {
		case got != want:
			p.fail("GET "+path+" answers what was created", jsonString(want), string(a.body))
		case a.header.Get("ETag") != etag:
			p.fail("GET "+path+": the ETag of the created version", etag, a.header.Get("ETag"))
		default:
			p.pass("GET " + path + " answers what was created, ETag " + etag)
		}
	}

	p.paging(ctx)

	update := map[string]string{"actor": name, "role": "updated by the contract probe"}
	a = p.do(ctx, call{method: "PUT", path: path, body: jsonString(update), contentType: "application/json", header: map[string]string{"If-Match": etag}})
	if !p.expect("PUT "+path+" with If-Match: "+etag, a, http.StatusOK, "ETag") {
		return
	}
	stale, current := etag, a.header.Get("ETag")
	if current == stale {
		p.fail("PUT "+path+": a new ETag", "an ETag other than "+stale, current)
		return
	}
	a = p.do(ctx, call{method: "PATCH", path: path, body: `{"role":"patched by the contract probe"}`, contentType: "application/merge-patch+json", header: map[string]string{"If-Match": current}})
	if !p.expect("PATCH "+path+" with If-Match: "+current, a, http.StatusOK, "ETag") {
		return
	}
	current = a.header.Get("ETag")

	a = p.do(ctx, call{method: "PATCH", path: path, body: `{"role":"stale write"}`, contentType: "application/merge-patch+json", header: map[string]string{"If-Match": stale}})
	p.expect("PATCH "+path+" with the stale If-Match: "+stale, a, http.StatusPreconditionFailed)

	// 304 also shows that the stale write changed nothing.
	a = p.do(ctx, call{method: "GET", path: path, header: map[string]string{"If-None-Match": current}})
	if p.expect("GET "+path+" with If-None-Match: "+current, a, http.StatusNotModified, "ETag") && len(a.body) > 0 {
		p.fail("GET "+path+" → 304 has no body", "no body", a.summary())
	}

	a = p.do(ctx, call{method: "DELETE", path: path, header: map[string]string{"If-Match": current}})
	if p.expect("DELETE "+path+" with If-Match: "+current, a, http.StatusNoContent) {
		p.leftovers = slices.DeleteFunc(p.leftovers, func(s string) bool { return s == path })
	}
	p.expect("GET "+path+" after the delete", p.do(ctx, call{method: "GET", path: path}), http.StatusNotFound)
}

// cleanup deletes what the probe created and did not delete, with a context of its own:
// the probe's may be over (timeout, interrupt).
func (p *prober) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	for _, path := range p.leftovers {
		a := p.do(ctx, call{method: "DELETE", path: path})
		if a != nil && (a.status == http.StatusNoContent || a.status == http.StatusNotFound) {
			p.pass("clean-up: DELETE " + path + ": " + strconv.Itoa(a.status))
			continue
		}
		got := "no answer"
		if a != nil {
			got = a.summary()
		}
		p.fail("clean-up: DELETE "+path+" (the probe's actor is left behind: delete it by hand)", "204", got)
	}
	p.leftovers = nil
}

// paging checks that GET /actors pages with Link, using limit=1 and the next link.
func (p *prober) paging(ctx context.Context) {
	a := p.do(ctx, call{method: "GET", path: "/actors?limit=1"})
	if !p.expect("GET /actors?limit=1", a, http.StatusOK) {
		return
	}
	var first []actor
	if err := json.Unmarshal(a.body, &first); err != nil || len(first) != 1 {
		p.fail("GET /actors?limit=1 answers one actor", "a JSON array of 1 actor (the probe's exists)", a.summary())
		return
	}
	next := nextLink(a.header.Values("Link"))
	if next == "" {
		all := p.do(ctx, call{method: "GET", path: "/actors?limit=2"})
		var two []actor
		if all == nil || json.Unmarshal(all.body, &two) != nil || len(two) > 1 {
			p.fail("GET /actors?limit=1 links to the next page", `Link: <...>; rel="next" (more actors follow)`, "no such Link: "+strings.Join(a.header.Values("Link"), ", "))
			return
		}
		fmt.Fprintln(p.out, "skip GET /actors pages with Link: the server holds only the probe's actor")
		return
	}
	u, err := p.base.Parse(next)
	if err != nil || u.Host != p.base.Host {
		p.fail("GET /actors?limit=1: the next link", "a link on "+p.base.Host, next)
		return
	}
	a = p.do(ctx, call{method: "GET", path: u.RequestURI()})
	if !p.expect("GET "+u.RequestURI()+" (the next link)", a, http.StatusOK) {
		return
	}
	var second []actor
	if err := json.Unmarshal(a.body, &second); err != nil || len(second) > 1 || (len(second) == 1 && second[0].ID <= first[0].ID) {
		p.fail("the next page follows the first", fmt.Sprintf("at most 1 actor, with an id above %d", first[0].ID), a.summary())
		return
	}
	p.pass("GET /actors pages with Link: rel=\"next\"")
}

// challenges checks that every secured operation answers 401 with a challenge when called
// without credentials. The request is otherwise valid, so that only the credentials are
// missing.
func (p *prober) challenges(ctx context.Context) {
	for _, op := range p.routes.Ops {
		if op.Public() {
			continue
		}
		c := sample(op)
		c.anonymous = true
		what := c.String()
		a := p.do(ctx, c)
		if !p.expect(what, a, http.StatusUnauthorized, "WWW-Authenticate") {
			continue
		}
		// The challenge names the HTTP auth scheme of the operation's first requirement.
		for name := range op.Security[0] {
			s := p.doc.Components.SecuritySchemes[name]
			if s == nil || s.Value == nil || s.Value.Type != "http" {
				continue
			}
			if challenge := a.header.Get("WWW-Authenticate"); !strings.EqualFold(strings.SplitN(challenge, " ", 2)[0], s.Value.Scheme) {
				p.fail(what+": the challenge names the spec's scheme", s.Value.Scheme+" ...", challenge)
			}
		}
	}
}

// sample is a request the operation accepts: its path, required query and header
// parameters and body filled from their examples, or else their schemas.
func sample(op *route.Op) call {
	c := call{method: op.Method, path: op.Path, header: map[string]string{}}
	query := url.Values{}
	for _, ref := range op.Params {
		prm := ref.Value
		if prm == nil || prm.Schema == nil {
			continue
		}
		v := fmt.Sprint(example(prm.Example, prm.Examples, prm.Schema))
		switch {
		case prm.In == openapi3.ParameterInPath:
			c.path = strings.ReplaceAll(c.path, "{"+prm.Name+"}", url.PathEscape(v))
		case prm.In == openapi3.ParameterInQuery && prm.Required:
			query.Set(prm.Name, v)
		case prm.In == openapi3.ParameterInHeader && prm.Required:
			c.header[prm.Name] = v
		}
	}
	if len(query) > 0 {
		c.path += "?" + query.Encode()
	}
	if body := op.Operation.RequestBody; body != nil && body.Value != nil && len(body.Value.Content) > 0 {
		c.contentType = slices.Sorted(maps.Keys(body.Value.Content))[0]
		mt := body.Value.Content[c.contentType]
		c.body = jsonString(example(mt.Example, mt.Examples, mt.Schema))
	}
	return c
}

// example is the value given as example, else the first of examples, else one made from
// schema.
func example(value any, examples openapi3.Examples, schema *openapi3.SchemaRef) any {
	if value != nil {
		return value
	}
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		if ex := examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value
		}
	}
	return sampleValue(schema)
}

// sampleValue is a value that satisfies simple schemas: the example when there is one, else
// the smallest value of the type. Enough for the request shapes this spec uses.
func sampleValue(ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	switch {
	case s.Example != nil:
		return s.Example
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is(openapi3.TypeObject):
		names := slices.Clone(s.Required)
		if len(names) == 0 && s.MinProps > 0 {
			for name := range s.Properties {
				names = append(names, name)
			}
		}
		m := map[string]any{}
		for _, name := range names {
			m[name] = sampleValue(s.Properties[name])
		}
		return m
	case s.Type.Is(openapi3.TypeArray):
		items := make([]any, s.MinItems)
		for i := range items {
			items[i] = sampleValue(s.Items)
		}
		return items
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeString):
		return strings.Repeat("x", int(max(s.MinLength, 1)))
	}
	return nil
}

// actor is the spec's Actor, comparable.
type actor struct {
	ID    int64  `json:"id"`
	Actor string `json:"actor"`
	Role  string `json:"role"`
}

// nextLink returns the target of the rel="next" link among Link header values (RFC 8288).
func nextLink(values []string) string {
	for _, v := range values {
		for link := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for param := range strings.SplitSeq(params, ";") {
				name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(name, "rel") && slices.Contains(strings.Fields(strings.Trim(value, `"`)), "next") {
					return strings.Trim(target, "<>")
				}
			}
		}
	}
	return ""
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only values built here, all marshalable
	}
	return string(b)
}

// describe fits a validation error on one line of the report: at most maxErrors of the
// violations it holds, each at most maxErrorLength long, and how many there were. It walks
// kin-openapi's errors rather than asking a MultiError, or an error holding one, for its
// message: that is built whole, every violation at once.
func describe(err error) string {
	var shown []string
	n := 0
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		n0 := n
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(prefix, inner)
			}
		case *openapi3filter.ResponseError:
			if e.Err != nil {
				walk(prefix+e.Reason+": ", e.Err)
			}
		case *openapi3.SchemaError:
			if path := e.JSONPointer(); len(path) > 0 {
				prefix += `Error at "/` + strings.Join(path, "/") + `": `
			}
			if e.Origin != nil {
				walk(prefix, e.Origin)
			} else {
				walk(prefix, errors.New(cmp.Or(e.Reason, `doesn't match schema "`+e.SchemaField+`"`)))
			}
		}
		if n > n0 {
			return
		}
		if n++; len(shown) < maxErrors {
			shown = append(shown, cut(strings.Join(strings.Fields(prefix+err.Error()), " "), maxErrorLength))
		}
	}
	walk("", err)
	if n > len(shown) {
		shown = append(shown, fmt.Sprintf("and %d more", n-len(shown)))
	}
	return strings.Join(shown, " | ")
}

// cut is s cut to at most n bytes, on a character boundary, marked when cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
