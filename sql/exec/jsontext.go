package exec

import (
	"github.com/borealis-db/borealis/sql/funcs"
	"github.com/borealis-db/borealis/sql/types"
)

// jsonTextOps are the operators the json type (not only jsonb) has.
var jsonTextOps = map[string]bool{"->": true, "->>": true, "#>": true, "#>>": true}

// jsonTextOp evaluates -> ->> #> #>> on json text s: sub-values are
// returned verbatim (a repeated key's last value, as PostgreSQL's json).
func jsonTextOp(op, s string, b types.Datum, isInt bool) (types.Datum, error) {
	var v string
	var ok bool
	switch op {
	case "->", "->>":
		if isInt {
			v, ok = types.JSONTextElem(s, b.I)
		} else {
			v, ok = types.JSONTextField(s, b.S)
		}
	default:
		if b.A == nil || hasNullElem(b.A) {
			return types.Null, nil
		}
		v, ok = funcs.JSONTextPath(s, textElems(b.A))
	}
	if !ok {
		return types.Null, nil
	}
	if op == "->" || op == "#>" {
		return types.NewString(v), nil
	}
	t, ok, err := types.JSONTextScalar(v)
	if err != nil || !ok {
		return types.Null, err
	}
	return types.NewString(t), nil
}

// planJSONText resolves a set-returning function of one json argument.
func planJSONText(outs ...srfOut) func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
	return func(cp *compiler, name string, args []expr) ([]expr, []srfOut, error) {
		a, err := cp.coerceSRFArgs(name, args, types.JSONType)
		if err != nil {
			return nil, nil, err
		}
		return a, append([]srfOut(nil), outs...), nil
	}
}

// jsonTextKind is the first byte of json text: '{', '[' or 0 (scalar).
func jsonTextKind(s string) byte {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return s[i]
		}
		return 0
	}
	return 0
}

// jsonTextValue is a json value text as json, or as the _text functions
// return it (strings unescaped, null as NULL).
func jsonTextValue(v string, text bool) (types.Datum, error) {
	if !text {
		return types.NewString(v), nil
	}
	s, ok, err := types.JSONTextScalar(v)
	if err != nil || !ok {
		return types.Null, err
	}
	return types.NewString(s), nil
}

// genJSONTextElements is json_array_elements(_text).
func genJSONTextElements(name string, text bool) func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	return func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
		switch jsonTextKind(a[0].S) {
		case '{':
			return errf(CodeInvalidParameterValue, "cannot call %s on a non-array", name)
		case 0:
			return errf(CodeInvalidParameterValue, "cannot call %s on a scalar", name)
		}
		elems, _ := types.JSONTextElems(a[0].S)
		for _, e := range elems {
			d, err := jsonTextValue(e, text)
			if err != nil {
				return err
			}
			if err := emit([]types.Datum{d}); err != nil {
				return err
			}
		}
		return nil
	}
}

// genJSONTextEach is json_each(_text) and json_object_keys (keys only).
func genJSONTextEach(name string, text, keysOnly bool) func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
	return func(c *Ctx, a []types.Datum, emit func([]types.Datum) error) error {
		switch k := jsonTextKind(a[0].S); {
		case k == '[' && keysOnly:
			return errf(CodeInvalidParameterValue, "cannot call %s on an array", name)
		case k == 0 && keysOnly:
			return errf(CodeInvalidParameterValue, "cannot call %s on a scalar", name)
		case k == '[':
			return errf(CodeInvalidParameterValue, "cannot deconstruct an array as an object")
		case k == 0:
			return errf(CodeInvalidParameterValue, "cannot deconstruct a scalar")
		}
		keys, vals, _ := types.JSONTextFields(a[0].S)
		for i, k := range keys {
			row := []types.Datum{types.NewString(k)}
			if !keysOnly {
				d, err := jsonTextValue(vals[i], text)
				if err != nil {
					return err
				}
				row = append(row, d)
			}
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}
}
