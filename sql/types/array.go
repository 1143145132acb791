package types

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Array is the value of an array type (int4[], text[], ...): PostgreSQL's
// n-dimensional arrays with per-dimension lengths and lower bounds.
// Elements are stored row-major (the last subscript varies fastest); a
// NULL element is the Null Datum. An empty array has no dimensions (Dims
// is empty, Elems is empty), as in PostgreSQL. The element type is not
// stored: like every Datum, an array's type comes from its column or
// expression (a Type whose OID is an array type, see ElemType).
type Array struct {
	Dims    []int32 // length of each dimension (at most MaxArrayDims)
	LBounds []int32 // lower bound of each dimension (same length as Dims; usually 1)
	Elems   []Datum // product(Dims) elements, row-major
}

// MaxArrayDims is PostgreSQL's MAXDIM.
const MaxArrayDims = 6

// Len returns the number of elements.
func (a *Array) Len() int { return len(a.Elems) }

// NDims returns the number of dimensions (0 for an empty array).
func (a *Array) NDims() int { return len(a.Dims) }

func (a *Array) lbound(i int) int32 {
	if i < len(a.LBounds) {
		return a.LBounds[i]
	}
	return 1
}

// MakeArray builds a one-dimensional array with lower bound 1 from elems
// (ARRAY[e1, e2, ...] with scalar elements); no elements give the empty
// array.
func MakeArray(elems []Datum) *Array {
	if len(elems) == 0 {
		return &Array{}
	}
	return &Array{Dims: []int32{int32(len(elems))}, LBounds: []int32{1}, Elems: elems}
}

