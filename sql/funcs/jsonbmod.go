package funcs

import (
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// jsonb functions that build a modified copy of a document, as
// PostgreSQL's setPath does: jsonb_set, jsonb_insert, jsonb_delete_path
// (the #- operator), jsonb_delete (the - operator) and jsonb_pretty.

// jsonPathOp is what setPath does at the end of the path.
type jsonPathOp uint8

const (
	jsonPathCreate       jsonPathOp = iota // jsonb_set(..., true): replace, or add a missing last key/element
	jsonPathReplace                        // jsonb_set(..., false): replace only
	jsonPathInsertBefore                   // jsonb_insert(..., false)
	jsonPathInsertAfter                    // jsonb_insert(..., true)
	jsonPathDelete                         // #-
)

func (op jsonPathOp) createOrInsert() bool {
	return op == jsonPathCreate || op == jsonPathInsertBefore || op == jsonPathInsertAfter
}

func addJSONModFuncs(r *Registry) {
	J, T, B := types.JSONB, types.Text, types.Bool
	TA := types.Type{OID: types.OIDTextArray, Typmod: -1}
	set := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		op := jsonPathCreate
		if len(a) > 3 && !a[3].Bool() {
			op = jsonPathReplace
		}
		return jsonModify(a[0].J, a[1], a[2].J, op, "cannot set path in scalar")
	}
	add(r, "jsonb_set", J, set, J, TA, J)
	add(r, "jsonb_set", J, set, J, TA, J, B)
	insert := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		op := jsonPathInsertBefore
		if len(a) > 3 && a[3].Bool() {
			op = jsonPathInsertAfter
		}
		return jsonModify(a[0].J, a[1], a[2].J, op, "cannot set path in scalar")
	}
	add(r, "jsonb_insert", J, insert, J, TA, J)
	add(r, "jsonb_insert", J, insert, J, TA, J, B)
	add(r, "jsonb_delete_path", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return jsonModify(a[0].J, a[1], nil, jsonPathDelete, "cannot delete path in scalar")
	}, J, TA)
	add(r, "jsonb_delete", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return jsonDeleteKeys(a[0].J, []string{a[1].S})
	}, J, T)
	add(r, "jsonb_delete", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		var keys []string
		for _, e := range a[1].A.Elems {
			if !e.IsNull() {
				keys = append(keys, e.S)
			}
		}
		return jsonDeleteKeys(a[0].J, keys)
	}, J, TA)
	add(r, "jsonb_delete", J, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		j := a[0].J
		switch j.Kind {
		case types.JSONObject:
			return types.Null, errf(codeInvalidParameterValue, "cannot delete from object using integer index")
		case types.JSONArray:
		default:
			return types.Null, errf(codeInvalidParameterValue, "cannot delete from scalar")
		}
		n := int64(len(j.Elems))
		idx := a[1].I
		if idx < 0 {
			idx += n
		}
		if idx < 0 || idx >= n {
			return a[0], nil
		}
		out := &types.JSON{Kind: types.JSONArray, Elems: make([]*types.JSON, 0, n-1)}
		out.Elems = append(append(out.Elems, j.Elems[:idx]...), j.Elems[idx+1:]...)
		return types.NewJSON(out), nil
	}, J, types.Int4)
	add(r, "jsonb_pretty", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		var b strings.Builder
		jsonPretty(&b, a[0].J, 0)
		return types.NewString(b.String()), nil
	}, J)
}

// jsonModify applies op at path (a text[] datum) to j; scalarMsg is the
// 22023 message for a scalar document.
func jsonModify(j *types.JSON, path types.Datum, newval *types.JSON, op jsonPathOp, scalarMsg string) (types.Datum, error) {
	if j.Kind != types.JSONObject && j.Kind != types.JSONArray {
		return types.Null, errf(codeInvalidParameterValue, "%s", scalarMsg)
	}
	elems := path.A.Elems
	empty := (j.Kind == types.JSONObject && len(j.Keys) == 0) || (j.Kind == types.JSONArray && len(j.Elems) == 0)
	if len(elems) == 0 || (empty && (op == jsonPathReplace || op == jsonPathDelete)) {
		return types.NewJSON(j), nil
	}
	out, err := jsonSetPath(j, elems, 0, newval, op)
	if err != nil {
		return types.Null, err
	}
	return types.NewJSON(out), nil
}

