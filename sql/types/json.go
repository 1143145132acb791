package types

import (
	"encoding/binary"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

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

// jsonKeyLess is jsonb's key storage order: shorter keys first, then by
// bytes.
func jsonKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// NewJSONObject builds an object from keys and values (parallel slices),
// sorting keys into storage order; a repeated key keeps its last value.
func NewJSONObject(keys []string, vals []*JSON) *JSON {
	type kv struct {
		k   string
		v   *JSON
		pos int
	}
	kvs := make([]kv, len(keys))
	for i := range keys {
		kvs[i] = kv{keys[i], vals[i], i}
	}
	sort.SliceStable(kvs, func(i, j int) bool { return jsonKeyLess(kvs[i].k, kvs[j].k) })
	o := &JSON{Kind: JSONObject, Keys: make([]string, 0, len(kvs)), Vals: make([]*JSON, 0, len(kvs))}
	for i := 0; i < len(kvs); i++ {
		if i+1 < len(kvs) && kvs[i+1].k == kvs[i].k {
			continue // a later duplicate wins
		}
		o.Keys = append(o.Keys, kvs[i].k)
		o.Vals = append(o.Vals, kvs[i].v)
	}
	return o
}

// jsonParser is a recursive-descent parser of RFC 8259 JSON with
// PostgreSQL's error messages.
type jsonParser struct {
	s     string
	p     int
	depth int
}

// maxJSONDepth bounds nesting (PostgreSQL's limit comes from its stack
// depth check; this is comparable and keeps the parser's stack small).
const maxJSONDepth = 6400

func jsonErr(detail string, args ...any) error {
	return &Error{Code: CodeInvalidTextRep, Message: "invalid input syntax for type json", Detail: fmtDetail(detail, args...)}
}

// ParseJSON parses jsonb input: any JSON value, numbers as numeric,
// duplicate object keys resolved last-wins. Bad JSON gives 22P02
// "invalid input syntax for type json" with a DETAIL like PostgreSQL's;
// \u0000 gives 22P05.
func ParseJSON(s string) (*JSON, error) {
	ps := &jsonParser{s: s}
	ps.skipWS()
	v, err := ps.value()
	if err != nil {
		return nil, err
	}
	ps.skipWS()
	if ps.p < len(ps.s) {
		return nil, ps.unexpected("Expected end of input, but found \"%s\".")
	}
	return v, nil
}

func (ps *jsonParser) skipWS() {
	for ps.p < len(ps.s) {
		switch ps.s[ps.p] {
		case ' ', '\t', '\n', '\r':
			ps.p++
		default:
			return
		}
	}
}

func isJSONAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// token returns the lexer token at the current position, for messages.
func (ps *jsonParser) token() string {
	if ps.p >= len(ps.s) {
		return ""
	}
	c := ps.s[ps.p]
	if isJSONAlnum(c) || c == '-' {
		j := ps.p + 1
		for j < len(ps.s) && (isJSONAlnum(ps.s[j]) || ps.s[j] == '.' || ps.s[j] == '+' || ps.s[j] == '-') {
			j++
		}
		return ps.s[ps.p:j]
	}
	if c == '"' {
		j := ps.p + 1
		for j < len(ps.s) && ps.s[j] != '"' {
			if ps.s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(ps.s) {
			return ps.s[ps.p:]
		}
		return ps.s[ps.p : j+1]
	}
	_, n := utf8.DecodeRuneInString(ps.s[ps.p:])
	return ps.s[ps.p : ps.p+n]
}

func (ps *jsonParser) eof() error { return jsonErr("The input string ended unexpectedly.") }

// unexpected reports what PostgreSQL reports when the next token is not
// the expected one: a lexically invalid token is "Token ... is invalid.",
// a valid token of the wrong kind gets the parser's detail.
func (ps *jsonParser) unexpected(detail string) error {
	if ps.p >= len(ps.s) {
		return ps.eof()
	}
	switch c := ps.s[ps.p]; {
	case c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':':
	case c == '"':
		save := ps.p
		if _, err := ps.str(); err != nil {
			return err
		}
		ps.p = save
	case c == '-' || (c >= '0' && c <= '9'):
		save := ps.p
		if _, err := ps.number(); err != nil {
			return err
		}
		ps.p = save
	default:
		tok := ps.token()
		if tok != "true" && tok != "false" && tok != "null" {
			return jsonErr("Token \"%s\" is invalid.", tok)
		}
	}
	return jsonErr(detail, ps.token())
}

func (ps *jsonParser) value() (*JSON, error) {
	if ps.p >= len(ps.s) {
		return nil, ps.eof()
	}
	switch c := ps.s[ps.p]; {
	case c == '{':
		return ps.object()
	case c == '[':
		return ps.array()
	case c == '"':
		str, err := ps.str()
		if err != nil {
			return nil, err
		}
		return &JSON{Kind: JSONString, Str: str}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return ps.number()
	case isJSONAlnum(c):
		tok := ps.token()
		ps.p += len(tok)
		switch tok {
		case "true":
			return &JSON{Kind: JSONBool, Bool: true}, nil
		case "false":
			return &JSON{Kind: JSONBool}, nil
		case "null":
			return &JSON{Kind: JSONNull}, nil
		}
		return nil, jsonErr("Token \"%s\" is invalid.", tok)
	default:
		return nil, ps.unexpected("Expected JSON value, but found \"%s\".")
	}
}

func (ps *jsonParser) number() (*JSON, error) {
	start := ps.p
	s := ps.s
	i := ps.p
	if s[i] == '-' {
		i++
	}
	bad := func() (*JSON, error) {
		j := i
		for j < len(s) && isJSONAlnum(s[j]) {
			j++
		}
		if j == start {
			j = start + 1
		}
		return nil, jsonErr("Token \"%s\" is invalid.", s[start:j])
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return bad()
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return bad()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return bad()
		}
	}
	if i < len(s) && isJSONAlnum(s[i]) {
		return bad()
	}
	n, err := ParseNumeric(s[start:i])
	if err != nil {
		return nil, err
	}
	ps.p = i
	return &JSON{Kind: JSONNumber, Num: n}, nil
}

func (ps *jsonParser) str() (string, error) {
	s := ps.s
	i := ps.p + 1
	var sb strings.Builder
	for {
		if i >= len(s) {
			return "", jsonErr("Token \"%s\" is invalid.", s[ps.p:])
		}
		c := s[i]
		switch {
		case c == '"':
			ps.p = i + 1
			return sb.String(), nil
		case c < 0x20:
			return "", jsonErr("Character with value 0x%02x must be escaped.", c)
		case c != '\\':
			sb.WriteByte(c)
			i++
			continue
		}
		// escape
		if i+1 >= len(s) {
			return "", ps.eof()
		}
		e := s[i+1]
		switch e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, n, err := ps.unicodeEscape(i)
			if err != nil {
				return "", err
			}
			sb.WriteRune(r)
			i += n
			continue
		default:
			_, n := utf8.DecodeRuneInString(s[i+1:])
			return "", jsonErr("Escape sequence \"\\%s\" is invalid.", s[i+1:i+1+n])
		}
		i += 2
	}
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		v, ok := hexVal(s[i])
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at s[i].
func (ps *jsonParser) unicodeEscape(i int) (rune, int, error) {
	s := ps.s
	r, ok := hex4(s[i+2:])
	if !ok {
		j := i + 2
		for j < len(s) && j < i+6 && isJSONAlnum(s[j]) {
			j++
		}
		if j >= len(s) && j < i+6 {
			return 0, 0, ps.eof()
		}
		return 0, 0, jsonErr("\"\\u\" must be followed by four hexadecimal digits.")
	}
	switch {
	case r == 0:
		return 0, 0, &Error{Code: "22P05", Message: "unsupported Unicode escape sequence", Detail: "\\u0000 cannot be converted to text."}
	case r >= 0xD800 && r <= 0xDBFF:
		if i+7 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			lo, ok := hex4(s[i+8:])
			if ok && lo >= 0xDC00 && lo <= 0xDFFF {
				return utf16.DecodeRune(r, lo), 12, nil
			}
		}
		return 0, 0, jsonErr("Unicode low surrogate must follow a high surrogate.")
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, jsonErr("Unicode low surrogate must follow a high surrogate.")
	}
	return r, 6, nil
}

