// Package actorsapi holds the code generated from api/openapi.yaml: models, the std-http
// server and strict server interfaces, a client, and the spec itself. Only this file is
// written by hand; run `make generate` (or `go generate ./...`) after editing the spec.
package actorsapi

import _ "embed"

//go:generate go tool -modfile=../../tools/go.mod oapi-codegen -config oapi-codegen.yaml ../../api/openapi.yaml
//go:generate cp ../../api/openapi.yaml openapi.yaml

// SpecYAML is api/openapi.yaml byte for byte, served at /openapi.yaml.
//
//go:embed openapi.yaml
var SpecYAML []byte
