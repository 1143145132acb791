package types

// JSONKind is the kind of a jsonb value.
type JSONKind uint8

// jsonb value kinds, in PostgreSQL's jsonb sort order for values of
// different kinds (null < string < number < boolean < array < object).
const (
	JSONNull JSONKind = iota
	JSONString
	JSONNumber
	JSONBool
	JSONArray
	JSONObject
)

// JSON is a parsed jsonb value, immutable once built. Objects keep their
// keys unique and in jsonb storage order (shorter keys first, then by
// bytes), which is also their output order; a duplicate key in the input
// keeps its last value, as in PostgreSQL.
type JSON struct {
	Kind  JSONKind
	Str   string   // JSONString
	Num   *Numeric // JSONNumber (never NaN or infinite)
	Bool  bool     // JSONBool
	Elems []*JSON  // JSONArray
	Keys  []string // JSONObject: keys in storage order
	Vals  []*JSON  // JSONObject: Vals[i] belongs to Keys[i]
}