func (ps *jsonParser) enter() error {
	ps.depth++
	if ps.depth > maxJSONDepth {
		return &Error{Code: "54001", Message: "stack depth limit exceeded"}
	}
	return nil
}

func (ps *jsonParser) array() (*JSON, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer func() { ps.depth-- }()
	ps.p++
	arr := &JSON{Kind: JSONArray}
	ps.skipWS()
	if ps.p < len(ps.s) && ps.s[ps.p] == ']' {
		ps.p++
		return arr, nil
	}
	for {
		ps.skipWS()
		v, err := ps.value()
		if err != nil {
			return nil, err
		}
		arr.Elems = append(arr.Elems, v)
		ps.skipWS()
		if ps.p >= len(ps.s) {
			return nil, ps.eof()
		}
		switch ps.s[ps.p] {
		case ',':
			ps.p++
		case ']':
			ps.p++
			return arr, nil
		default:
			return nil, ps.unexpected("Expected \",\" or \"]\", but found \"%s\".")
		}
	}
}

func (ps *jsonParser) object() (*JSON, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer func() { ps.depth-- }()
	ps.p++
	var keys []string
	var vals []*JSON
	ps.skipWS()
	if ps.p < len(ps.s) && ps.s[ps.p] == '}' {
		ps.p++
		return &JSON{Kind: JSONObject}, nil
	}
	first := true
	for {
		ps.skipWS()
		if ps.p >= len(ps.s) {
			return nil, ps.eof()
		}
		if ps.s[ps.p] != '"' {
			if first {
				return nil, ps.unexpected("Expected string or \"}\", but found \"%s\".")
			}
			return nil, ps.unexpected("Expected string, but found \"%s\".")
		}
		first = false
		k, err := ps.str()
		if err != nil {
			return nil, err
		}
		ps.skipWS()
		if ps.p >= len(ps.s) {
			return nil, ps.eof()
		}
		if ps.s[ps.p] != ':' {
			return nil, ps.unexpected("Expected \":\", but found \"%s\".")
		}
		ps.p++
		ps.skipWS()
		v, err := ps.value()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
		ps.skipWS()
		if ps.p >= len(ps.s) {
			return nil, ps.eof()
		}
		switch ps.s[ps.p] {
		case ',':
			ps.p++
		case '}':
			ps.p++
			return NewJSONObject(keys, vals), nil
		default:
			return nil, ps.unexpected("Expected \",\" or \"}\", but found \"%s\".")
		}
	}
}

