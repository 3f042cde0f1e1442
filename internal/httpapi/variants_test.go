package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/contract"
	"github.com/actors-dev/actors/internal/memstore"
	"github.com/actors-dev/actors/internal/route"
	"github.com/actors-dev/actors/internal/telemetry"
)

const variantUser, variantPassword = "kirk", "NCC-1701-secret"

// Responses of the variants' operations: a JSON object, and the spec's problem answers.
const variantResponses = `
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '429': {$ref: '#/components/responses/TooManyRequests'}`

// variantOp is an operation of a variant: its operationId, and any more of its YAML.
func variantOp(method, id, more string) string {
	return "\n    " + method + ":\n      operationId: " + id + more + variantResponses
}

// variant is api/openapi.yaml with paths added: the shapes a spec grows into.
type variant struct {
	name     string
	paths    string // YAML under paths:
	requests []variantRequest
}

type variantRequest struct {
	method, target string
	body           string
	noAuth         bool
	wantStatus     int
	wantOp         string            // the operation that answers, for a 2xx
	wantParams     map[string]string // path values the operation got
	wantAllow      string            // for a 405
	wantInvalid    string            // a name in a 400's errors
}

var variants = []variant{
	{
		name: "a literal segment beside a template",
		paths: `
  /actors/count:` + variantOp("get", "countActors", ""),
		requests: []variantRequest{
			{method: "GET", target: "/actors/count", wantStatus: 200, wantOp: "countActors"},
			{method: "HEAD", target: "/actors/count", wantStatus: 200, wantOp: "countActors"},
			{method: "GET", target: "/actors/count", noAuth: true, wantStatus: 401},
			{method: "PUT", target: "/actors/count", body: `{"actor":"a","role":"b"}`, wantStatus: 405, wantAllow: "GET, HEAD"},
			{method: "DELETE", target: "/actors/count", wantStatus: 405, wantAllow: "GET, HEAD"},
			{method: "GET", target: "/actors/2", wantStatus: 200, wantOp: "getActor", wantParams: map[string]string{"id": "2"}},
			{method: "DELETE", target: "/actors/x", wantStatus: 400, wantInvalid: "id"},
			{method: "POST", target: "/actors/2", wantStatus: 405, wantAllow: "DELETE, GET, HEAD, PATCH, PUT"},
		},
	},
	{
		name: "a nested resource",
		paths: `
  /actors/{id}/quotes/{quoteId}:
    parameters:
      - $ref: '#/components/parameters/ID'
      - {name: quoteId, in: path, required: true, schema: {type: integer, minimum: 1}}` +
			variantOp("get", "getQuote", "") + variantOp("delete", "deleteQuote", ""),
		requests: []variantRequest{
			{method: "GET", target: "/actors/2/quotes/3", wantStatus: 200, wantOp: "getQuote", wantParams: map[string]string{"id": "2", "quoteId": "3"}},
			{method: "DELETE", target: "/actors/2/quotes/3", wantStatus: 200, wantOp: "deleteQuote", wantParams: map[string]string{"id": "2", "quoteId": "3"}},
			{method: "DELETE", target: "/actors/2/quotes/3", noAuth: true, wantStatus: 401},
			{method: "GET", target: "/actors/2/quotes/x", wantStatus: 400, wantInvalid: "quoteId"},
			{method: "GET", target: "/actors/0/quotes/1", wantStatus: 400, wantInvalid: "id"},
			{method: "PATCH", target: "/actors/2/quotes/3", wantStatus: 405, wantAllow: "DELETE, GET, HEAD"},
			{method: "GET", target: "/actors/2/quotes", wantStatus: 404},
		},
	},
	{
		name: "a path-level parameter",
		paths: `
  /actors/{id}/roles:
    parameters:
      - $ref: '#/components/parameters/ID'
      - {name: lang, in: query, required: true, schema: {type: string, enum: [en, de]}}` +
			variantOp("get", "listRoles", "") +
			variantOp("put", "replaceRoles", `
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, additionalProperties: false, required: [roles], properties: {roles: {type: array, items: {type: string}}}}`),
		requests: []variantRequest{
			{method: "GET", target: "/actors/1/roles?lang=en", wantStatus: 200, wantOp: "listRoles", wantParams: map[string]string{"id": "1"}},
			{method: "GET", target: "/actors/1/roles", wantStatus: 400, wantInvalid: "lang"},
			{method: "GET", target: "/actors/1/roles?lang=fr", wantStatus: 400, wantInvalid: "lang"},
			{method: "GET", target: "/actors/1/roles?lang=en&lang=de", wantStatus: 400, wantInvalid: "lang"},
			{method: "PUT", target: "/actors/1/roles?lang=de", body: `{"roles":["Spock"]}`, wantStatus: 200, wantOp: "replaceRoles"},
			{method: "PUT", target: "/actors/1/roles?lang=de", body: `{"roles":"Spock"}`, wantStatus: 400, wantInvalid: "/roles"},
			{method: "PUT", target: "/actors/1/roles", body: `{"roles":[]}`, noAuth: true, wantStatus: 401},
		},
	},
	{
		name: "operations with security: []",
		paths: `
  /version:` + variantOp("get", "getVersion", "\n      security: []") + `
  /actors/{id}/photo:
    parameters: [{$ref: '#/components/parameters/ID'}]` +
			variantOp("get", "getPhoto", "\n      security: []") + variantOp("put", "putPhoto", ""),
		requests: []variantRequest{
			{method: "GET", target: "/version", noAuth: true, wantStatus: 200, wantOp: "getVersion"},
			{method: "GET", target: "/actors/1/photo", noAuth: true, wantStatus: 200, wantOp: "getPhoto"},
			{method: "GET", target: "/actors/x/photo", noAuth: true, wantStatus: 400, wantInvalid: "id"},
			{method: "PUT", target: "/actors/1/photo", noAuth: true, wantStatus: 401},
			{method: "PUT", target: "/actors/1/photo", wantStatus: 200, wantOp: "putPhoto"},
			{method: "POST", target: "/version", noAuth: true, wantStatus: 405, wantAllow: "GET, HEAD"},
		},
	},
	{
		name: "one path with every method",
		paths: `
  /everything:` + variantOp("get", "getEverything", "") + variantOp("put", "putEverything", "") +
			variantOp("post", "postEverything", "") + variantOp("delete", "deleteEverything", "") +
			variantOp("options", "optionsEverything", "") + variantOp("head", "headEverything", "") +
			variantOp("patch", "patchEverything", "") + variantOp("trace", "traceEverything", ""),
		requests: []variantRequest{
			{method: "GET", target: "/everything", wantStatus: 200, wantOp: "getEverything"},
			{method: "PUT", target: "/everything", wantStatus: 200, wantOp: "putEverything"},
			{method: "POST", target: "/everything", wantStatus: 200, wantOp: "postEverything"},
			{method: "DELETE", target: "/everything", wantStatus: 200, wantOp: "deleteEverything"},
			{method: "OPTIONS", target: "/everything", wantStatus: 200, wantOp: "optionsEverything"},
			{method: "HEAD", target: "/everything", wantStatus: 200, wantOp: "headEverything"},
			{method: "PATCH", target: "/everything", wantStatus: 200, wantOp: "patchEverything"},
			{method: "TRACE", target: "/everything", wantStatus: 200, wantOp: "traceEverything"},
			{method: "TRACE", target: "/everything", noAuth: true, wantStatus: 401},
			{method: "BREW", target: "/everything", wantStatus: 405, wantAllow: "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE"},
		},
	},
}

