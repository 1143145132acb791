package funcs

import (
	"math"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// json (not jsonb) functions: to_json, json_build_object,
// json_build_array, json_typeof, json_array_length, json_extract_path(_text)
// and the aggregates json_agg and json_object_agg. Their results are json
// text formatted exactly as PostgreSQL's (json_build_object gives
// {"a" : 1}, json_agg [1, 2], arrays [1,2]).
func addJSONTextFuncs(r *Registry) {
	J, T := types.JSONType, types.Text
	add(r, "to_json", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		return types.NewString(jsonTextOf(c, t[0], a[0])), nil
	}, AnyElement)
	add(r, "array_to_json", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		return types.NewString(jsonTextOf(c, t[0], a[0])), nil
	}, AnyArray)
	bo := add(r, "json_build_object", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if len(a)%2 != 0 {
			return types.Null, &types.Error{Code: codeInvalidParameterValue,
				Message: "argument list must have even number of elements",
				Hint:    "The arguments of json_build_object() must consist of alternating keys and values."}
		}
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; i < len(a); i += 2 {
			if a[i].IsNull() {
				return types.Null, &types.Error{Code: codeInvalidParameterValue,
					Message: "argument " + itoa(i+1) + " cannot be null", Hint: "Object keys should be text."}
			}
			k, err := jsonTextKey(c, t[i], a[i])
			if err != nil {
				return types.Null, err
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteString(" : ")
			b.WriteString(jsonTextOf(c, t[i+1], a[i+1]))
		}
		b.WriteByte('}')
		return types.NewString(b.String()), nil
	}, Any)
	bo.Variadic, bo.Strict = true, false
	bo0 := add(r, "json_build_object", J, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewString("{}"), nil
	})
	bo0.Strict = false
	ba := add(r, "json_build_array", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		parts := make([]string, len(a))
		for i := range a {
			parts[i] = jsonTextOf(c, t[i], a[i])
		}
		return types.NewString("[" + strings.Join(parts, ", ") + "]"), nil
	}, Any)
	ba.Variadic, ba.Strict = true, false
	ba0 := add(r, "json_build_array", J, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewString("[]"), nil
	})
	ba0.Strict = false
	add(r, "json_typeof", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		j, err := parseJSONArg(a[0])
		if err != nil {
			return types.Null, err
		}
		return types.NewString(types.JSONTypeof(j)), nil
	}, J)
	add(r, "json_array_length", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		elems, ok := types.JSONTextElems(a[0].S)
		if ok {
			return types.NewInt(int64(len(elems))), nil
		}
		if strings.HasPrefix(strings.TrimLeft(a[0].S, " \t\n\r"), "{") {
			return types.Null, errf(codeInvalidParameterValue, "cannot get array length of a non-array")
		}
		return types.Null, errf(codeInvalidParameterValue, "cannot get array length of a scalar")
	}, J)
	ep := add(r, "json_extract_path", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		v, ok := JSONTextPath(a[0].S, jsonPathArgs(a))
		if !ok {
			return types.Null, nil
		}
		return types.NewString(v), nil
	}, J, T)
	ep.Variadic = true
	ept := add(r, "json_extract_path_text", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		v, ok := JSONTextPath(a[0].S, jsonPathArgs(a))
		if !ok {
			return types.Null, nil
		}
		s, ok, err := types.JSONTextScalar(v)
		if err != nil || !ok {
			return types.Null, err
		}
		return types.NewString(s), nil
	}, J, T)
	ept.Variadic = true

	r.AddAgg(&Agg{Name: "json_agg", Args: []types.Type{AnyElement}, Result: J,
		New: func(at []types.Type) AggState { return &jsonTextAggState{t: at[0]} }})
	r.AddAgg(&Agg{Name: "json_object_agg", Args: []types.Type{Any, Any}, Result: J,
		New: func(at []types.Type) AggState { return &jsonTextObjectAggState{kt: at[0], vt: at[1]} }})
}

func itoa(i int) string { return types.NumericFromInt64(int64(i)).String() }

func jsonPathArgs(a []types.Datum) []string {
	p := make([]string, len(a)-1)
	for i, d := range a[1:] {
		p[i] = d.S
	}
	return p
}

