package funcs

import (
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// SQLSTATEs of function resolution.
const (
	CodeUndefinedFunction = "42883"
	CodeAmbiguousFunction = "42725"
	CodeDatatypeMismatch  = "42804"
)

// PostgreSQL 15's hints for failed resolution.
const (
	hintNoMatch   = "No function matches the given name and argument types. You might need to add explicit type casts."
	hintAmbiguous = "Could not choose a best candidate function. You might need to add explicit type casts."
)

// Resolve picks the overload of the scalar function name for arguments of
// the given types, following PostgreSQL's rules (func_get_detail and
// func_select_candidate): an exact match wins; then a one-argument call
// named after a type is a cast when the argument is an unknown literal or
// converts through text (text(123), date('2024-01-01'); the returned Func
// performs it); otherwise the candidates
// every argument can reach by implicit coercion (unknown-typed literals
// reach anything) are narrowed by most exact matches, then by preferred
// types (float8 in the numeric category, text in the string category) at
// positions that need coercion, then by resolving unknown arguments to the
// string category when any candidate accepts it, then by taking unknown
// arguments as the type of the known ones when those all agree. It returns
// the function and the type each argument must be coerced to (polymorphic
// parameters replaced by the unified actual type). No candidate gives 42883
// and several equally good ones 42725, with PostgreSQL's messages and hints.
func (r *Registry) Resolve(name string, args []types.Type) (*Func, []types.Type, error) {
	lname := strings.ToLower(name)
	cands := r.funcs[lname]
	sigs := make([]sig, len(cands))
	for i, f := range cands {
		sigs[i] = sig{args: f.Args, variadic: f.Variadic}
	}
	if i, params, ok := exactMatch(sigs, args); ok {
		return cands[i], params, nil
	}
	if f, ok := coercionCall(lname, args); ok {
		return f, []types.Type{args[0]}, nil
	}
	i, params, err := resolve(name, sigs, args)
	if err != nil {
		return nil, nil, err
	}
	return cands[i], params, nil
}

// exactMatch finds a candidate whose parameters are exactly the argument
// types.
func exactMatch(sigs []sig, in []types.Type) (int, []types.Type, bool) {
	for i, s := range sigs {
		p, ok := s.expand(len(in))
		if !ok {
			continue
		}
		exact := true
		for j := range p {
			if p[j].OID != in[j].OID {
				exact = false
				break
			}
		}
		if exact {
			ps, err := finalParams(in, p)
			if err == nil {
				return i, ps, true
			}
		}
	}
	return 0, nil, false
}

// ResolveAgg is Resolve for aggregates; count(*) is ResolveAgg("count", nil).
func (r *Registry) ResolveAgg(name string, args []types.Type) (*Agg, []types.Type, error) {
	cands := r.aggs[strings.ToLower(name)] // names are registered in lower case
	sigs := make([]sig, len(cands))
	for i, a := range cands {
		sigs[i] = sig{args: a.Args}
	}
	i, params, err := resolve(name, sigs, args)
	if err != nil {
		return nil, nil, err
	}
	return cands[i], params, nil
}

// ResultType returns f's result type for the resolved parameter types.
func (f *Func) ResultType(params []types.Type) types.Type {
	if f.ResultOf != nil {
		return f.ResultOf(params)
	}
	return f.Result
}

// ResultType returns a's result type for the resolved parameter types.
func (a *Agg) ResultType(params []types.Type) types.Type {
	if a.ResultOf != nil {
		return a.ResultOf(params)
	}
	return a.Result
}

// sig is one candidate's declared parameter list.
type sig struct {
	args     []types.Type
	variadic bool
}

// expand returns the candidate's parameter types for n actual arguments,
// or false when it cannot take n.
func (s sig) expand(n int) ([]types.Type, bool) {
	if !s.variadic {
		if len(s.args) != n {
			return nil, false
		}
		return s.args, true
	}
	fixed := len(s.args) - 1
	if n <= fixed { // a variadic parameter takes at least one argument
		return nil, false
	}
	out := make([]types.Type, n)
	copy(out, s.args[:fixed])
	for i := fixed; i < n; i++ {
		out[i] = s.args[fixed]
	}
	return out, true
}

type candidate struct {
	idx    int
	params []types.Type
}

// category returns typcategory and typispreferred of a type.
func category(o types.OID) (byte, bool) {
	switch o {
	case OIDAny, OIDAnyElement, OIDAnyArray, OIDAnyCompatible, OIDAnyCompatibleArray:
		return 'P', false
	case types.OIDFloat8:
		return 'N', true
	case types.OIDText:
		return 'S', true
	case types.OIDTimestamptz:
		return 'D', true
	case types.OIDBool:
		return 'B', true
	case types.OIDInterval:
		return 'T', true
	}
	if ti, ok := types.Info(o); ok {
		return ti.Category, false
	}
	return 'U', false
}

// canCoerce reports whether arguments of types in can be implicitly coerced
// to params (can_coerce_type plus polymorphic consistency).
func canCoerce(in, params []types.Type) bool {
	for i, p := range params {
		a := in[i].OID
		switch {
		case a == p.OID, a == types.OIDUnknown, p.OID == OIDAny, p.OID == OIDAnyElement, p.OID == OIDAnyCompatible:
		case p.OID == OIDAnyArray, p.OID == OIDAnyCompatibleArray:
			if !in[i].IsArray() {
				return false
			}
		default:
			ctx, ok := types.CastContext(a, p.OID)
			if !ok || ctx != types.CoerceImplicit {
				return false
			}
		}
	}
	if _, ok := unifyElement(in, params); !ok {
		return false
	}
	_, ok := commonType(in, params)
	return ok
}

// commonType is select_common_type over the anycompatible arguments (and
// the element types of the anycompatiblearray ones): all must be of one
// category; a type the others coerce to implicitly, and that does not
// coerce back, wins unless the current pick is preferred. Only unknown
// inputs give text; no such arguments give Unknown.
func commonType(in, params []types.Type) (types.Type, bool) {
	var cands []types.Type
	any := false
	for i, p := range params {
		switch p.OID {
		case OIDAnyCompatible:
			any = true
			if in[i].OID != types.OIDUnknown {
				cands = append(cands, types.Type{OID: in[i].OID, Typmod: -1})
			}
		case OIDAnyCompatibleArray:
			any = true
			if in[i].OID != types.OIDUnknown {
				et, ok := in[i].ElemType()
				if !ok {
					return types.Type{}, false
				}
				cands = append(cands, types.Type{OID: et.OID, Typmod: -1})
			}
		}
	}
	if !any {
		return types.Unknown, true
	}
	if len(cands) == 0 {
		return types.Text, true
	}
	pick := cands[0]
	pcat, ppref := category(pick.OID)
	for _, n := range cands[1:] {
		if n.OID == pick.OID {
			continue
		}
		ncat, npref := category(n.OID)
		if ncat != pcat {
			return types.Type{}, false
		}
		to, ok1 := types.CastContext(pick.OID, n.OID)
		back, ok2 := types.CastContext(n.OID, pick.OID)
		if !ppref && ok1 && to == types.CoerceImplicit && !(ok2 && back == types.CoerceImplicit) {
			pick, ppref = n, npref
		}
	}
	for _, n := range cands {
		if n.OID == pick.OID {
			continue
		}
		if c, ok := types.CastContext(n.OID, pick.OID); !ok || c != types.CoerceImplicit {
			return types.Type{}, false
		}
	}
	return pick, true
}

// unifyElement returns the common element type of the polymorphic
// arguments: the anyelement arguments' type and the anyarray arguments'
// element type must agree (Unknown when all of them are unknown literals),
// false on a conflict.
func unifyElement(in, params []types.Type) (types.Type, bool) {
	elem := types.Unknown
	for i, p := range params {
		if in[i].OID == types.OIDUnknown {
			continue
		}
		var t types.Type
		switch p.OID {
		case OIDAnyElement:
			t = in[i]
		case OIDAnyArray:
			et, ok := in[i].ElemType()
			if !ok {
				return elem, false
			}
			t = et
		default:
			continue
		}
		t.Typmod = -1
		if elem.OID == types.OIDUnknown {
			elem = t
		} else if elem.OID != t.OID {
			return elem, false
		}
	}
	return elem, true
}

// finalParams turns declared parameter types into coercion targets.
func finalParams(in, params []types.Type) ([]types.Type, error) {
	elem, _ := unifyElement(in, params)
	common, _ := commonType(in, params)
	out := make([]types.Type, len(params))
	for i, p := range params {
		switch {
		case p.OID == OIDAnyCompatible:
			out[i] = common
		case p.OID == OIDAnyCompatibleArray:
			at, err := types.ArrayOf(common)
			if err != nil {
				return nil, err
			}
			out[i] = at
		case p.OID == OIDAny:
			out[i] = in[i]
		case p.OID == OIDAnyElement, p.OID == OIDAnyArray:
			if elem.OID == types.OIDUnknown {
				elem = types.Text // only unknown literals: PostgreSQL takes them as text
			}
			out[i] = elem
			if p.OID == OIDAnyArray {
				at, err := types.ArrayOf(elem)
				if err != nil {
					return nil, err
				}
				out[i] = at
			}
		case p.OID == in[i].OID:
			out[i] = in[i] // keep the argument's typmod: no coercion needed
		default:
			out[i] = p
		}
	}
	return out, nil
}

func signature(name string, args []types.Type) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(typeName(a))
	}
	b.WriteByte(')')
	return b.String()
}

