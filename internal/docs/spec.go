package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
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