// AppendJSON appends jsonb's canonical text output of j: keys in storage
// order, ", " between elements and ": " after keys.
func AppendJSON(dst []byte, j *JSON) []byte {
	switch j.Kind {
	case JSONNull:
		return append(dst, "null"...)
	case JSONBool:
		if j.Bool {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case JSONNumber:
		return append(dst, j.Num.String()...)
	case JSONString:
		return appendJSONString(dst, j.Str)
	case JSONArray:
		dst = append(dst, '[')
		for i, e := range j.Elems {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = AppendJSON(dst, e)
		}
		return append(dst, ']')
	case JSONObject:
		dst = append(dst, '{')
		for i, k := range j.Keys {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':', ' ')
			dst = AppendJSON(dst, j.Vals[i])
		}
		return append(dst, '}')
	}
	return dst
}

// String returns the jsonb text output of j.
func (j *JSON) String() string { return string(AppendJSON(nil, j)) }

// appendJSONString quotes s as PostgreSQL's escape_json does.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// CompareJSON orders jsonb values as PostgreSQL's jsonb btree opclass:
// values of different kinds by kind (null < string < number < boolean <
// array < object), arrays and objects first by element/pair count, then
// element by element (objects key, value, key, value in storage order),
// strings by bytes. At the top level a scalar sorts as a one-element array
// that is below every real one-element array (so an empty top-level array
// sorts below every scalar).
func CompareJSON(a, b *JSON) int {
	as, bs := a.Kind < JSONArray, b.Kind < JSONArray
	switch {
	case as && bs:
		return compareJSONValue(a, b)
	case as && b.Kind == JSONArray:
		if c := cmpInt(1, len(b.Elems)); c != 0 {
			return c
		}
		return -1
	case a.Kind == JSONArray && bs:
		if c := cmpInt(len(a.Elems), 1); c != 0 {
			return c
		}
		return 1
	}
	return compareJSONValue(a, b)
}

