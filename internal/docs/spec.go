package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"go.yaml.in/yaml/v4"
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
	h := w.Header()
	h.Set("Content-Type", d.contentType)
	h.Set("ETag", d.etag)
	h.Set("Cache-Control", cacheControl)
	// The zero time sends no Last-Modified: the ETag is the only validator.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(d.body))
}

// yamlToJSON converts the spec keeping its key order, so /openapi.json reads like the YAML
// and Swagger UI lists paths and operations in the order the spec gives them. It walks the
// YAML node tree of go.yaml.in/yaml/v4, the YAML library kin-openapi already links.
func yamlToJSON(specYAML []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(specYAML, &doc); err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := writeJSON(&compact, &doc); err != nil {
		return nil, err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: want one YAML document", n.Line)
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, err := json.Marshal(n.Content[i].Value)
			if err != nil {
				return err
			}
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}