// MakeArrayOfArrays builds ARRAY[sub1, sub2, ...] from arrays: one more
// dimension in front of the sub-arrays' dimensions. NULL sub-arrays are
// given as nil and, like empty ones, are skipped only when all of them are
// empty (then the result is empty); otherwise every sub-array must have the
// same dimensions, else 2202E.
func MakeArrayOfArrays(subs []*Array) (*Array, error) {
	var first *Array
	for _, s := range subs {
		if s != nil && len(s.Elems) > 0 {
			first = s
			break
		}
	}
	if first == nil {
		return &Array{}, nil
	}
	errDims := Errorf("2202E", "multidimensional arrays must have array expressions with matching dimensions")
	if len(first.Dims)+1 > MaxArrayDims {
		return nil, Errorf("54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(first.Dims)+1, MaxArrayDims)
	}
	out := &Array{Dims: append([]int32{int32(len(subs))}, first.Dims...), LBounds: []int32{1}}
	for i := range first.Dims {
		out.LBounds = append(out.LBounds, first.lbound(i))
	}
	for _, s := range subs {
		if s == nil || len(s.Dims) != len(first.Dims) {
			return nil, errDims
		}
		for i := range s.Dims {
			if s.Dims[i] != first.Dims[i] || s.lbound(i) != first.lbound(i) {
				return nil, errDims
			}
		}
		out.Elems = append(out.Elems, s.Elems...)
	}
	return out, nil
}

// ArraySubscript is a[i1][i2]...: the element at those subscripts (each
// relative to its dimension's lower bound), or NULL when the number of
// subscripts differs from the dimensions or one is out of range, as in
// PostgreSQL.
func ArraySubscript(a *Array, idx []int64) Datum {
	if len(idx) != len(a.Dims) || len(idx) == 0 {
		return Null
	}
	off := int64(0)
	for i, x := range idx {
		lb := int64(a.lbound(i))
		if x < lb || x >= lb+int64(a.Dims[i]) {
			return Null
		}
		off = off*int64(a.Dims[i]) + (x - lb)
	}
	return a.Elems[off]
}

// ArraySlice is a[lo:hi] on a one-dimensional array (nil bounds mean the
// array's own bound): the result has lower bound 1; an empty range gives
// the empty array. Multi-dimensional slices are not supported (0A000).
func ArraySlice(a *Array, lo, hi *int64) (*Array, error) {
	if len(a.Dims) == 0 {
		return &Array{}, nil
	}
	if len(a.Dims) != 1 {
		return nil, Errorf(CodeFeatureNotSupported, "slices of multidimensional arrays are not supported")
	}
	lb := int64(a.lbound(0))
	ub := lb + int64(a.Dims[0]) - 1
	l, h := lb, ub
	if lo != nil && *lo > l {
		l = *lo
	}
	if hi != nil && *hi < h {
		h = *hi
	}
	if l > h {
		return &Array{}, nil
	}
	return MakeArray(append([]Datum(nil), a.Elems[l-lb:h-lb+1]...)), nil
}

// ArrayLength is array_length(a, dim): the length of dimension dim
// (1-based); ok=false (NULL) for an empty array or a dimension it lacks.
func ArrayLength(a *Array, dim int) (int, bool) {
	if dim < 1 || dim > len(a.Dims) {
		return 0, false
	}
	return int(a.Dims[dim-1]), true
}

// ArrayLower is array_lower(a, dim) (ok=false: NULL).
func ArrayLower(a *Array, dim int) (int, bool) {
	if dim < 1 || dim > len(a.Dims) {
		return 0, false
	}
	return int(a.lbound(dim - 1)), true
}

// ArrayUpper is array_upper(a, dim) (ok=false: NULL).
func ArrayUpper(a *Array, dim int) (int, bool) {
	if dim < 1 || dim > len(a.Dims) {
		return 0, false
	}
	return int(a.lbound(dim-1)) + int(a.Dims[dim-1]) - 1, true
}

// ArrayAnyEqual is `v = ANY(a)` with SQL's three-valued logic: true if some
// element equals v; otherwise NULL if v or some element is NULL; otherwise
// false. elem is the element type (for char(n) comparison).
func ArrayAnyEqual(elem Type, v Datum, a *Array) Datum {
	if len(a.Elems) == 0 {
		return NewBool(false)
	}
	if v.K == KindNull {
		return Null
	}
	sawNull := false
	for _, e := range a.Elems {
		if e.K == KindNull {
			sawNull = true
			continue
		}
		if CompareAs(elem, v, e) == 0 {
			return NewBool(true)
		}
	}
	if sawNull {
		return Null
	}
	return NewBool(false)
}

// ArrayAppend is array_append(a, e) / a || e on a one-dimensional (or
// empty) array.
func ArrayAppend(a *Array, e Datum) (*Array, error) {
	if len(a.Dims) > 1 {
		return nil, Errorf("2202E", "argument must be empty or one-dimensional array")
	}
	out := &Array{Dims: []int32{int32(len(a.Elems) + 1)}, LBounds: []int32{1}}
	if len(a.Dims) == 1 {
		out.LBounds[0] = a.lbound(0)
	}
	out.Elems = append(append(make([]Datum, 0, len(a.Elems)+1), a.Elems...), e)
	return out, nil
}

// ArrayPrepend is array_prepend(e, a) / e || a.
func ArrayPrepend(e Datum, a *Array) (*Array, error) {
	if len(a.Dims) > 1 {
		return nil, Errorf("2202E", "argument must be empty or one-dimensional array")
	}
	out := &Array{Dims: []int32{int32(len(a.Elems) + 1)}, LBounds: []int32{1}}
	if len(a.Dims) == 1 {
		out.LBounds[0] = a.lbound(0) // PostgreSQL keeps the lower bound
	}
	out.Elems = append([]Datum{e}, a.Elems...)
	return out, nil
}

// ArrayCat is array_cat(a, b) / a || b for arrays of the same dimensions
// (or one dimension fewer, appended as one more row).
func ArrayCat(a, b *Array) (*Array, error) {
	if len(a.Elems) == 0 {
		return b, nil
	}
	if len(b.Elems) == 0 {
		return a, nil
	}
	bad := Errorf("2202E", "cannot concatenate incompatible arrays")
	switch {
	case len(a.Dims) == len(b.Dims):
		for i := 1; i < len(a.Dims); i++ {
			if a.Dims[i] != b.Dims[i] {
				return nil, bad
			}
		}
		out := &Array{Dims: append([]int32(nil), a.Dims...), LBounds: make([]int32, len(a.Dims))}
		for i := range a.Dims {
			out.LBounds[i] = a.lbound(i)
		}
		out.Dims[0] += b.Dims[0]
		out.Elems = append(append(make([]Datum, 0, len(a.Elems)+len(b.Elems)), a.Elems...), b.Elems...)
		return out, nil
	case len(a.Dims) == len(b.Dims)+1:
		for i := range b.Dims {
			if a.Dims[i+1] != b.Dims[i] {
				return nil, bad
			}
		}
		out := &Array{Dims: append([]int32(nil), a.Dims...), LBounds: make([]int32, len(a.Dims))}
		for i := range a.Dims {
			out.LBounds[i] = a.lbound(i)
		}
		out.Dims[0]++
		out.Elems = append(append(make([]Datum, 0, len(a.Elems)+len(b.Elems)), a.Elems...), b.Elems...)
		return out, nil
	case len(a.Dims)+1 == len(b.Dims):
		for i := range a.Dims {
			if b.Dims[i+1] != a.Dims[i] {
				return nil, bad
			}
		}
		out := &Array{Dims: append([]int32(nil), b.Dims...), LBounds: make([]int32, len(b.Dims))}
		for i := range b.Dims {
			out.LBounds[i] = b.lbound(i)
		}
		out.Dims[0]++
		out.Elems = append(append(make([]Datum, 0, len(a.Elems)+len(b.Elems)), a.Elems...), b.Elems...)
		return out, nil
	}
	return nil, bad
}

// CompareArrays orders arrays as PostgreSQL's array_cmp: element by element
// in storage order (NULL elements above all values, equal to each other),
// then by number of elements, dimensions, dimension lengths and lower
// bounds.
func CompareArrays(elem Type, a, b *Array) int {
	n := len(a.Elems)
	if len(b.Elems) < n {
		n = len(b.Elems)
	}
	for i := 0; i < n; i++ {
		if c := CompareNulls(a.Elems[i], b.Elems[i], false, func(x, y Datum) int { return CompareAs(elem, x, y) }); c != 0 {
			return c
		}
	}
	if c := cmpInt(len(a.Elems), len(b.Elems)); c != 0 {
		return c
	}
	if c := cmpInt(len(a.Dims), len(b.Dims)); c != 0 {
		return c
	}
	for i := range a.Dims {
		if c := cmpInt(int(a.Dims[i]), int(b.Dims[i])); c != 0 {
			return c
		}
	}
	for i := range a.Dims {
		if c := cmpInt(int(a.lbound(i)), int(b.lbound(i))); c != 0 {
			return c
		}
	}
	return 0
}

// ---- text I/O ----

func arrayIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// AppendArray appends array_out's text for a of element type elem:
// {1,2,NULL}, nested braces per dimension, "[0:1]=" decoration when a lower
// bound is not 1, elements double-quoted when needed.
func AppendArray(dst []byte, elem Type, a *Array, env *Env) []byte {
	if len(a.Dims) == 0 {
		return append(dst, '{', '}')
	}
	deco := false
	for i := range a.Dims {
		if a.lbound(i) != 1 {
			deco = true
		}
	}
	if deco {
		for i := range a.Dims {
			dst = append(dst, '[')
			dst = strconv.AppendInt(dst, int64(a.lbound(i)), 10)
			dst = append(dst, ':')
			dst = strconv.AppendInt(dst, int64(a.lbound(i))+int64(a.Dims[i])-1, 10)
			dst = append(dst, ']')
		}
		dst = append(dst, '=')
	}
	pos := 0
	var buf []byte
	var rec func(d int)
	rec = func(d int) {
		dst = append(dst, '{')
		for i := int32(0); i < a.Dims[d]; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if d+1 < len(a.Dims) {
				rec(d + 1)
				continue
			}
			e := a.Elems[pos]
			pos++
			if e.K == KindNull {
				dst = append(dst, "NULL"...)
				continue
			}
			buf = AppendText(buf[:0], elem, e, env)
			dst = appendArrayElem(dst, buf)
		}
		dst = append(dst, '}')
	}
	rec(0)
	return dst
}

