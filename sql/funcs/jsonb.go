package funcs

import (
	"math"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// jsonb functions: jsonb_typeof, jsonb_array_length, to_jsonb,
// jsonb_build_object, jsonb_build_array, jsonb_extract_path,
// jsonb_extract_path_text, jsonb_strip_nulls; aggregates jsonb_agg and
// jsonb_object_agg. Set-returning ones (jsonb_each, jsonb_array_elements,
// jsonb_object_keys) are the executor's.
func addJSONFuncs(r *Registry) {
	J, T := types.JSONB, types.Text
	add(r, "jsonb_typeof", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewString(types.JSONTypeof(a[0].J)), nil
	}, J)
	add(r, "jsonb_array_length", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		switch a[0].J.Kind {
		case types.JSONArray:
			return types.NewInt(int64(len(a[0].J.Elems))), nil
		case types.JSONObject:
			return types.Null, errf(codeInvalidParameterValue, "cannot get array length of a non-array")
		}
		return types.Null, errf(codeInvalidParameterValue, "cannot get array length of a scalar")
	}, J)
	add(r, "to_jsonb", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		return types.NewJSON(toJSON(c, t[0], a[0])), nil
	}, AnyElement)
	bo := add(r, "jsonb_build_object", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if len(a)%2 != 0 {
			return types.Null, &types.Error{Code: codeInvalidParameterValue,
				Message: "argument list must have even number of elements",
				Hint:    "The arguments of jsonb_build_object() must consist of alternating keys and values."}
		}
		keys := make([]string, 0, len(a)/2)
		vals := make([]*types.JSON, 0, len(a)/2)
		for i := 0; i < len(a); i += 2 {
			if a[i].IsNull() {
				return types.Null, errf(codeInvalidParameterValue, "argument %d: key must not be null", i+1)
			}
			k, err := jsonKey(c, t[i], a[i])
			if err != nil {
				return types.Null, err
			}
			keys = append(keys, k)
			vals = append(vals, toJSON(c, t[i+1], a[i+1]))
		}
		return types.NewJSON(types.NewJSONObject(keys, vals)), nil
	}, Any)
	bo.Variadic, bo.Strict = true, false
	bo0 := add(r, "jsonb_build_object", J, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewJSON(types.NewJSONObject(nil, nil)), nil
	})
	bo0.Strict = false
	ba := add(r, "jsonb_build_array", J, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		elems := make([]*types.JSON, len(a))
		for i := range a {
			elems[i] = toJSON(c, t[i], a[i])
		}
		return types.NewJSON(&types.JSON{Kind: types.JSONArray, Elems: elems}), nil
	}, Any)
	ba.Variadic, ba.Strict = true, false
	ba0 := add(r, "jsonb_build_array", J, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewJSON(&types.JSON{Kind: types.JSONArray, Elems: []*types.JSON{}}), nil
	})
	ba0.Strict = false
	path := func(a []types.Datum) []string {
		p := make([]string, len(a)-1)
		for i, d := range a[1:] {
			p[i] = d.S
		}
		return p
	}
	ep := add(r, "jsonb_extract_path", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewJSON(types.JSONPath(a[0].J, path(a))), nil
	}, J, T)
	ep.Variadic = true
	ept := add(r, "jsonb_extract_path_text", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, ok := types.JSONPathText(a[0].J, path(a))
		if !ok {
			return types.Null, nil
		}
		return types.NewString(s), nil
	}, J, T)
	ept.Variadic = true
	add(r, "jsonb_strip_nulls", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewJSON(stripNulls(a[0].J)), nil
	}, J)

	r.AddAgg(&Agg{Name: "jsonb_agg", Args: []types.Type{AnyElement}, Result: J,
		New: func(at []types.Type) AggState { return &jsonAggState{t: at[0]} }})
	r.AddAgg(&Agg{Name: "jsonb_object_agg", Args: []types.Type{Any, Any}, Result: J,
		New: func(at []types.Type) AggState { return &jsonObjectAggState{kt: at[0], vt: at[1]} }})
}

