package docs

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"

	"github.com/swaggest/swgui/v5/static"
)

// ui serves Swagger UI 5: github.com/swaggest/swgui/v5/static go:embeds the files of
// swagger-ui-dist, and the page that loads them is written here. (swgui's own page
// renderer is not used: it brings html/template, whose reflection keeps the linker from
// dropping unused methods, which makes the binary megabytes larger.) The page is built
// once, so the policy can name its inline script by hash instead of allowing
// 'unsafe-inline'.
type ui struct {
	basePath string // the assets' path prefix
	assets   map[string]*asset
	page     document
	csp      string
}

// pageTemplate is Swagger UI's page; %[3]s is the spec's URL as a JSON string. Its settings
// turn persistAuthorization off, so that what is typed into "Authorize" stays in the page's
// memory, gone with a reload, instead of in localStorage, where it would outlive the visit
// for any script or person at the browser to read; and validatorUrl, so that the page makes
// no call to the public validator service and works offline.
const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%[1]s - Swagger UI</title>
<link rel="stylesheet" href="%[2]sswagger-ui.css">
<link rel="icon" type="image/png" href="%[2]sfavicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="%[2]sfavicon-16x16.png" sizes="16x16">
<style>html{box-sizing:border-box;overflow-y:scroll}*,*:before,*:after{box-sizing:inherit}body{margin:0;background:#fafafa}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="%[2]sswagger-ui-bundle.js"></script>
<script src="%[2]sswagger-ui-standalone-preset.js"></script>
<script>
window.onload = function () {
  var settings = {"url":%[3]s,"dom_id":"#swagger-ui","layout":"StandaloneLayout","persistAuthorization":false,
    "deepLinking":true,"defaultModelsExpandDepth":1,"displayRequestDuration":true,"validatorUrl":null};
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
  // The standalone layout without its top bar, which would offer to load other specs.
  settings.plugins = [SwaggerUIBundle.plugins.DownloadUrl, function () { return { components: { Topbar: function () { return null; } } }; }];
  window.ui = SwaggerUIBundle(settings);
};
</script>
</body>
</html>
`

func newUI(title, specURL, basePath string) (*ui, error) {
	url, _ := json.Marshal(specURL) // a string always encodes, with <, > and & escaped: it cannot end the script
	page := []byte(fmt.Sprintf(pageTemplate, html.EscapeString(title), html.EscapeString(basePath), url))
	assets, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	return &ui{
		basePath: basePath,
		assets:   assets,
		page:     newDocument(page, "text/html; charset=utf-8"),
		csp:      contentSecurityPolicy(page),
	}, nil
}

func (u *ui) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", u.csp)
	u.page.ServeHTTP(w, r)
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
