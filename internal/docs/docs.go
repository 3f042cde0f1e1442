// Package docs serves the API description and an explorer for it: the spec as YAML, byte
// for byte, and the same document as JSON, both as generated into gen/actorsapi, and
// Swagger UI 5 with every asset embedded in the binary (no CDN). The caller mounts the
// handlers on the paths it gives New.
//
// Every response carries a strong ETag (a hash of the bytes served) and answers a matching
// If-None-Match with 304, so clients revalidate cheaply instead of trusting a max-age.
package docs

import (
	"fmt"
	"net/http"
)

// cacheControl makes caches revalidate on every use. The documents change only when a new
// build is deployed, and a revalidation is a 304 with no body, so "no-cache" costs little
// and never shows a spec older than the running server (a max-age could, for its length).
const cacheControl = "no-cache"

// Docs holds the handlers; they are safe for concurrent use.
type Docs struct {
	SpecYAML http.Handler // the spec, byte for byte
	SpecJSON http.Handler // the spec as JSON
	Page     http.Handler // Swagger UI's page
	Assets   http.Handler // Swagger UI's scripts, styles and icons: uiPath + "/<name>"
}

// New prepares every response from specYAML and specJSON (actorsapi.SpecYAML and
// SpecJSON), whose info.title is title: the Swagger UI page and its
// Content-Security-Policy are computed here, once. The page loads the spec from
// specJSONPath, and its assets from under uiPath.
func New(specYAML, specJSON []byte, title, specJSONPath, uiPath string) (*Docs, error) {
	u, err := newUI(title, specJSONPath, uiPath+"/")
	if err != nil {
		return nil, fmt.Errorf("docs: prepare Swagger UI: %w", err)
	}
	return &Docs{
		// application/yaml is registered by RFC 9512; application/openapi+yaml is still
		// only an Internet-Draft, and browsers and tools already know application/yaml.
		SpecYAML: newDocument(specYAML, "application/yaml"),
		SpecJSON: newDocument(specJSON, "application/json"),
		Page:     http.HandlerFunc(u.serveIndex),
		Assets:   http.HandlerFunc(u.serveAsset),
	}, nil
}
