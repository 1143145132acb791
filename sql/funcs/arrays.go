package funcs

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// Array functions: array_length, array_lower, array_upper, array_ndims,
// array_dims, cardinality, array_append, array_prepend, array_cat,
// array_position, array_positions, array_remove, array_replace,
// array_to_string, string_to_array, regexp_match, regexp_split_to_array;
// the aggregate array_agg. Set-returning functions (unnest,
// regexp_matches, generate_series) are the executor's.
func addArrayFuncs(r *Registry) {
	I4, T := types.Int4, types.Text
	textArray := types.Type{OID: types.OIDTextArray, Typmod: -1}
	int4Array := types.Type{OID: types.OIDInt4Array, Typmod: -1}
	sameAsFirst := func(args []types.Type) types.Type { return args[0] }
	arrayOfFirst := func(args []types.Type) types.Type {
		at, err := types.ArrayOf(args[0])
		if err != nil {
			return args[0]
		}
		return at
	}
	dimFn := func(f func(*types.Array, int) (int, bool)) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			v, ok := f(a[0].A, int(a[1].I))
			if !ok {
				return types.Null, nil
			}
			return types.NewInt(int64(v)), nil
		}
	}
	add(r, "array_length", I4, dimFn(types.ArrayLength), AnyArray, I4)
	add(r, "array_lower", I4, dimFn(types.ArrayLower), AnyArray, I4)
	add(r, "array_upper", I4, dimFn(types.ArrayUpper), AnyArray, I4)
	add(r, "array_ndims", I4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].A.NDims() == 0 {
			return types.Null, nil
		}
		return types.NewInt(int64(a[0].A.NDims())), nil
	}, AnyArray)
	add(r, "cardinality", I4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(a[0].A.Len())), nil
	}, AnyArray)
	add(r, "array_dims", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		arr := a[0].A
		if arr.NDims() == 0 {
			return types.Null, nil
		}
		var b strings.Builder
		for i := 1; i <= arr.NDims(); i++ {
			lo, _ := types.ArrayLower(arr, i)
			hi, _ := types.ArrayUpper(arr, i)
			b.WriteString("[" + strconv.Itoa(lo) + ":" + strconv.Itoa(hi) + "]")
		}
		return types.NewString(b.String()), nil
	}, AnyArray)
	orEmpty := func(d types.Datum) *types.Array {
		if d.IsNull() {
			return &types.Array{}
		}
		return d.A
	}
	ap := add(r, "array_append", types.Type{}, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		out, err := types.ArrayAppend(orEmpty(a[0]), a[1])
		return types.NewArray(out), err
	}, AnyCompatibleArray, AnyCompatible)
	ap.ResultOf, ap.Strict = sameAsFirst, false
	pp := add(r, "array_prepend", types.Type{}, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		out, err := types.ArrayPrepend(a[0], orEmpty(a[1]))
		return types.NewArray(out), err
	}, AnyCompatible, AnyCompatibleArray)
	pp.ResultOf, pp.Strict = func(args []types.Type) types.Type { return args[1] }, false
	cat := add(r, "array_cat", types.Type{}, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].IsNull() && a[1].IsNull() {
			return types.Null, nil
		}
		out, err := types.ArrayCat(orEmpty(a[0]), orEmpty(a[1]))
		return types.NewArray(out), err
	}, AnyCompatibleArray, AnyCompatibleArray)
	cat.ResultOf, cat.Strict = sameAsFirst, false

	position := func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		arr := a[0].A
		if arr.NDims() > 1 {
			return types.Null, errf(codeFeatureNotSupported, "searching for elements in multidimensional arrays is not supported")
		}
		start := 0
		lb, _ := types.ArrayLower(arr, 1)
		if len(a) > 2 {
			if a[2].IsNull() {
				return types.Null, errf(codeNullNotAllowed, "initial position must not be null")
			}
			start = max(0, int(a[2].I)-lb)
		}
		for i := start; i < arr.Len(); i++ {
			if elemEqual(t[1], arr.Elems[i], a[1]) {
				return types.NewInt(int64(i + lb)), nil
			}
		}
		return types.Null, nil
	}
	p1 := add(r, "array_position", I4, position, AnyCompatibleArray, AnyCompatible)
	p1.Strict = false
	p2 := add(r, "array_position", I4, position, AnyCompatibleArray, AnyCompatible, I4)
	p2.Strict = false
	ps := add(r, "array_positions", int4Array, func(_ *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		arr := a[0].A
		if arr.NDims() > 1 {
			return types.Null, errf(codeFeatureNotSupported, "searching for elements in multidimensional arrays is not supported")
		}
		lb, _ := types.ArrayLower(arr, 1)
		out := []types.Datum{}
		for i, e := range arr.Elems {
			if elemEqual(t[1], e, a[1]) {
				out = append(out, types.NewInt(int64(i+lb)))
			}
		}
		return types.NewArray(types.MakeArray(out)), nil
	}, AnyCompatibleArray, AnyCompatible)
	ps.Strict = false
	rm := add(r, "array_remove", types.Type{}, func(_ *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		arr := a[0].A
		if arr.NDims() > 1 {
			return types.Null, errf(codeFeatureNotSupported, "removing elements from multidimensional arrays is not supported")
		}
		out := []types.Datum{}
		for _, e := range arr.Elems {
			if !elemEqual(t[1], e, a[1]) {
				out = append(out, e)
			}
		}
		if len(out) == arr.Len() {
			return a[0], nil
		}
		return types.NewArray(types.MakeArray(out)), nil
	}, AnyCompatibleArray, AnyCompatible)
	rm.ResultOf, rm.Strict = sameAsFirst, false
	rp := add(r, "array_replace", types.Type{}, func(_ *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		arr := a[0].A
		out := &types.Array{Dims: arr.Dims, LBounds: arr.LBounds, Elems: make([]types.Datum, arr.Len())}
		for i, e := range arr.Elems {
			if elemEqual(t[1], e, a[1]) {
				e = a[2]
			}
			out.Elems[i] = e
		}
		return types.NewArray(out), nil
	}, AnyCompatibleArray, AnyCompatible, AnyCompatible)
	rp.ResultOf, rp.Strict = sameAsFirst, false

	toString := func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return types.Null, nil
		}
		et, _ := t[0].ElemType()
		nullStr, hasNull := "", len(a) > 2 && !a[2].IsNull()
		if hasNull {
			nullStr = a[2].S
		}
		var b strings.Builder
		first := true
		for _, e := range a[0].A.Elems {
			if e.IsNull() && !hasNull {
				continue
			}
			if !first {
				b.WriteString(a[1].S)
			}
			first = false
			if e.IsNull() {
				b.WriteString(nullStr)
			} else {
				b.WriteString(outText(c, et, e))
			}
		}
		return types.NewString(b.String()), nil
	}
	add(r, "array_to_string", T, toString, AnyArray, T)
	ats := add(r, "array_to_string", T, toString, AnyArray, T, T)
	ats.Strict = false
	fromString := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		s := a[0].S
		var parts []string
		switch {
		case s == "":
			return types.NewArray(&types.Array{}), nil
		case a[1].IsNull():
			for _, ch := range s {
				parts = append(parts, string(ch))
			}
		case a[1].S == "":
			parts = []string{s}
		default:
			parts = strings.Split(s, a[1].S)
		}
		out := make([]types.Datum, len(parts))
		for i, p := range parts {
			if len(a) > 2 && !a[2].IsNull() && p == a[2].S {
				out[i] = types.Null
			} else {
				out[i] = types.NewString(p)
			}
		}
		return types.NewArray(types.MakeArray(out)), nil
	}
	sa := add(r, "string_to_array", textArray, fromString, T, T)
	sa.Strict = false
	sa3 := add(r, "string_to_array", textArray, fromString, T, T, T)
	sa3.Strict = false
	match := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		flags := ""
		if len(a) > 2 {
			flags = a[2].S
		}
		if strings.ContainsRune(flags, 'g') {
			return types.Null, &types.Error{Code: codeInvalidParameterValue,
				Message: "regexp_match() does not support the \"global\" option",
				Hint:    "Use the regexp_matches function instead."}
		}
		re, _, err := compileRegex(a[1].S, flags)
		if err != nil {
			return types.Null, err
		}
		m := re.FindStringSubmatchIndex(a[0].S)
		if m == nil {
			return types.Null, nil
		}
		var out []types.Datum
		if len(m) == 2 {
			out = []types.Datum{types.NewString(a[0].S[m[0]:m[1]])}
		}
		for k := 1; 2*k+1 < len(m); k++ {
			if m[2*k] < 0 {
				out = append(out, types.Null)
			} else {
				out = append(out, types.NewString(a[0].S[m[2*k]:m[2*k+1]]))
			}
		}
		return types.NewArray(types.MakeArray(out)), nil
	}
	add(r, "regexp_match", textArray, match, T, T)
	add(r, "regexp_match", textArray, match, T, T, T)
	split := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		flags := ""
		if len(a) > 2 {
			flags = a[2].S
		}
		if strings.ContainsRune(flags, 'g') {
			return types.Null, errf(codeInvalidParameterValue, "regexp_split_to_array() does not support the \"global\" option")
		}
		re, _, err := compileRegex(a[1].S, flags)
		if err != nil {
			return types.Null, err
		}
		s := a[0].S
		var out []types.Datum
		last := 0
		for _, m := range re.FindAllStringIndex(s, -1) {
			if m[1] == m[0] && (m[0] == 0 || m[0] >= len(s) || m[0] == last) {
				continue // empty matches at the ends or right after a match do not split
			}
			out = append(out, types.NewString(s[last:m[0]]))
			last = m[1]
		}
		out = append(out, types.NewString(s[last:]))
		return types.NewArray(types.MakeArray(out)), nil
	}
	add(r, "regexp_split_to_array", textArray, split, T, T)
	add(r, "regexp_split_to_array", textArray, split, T, T, T)

	r.AddAgg(&Agg{Name: "array_agg", Args: []types.Type{AnyElement}, ResultOf: arrayOfFirst,
		New: func(at []types.Type) AggState { return &arrayAggState{nested: at[0].IsArray()} }})
}

