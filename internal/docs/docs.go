// Package docs serves the API description and an explorer for it, with no credentials:
//
//	GET /openapi.yaml  the spec, byte for byte as embedded in gen/actorsapi
//	GET /openapi.json  the same document as JSON, converted once at start-up
//	GET /docs, /docs/  Swagger UI 5, every asset embedded in the binary (no CDN)
//	GET /docs/<asset>  Swagger UI's scripts, styles and icons
//
// Every response carries a strong ETag (a hash of the bytes served) and answers a matching
// If-None-Match with 304, so clients revalidate cheaply instead of trusting a max-age.
package docs

import (
	"fmt"
	"net/http"
)

// Paths the package serves.
const (
	specYAMLPath = "/openapi.yaml"
	specJSONPath = "/openapi.json"
	uiPath       = "/docs"
)

// cacheControl makes caches revalidate on every use. The documents change only when a new
// build is deployed, and a revalidation is a 304 with no body, so "no-cache" costs little
// and never shows a spec older than the running server (a max-age could, for its length).
const cacheControl = "no-cache"

// Docs serves the spec documents and Swagger UI on the routes Register adds. Build it with
// New; it is safe for concurrent use.
type Docs struct {
	yaml document
	json document
	ui   *ui
}

// New prepares every response from specYAML (actorsapi.SpecYAML): the JSON form, the
// Swagger UI page and its Content-Security-Policy are computed here, once.
func New(specYAML []byte) (*Docs, error) {
	jsonDoc, err := yamlToJSON(specYAML)
	if err != nil {
		return nil, fmt.Errorf("docs: convert spec to JSON: %w", err)
	}
	title, err := specTitle(specYAML)
	if err != nil {
		return nil, fmt.Errorf("docs: read spec title: %w", err)
	}
	u, err := newUI(title, specJSONPath, uiPath+"/")
	if err != nil {
		return nil, fmt.Errorf("docs: prepare Swagger UI: %w", err)
	}
	d := &Docs{
		// application/yaml is registered by RFC 9512; application/openapi+yaml is still
		// only an Internet-Draft, and browsers and tools already know application/yaml.
		yaml: newDocument(specYAML, "application/yaml"),
		json: newDocument(jsonDoc, "application/json"),
		ui:   u,
	}
	return d, nil
}

// Register adds the routes to mux. GET patterns also answer HEAD. "/docs/{$}" is the page
// itself; any other path under /docs/ is an embedded asset (or a 404).
func (d *Docs) Register(mux *http.ServeMux) {
	mux.Handle("GET "+specYAMLPath, d.yaml)
	mux.Handle("GET "+specJSONPath, d.json)
	mux.HandleFunc("GET "+uiPath, d.ui.serveIndex)
	mux.HandleFunc("GET "+uiPath+"/{$}", d.ui.serveIndex)
	mux.HandleFunc("GET "+uiPath+"/", d.ui.serveAsset)
}