// toJSON is to_jsonb: numbers and booleans map to their JSON kinds,
// arrays to arrays, jsonb to itself, date/time values to ISO 8601
// strings, everything else to the string of its text output.
func toJSON(c *Context, t types.Type, d types.Datum) *types.JSON {
	switch d.K {
	case types.KindNull:
		return &types.JSON{Kind: types.JSONNull}
	case types.KindBool:
		return &types.JSON{Kind: types.JSONBool, Bool: d.Bool()}
	case types.KindInt:
		return &types.JSON{Kind: types.JSONNumber, Num: types.NumericFromInt64(d.I)}
	case types.KindFloat:
		txt := types.FormatText(t, d, nil) // real prints its float32 digits
		if math.IsNaN(d.F) || math.IsInf(d.F, 0) {
			return &types.JSON{Kind: types.JSONString, Str: txt}
		}
		n, err := types.ParseNumeric(txt)
		if err != nil {
			return &types.JSON{Kind: types.JSONString, Str: txt}
		}
		return &types.JSON{Kind: types.JSONNumber, Num: n}
	case types.KindNumeric:
		if d.N.IsNaN() || d.N.IsInf() {
			return &types.JSON{Kind: types.JSONString, Str: d.N.String()}
		}
		return &types.JSON{Kind: types.JSONNumber, Num: d.N}
	case types.KindJSON:
		return d.J
	case types.KindArray:
		et, _ := t.ElemType()
		elems := make([]*types.JSON, len(d.A.Elems))
		for i, e := range d.A.Elems {
			elems[i] = toJSON(c, et, e)
		}
		if d.A.NDims() > 1 { // nest by dimension
			return nestJSON(elems, d.A.Dims)
		}
		return &types.JSON{Kind: types.JSONArray, Elems: elems}
	case types.KindDate, types.KindTimestamp, types.KindTimestamptz:
		s := outText(c, t, d)
		if s == "infinity" || s == "-infinity" || d.K == types.KindDate {
			return &types.JSON{Kind: types.JSONString, Str: s}
		}
		s = strings.Replace(s, " ", "T", 1)
		if d.K == types.KindTimestamptz {
			// "+HH" becomes "+HH:MM" in ISO output.
			if i := strings.LastIndexAny(s, "+-"); i > 10 && len(s)-i == 3 {
				s += ":00"
			}
		}
		return &types.JSON{Kind: types.JSONString, Str: s}
	}
	return &types.JSON{Kind: types.JSONString, Str: outText(c, t, d)}
}

func nestJSON(elems []*types.JSON, dims []int32) *types.JSON {
	if len(dims) == 1 {
		return &types.JSON{Kind: types.JSONArray, Elems: elems}
	}
	n := int(dims[0])
	per := len(elems) / max(n, 1)
	out := &types.JSON{Kind: types.JSONArray}
	for i := 0; i < n; i++ {
		out.Elems = append(out.Elems, nestJSON(elems[i*per:(i+1)*per], dims[1:]))
	}
	return out
}

func stripNulls(j *types.JSON) *types.JSON {
	switch j.Kind {
	case types.JSONObject:
		var keys []string
		var vals []*types.JSON
		for i, v := range j.Vals {
			if v.Kind != types.JSONNull {
				keys = append(keys, j.Keys[i])
				vals = append(vals, stripNulls(v))
			}
		}
		return types.NewJSONObject(keys, vals)
	case types.JSONArray:
		out := &types.JSON{Kind: types.JSONArray, Elems: make([]*types.JSON, len(j.Elems))}
		for i, e := range j.Elems {
			out.Elems[i] = stripNulls(e)
		}
		return out
	}
	return j
}

type jsonAggState struct {
	t     types.Type
	elems []*types.JSON
	seen  bool
}

func (s *jsonAggState) Step(c *Context, a []types.Datum) error {
	s.seen = true
	s.elems = append(s.elems, toJSON(c, s.t, a[0]))
	return nil
}

func (s *jsonAggState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewJSON(&types.JSON{Kind: types.JSONArray, Elems: s.elems}), nil
}

type jsonObjectAggState struct {
	kt, vt types.Type
	keys   []string
	vals   []*types.JSON
	seen   bool
}

func (s *jsonObjectAggState) Step(c *Context, a []types.Datum) error {
	if a[0].IsNull() {
		return errf(codeInvalidParameterValue, "field name must not be null")
	}
	s.seen = true
	k, err := jsonKey(c, s.kt, a[0])
	if err != nil {
		return err
	}
	s.keys = append(s.keys, k)
	s.vals = append(s.vals, toJSON(c, s.vt, a[1]))
	return nil
}

func (s *jsonObjectAggState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewJSON(types.NewJSONObject(s.keys, s.vals)), nil
}

// jsonKey is the object key a value makes, as PostgreSQL's datum_to_jsonb
// with key_scalar: its JSON scalar's text (true, not t; timestamps in ISO
// 8601); arrays, composites and json are 22023.
func jsonKey(c *Context, t types.Type, d types.Datum) (string, error) {
	j := toJSON(c, t, d)
	switch {
	case t.IsArray() || t.OID == types.OIDJSONB || j.Kind == types.JSONArray || j.Kind == types.JSONObject:
		return "", &types.Error{Code: codeInvalidParameterValue, Message: "key value must be scalar, not array, composite, or json"}
	case j.Kind == types.JSONString:
		return j.Str, nil
	}
	return j.String(), nil
}
