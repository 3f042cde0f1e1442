package docs

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// asset is one Swagger UI file. Files the package ships gzipped are kept so and served so
// to clients that accept gzip (nearly all); the identity form is decompressed on the first
// request that needs it, so that start-up time and memory are not spent on forms that
// most clients never ask for.
// The two forms are different representations of one resource, so each has its own strong
// ETag (RFC 9110 section 8.8.3).
//
// swgui's own file server (statigz) is not used: it sends unquoted ETags and matches
// If-None-Match only when the header equals its tag exactly.
type asset struct {
	gzip     *document                // nil when the file is shipped uncompressed
	identity func() (document, error) // the uncompressed representation
}

// unserved are shipped files the page does not use: the OAuth2 redirect page would be a
// second HTML page, outside the policy of the first, for a flow the API does not have.
var unserved = map[string]bool{"oauth2-redirect.html": true}

// loadAssets indexes every embedded file once, at start-up, by the name it is served under.
func loadAssets(files fs.FS) (map[string]*asset, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(files, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || unserved[strings.TrimSuffix(name, ".gz")] {
			return err
		}
		content, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		served, zipped := strings.CutSuffix(name, ".gz")
		doc := newDocument(content, contentTypeOf(served))
		if !zipped {
			assets[served] = &asset{identity: func() (document, error) { return doc, nil }}
			return nil
		}
		assets[served] = &asset{gzip: &doc, identity: sync.OnceValues(func() (document, error) {
			r, err := gzip.NewReader(bytes.NewReader(content))
			if err != nil {
				return document{}, err
			}
			plain, err := io.ReadAll(r)
			return newDocument(plain, doc.contentType), err
		})}
		return nil
	})
	return assets, err
}

// contentTypes fixes the types of the files Swagger UI ships, since mime.TypeByExtension
// reads /etc/mime.types, which differs between machines (application/javascript on some).
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8", // RFC 9239
	".css": "text/css; charset=utf-8",
	".png": "image/png",
}

// contentTypeOf asks mime only for a type contentTypes lacks: its first call loads the
// machine's MIME database, 0.4 MB that would stay on the heap for every collection to mark.
func contentTypeOf(name string) string {
	if t, ok := contentTypes[path.Ext(name)]; ok {
		return t
	}
	return cmp.Or(mime.TypeByExtension(path.Ext(name)), "application/octet-stream")
}

// serveAsset serves basePath<name>. The names carry no version, so caches must revalidate.
func (u *ui) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[strings.TrimPrefix(r.URL.Path, u.basePath)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if a.gzip != nil && acceptsGzip(r.Header.Values("Accept-Encoding")) {
		w.Header().Set("Content-Encoding", "gzip")
		a.gzip.ServeHTTP(w, r)
		return
	}
	plain, err := a.identity()
	if err != nil { // the embedded file is corrupt: the package's tests decompress them all
		http.Error(w, "Swagger UI asset unavailable", http.StatusInternalServerError)
		return
	}
	plain.ServeHTTP(w, r)
}

// acceptsGzip reads Accept-Encoding (RFC 9110 section 12.5.3): gzip is acceptable when it
// is listed, or "*" is, without q=0.
func acceptsGzip(values []string) bool {
	for _, value := range values {
		for _, item := range strings.Split(value, ",") {
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && coding != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000" {
				return true
			}
		}
	}
	return false
}
