// Package actorsapi holds the code generated from api/openapi.yaml: models, the std-http
// server and strict server interfaces, a client, and the spec itself, as YAML and as JSON.
// Only this file is written by hand; run `make generate` (or `go generate ./...`) after
// editing the spec.
package actorsapi

import _ "embed"

//go:generate go tool -modfile=../../tools/go.mod oapi-codegen -config oapi-codegen.yaml ../../api/openapi.yaml
//go:generate cp ../../api/openapi.yaml openapi.yaml
//go:generate cp ../../api/openapi.yaml openapi.json
//go:generate go tool -modfile=../../tools/go.mod yq -i -p=yaml -o=json -I=2 openapi.json

// SpecYAML is api/openapi.yaml byte for byte, served at /openapi.yaml.
//
//go:embed openapi.yaml
var SpecYAML []byte

// SpecJSON is the same document as JSON, its keys in the YAML's order, served at
// /openapi.json.
//
//go:embed openapi.json
var SpecJSON []byte
