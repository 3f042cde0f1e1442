// Package route is the route table of an OpenAPI document: which operation a request
// reaches. The server's gate and its 405 answers, telemetry's operation names, the response
// checker and the contract probe all take their routes from it, so they cannot disagree.
//
// A request is matched as OpenAPI matches one: its path first, to one of the spec's paths, a
// concrete path before a templated one (/actors/count before /actors/{id}); then its method,
// within that path. A path without an operation for the method answers 405, with the path's
// methods in Allow. ServeMux does the path matching, with each spec path registered without
// a method, so its wildcards and precedence are exactly the server's.
package route

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Table is the route table of one document.
type Table struct {
	Ops   []*Op            // every operation, by path then method
	Paths map[string]*Path // by spec path, e.g. "/actors/{id}"
	mux   *http.ServeMux   // the spec paths, method-less, for Match
}

// Path is one path of the document and its operations.
type Path struct {
	Path    string
	Pattern string         // the method-less ServeMux pattern that matches this path only
	Ops     map[string]*Op // by method
	Allow   string         // the methods the path answers, for a 405's Allow header
}

// Op is one operation: kin-openapi's route to it, and what the table derives from it.
type Op struct {
	routers.Route
	Index    int    // its place in Table.Ops
	Pattern  string // the ServeMux pattern the generated code registers, "GET /actors/{id}"
	ID       string // the operationId, or Pattern when it has none
	Params   openapi3.Parameters
	Security openapi3.SecurityRequirements // the operation's, or else the document's
}

// Public reports whether the operation may be called without credentials: it has no
// security requirement, or one that is empty.
func (op *Op) Public() bool {
	return len(op.Security) == 0 || slices.ContainsFunc(op.Security, func(r openapi3.SecurityRequirement) bool { return len(r) == 0 })
}

// New builds the table of doc's paths, which are matched from the server's root (servers
// are ignored). It fails on a path ServeMux cannot route, such as two templated paths that
// overlap with neither more specific (/{entity}/me and /books/{id}), which OpenAPI calls
// ambiguous.
func New(doc *openapi3.T) (*Table, error) {
	t := &Table{Paths: make(map[string]*Path), mux: http.NewServeMux()}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		p := &Path{Path: path, Pattern: path, Ops: make(map[string]*Op)}
		if strings.HasSuffix(path, "/") {
			p.Pattern += "{$}" // a ServeMux pattern ending in / would match every path below it
		}
		if err := register(t.mux, p); err != nil {
			return nil, fmt.Errorf("spec path %s: %w", path, err)
		}
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			o := &Op{
				Route:    routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				Index:    len(t.Ops),
				Pattern:  method + " " + path,
				ID:       cmp.Or(op.OperationID, method+" "+path),
				Params:   params(item.Parameters, op.Parameters),
				Security: doc.Security,
			}
			if op.Security != nil {
				o.Security = *op.Security
			}
			p.Ops[method] = o
			t.Ops = append(t.Ops, o)
		}
		allow := slices.Collect(maps.Keys(p.Ops))
		if item.Get != nil && item.Head == nil {
			allow = append(allow, http.MethodHead) // ServeMux answers HEAD with GET's handler
		}
		slices.Sort(allow)
		p.Allow = strings.Join(allow, ", ")
		t.Paths[path] = p
	}
	return t, nil
}

// register puts p on mux, and turns ServeMux's panic on a path it cannot route into an
// error.
func register(mux *http.ServeMux, p *Path) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	mux.Handle(p.Pattern, matched{p})
	return nil
}

// matched is what Match finds on the mux: not a redirect ServeMux makes up.
type matched struct{ *Path }

func (matched) ServeHTTP(http.ResponseWriter, *http.Request) {}

// params are a path's parameters and its operation's; an operation's parameter replaces the
// path's of the same name and location.
func params(path, op openapi3.Parameters) openapi3.Parameters {
	out := slices.Clone(op)
	for _, p := range path {
		if p.Value != nil && op.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			out = append(out, p)
		}
	}
	return out
}

// Method returns the path's operation for method; a HEAD request is served by GET when the
// path has no HEAD operation, as ServeMux serves it. Nil means 405.
func (p *Path) Method(method string) *Op {
	if op := p.Ops[method]; op != nil || method != http.MethodHead {
		return op
	}
	return p.Ops[http.MethodGet]
}

// Match returns the spec path r's path reaches, nil if none (or if ServeMux redirects it, to
// clean it), and that path's operation for r's method, nil if it has none (405).
func (t *Table) Match(r *http.Request) (*Path, *Op) {
	h, _ := t.mux.Handler(r)
	m, ok := h.(matched)
	if !ok {
		return nil, nil
	}
	return m.Path, m.Method(r.Method)
}