func compareJSONValue(a, b *JSON) int {
	if a.Kind != b.Kind {
		return cmpInt(int(a.Kind), int(b.Kind))
	}
	switch a.Kind {
	case JSONNull:
		return 0
	case JSONString:
		return strings.Compare(a.Str, b.Str)
	case JSONNumber:
		return a.Num.Cmp(b.Num)
	case JSONBool:
		return cmpInt(b2i(a.Bool), b2i(b.Bool))
	case JSONArray:
		if c := cmpInt(len(a.Elems), len(b.Elems)); c != 0 {
			return c
		}
		for i := range a.Elems {
			if c := compareJSONValue(a.Elems[i], b.Elems[i]); c != 0 {
				return c
			}
		}
		return 0
	case JSONObject:
		if c := cmpInt(len(a.Keys), len(b.Keys)); c != 0 {
			return c
		}
		for i := range a.Keys {
			if c := strings.Compare(a.Keys[i], b.Keys[i]); c != 0 {
				return c
			}
			if c := compareJSONValue(a.Vals[i], b.Vals[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendJSONKey appends an order-preserving encoding of j (CompareJSON
// order; see AppendKey).
func appendJSONKey(dst []byte, j *JSON, top bool) []byte {
	if top {
		if j.Kind < JSONArray {
			// the raw-scalar pseudo array: count 1, then "raw" (0) below real arrays (1)
			dst = append(dst, byte(JSONArray))
			dst = binary.BigEndian.AppendUint32(dst, 1)
			dst = append(dst, 0)
			return appendJSONKey(dst, j, false)
		}
		if j.Kind == JSONArray {
			dst = append(dst, byte(JSONArray))
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(j.Elems)))
			dst = append(dst, 1)
			for _, e := range j.Elems {
				dst = appendJSONKey(dst, e, false)
			}
			return dst
		}
	}
	dst = append(dst, byte(j.Kind))
	switch j.Kind {
	case JSONString:
		dst = appendStringKey(dst, j.Str)
	case JSONNumber:
		dst = appendNumericKey(dst, j.Num)
	case JSONBool:
		dst = append(dst, byte(b2i(j.Bool)))
	case JSONArray:
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(j.Elems)))
		for _, e := range j.Elems {
			dst = appendJSONKey(dst, e, false)
		}
	case JSONObject:
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(j.Keys)))
		for i, k := range j.Keys {
			dst = appendStringKey(dst, k)
			dst = appendJSONKey(dst, j.Vals[i], false)
		}
	}
	return dst
}

// ---- operators (for the planner) ----

// JSONField is `j -> key`: the value of key in an object, nil (SQL NULL)
// when j is not an object or has no such key.
func JSONField(j *JSON, key string) *JSON {
	if j == nil || j.Kind != JSONObject {
		return nil
	}
	i := sort.Search(len(j.Keys), func(i int) bool { return !jsonKeyLess(j.Keys[i], key) })
	if i < len(j.Keys) && j.Keys[i] == key {
		return j.Vals[i]
	}
	return nil
}

// JSONElem is `j -> idx` on a top-level jsonb value: the idx-th element
// (0-based; negative counts from the end) of an array, nil (SQL NULL) when
// j is an object or idx is out of range. A top-level scalar behaves as a
// one-element array, as in PostgreSQL ('"s"'::jsonb -> 0 is "s"). The
// result of `->` is again a top-level jsonb value (PostgreSQL stores it as
// its own datum), so chains of `->` keep calling JSONElem.
func JSONElem(j *JSON, idx int64) *JSON {
	if j == nil || j.Kind == JSONObject {
		return nil
	}
	if j.Kind != JSONArray { // a top-level scalar is a one-element array here, as in PostgreSQL
		if idx == 0 || idx == -1 {
			return j
		}
		return nil
	}
	n := int64(len(j.Elems))
	if idx < 0 {
		idx += n
	}
	if idx < 0 || idx >= n {
		return nil
	}
	return j.Elems[idx]
}

// JSONText is the text result of `->>`: a string's value unquoted, NULL
// (ok=false) for a JSON null or a nil j, the jsonb output otherwise.
func JSONText(j *JSON) (string, bool) {
	if j == nil || j.Kind == JSONNull {
		return "", false
	}
	if j.Kind == JSONString {
		return j.Str, true
	}
	return j.String(), true
}