// jsonSetPath is PostgreSQL's setPath at path level lvl: it returns the
// modified copy of j (j itself when nothing changes below it).
func jsonSetPath(j *types.JSON, path []types.Datum, lvl int, newval *types.JSON, op jsonPathOp) (*types.JSON, error) {
	if path[lvl].IsNull() {
		return nil, errf(codeNullNotAllowed, "path element at position %d is null", lvl+1)
	}
	last := lvl == len(path)-1
	key := path[lvl].S
	switch j.Kind {
	case types.JSONObject:
		keys := append([]string(nil), j.Keys...)
		vals := append([]*types.JSON(nil), j.Vals...)
		for i, k := range keys {
			if k != key {
				continue
			}
			if !last {
				v, err := jsonSetPath(vals[i], path, lvl+1, newval, op)
				if err != nil {
					return nil, err
				}
				vals[i] = v
				return types.NewJSONObject(keys, vals), nil
			}
			switch op {
			case jsonPathInsertBefore, jsonPathInsertAfter:
				return nil, &types.Error{Code: codeInvalidParameterValue, Message: "cannot replace existing key",
					Hint: "Try using the function jsonb_set to replace key value."}
			case jsonPathDelete:
				return types.NewJSONObject(append(keys[:i:i], keys[i+1:]...), append(vals[:i:i], vals[i+1:]...)), nil
			}
			vals[i] = newval
			return types.NewJSONObject(keys, vals), nil
		}
		if last && op.createOrInsert() {
			return types.NewJSONObject(append(keys, key), append(vals, newval)), nil
		}
		return j, nil
	case types.JSONArray:
		n := len(j.Elems)
		idx, err := strconv.ParseInt(key, 10, 32)
		if err != nil {
			return nil, errf("22P02", "path element at position %d is not an integer: %q", lvl+1, key)
		}
		prepend := false
		if idx < 0 {
			if -idx > int64(n) {
				prepend = true
			} else {
				idx += int64(n)
			}
		}
		elems := append([]*types.JSON(nil), j.Elems...)
		if last && op.createOrInsert() && (prepend || n == 0) {
			return &types.JSON{Kind: types.JSONArray, Elems: append([]*types.JSON{newval}, elems...)}, nil
		}
		if prepend || idx >= int64(n) {
			if last && op.createOrInsert() {
				return &types.JSON{Kind: types.JSONArray, Elems: append(elems, newval)}, nil
			}
			return j, nil
		}
		i := int(idx)
		if !last {
			v, err := jsonSetPath(elems[i], path, lvl+1, newval, op)
			if err != nil {
				return nil, err
			}
			elems[i] = v
			return &types.JSON{Kind: types.JSONArray, Elems: elems}, nil
		}
		var mid []*types.JSON
		switch op {
		case jsonPathCreate, jsonPathReplace:
			mid = []*types.JSON{newval}
		case jsonPathInsertBefore:
			mid = []*types.JSON{newval, elems[i]}
		case jsonPathInsertAfter:
			mid = []*types.JSON{elems[i], newval}
		}
		out := make([]*types.JSON, 0, n+1)
		out = append(append(append(out, elems[:i]...), mid...), elems[i+1:]...)
		return &types.JSON{Kind: types.JSONArray, Elems: out}, nil
	}
	return j, nil // a scalar inside the document: left as it is
}

// jsonDeleteKeys is jsonb - text and jsonb - text[]: the keys of an object,
// or the string elements of an array, that equal one of keys are removed.
func jsonDeleteKeys(j *types.JSON, keys []string) (types.Datum, error) {
	del := map[string]bool{}
	for _, k := range keys {
		del[k] = true
	}
	switch j.Kind {
	case types.JSONObject:
		var ks []string
		var vs []*types.JSON
		for i, k := range j.Keys {
			if !del[k] {
				ks, vs = append(ks, k), append(vs, j.Vals[i])
			}
		}
		return types.NewJSON(types.NewJSONObject(ks, vs)), nil
	case types.JSONArray:
		out := &types.JSON{Kind: types.JSONArray, Elems: []*types.JSON{}}
		for _, e := range j.Elems {
			if !(e.Kind == types.JSONString && del[e.Str]) {
				out.Elems = append(out.Elems, e)
			}
		}
		return types.NewJSON(out), nil
	}
	return types.Null, errf(codeInvalidParameterValue, "cannot delete from scalar")
}

// jsonPretty writes jsonb_pretty's layout: one element or key per line,
// four spaces of indent per level, empty containers opened and closed on
// two lines.
func jsonPretty(b *strings.Builder, j *types.JSON, depth int) {
	ind := func(d int) { b.WriteString(strings.Repeat("    ", d)) }
	switch j.Kind {
	case types.JSONArray:
		b.WriteString("[\n")
		for i, e := range j.Elems {
			if i > 0 {
				b.WriteString(",\n")
			}
			ind(depth + 1)
			jsonPretty(b, e, depth+1)
		}
		if len(j.Elems) > 0 {
			b.WriteByte('\n')
		}
		ind(depth)
		b.WriteByte(']')
	case types.JSONObject:
		b.WriteString("{\n")
		for i, k := range j.Keys {
			if i > 0 {
				b.WriteString(",\n")
			}
			ind(depth + 1)
			b.WriteString((&types.JSON{Kind: types.JSONString, Str: k}).String())
			b.WriteString(": ")
			jsonPretty(b, j.Vals[i], depth+1)
		}
		if len(j.Keys) > 0 {
			b.WriteByte('\n')
		}
		ind(depth)
		b.WriteByte('}')
	default:
		b.WriteString(j.String())
	}
}
