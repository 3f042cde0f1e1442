package docs

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"
)

// ui serves Swagger UI from github.com/swaggest/swgui: v5emb renders the page and
// v5/static go:embeds the files of swagger-ui-dist 5. The page is rendered once here so that
// the policy can name its inline scripts by hash instead of allowing 'unsafe-inline'.
type ui struct {
	assets map[string]asset
	page   []byte
	etag   string
	csp    string
}

func newUI(title, specURL, basePath string) (*ui, error) {
	h := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: specURL,
		BasePath:    basePath,
		// Plain JavaScript values of the SwaggerUIBundle options.
		SettingsUI: map[string]string{
			// Keep what was typed into "Authorize" across reloads (in localStorage).
			"persistAuthorization": "true",
			// Show the Schemas section, which swgui hides by default.
			"defaultModelsExpandDepth": "1",
			"displayRequestDuration":   "true",
		},
	})

	// The page depends only on the configuration, so one rendering serves every request.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, basePath, nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("rendering the page answered %d: %s", rec.Code, rec.Body)
	}
	page := rec.Body.Bytes()

	assets, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	return &ui{
		assets: assets,
		page:   page,
		etag:   strongETag(page),
		csp:    contentSecurityPolicy(page),
	}, nil
}

func (u *ui) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", u.csp)
	serveBytes(w, r, u.page, "text/html; charset=utf-8", u.etag)
}

// inlineScript matches the page's <script> elements without attributes: those with a src
// attribute load a same-origin file and are allowed by 'self'.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// contentSecurityPolicy allows the page only its own origin: scripts from /docs/ plus its
// inline scripts by SHA-256; styles from /docs/ plus inline ones (Swagger UI's React
// components set style attributes, which no hash can name); images from /docs/ and the
// data: URIs of swagger-ui.css; fetches ("Try it out", the spec) to the same origin only.
func contentSecurityPolicy(page []byte) string {
	scripts := []string{"'self'"}
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(scripts, " "),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}
