package docs_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/docs"
)

// newDocs returns a mux with the handlers of docs.New(actorsapi.SpecYAML, actorsapi.SpecJSON)
// on the paths the server gives them.
func newDocs(t *testing.T) *http.ServeMux {
	t.Helper()
	return mount(t, actorsapi.SpecYAML)
}

func mount(t *testing.T, specYAML []byte) *http.ServeMux {
	t.Helper()
	d, err := docs.New(specYAML, actorsapi.SpecJSON, "Actors API", "/openapi.json", "/docs")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /openapi.yaml", d.SpecYAML)
	mux.Handle("GET /openapi.json", d.SpecJSON)
	mux.Handle("GET /docs", d.Page)
	mux.Handle("GET /docs/{$}", d.Page)
	mux.Handle("GET /docs/", d.Assets)
	return mux
}

// do sends one request to h; header is a list of name, value pairs.
func do(t *testing.T, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestEveryRouteRevalidates(t *testing.T) {
	d := newDocs(t)
	tests := []struct {
		path        string
		contentType string
	}{
		{"/openapi.yaml", "application/yaml"},
		{"/openapi.json", "application/json"},
		{"/docs", "text/html; charset=utf-8"},
		{"/docs/", "text/html; charset=utf-8"},
		{"/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
		{"/docs/swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
		{"/docs/swagger-ui.css", "text/css; charset=utf-8"},
		{"/docs/favicon-32x32.png", "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := do(t, d, http.MethodGet, tt.path)
			if res.Code != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200", tt.path, res.Code)
			}
			if got := res.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := res.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", got)
			}
			if res.Body.Len() == 0 {
				t.Error("empty body")
			}
			etag := res.Header().Get("ETag")
			if !regexp.MustCompile(`^"[^"]+"$`).MatchString(etag) {
				t.Fatalf("ETag = %q, want a strong entity tag", etag)
			}

			again := do(t, d, http.MethodGet, tt.path, "If-None-Match", etag)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("If-None-Match %s = %d with %d bytes, want 304 and no body", etag, again.Code, again.Body.Len())
			}
			other := do(t, d, http.MethodGet, tt.path, "If-None-Match", `"something-else"`)
			if other.Code != http.StatusOK {
				t.Errorf("If-None-Match of another tag = %d, want 200", other.Code)
			}
			head := do(t, d, http.MethodHead, tt.path)
			if head.Code != http.StatusOK || head.Body.Len() != 0 {
				t.Errorf("HEAD = %d with %d bytes, want 200 and no body", head.Code, head.Body.Len())
			}
		})
	}
}

func TestETagChangesWithContent(t *testing.T) {
	a := do(t, newDocs(t), http.MethodGet, "/openapi.yaml").Header().Get("ETag")
	changed := mount(t, append(bytes.Clone(actorsapi.SpecYAML), "# edited\n"...))
	if b := do(t, changed, http.MethodGet, "/openapi.yaml").Header().Get("ETag"); a == b {
		t.Errorf("ETag %s did not change when the spec did", a)
	}
}

func TestYAMLIsTheSpecByteForByte(t *testing.T) {
	res := do(t, newDocs(t), http.MethodGet, "/openapi.yaml")
	if !bytes.Equal(res.Body.Bytes(), actorsapi.SpecYAML) {
		t.Error("/openapi.yaml differs from actorsapi.SpecYAML")
	}
	source, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Body.Bytes(), source) {
		t.Error("/openapi.yaml differs from api/openapi.yaml: run go generate ./...")
	}
}

// TestJSONIsTheSameDocument decodes both forms with libraries other than the converter's.
func TestJSONIsTheSameDocument(t *testing.T) {
	body := do(t, newDocs(t), http.MethodGet, "/openapi.json").Body.Bytes()

	var fromJSON, fromYAML any
	if err := json.Unmarshal(body, &fromJSON); err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	var y any
	if err := yamlv3.Unmarshal(actorsapi.SpecYAML, &y); err != nil {
		t.Fatal(err)
	}
	// A JSON round trip gives the YAML the same Go types (float64, map[string]any).
	roundTrip, err := json.Marshal(y)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(roundTrip, &fromYAML); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, fromYAML) {
		t.Error("/openapi.json is not the same document as the YAML spec")
	}

	loaded, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	if err := loaded.Validate(t.Context()); err != nil {
		t.Errorf("/openapi.json is not a valid OpenAPI document: %v", err)
	}

	// Key order is kept, so Swagger UI lists operations in the spec's order.
	yamlIDs := regexp.MustCompile(`operationId: (\w+)`).FindAllStringSubmatch(string(actorsapi.SpecYAML), -1)
	jsonIDs := regexp.MustCompile(`"operationId": "(\w+)"`).FindAllStringSubmatch(string(body), -1)
	if !reflect.DeepEqual(yamlIDs[0][1:], jsonIDs[0][1:]) || len(yamlIDs) != len(jsonIDs) {
		t.Fatalf("operation counts differ: %d in YAML, %d in JSON", len(yamlIDs), len(jsonIDs))
	}
	for i := range yamlIDs {
		if yamlIDs[i][1] != jsonIDs[i][1] {
			t.Errorf("operation %d is %s in YAML but %s in JSON", i, yamlIDs[i][1], jsonIDs[i][1])
		}
	}
}