// elemEqual is IS NOT DISTINCT FROM on array elements.
func elemEqual(t types.Type, a, b types.Datum) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	return types.CompareAs(t, a, b) == 0
}

// arrayAggState is array_agg: NULL inputs become NULL elements; array
// inputs build an array of one more dimension.
type arrayAggState struct {
	nested bool
	elems  []types.Datum
}

func (s *arrayAggState) Step(_ *Context, a []types.Datum) error {
	if s.nested {
		if a[0].IsNull() {
			return errf(codeNullNotAllowed, "cannot accumulate null arrays")
		}
		if a[0].A.Len() == 0 {
			return errf("2202E", "cannot accumulate empty arrays")
		}
		if len(s.elems) > 0 {
			f := s.elems[0].A
			same := f.NDims() == a[0].A.NDims()
			for i := 0; same && i < f.NDims(); i++ {
				same = f.Dims[i] == a[0].A.Dims[i]
			}
			if !same {
				return errf("2202E", "cannot accumulate arrays of different dimensionality")
			}
		}
	}
	s.elems = append(s.elems, a[0])
	return nil
}

func (s *arrayAggState) Final(*Context) (types.Datum, error) {
	if len(s.elems) == 0 {
		return types.Null, nil
	}
	if !s.nested {
		return types.NewArray(types.MakeArray(s.elems)), nil
	}
	subs := make([]*types.Array, len(s.elems))
	for i, e := range s.elems {
		subs[i] = e.A
		if e.A.Len() == 0 {
			return types.Null, errf("2202E", "cannot accumulate empty arrays")
		}
	}
	out, err := types.MakeArrayOfArrays(subs)
	if err != nil {
		return types.Null, err
	}
	return types.NewArray(out), nil
}