// typeName is format_type_be: the type without its modifier.
func typeName(t types.Type) string {
	switch t.OID {
	case OIDAny:
		return `"any"`
	case OIDAnyElement:
		return "anyelement"
	case OIDAnyArray:
		return "anyarray"
	case OIDAnyCompatible:
		return "anycompatible"
	case OIDAnyCompatibleArray:
		return "anycompatiblearray"
	}
	return types.Type{OID: t.OID, Typmod: -1}.String()
}

func resolve(name string, sigs []sig, in []types.Type) (int, []types.Type, error) {
	name = strings.ToLower(name)
	var all []candidate
	for i, s := range sigs {
		if p, ok := s.expand(len(in)); ok {
			all = append(all, candidate{i, p})
		}
	}
	// Exact match on every argument.
	for _, c := range all {
		exact := true
		for i, p := range c.params {
			if p.OID != in[i].OID {
				exact = false
				break
			}
		}
		if exact {
			ps, err := finalParams(in, c.params)
			return c.idx, ps, err
		}
	}
	var cands []candidate
	for _, c := range all {
		if canCoerce(in, c.params) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return 0, nil, &types.Error{Code: CodeUndefinedFunction,
			Message: "function " + signature(name, in) + " does not exist", Hint: hintNoMatch}
	}
	if len(cands) > 1 {
		cands = selectCandidate(in, cands)
	}
	if len(cands) != 1 {
		return 0, nil, &types.Error{Code: CodeAmbiguousFunction,
			Message: "function " + signature(name, in) + " is not unique", Hint: hintAmbiguous}
	}
	ps, err := finalParams(in, cands[0].params)
	return cands[0].idx, ps, err
}

