package types

import "strings"

// PostgreSQL's json type: the input text kept verbatim (validated on
// input), output as stored. Its values are KindString Datums; only the
// type (OID 114) tells them from text.

// The pg_type OIDs of json and json[].
const (
	OIDJSON      OID = 114
	OIDJSONArray OID = 199
)

// JSONType is the json type (JSONB is jsonb).
var JSONType = Type{OIDJSON, -1}

// ParseJSONText validates s as json input and returns the json Datum
// holding s verbatim; invalid input is 22P02 with PostgreSQL's message.
// Unlike jsonb, json accepts the escape \u0000 (it never unescapes).
func ParseJSONText(s string) (Datum, error) {
	if _, err := ParseJSON(s); err != nil {
		e, ok := err.(*Error)
		if !ok || e.Code != "22P05" {
			return Null, err
		}
		if _, err := ParseJSON(strings.ReplaceAll(s, `\u0000`, `\u0001`)); err != nil {
			return Null, err
		}
	}
	return NewString(s), nil
}
