package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/actors-dev/actors/gen/actorsapi"
)

// maxInvalidParams bounds a 400's errors list: a 64 KiB body can hold thousands of
// bad fields, and listing them all would make the answer several times larger than the
// request. The detail says how many there were.
const maxInvalidParams = 20

// badRequest answers 400 with the request's bad parameters and fields.
func badRequest(w http.ResponseWriter, invalid []actorsapi.InvalidParam) {
	detail := "The request is not valid for this operation; errors names each bad parameter or field."
	if len(invalid) > maxInvalidParams {
		detail = "The request is not valid for this operation; errors names the first " + strconv.Itoa(maxInvalidParams) +
			" of its " + strconv.Itoa(len(invalid)) + " bad parameters or fields."
		invalid = invalid[:maxInvalidParams]
	}
	problem(w, http.StatusBadRequest, detail, invalid)
}

// invalidParams turns kin-openapi's validation errors into the problem's errors list, from
// the errors' typed fields: the parameter for a parameter, the JSON pointer for the body.
func invalidParams(err error) []actorsapi.InvalidParam {
	var out []actorsapi.InvalidParam
	objects := make(map[string]bool) // body objects whose unknown properties are listed
	eachLeaf(err, func(leaf error) {
		var re *openapi3filter.RequestError
		if !errors.As(leaf, &re) {
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInBody, Reason: "the request is not valid"})
			return
		}
		if re.Parameter != nil {
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamIn(re.Parameter.In), Name: re.Parameter.Name, Reason: paramReason(re)})
			return
		}
		found := false
		eachLeaf(re.Err, func(inner error) {
			var se *openapi3.SchemaError
			if errors.As(inner, &se) {
				found = true
				out = append(out, bodyParams(se, objects)...)
			}
		})
		if !found {
			reason := "the body is not valid JSON"
			if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
				reason = "a request body is required"
			}
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInBody, Reason: reason})
		}
	})
	return out
}

// eachLeaf calls f with each error inside kin-openapi's (nested) MultiErrors, or with err
// itself.
func eachLeaf(err error, f func(error)) {
	// A type assertion, not errors.As: a RequestError unwraps to the MultiError it holds,
	// and must be passed whole.
	me, ok := err.(openapi3.MultiError)
	if !ok {
		f(err)
		return
	}
	for _, inner := range me {
		eachLeaf(inner, f)
	}
}

func paramReason(e *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(e.Err, &se) {
		return se.Reason
	}
	var pe *openapi3filter.ParseError
	if errors.As(e.Err, &pe) {
		if s := e.Parameter.Schema; s != nil && s.Value != nil && s.Value.Type != nil && len(s.Value.Type.Slice()) == 1 {
			return "not a valid " + s.Value.Type.Slice()[0]
		}
		return "not a valid value"
	}
	if errors.Is(e.Err, openapi3filter.ErrInvalidRequired) {
		return "required"
	}
	return e.Reason
}

// bodyParams names a body field that failed its schema by its JSON pointer. kin-openapi
// reports each property an object may not have as an error on the object itself, so those
// are listed from the object and its schema, once per object.
func bodyParams(se *openapi3.SchemaError, objects map[string]bool) []actorsapi.InvalidParam {
	pointer := ""
	if p := se.JSONPointer(); len(p) > 0 {
		pointer = "/" + strings.Join(p, "/")
	}
	obj, isObject := se.Value.(map[string]any)
	if se.SchemaField != "properties" || !isObject || se.Schema == nil {
		return []actorsapi.InvalidParam{{In: actorsapi.InvalidParamInBody, Name: pointer, Reason: se.Reason}}
	}
	if objects[pointer] {
		return nil
	}
	objects[pointer] = true
	var out []actorsapi.InvalidParam
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		if _, known := se.Schema.Properties[name]; !known {
			out = append(out, actorsapi.InvalidParam{In: actorsapi.InvalidParamInBody, Name: pointer + "/" + name, Reason: "not a property of this object"})
		}
	}
	return out
}