// keepBest keeps the candidates with the highest score (all when none
// scores above zero... as PostgreSQL: the maximum, whatever it is).
func keepBest(cands []candidate, score func(c candidate) int) []candidate {
	best := -1
	var out []candidate
	for _, c := range cands {
		s := score(c)
		switch {
		case s > best:
			best = s
			out = append(out[:0:0], c)
		case s == best:
			out = append(out, c)
		}
	}
	return out
}

// selectCandidate is func_select_candidate; it returns one candidate or
// the ambiguous remainder.
func selectCandidate(in []types.Type, cands []candidate) []candidate {
	// Most exact matches on known input types.
	cands = keepBest(cands, func(c candidate) int {
		n := 0
		for i, p := range c.params {
			if in[i].OID != types.OIDUnknown && p.OID == in[i].OID {
				n++
			}
		}
		return n
	})
	if len(cands) == 1 {
		return cands
	}
	// Exact or preferred types (of the input's category) where coercion is needed.
	cands = keepBest(cands, func(c candidate) int {
		n := 0
		for i, p := range c.params {
			if in[i].OID == types.OIDUnknown {
				continue
			}
			inCat, _ := category(in[i].OID)
			pCat, pPref := category(p.OID)
			if p.OID == in[i].OID || (pPref && pCat == inCat) {
				n++
			}
		}
		return n
	})
	if len(cands) == 1 {
		return cands
	}
	// Resolve unknown inputs by category: string wins, else all must agree.
	nunknown := 0
	resolved := true
	slotCat := make([]byte, len(in))
	slotPref := make([]bool, len(in))
	for i := range in {
		if in[i].OID != types.OIDUnknown {
			continue
		}
		nunknown++
		conflict := false
		for j, c := range cands {
			cat, pref := category(c.params[i].OID)
			switch {
			case j == 0:
				slotCat[i], slotPref[i] = cat, pref
			case cat == slotCat[i]:
				slotPref[i] = slotPref[i] || pref
			case cat == 'S':
				slotCat[i], slotPref[i] = cat, pref
			default:
				conflict = true
			}
		}
		if conflict && slotCat[i] != 'S' {
			resolved = false
			break
		}
	}
	if resolved && nunknown > 0 {
		var kept []candidate
		for _, c := range cands {
			keep := true
			for i := range in {
				if in[i].OID != types.OIDUnknown {
					continue
				}
				cat, pref := category(c.params[i].OID)
				if cat != slotCat[i] || (slotPref[i] && !pref) {
					keep = false
					break
				}
			}
			if keep {
				kept = append(kept, c)
			}
		}
		if len(kept) == 1 {
			return kept
		}
		if len(kept) > 0 {
			cands = kept
		}
	}
	// Last gasp: unknowns take the type of the known inputs when those agree.
	if nunknown > 0 && nunknown < len(in) {
		known := types.Unknown
		for _, t := range in {
			if t.OID == types.OIDUnknown {
				continue
			}
			if known.OID == types.OIDUnknown {
				known = t
			} else if known.OID != t.OID {
				known = types.Unknown
				break
			}
		}
		if known.OID != types.OIDUnknown {
			as := make([]types.Type, len(in))
			for i := range as {
				as[i] = known
			}
			var match []candidate
			for _, c := range cands {
				if canCoerce(as, c.params) {
					match = append(match, c)
				}
			}
			if len(match) == 1 {
				return match
			}
		}
	}
	return cands
}
