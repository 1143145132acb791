package types

// ConcatResultType resolves the result type of `l || r`: text when either
// side is a string type (the other side, if not an array, is converted to
// text, as PostgreSQL's anynonarray || text), bytea || bytea, jsonb ||
// jsonb, and for arrays array || array, array || element, element || array.
// An untyped literal takes the other side's type when that is bytea, jsonb
// or an array, and is text otherwise.
// No operator → 42883.
func ConcatResultType(l, r Type) (Type, error) {
	lo, ro := l.OID, r.OID
	special := func(o OID) bool { return o == OIDBytea || o == OIDJSONB || (Type{OID: o}).IsArray() }
	switch {
	case lo == OIDUnknown && ro == OIDUnknown:
		return Text, nil
	case lo == OIDUnknown && special(ro):
		lo = ro
	case lo == OIDUnknown:
		lo = OIDText
	case ro == OIDUnknown && special(lo):
		ro = lo
	case ro == OIDUnknown:
		ro = OIDText
	}
	lt, rt := Type{OID: lo, Typmod: -1}, Type{OID: ro, Typmod: -1}
	switch {
	case lt.IsArray() && rt.IsArray():
		// array || array: the right elements must cast implicitly to the
		// left's (int[] || text[] has no common type: 42883, never text).
		if re, _ := rt.ElemType(); arrayElemMatches(lt, re) {
			return lt, nil
		}
	case lt.IsArray() && arrayElemMatches(lt, rt):
		return lt, nil
	case rt.IsArray() && arrayElemMatches(rt, lt):
		return rt, nil
	case lo == OIDBytea && ro == OIDBytea:
		return Bytea, nil
	case lo == OIDJSONB && ro == OIDJSONB:
		return JSONB, nil
	case (isStringOID(lo) && !rt.IsArray()) || (isStringOID(ro) && !lt.IsArray()):
		return Text, nil
	}
	return Type{}, Errorf(CodeUndefinedFunction, "operator does not exist: %s || %s", l, r)
}

func arrayElemMatches(arr, elem Type) bool {
	et, _ := arr.ElemType()
	if et.OID == elem.OID {
		return true
	}
	_, ok := CastContext(elem.OID, et.OID)
	c, _ := CastContext(elem.OID, et.OID)
	return ok && c == CoerceImplicit
}

// Concat evaluates `a || b` for operands of types lt and rt (see
// ConcatResultType), returning the result and its type; env gives the
// session settings used to print non-text operands as text. Text, bytea
// and jsonb concatenation are strict (NULL in → NULL out); array
// concatenation treats a NULL array as absent and appends a NULL element.
func Concat(lt Type, a Datum, rt Type, b Datum, env *Env) (Datum, Type, error) {
	res, err := ConcatResultType(lt, rt)
	if err != nil {
		return Null, res, err
	}
	if res.IsArray() {
		et, _ := res.ElemType()
		toArr := func(t Type, d Datum) (Datum, bool, error) { // value, isArray
			if d.K == KindString && t.OID == OIDUnknown {
				v, err := ParseText(res, d.S, env)
				return v, true, err
			}
			if t.IsArray() || (t.OID == OIDUnknown && d.K == KindNull) {
				return d, true, nil
			}
			if d.K == KindNull {
				return d, false, nil
			}
			v, err := Cast(d, t, et, CoerceImplicit, env)
			return v, false, err
		}
		av, aIsArr, err := toArr(lt, a)
		if err != nil {
			return Null, res, err
		}
		bv, bIsArr, err := toArr(rt, b)
		if err != nil {
			return Null, res, err
		}
		var out *Array
		switch {
		case aIsArr && bIsArr:
			if av.K == KindNull {
				return bv, res, nil
			}
			if bv.K == KindNull {
				return av, res, nil
			}
			out, err = ArrayCat(av.A, bv.A)
		case aIsArr:
			if av.K == KindNull {
				av = NewArray(&Array{})
			}
			out, err = ArrayAppend(av.A, bv)
		default:
			if bv.K == KindNull {
				bv = NewArray(&Array{})
			}
			out, err = ArrayPrepend(av, bv.A)
		}
		if err != nil {
			return Null, res, err
		}
		return NewArray(out), res, nil
	}
	if a.K == KindNull || b.K == KindNull {
		return Null, res, nil
	}
	switch res.OID {
	case OIDBytea:
		if lt.OID == OIDUnknown {
			if a, err = ParseText(Bytea, a.S, nil); err != nil {
				return Null, res, err
			}
		}
		if rt.OID == OIDUnknown {
			if b, err = ParseText(Bytea, b.S, nil); err != nil {
				return Null, res, err
			}
		}
		return NewByteaString(a.S + b.S), res, nil
	case OIDJSONB:
		if lt.OID == OIDUnknown {
			if a, err = ParseText(JSONB, a.S, nil); err != nil {
				return Null, res, err
			}
		}
		if rt.OID == OIDUnknown {
			if b, err = ParseText(JSONB, b.S, nil); err != nil {
				return Null, res, err
			}
		}
		return NewJSON(JSONConcat(a.J, b.J)), res, nil
	}
	return NewString(concatText(lt, a, env) + concatText(rt, b, env)), res, nil
}

// concatText is an operand of text || anynonarray as text: bpchar without
// its padding, bool as PostgreSQL's bool-to-text cast spells it ("true").
func concatText(t Type, d Datum, env *Env) string {
	switch t.OID {
	case OIDBpchar:
		return TrimBpchar(FormatText(t, d, env))
	case OIDBool:
		if d.Bool() {
			return "true"
		}
		return "false"
	}
	return FormatText(t, d, env)
}

// JSONConcat is jsonb || jsonb: two objects merge (the right side's value
// wins for a shared key); otherwise both sides, a non-array taken as a
// one-element array, are concatenated into an array.
func JSONConcat(a, b *JSON) *JSON {
	if a.Kind == JSONObject && b.Kind == JSONObject {
		keys := append(append([]string(nil), a.Keys...), b.Keys...)
		vals := append(append([]*JSON(nil), a.Vals...), b.Vals...)
		return NewJSONObject(keys, vals)
	}
	elems := func(j *JSON) []*JSON {
		if j.Kind == JSONArray {
			return j.Elems
		}
		return []*JSON{j}
	}
	return &JSON{Kind: JSONArray, Elems: append(append([]*JSON(nil), elems(a)...), elems(b)...)}
}
