package route_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/internal/route"
)

// spec is a document whose paths section is paths, in YAML.
func spec(t *testing.T, paths string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{basicAuth: []}]
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
paths:
` + paths))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("not a valid document: %v", err)
	}
	return doc
}

func op(id string) string {
	return "{operationId: " + id + ", responses: {'200': {description: ok}}}"
}

func TestMatch(t *testing.T) {
	table, err := route.New(spec(t, `
  /actors:
    get: `+op("listActors")+`
    post: `+op("createActor")+`
  /actors/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get: `+op("getActor")+`
    delete: `+op("deleteActor")+`
  /actors/count:
    get: `+op("countActors")+`
  /actors/{id}/quotes/{quoteId}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      operationId: getQuote
      parameters: [{name: quoteId, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /files/:
    get: `+op("listFiles")+`
  /ping:
    head: `+op("headPing")+`
    get: `+op("ping")+`
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, target string
		wantPath       string // "" when no spec path
		wantOp         string // "" for 405
	}{
		{"GET", "/actors", "/actors", "listActors"},
		{"HEAD", "/actors", "/actors", "listActors"},
		{"POST", "/actors", "/actors", "createActor"},
		{"DELETE", "/actors", "/actors", ""},
		{"GET", "/actors/7", "/actors/{id}", "getActor"},
		{"DELETE", "/actors/7", "/actors/{id}", "deleteActor"},
		{"PUT", "/actors/7", "/actors/{id}", ""},
		// A concrete path is matched before a templated one, whatever the method.
		{"GET", "/actors/count", "/actors/count", "countActors"},
		{"DELETE", "/actors/count", "/actors/count", ""},
		{"PUT", "/actors/count", "/actors/count", ""},
		{"GET", "/actors/7/quotes/q1", "/actors/{id}/quotes/{quoteId}", "getQuote"},
		{"GET", "/actors/7/quotes", "", ""},
		{"GET", "/files/", "/files/", "listFiles"},
		{"GET", "/files/a", "", ""},
		{"HEAD", "/ping", "/ping", "headPing"},
		{"GET", "/ping", "/ping", "ping"},
		{"GET", "/nowhere", "", ""},
	}
	for _, tt := range tests {
		p, o := table.Match(httptest.NewRequest(tt.method, tt.target, nil))
		var gotPath, gotOp string
		if p != nil {
			gotPath = p.Path
		}
		if o != nil {
			gotOp = o.ID
		}
		if gotPath != tt.wantPath || gotOp != tt.wantOp {
			t.Errorf("%s %s matches path %q, operation %q; want %q, %q", tt.method, tt.target, gotPath, gotOp, tt.wantPath, tt.wantOp)
		}
	}

	for path, want := range map[string]string{
		"/actors":       "GET, HEAD, POST",
		"/actors/{id}":  "DELETE, GET, HEAD",
		"/actors/count": "GET, HEAD",
		"/ping":         "GET, HEAD",
	} {
		if got := table.Paths[path].Allow; got != want {
			t.Errorf("%s allows %q, want %q", path, got, want)
		}
	}
	var ids []string
	for i, o := range table.Ops {
		if o.Index != i {
			t.Errorf("%s has index %d at %d", o.ID, o.Index, i)
		}
		ids = append(ids, o.ID)
	}
	if got, want := strings.Join(ids, " "), "listActors createActor countActors deleteActor getActor getQuote listFiles ping headPing"; got != want {
		t.Errorf("operations in order %s, want %s", got, want)
	}
	quote := table.Paths["/actors/{id}/quotes/{quoteId}"].Ops["GET"]
	if len(quote.Params) != 2 || quote.Pattern != "GET /actors/{id}/quotes/{quoteId}" {
		t.Errorf("getQuote has pattern %q and %d parameters, want the path's and its own", quote.Pattern, len(quote.Params))
	}
}

func TestParamsAndSecurity(t *testing.T) {
	table, err := route.New(spec(t, `
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      parameters: [{name: verbose, in: query, schema: {type: string}}]
      responses: {'200': {description: ok}}
    put:
      operationId: putThing
      security: []
      responses: {'200': {description: ok}}
    delete:
      operationId: deleteThing
      security: [{}, {basicAuth: []}]
      responses: {'200': {description: ok}}
`))
	if err != nil {
		t.Fatal(err)
	}
	ops := table.Paths["/things/{id}"].Ops
	get := ops["GET"]
	if get.ID != "GET /things/{id}" {
		t.Errorf("an operation without an operationId is named %q, want its pattern", get.ID)
	}
	verbose := get.Params.GetByInAndName("query", "verbose")
	if len(get.Params) != 2 || verbose == nil || !verbose.Schema.Value.Type.Is("string") {
		t.Errorf("GET's parameters %v: want the path's id and GET's own verbose in place of the path's", get.Params)
	}
	if get.Public() || !ops["PUT"].Public() || !ops["DELETE"].Public() {
		t.Errorf("public: GET %v, PUT %v, DELETE %v; want the document's security for GET, none for PUT, optional for DELETE", get.Public(), ops["PUT"].Public(), ops["DELETE"].Public())
	}
}

// TestAmbiguousPaths: paths ServeMux cannot order are an error at start-up, not a panic.
func TestAmbiguousPaths(t *testing.T) {
	_, err := route.New(spec(t, `
  /{entity}/me:
    parameters: [{name: entity, in: path, required: true, schema: {type: string}}]
    get: `+op("getMe")+`
  /books/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: `+op("getBook")+`
`))
	if err == nil || !strings.Contains(err.Error(), "/books/{id}") || !strings.Contains(err.Error(), "/{entity}/me") {
		t.Errorf("err = %v, want one naming both paths", err)
	}
}

// TestMatchRedirects: a path ServeMux cleans by redirecting reaches no operation.
func TestMatchRedirects(t *testing.T) {
	table, err := route.New(spec(t, `
  /actors:
    get: `+op("listActors")+`
  /files/:
    get: `+op("listFiles")+`
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"//actors", "/files/../actors", "/files"} {
		if p, o := table.Match(httptest.NewRequest("GET", target, nil)); p != nil || o != nil {
			t.Errorf("GET %s matches %v, %v; want nothing: ServeMux redirects it", target, p, o)
		}
	}
}
