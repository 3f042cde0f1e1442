package telemetry

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// OperationIDs maps each operation of an OpenAPI document to its operationId, by the
// ServeMux pattern that serves it ("GET /actors/{id}" → "getActor"), so that spans and
// metrics name operations as the spec does and a new operation needs no code here. An
// operation without an operationId is named by its pattern.
func OperationIDs(doc *openapi3.T) map[string]string {
	ids := make(map[string]string)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := strings.ToUpper(method) + " " + path
			id := op.OperationID
			if id == "" {
				id = pattern
			}
			ids[pattern] = id
		}
	}
	return ids
}