// JSONFieldText is `j ->> key` (ok=false: SQL NULL).
func JSONFieldText(j *JSON, key string) (string, bool) { return JSONText(JSONField(j, key)) }

// JSONElemText is `j ->> idx` (ok=false: SQL NULL).
func JSONElemText(j *JSON, idx int64) (string, bool) { return JSONText(JSONElem(j, idx)) }

// JSONContains is `a @> b` (jsonb containment, PostgreSQL's
// JsonbDeepContains): an object contains an object whose every key is in it
// with a contained value; an array contains an array (or, at the top level,
// a scalar) whose every element is contained in some element of it; a
// scalar contains only an equal scalar.
func JSONContains(a, b *JSON) bool {
	if a.Kind < JSONArray && b.Kind < JSONArray {
		return jsonScalarEqual(a, b)
	}
	if a.Kind == JSONArray && b.Kind < JSONArray {
		return jsonArrayHasElem(a, b)
	}
	return jsonDeepContains(a, b)
}

func jsonScalarEqual(a, b *JSON) bool {
	return a.Kind == b.Kind && compareJSONValue(a, b) == 0
}

func jsonArrayHasElem(a, e *JSON) bool {
	for _, x := range a.Elems {
		if x.Kind < JSONArray && jsonScalarEqual(x, e) {
			return true
		}
	}
	return false
}

func jsonDeepContains(a, b *JSON) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case JSONObject:
		if len(a.Keys) < len(b.Keys) {
			return false
		}
		for i, k := range b.Keys {
			lv := JSONField(a, k)
			if lv == nil {
				return false
			}
			rv := b.Vals[i]
			if rv.Kind < JSONArray {
				if !jsonScalarEqual(lv, rv) {
					return false
				}
			} else if !jsonDeepContains(lv, rv) {
				return false
			}
		}
		return true
	case JSONArray:
		for _, e := range b.Elems {
			if e.Kind < JSONArray {
				if !jsonArrayHasElem(a, e) {
					return false
				}
				continue
			}
			found := false
			for _, x := range a.Elems {
				if x.Kind == e.Kind && jsonDeepContains(x, e) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return jsonScalarEqual(a, b)
}

// JSONHasKey is `j ? key`: an object with that key, an array with that
// string as an element, or that string itself.
func JSONHasKey(j *JSON, key string) bool {
	switch j.Kind {
	case JSONObject:
		return JSONField(j, key) != nil
	case JSONArray:
		for _, e := range j.Elems {
			if e.Kind == JSONString && e.Str == key {
				return true
			}
		}
	case JSONString:
		return j.Str == key
	}
	return false
}

// JSONPath is `j #> path`: follow path from j, each step a key for an
// object or an integer index (negative from the end) for an array; nil
// (SQL NULL) when a step does not apply. An empty path returns j.
func JSONPath(j *JSON, path []string) *JSON {
	for _, step := range path {
		if j == nil {
			return nil
		}
		switch j.Kind {
		case JSONObject:
			j = JSONField(j, step)
		case JSONArray:
			idx, err := strconv.ParseInt(strings.TrimSpace(step), 10, 32)
			if err != nil {
				return nil
			}
			j = JSONElem(j, idx)
		default:
			return nil
		}
	}
	return j
}

// JSONPathText is `j #>> path` (ok=false: SQL NULL).
func JSONPathText(j *JSON, path []string) (string, bool) { return JSONText(JSONPath(j, path)) }

// JSONHasAny is `j ?| keys`: JSONHasKey for at least one key.
func JSONHasAny(j *JSON, keys []string) bool {
	for _, k := range keys {
		if JSONHasKey(j, k) {
			return true
		}
	}
	return false
}

// JSONHasAll is `j ?& keys`: JSONHasKey for every key.
func JSONHasAll(j *JSON, keys []string) bool {
	for _, k := range keys {
		if !JSONHasKey(j, k) {
			return false
		}
	}
	return true
}

// JSONTypeof is jsonb_typeof(j): "object", "array", "string", "number",
// "boolean" or "null".
func JSONTypeof(j *JSON) string {
	return [...]string{JSONNull: "null", JSONString: "string", JSONNumber: "number", JSONBool: "boolean", JSONArray: "array", JSONObject: "object"}[j.Kind]
}
