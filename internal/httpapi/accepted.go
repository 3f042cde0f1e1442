package httpapi

import (
	"strings"
	"sync"
)

// acceptedPaths are the path parameter values kin-openapi accepted for one operation. The
// spec does not change while the server runs, so neither does its verdict on the same
// values, and most requests (GET /actors/{id}, GET /actors) carry nothing else: asking
// kin-openapi again is the largest cost of serving them. Only accepted values are kept,
// at most maxAccepted of at most maxAcceptedKey bytes, then the set starts again: a client
// walking through ids, or padding one with zeros, costs some validation, never memory; a
// rejected request always gets kin-openapi's errors.
type acceptedPaths struct {
	mu   sync.RWMutex
	keys map[string]struct{}
}

const (
	maxAccepted = 4096
	// maxAcceptedKey is above any id the spec allows written plainly (an int64 has at most
	// 20 characters); a longer value is valid only padded, e.g. with zeros, and is checked
	// every time rather than kept.
	maxAcceptedKey = 64
)

func (a *acceptedPaths) has(key string) bool {
	a.mu.RLock()
	_, ok := a.keys[key]
	a.mu.RUnlock()
	return ok
}

func (a *acceptedPaths) add(key string) {
	if len(key) > maxAcceptedKey {
		return
	}
	a.mu.Lock()
	if a.keys == nil || len(a.keys) >= maxAccepted {
		a.keys = make(map[string]struct{})
	}
	// A copy: key may share the memory of the request's whole path.
	a.keys[strings.Clone(key)] = struct{}{}
	a.mu.Unlock()
}