// JSONTextPath follows path (object keys, or array indexes for arrays)
// through json text, returning the verbatim text of the value reached and
// false when a step finds nothing.
func JSONTextPath(s string, path []string) (string, bool) {
	cur := s
	for _, step := range path {
		t := strings.TrimLeft(cur, " \t\n\r")
		var ok bool
		if strings.HasPrefix(t, "[") {
			n, err := types.ParseText(types.Int8, step, nil)
			if err != nil {
				return "", false
			}
			cur, ok = types.JSONTextElem(cur, n.I)
		} else {
			cur, ok = types.JSONTextField(cur, step)
		}
		if !ok {
			return "", false
		}
	}
	return cur, true
}

func parseJSONArg(d types.Datum) (*types.JSON, error) {
	j, err := types.ParseJSON(d.S)
	if err != nil { // a \u0000 escape: json keeps it, jsonb refuses it
		return types.ParseJSON(strings.ReplaceAll(d.S, `\u0000`, `\u0001`))
	}
	return j, nil
}

// jsonQuote is escape_json: s as a JSON string literal.
func jsonQuote(s string) string {
	return (&types.JSON{Kind: types.JSONString, Str: s}).String()
}

// jsonTextOf is PostgreSQL's datum_to_json: the json text of d of type t.
func jsonTextOf(c *Context, t types.Type, d types.Datum) string {
	switch {
	case d.K == types.KindNull:
		return "null"
	case t.OID == types.OIDJSON:
		return d.S
	}
	switch d.K {
	case types.KindBool:
		if d.Bool() {
			return "true"
		}
		return "false"
	case types.KindInt:
		return types.FormatText(t, d, nil)
	case types.KindFloat:
		s := types.FormatText(t, d, nil)
		if math.IsNaN(d.F) || math.IsInf(d.F, 0) {
			return jsonQuote(s)
		}
		return s
	case types.KindNumeric:
		if d.N.IsNaN() || d.N.IsInf() {
			return jsonQuote(d.N.String())
		}
		return d.N.String()
	case types.KindJSON:
		return d.J.String()
	case types.KindArray:
		et, _ := t.ElemType()
		parts := make([]string, len(d.A.Elems))
		for i, e := range d.A.Elems {
			parts[i] = jsonTextOf(c, et, e)
		}
		return nestJSONText(parts, d.A.Dims)
	case types.KindDate, types.KindTimestamp, types.KindTimestamptz:
		return toJSON(c, t, d).String()
	}
	return jsonQuote(outText(c, t, d))
}

func nestJSONText(parts []string, dims []int32) string {
	if len(dims) <= 1 {
		return "[" + strings.Join(parts, ",") + "]"
	}
	n := int(dims[0])
	per := len(parts) / max(n, 1)
	out := make([]string, n)
	for i := 0; i < n; i++ {
		out[i] = nestJSONText(parts[i*per:(i+1)*per], dims[1:])
	}
	return "[" + strings.Join(out, ",") + "]"
}

// jsonTextKey is an object key as json_build_object writes it: always a
// quoted string; arrays, composites and json are 22023.
func jsonTextKey(c *Context, t types.Type, d types.Datum) (string, error) {
	if t.OID == types.OIDJSON {
		return "", &types.Error{Code: codeInvalidParameterValue, Message: "key value must be scalar, not array, composite, or json"}
	}
	k, err := jsonKey(c, t, d)
	if err != nil {
		return "", err
	}
	return jsonQuote(k), nil
}

type jsonTextAggState struct {
	t     types.Type
	parts []string
	seen  bool
}

func (s *jsonTextAggState) Step(c *Context, a []types.Datum) error {
	s.seen = true
	s.parts = append(s.parts, jsonTextOf(c, s.t, a[0]))
	return nil
}

func (s *jsonTextAggState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewString("[" + strings.Join(s.parts, ", ") + "]"), nil
}

type jsonTextObjectAggState struct {
	kt, vt types.Type
	parts  []string
	seen   bool
}

func (s *jsonTextObjectAggState) Step(c *Context, a []types.Datum) error {
	if a[0].IsNull() {
		return errf(codeInvalidParameterValue, "field name must not be null")
	}
	s.seen = true
	k, err := jsonTextKey(c, s.kt, a[0])
	if err != nil {
		return err
	}
	s.parts = append(s.parts, k+" : "+jsonTextOf(c, s.vt, a[1]))
	return nil
}

func (s *jsonTextObjectAggState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewString("{ " + strings.Join(s.parts, ", ") + " }"), nil
}