// TestSpecVariants builds the whole handler, middleware and all, from variants of
// api/openapi.yaml, each alone and all together. The generated code serves only today's
// operations, so stand-ins take its place (standIns). Each variant must start, route every request to its operation, ask for
// credentials where the spec does, validate parameters and bodies, answer 405 with the
// path's methods in Allow, and count its operations' requests in the metrics.
func TestSpecVariants(t *testing.T) {
	all := variant{name: "all together"}
	for _, v := range variants {
		all.paths += v.paths
		all.requests = append(all.requests, v.requests...)
	}
	for _, v := range append(slices.Clone(variants), all) {
		t.Run(v.name, func(t *testing.T) {
			doc, err := openapi3.NewLoader().LoadFromData([]byte(strings.Replace(string(actorsapi.SpecYAML), "\npaths:\n", "\npaths:"+v.paths+"\n", 1)))
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(t.Context()); err != nil {
				t.Fatalf("the variant is not a valid spec: %v", err)
			}
			var metricLines bytes.Buffer
			metrics, err := telemetry.NewMetrics(&metricLines, "variants", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			h, err := routes(Config{Store: memstore.New(0, actors.Seed()...), Username: variantUser, Password: variantPassword, Logger: slog.New(slog.DiscardHandler), Metrics: metrics}, doc, standIns(doc))
			if err != nil {
				t.Fatalf("the handler does not start: %v", err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			table, err := route.New(doc)
			if err != nil {
				t.Fatal(err)
			}
			check := contract.NewChecker(table)
			served := map[string]bool{}
			for _, vr := range v.requests {
				vr.run(t, srv.URL, check)
				if vr.wantOp != "" {
					served[vr.wantOp] = true
				}
			}
			if err := metrics.Close(); err != nil {
				t.Fatal(err)
			}
			for id := range served {
				if !strings.Contains(metricLines.String(), `"operationId":"`+id+`"`) {
					t.Errorf("no metrics for %s:\n%s", id, metricLines.String())
				}
			}
		})
	}
}

// TestSpecVariantAmbiguous: paths ServeMux cannot order stop the start with an error that
// names them, not a panic.
func TestSpecVariantAmbiguous(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(strings.Replace(string(actorsapi.SpecYAML), "\npaths:\n", `
paths:
  /{kind}/count:
    parameters: [{name: kind, in: path, required: true, schema: {type: string}}]`+variantOp("get", "countAny", "")+"\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = routes(Config{Store: memstore.New(0), Username: variantUser, Password: variantPassword, Logger: slog.New(slog.DiscardHandler)}, doc, standIns(doc))
	if err == nil || !strings.Contains(err.Error(), "/{kind}/count") || !strings.Contains(err.Error(), "/actors/{id}") {
		t.Errorf("err = %v, want one naming /{kind}/count and /actors/{id}", err)
	}
}

// standIns registers, for each operation of doc, a handler that answers 200 with its
// operationId in X-Operation and its path values in the body, as the generated code
// registers the real ones.
func standIns(doc *openapi3.T) func(actorsapi.ServeMux) {
	return func(mux actorsapi.ServeMux) {
		table, err := route.New(doc)
		if err != nil {
			return // routes reports it
		}
		for _, op := range table.Ops {
			mux.HandleFunc(op.Pattern, func(w http.ResponseWriter, r *http.Request) {
				params := map[string]string{}
				for _, p := range op.Params {
					if p.Value.In == openapi3.ParameterInPath {
						params[p.Value.Name] = r.PathValue(p.Value.Name)
					}
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Operation", op.ID) // a HEAD answer has no body
				_ = json.NewEncoder(w).Encode(params)
			})
		}
	}
}

func (vr variantRequest) run(t *testing.T, base string, check *contract.Checker) {
	t.Helper()
	what := vr.method + " " + vr.target
	var body io.Reader
	if vr.body != "" {
		body = strings.NewReader(vr.body)
	}
	req, err := http.NewRequest(vr.method, base+vr.target, body)
	if err != nil {
		t.Fatal(err)
	}
	if vr.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if !vr.noAuth {
		req.SetBasicAuth(variantUser, variantPassword)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != vr.wantStatus {
		t.Errorf("%s: %d, want %d; body %s", what, resp.StatusCode, vr.wantStatus, got)
		return
	}
	if resp.StatusCode >= 300 {
		if err := check.Check(req, resp, got); err != nil {
			t.Errorf("%s → %d does not match the spec: %v", what, resp.StatusCode, err)
		}
	}
	switch {
	case vr.wantOp != "":
		var params map[string]string
		if op := resp.Header.Get("X-Operation"); op != vr.wantOp {
			t.Errorf("%s reached %q, want %s", what, op, vr.wantOp)
		} else if err := json.Unmarshal(got, &params); err != nil && vr.method != http.MethodHead {
			t.Errorf("%s answered %s: %v", what, got, err)
		}
		for name, want := range vr.wantParams {
			if params[name] != want {
				t.Errorf("%s: path value %s = %q, want %q", what, name, params[name], want)
			}
		}
	case vr.wantStatus == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "":
		t.Errorf("%s: 401 without WWW-Authenticate", what)
	case vr.wantAllow != "" && resp.Header.Get("Allow") != vr.wantAllow:
		t.Errorf("%s: Allow %q, want %q", what, resp.Header.Get("Allow"), vr.wantAllow)
	case vr.wantInvalid != "" && !strings.Contains(string(got), `"name":"`+vr.wantInvalid+`"`):
		t.Errorf("%s: the 400 does not name %s: %s", what, vr.wantInvalid, got)
	}
}
