package telemetry

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// OperationIDs maps each operation of an OpenAPI document to its operationId, by the
// ServeMux pattern that serves it ("GET /actors/{id}" → "getActor"), so that spans and
// metrics name operations as the spec does and a new operation needs no code here. It reads
// the spec's own text: the parsed spec embedded by the code generator has its operationIds
// rewritten into Go names.
func OperationIDs(specYAML []byte) (map[string]string, error) {
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(specYAML, &spec); err != nil {
		return nil, fmt.Errorf("telemetry: read the spec's operations: %w", err)
	}
	ids := make(map[string]string)
	for path, item := range spec.Paths {
		for method, v := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
			default:
				continue // parameters, summary, servers...
			}
			pattern := strings.ToUpper(method) + " " + path
			op, _ := v.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" {
				id = pattern
			}
			ids[pattern] = id
		}
	}
	return ids, nil
}
