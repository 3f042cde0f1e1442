package httpapi

import (
	"strconv"
	"unicode/utf8"

	"github.com/actors-dev/actors/internal/actors"
)

// appendActorJSON appends the JSON encoding/json gives actorsapi.Actor for a, byte for byte
// (TestAppendActorJSON holds it to that), without reflection or allocation: a page of
// actors that are not in the encodings cache costs little more than one that is.
func appendActorJSON(b []byte, a actors.Actor) []byte {
	b = append(b, `{"actor":`...)
	b = appendJSONString(b, a.Name)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = append(b, `,"role":`...)
	b = appendJSONString(b, a.Role)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on (its default):
// <, > and & as \u003c…, U+2028 and U+2029 escaped, each invalid byte as U+FFFD, unescaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
