package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/goccy/go-yaml"
)

// document is one immutable response body with its precomputed strong ETag.
type document struct {
	body        []byte
	contentType string
	etag        string
}

func newDocument(body []byte, contentType string) document {
	return document{body: body, contentType: contentType, etag: strongETag(body)}
}

// strongETag names the exact bytes: equal ETags mean byte-identical bodies, which is what a
// strong validator promises (RFC 9110 section 8.8.1).
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
}

// ServeHTTP leaves conditional requests (If-None-Match → 304), HEAD and Range to
// http.ServeContent, which honours the ETag header set here.
func (d document) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, d.body, d.contentType, d.etag)
}

func serveBytes(w http.ResponseWriter, r *http.Request, body []byte, contentType, etag string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	// The zero time sends no Last-Modified: the ETag is the only validator.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// yamlToJSON converts the spec keeping its key order, so /openapi.json reads like the YAML
// and Swagger UI lists paths and operations in the order the spec gives them.
func yamlToJSON(specYAML []byte) ([]byte, error) {
	compact, err := yaml.YAMLToJSON(specYAML)
	if err != nil {
		return nil, err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, compact, "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// specTitle reads info.title, used as the page title of Swagger UI.
func specTitle(specYAML []byte) (string, error) {
	var spec struct {
		Info struct {
			Title string `yaml:"title"`
		} `yaml:"info"`
	}
	if err := yaml.Unmarshal(specYAML, &spec); err != nil {
		return "", err
	}
	return spec.Info.Title, nil
}