func appendArrayElem(dst, v []byte) []byte {
	quote := len(v) == 0 || (len(v) == 4 && strings.EqualFold(string(v), "NULL"))
	for _, c := range v {
		if c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || arrayIsSpace(c) {
			quote = true
			break
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

func errMalformedArray(s, detail string, args ...any) error {
	return &Error{Code: CodeInvalidTextRep, Message: fmt.Sprintf("malformed array literal: \"%s\"", s), Detail: fmt.Sprintf(detail, args...)}
}

// ParseArray parses array_in's text for an array of element type elem
// (elements go through elem's input function, with elem's typmod).
func ParseArray(elem Type, s string, env *Env) (*Array, error) {
	p := 0
	skip := func() {
		for p < len(s) && arrayIsSpace(s[p]) {
			p++
		}
	}
	skip()
	var declDims, declLB []int32
	if p < len(s) && s[p] == '[' {
		for p < len(s) && s[p] == '[' {
			p++
			readInt := func() (int32, bool) {
				st := p
				if p < len(s) && (s[p] == '-' || s[p] == '+') {
					p++
				}
				for p < len(s) && s[p] >= '0' && s[p] <= '9' {
					p++
				}
				v, err := strconv.ParseInt(s[st:p], 10, 32)
				return int32(v), err == nil
			}
			lb := int32(1)
			ub, ok := readInt()
			if !ok {
				return nil, errMalformedArray(s, "\"[\" must introduce explicitly-specified array dimensions.")
			}
			if p < len(s) && s[p] == ':' {
				p++
				lb = ub
				if ub, ok = readInt(); !ok {
					return nil, errMalformedArray(s, "Missing array dimension value.")
				}
			}
			if p >= len(s) || s[p] != ']' {
				return nil, errMalformedArray(s, "Missing \"]\" after array dimensions.")
			}
			p++
			if ub < lb {
				return nil, Errorf("2202E", "upper bound cannot be less than lower bound")
			}
			if len(declDims) >= MaxArrayDims {
				return nil, Errorf("54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(declDims)+1, MaxArrayDims)
			}
			declDims = append(declDims, ub-lb+1)
			declLB = append(declLB, lb)
			skip()
		}
		if p >= len(s) || s[p] != '=' {
			return nil, errMalformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p++
		skip()
	}
	if p >= len(s) || s[p] != '{' {
		return nil, errMalformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	// Parse the nested structure.
	type node struct {
		kids  []*node
		leaf  bool
		null  bool
		value string
	}
	var parse func(depth int) (*node, error)
	parse = func(depth int) (*node, error) {
		if depth > MaxArrayDims {
			return nil, Errorf("54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)", depth, MaxArrayDims)
		}
		p++ // '{'
		n := &node{}
		skip()
		if p < len(s) && s[p] == '}' {
			if depth > 1 {
				return nil, errMalformedArray(s, "Unexpected \"}\" character.")
			}
			p++
			return n, nil
		}
		for {
			skip()
			if p >= len(s) {
				return nil, errMalformedArray(s, "Unexpected end of input.")
			}
			switch c := s[p]; c {
			case '{':
				if len(n.kids) > 0 && n.kids[0].leaf {
					return nil, errMalformedArray(s, "Unexpected \"%c\" character.", c)
				}
				k, err := parse(depth + 1)
				if err != nil {
					return nil, err
				}
				n.kids = append(n.kids, k)
			case '}', ',':
				return nil, errMalformedArray(s, "Unexpected \"%c\" character.", c)
			default:
				if len(n.kids) > 0 && !n.kids[0].leaf {
					return nil, errMalformedArray(s, "Unexpected array element.")
				}
				var sb strings.Builder
				quoted, any, closed := false, false, false
				trailing := 0 // unquoted trailing whitespace to drop
				for p < len(s) {
					c := s[p]
					if closed && !arrayIsSpace(c) && c != ',' && c != '}' {
						return nil, errMalformedArray(s, "Unexpected array element.")
					}
					if c == '"' {
						if any {
							return nil, errMalformedArray(s, "Unexpected array element.")
						}
						closed = true
						quoted = true
						any = true
						p++
						for {
							if p >= len(s) {
								return nil, errMalformedArray(s, "Unexpected end of input.")
							}
							if s[p] == '\\' {
								p++
								if p >= len(s) {
									return nil, errMalformedArray(s, "Unexpected end of input.")
								}
							} else if s[p] == '"' {
								p++
								break
							}
							sb.WriteByte(s[p])
							p++
						}
						trailing = 0
						continue
					}
					if c == '\\' {
						p++
						if p >= len(s) {
							return nil, errMalformedArray(s, "Unexpected end of input.")
						}
						sb.WriteByte(s[p])
						p++
						any = true
						quoted = true // an escaped NULL is the string NULL
						trailing = 0
						continue
					}
					if c == ',' || c == '}' {
						break
					}
					if c == '{' {
						return nil, errMalformedArray(s, "Unexpected \"%c\" character.", c)
					}
					if arrayIsSpace(c) {
						if !any {
							p++
							continue
						}
						trailing++
					} else {
						trailing = 0
						any = true
					}
					sb.WriteByte(c)
					p++
				}
				v := sb.String()
				v = v[:len(v)-trailing]
				leaf := &node{leaf: true, value: v}
				if !quoted && strings.EqualFold(v, "NULL") {
					leaf.null = true
				}
				n.kids = append(n.kids, leaf)
			}
			skip()
			if p >= len(s) {
				return nil, errMalformedArray(s, "Unexpected end of input.")
			}
			if s[p] == ',' {
				p++
				continue
			}
			if s[p] == '}' {
				p++
				return n, nil
			}
			return nil, errMalformedArray(s, "Unexpected \"%c\" character.", s[p])
		}
	}
	root, err := parse(1)
	if err != nil {
		return nil, err
	}
	skip()
	if p != len(s) {
		return nil, errMalformedArray(s, "Junk after closing right brace.")
	}
	// Dimensions from the first path, then check that the shape is rectangular.
	var dims []int32
	for n := root; ; {
		if len(n.kids) == 0 {
			if n != root {
				return nil, errMalformedArray(s, "Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			break
		}
		dims = append(dims, int32(len(n.kids)))
		if n.kids[0].leaf {
			break
		}
		n = n.kids[0]
	}
	a := &Array{}
	var walk func(n *node, d int) error
	walk = func(n *node, d int) error {
		if int32(len(n.kids)) != dims[d] {
			return errMalformedArray(s, "Multidimensional arrays must have sub-arrays with matching dimensions.")
		}
		for _, k := range n.kids {
			if k.leaf != (d == len(dims)-1) {
				return errMalformedArray(s, "Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			if k.leaf {
				if k.null {
					a.Elems = append(a.Elems, Null)
					continue
				}
				v, err := ParseText(elem, k.value, env)
				if err != nil {
					return err
				}
				a.Elems = append(a.Elems, v)
				continue
			}
			if err := walk(k, d+1); err != nil {
				return err
			}
		}
		return nil
	}
	if len(dims) > 0 {
		if err := walk(root, 0); err != nil {
			return nil, err
		}
	}
	if declDims != nil {
		if len(declDims) != len(dims) {
			return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
		}
		for i := range dims {
			if dims[i] != declDims[i] {
				return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
			}
		}
	}
	if len(dims) == 0 {
		return &Array{}, nil
	}
	a.Dims = dims
	a.LBounds = make([]int32, len(dims))
	for i := range dims {
		a.LBounds[i] = 1
		if declLB != nil {
			a.LBounds[i] = declLB[i]
		}
	}
	return a, nil
}

// ---- binary I/O ----

// appendArrayBinary appends array_send's format: ndim, has-null flag,
// element OID, (length, lower bound) per dimension, then per element a
// length word (-1 for NULL) and the element's binary value.
func appendArrayBinary(dst []byte, elem Type, a *Array) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(a.Dims)))
	hasNull := uint32(0)
	for _, e := range a.Elems {
		if e.K == KindNull {
			hasNull = 1
		}
	}
	dst = binary.BigEndian.AppendUint32(dst, hasNull)
	dst = binary.BigEndian.AppendUint32(dst, uint32(elem.OID))
	for i := range a.Dims {
		dst = binary.BigEndian.AppendUint32(dst, uint32(a.Dims[i]))
		dst = binary.BigEndian.AppendUint32(dst, uint32(a.lbound(i)))
	}
	for _, e := range a.Elems {
		if e.K == KindNull {
			dst = binary.BigEndian.AppendUint32(dst, 0xFFFFFFFF)
			continue
		}
		at := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		var err error
		if dst, err = AppendBinary(dst, elem, e); err != nil {
			return dst, err
		}
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst, nil
}

// parseArrayBinary is array_recv for element type elem.
func parseArrayBinary(elem Type, b []byte) (*Array, error) {
	rd := func() (int32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		return v, true
	}
	ndim, ok1 := rd()
	flags, ok2 := rd()
	eoid, ok3 := rd()
	if !ok1 || !ok2 || !ok3 {
		return nil, errBinaryLen()
	}
	if ndim < 0 {
		return nil, Errorf(CodeInvalidBinaryRep, "invalid number of dimensions: %d", ndim)
	}
	if ndim > MaxArrayDims {
		return nil, Errorf("54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndim, MaxArrayDims)
	}
	if flags != 0 && flags != 1 {
		return nil, Errorf(CodeInvalidBinaryRep, "invalid array flags")
	}
	if OID(uint32(eoid)) != elem.OID {
		return nil, Errorf(CodeDatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			uint32(eoid), Type{OID: OID(uint32(eoid)), Typmod: -1}, elem.OID, Type{OID: elem.OID, Typmod: -1})
	}
	a := &Array{}
	total := int64(1)
	for i := int32(0); i < ndim; i++ {
		l, ok1 := rd()
		lb, ok2 := rd()
		if !ok1 || !ok2 {
			return nil, errBinaryLen()
		}
		if l < 0 || int64(lb)+int64(l) > math.MaxInt32+1 {
			return nil, Errorf("54000", "array size exceeds the maximum allowed")
		}
		a.Dims = append(a.Dims, l)
		a.LBounds = append(a.LBounds, lb)
		total *= int64(l)
		if total > int64(len(b)/4)+1 {
			return nil, errBinaryLen()
		}
	}
	if ndim > 0 && total == 0 {
		a = &Array{}
	}
	for i := int64(0); i < total && ndim > 0; i++ {
		l, ok := rd()
		if !ok {
			return nil, errBinaryLen()
		}
		if l == -1 {
			a.Elems = append(a.Elems, Null)
			continue
		}
		if l < 0 || int(l) > len(b) {
			return nil, errBinaryLen()
		}
		e, err := ParseBinary(elem, b[:l])
		if err != nil {
			return nil, err
		}
		b = b[l:]
		a.Elems = append(a.Elems, e)
	}
	if len(b) != 0 {
		return nil, errBinaryLen()
	}
	return a, nil
}

// appendArrayKey appends an order-preserving encoding (CompareArrays
// order): each element as 0x01 + its AppendKey encoding, then 0x00, then
// the dimension count, lengths and lower bounds.
func appendArrayKey(dst []byte, elem Type, a *Array) []byte {
	for _, e := range a.Elems {
		dst = append(dst, 0x01)
		dst = AppendKey(dst, elem, e, false)
	}
	dst = append(dst, 0x00, byte(len(a.Dims)))
	for i := range a.Dims {
		dst = binary.BigEndian.AppendUint32(dst, uint32(a.Dims[i])^(1<<31))
	}
	for i := range a.Dims {
		dst = binary.BigEndian.AppendUint32(dst, uint32(a.lbound(i))^(1<<31))
	}
	return dst
}