func TestDocsPageUsesOnlySameOriginAssets(t *testing.T) {
	d := newDocs(t)
	page := do(t, d, http.MethodGet, "/docs")
	slash := do(t, d, http.MethodGet, "/docs/")
	if !bytes.Equal(page.Body.Bytes(), slash.Body.Bytes()) {
		t.Error("/docs and /docs/ serve different pages")
	}
	html := page.Body.String()
	if !strings.Contains(html, `"url":"/openapi.json"`) {
		t.Error("the page does not load /openapi.json")
	}
	// The password typed into Authorize must not outlive the page in localStorage.
	if !strings.Contains(html, `"persistAuthorization":false`) {
		t.Error("persistAuthorization is not off")
	}

	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(html, -1)
	if len(refs) < 3 {
		t.Fatalf("found %d asset references, want the bundle, the preset and the stylesheet", len(refs))
	}
	for _, ref := range refs {
		url := ref[1]
		if !strings.HasPrefix(url, "/docs/") || strings.HasPrefix(url, "//") {
			t.Errorf("asset %q is not under /docs/ on this origin", url)
			continue
		}
		if res := do(t, d, http.MethodGet, url); res.Code != http.StatusOK {
			t.Errorf("asset %s = %d, want 200", url, res.Code)
		}
	}

	if res := do(t, d, http.MethodGet, "/docs/no-such-file.js"); res.Code != http.StatusNotFound {
		t.Errorf("unknown asset = %d, want 404", res.Code)
	}
	// swagger-ui-dist's OAuth2 redirect page is shipped but not served: the API has no
	// OAuth2, and a second page would run outside the first one's policy.
	for _, ae := range []string{"gzip", ""} {
		if res := do(t, d, http.MethodGet, "/docs/oauth2-redirect.html", "Accept-Encoding", ae); res.Code != http.StatusNotFound {
			t.Errorf("GET /docs/oauth2-redirect.html (Accept-Encoding %q) = %d, want 404", ae, res.Code)
		}
	}
}

func TestDocsPageContentSecurityPolicy(t *testing.T) {
	d := newDocs(t)
	res := do(t, d, http.MethodGet, "/docs")
	csp := res.Header().Get("Content-Security-Policy")
	if slash := do(t, d, http.MethodGet, "/docs/").Header().Get("Content-Security-Policy"); csp == "" || csp != slash {
		t.Fatalf("Content-Security-Policy = %q on /docs and %q on /docs/, want one policy", csp, slash)
	}
	directives := map[string]string{}
	for _, part := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), " ")
		directives[name] = value
	}
	if directives["default-src"] != "'none'" || directives["connect-src"] != "'self'" {
		t.Errorf("policy is not same-origin only: %s", csp)
	}
	script := directives["script-src"]
	if strings.Contains(script, "unsafe") {
		t.Errorf("script-src allows unsafe sources: %s", script)
	}
	inline := regexp.MustCompile(`<script>`).FindAllString(res.Body.String(), -1)
	if got := strings.Count(script, "'sha256-"); got != len(inline) || got == 0 {
		t.Errorf("script-src names %d hashes for %d inline scripts", got, len(inline))
	}
}

func TestAssetsAreServedGzipped(t *testing.T) {
	d := newDocs(t)
	gz := do(t, d, http.MethodGet, "/docs/swagger-ui-bundle.js", "Accept-Encoding", "gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding = %q, want gzip", gz.Header().Get("Content-Encoding"))
	}
	plain := do(t, d, http.MethodGet, "/docs/swagger-ui-bundle.js")
	if plain.Header().Get("Content-Encoding") != "" || plain.Body.Len() <= gz.Body.Len() {
		t.Errorf("without Accept-Encoding the bundle is not served decompressed (%d vs %d bytes)", plain.Body.Len(), gz.Body.Len())
	}
	if gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Error("the gzip and identity representations share one strong ETag")
	}
	for _, res := range []*httptest.ResponseRecorder{gz, plain} {
		if res.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary = %q, want Accept-Encoding", res.Header().Get("Vary"))
		}
	}
	if !strings.Contains(plain.Body.String(), "SwaggerUIBundle") {
		t.Error("the decompressed bundle does not define SwaggerUIBundle")
	}
}

func TestOnlyGETAndHEAD(t *testing.T) {
	d := newDocs(t)
	for _, path := range []string{"/openapi.yaml", "/openapi.json", "/docs"} {
		if res := do(t, d, http.MethodPost, path); res.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s = %d, want 405", path, res.Code)
		}
	}
}
