package funcs

import (
	crand "crypto/rand"
	"encoding/binary"
	"math"
	"sync"

	"github.com/borealis-db/borealis/sql/types"
)

// SessionRand is a session's random() state: PostgreSQL 15's pg_prng
// (xoroshiro128** seeded through splitmix64), so that after setseed(x)
// random() returns the very sequence PostgreSQL returns. The zero value
// seeds itself from crypto/rand on first use. It is safe for concurrent use.
type SessionRand struct {
	mu     sync.Mutex
	s0, s1 uint64
	seeded bool
}

func splitmix64(state *uint64) uint64 {
	*state += 0x9E3779B97f4A7C15
	v := *state
	v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9
	v = (v ^ (v >> 27)) * 0x94D049BB133111EB
	return v ^ (v >> 31)
}

func rotl(x uint64, bits uint) uint64 { return (x << bits) | (x >> (64 - bits)) }

// seedLocked is pg_prng_seed.
func (r *SessionRand) seedLocked(seed uint64) {
	r.s0 = splitmix64(&seed)
	r.s1 = splitmix64(&seed)
	if r.s0 == 0 && r.s1 == 0 {
		r.s0, r.s1 = 0x5851F42D4C957F2D, 0x14057B7EF767814F
	}
	r.seeded = true
}

// SetSeed is setseed(x): x must be in [-1, 1] (22023 otherwise).
func (r *SessionRand) SetSeed(x float64) error {
	if math.IsNaN(x) || x < -1 || x > 1 {
		return errf("22023", "setseed parameter %s is out of allowed range [-1,1]", types.FormatFloat8(x))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seedLocked(uint64(int64(float64((uint64(1)<<52)-1) * x)))
	return nil
}

// Float64 is random(): a uniformly distributed float64 in [0, 1) with 52
// random mantissa bits (pg_prng_double).
func (r *SessionRand) Float64() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seeded {
		var b [8]byte
		_, _ = crand.Read(b[:])
		r.seedLocked(binary.LittleEndian.Uint64(b[:]))
	}
	s0 := r.s0
	sx := r.s1 ^ s0
	v := rotl(s0*5, 7) * 9
	r.s0 = rotl(s0, 24) ^ sx ^ (sx << 16)
	r.s1 = rotl(sx, 37)
	return math.Ldexp(float64(v>>12), -52)
}

// maxFillElems bounds array_fill's result: PostgreSQL's limit is
// 134217727 elements (MaxArraySize); a tighter one keeps a single call from
// allocating gigabytes.
const maxFillElems = 1 << 24

// arrayFill is array_fill(value, dims [, lbounds]).
func arrayFill(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
	if a[1].IsNull() || (len(a) > 2 && a[2].IsNull()) {
		return types.Null, errf("22004", "dimension array or low bound array cannot be null")
	}
	dims := a[1].A
	if dims.NDims() > 1 {
		return types.Null, &types.Error{Code: "2202E", Message: "wrong number of array subscripts",
			Detail: "Dimension array must be one dimensional."}
	}
	var lbs *types.Array
	if len(a) > 2 {
		lbs = a[2].A
		if lbs.NDims() > 1 {
			return types.Null, &types.Error{Code: "2202E", Message: "wrong number of array subscripts",
				Detail: "Dimension array must be one dimensional."}
		}
		if len(lbs.Elems) != len(dims.Elems) {
			return types.Null, &types.Error{Code: "2202E", Message: "wrong number of array subscripts",
				Detail: "Low bound array has different size than dimensions array."}
		}
	}
	n := len(dims.Elems)
	if n > types.MaxArrayDims {
		return types.Null, errf("54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)", n, types.MaxArrayDims)
	}
	if n == 0 {
		return types.NewArray(&types.Array{}), nil
	}
	out := &types.Array{Dims: make([]int32, n), LBounds: make([]int32, n)}
	total := int64(1)
	for i, d := range dims.Elems {
		if d.IsNull() || (lbs != nil && lbs.Elems[i].IsNull()) {
			return types.Null, errf("22004", "dimension values cannot be null")
		}
		if d.I < 0 || d.I > math.MaxInt32 {
			return types.Null, errf("54000", "array size exceeds the maximum allowed (%d)", 134217727)
		}
		out.Dims[i] = int32(d.I)
		out.LBounds[i] = 1
		if lbs != nil {
			out.LBounds[i] = int32(lbs.Elems[i].I)
		}
		total *= d.I
		if total > maxFillElems {
			return types.Null, errf("54000", "array size exceeds the maximum allowed (%d)", maxFillElems)
		}
	}
	if total == 0 {
		return types.NewArray(&types.Array{}), nil
	}
	out.Elems = make([]types.Datum, total)
	for i := range out.Elems {
		out.Elems[i] = a[0]
	}
	return types.NewArray(out), nil
}

// addSmallFuncs registers array_fill and setseed.
func addSmallFuncs(r *Registry) {
	int4Array := types.Type{OID: types.OIDInt4Array, Typmod: -1}
	arrayOfFirst := func(args []types.Type) types.Type {
		at, err := types.ArrayOf(args[0])
		if err != nil {
			return args[0]
		}
		return at
	}
	f2 := add(r, "array_fill", types.Type{}, arrayFill, AnyElement, int4Array)
	f2.ResultOf, f2.Strict = arrayOfFirst, false
	f3 := add(r, "array_fill", types.Type{}, arrayFill, AnyElement, int4Array, int4Array)
	f3.ResultOf, f3.Strict = arrayOfFirst, false
	// setseed returns void, which Borealis answers as an empty text (as pg_sleep).
	ss := add(r, "setseed", types.Text, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if c == nil || c.Rand == nil {
			return types.Null, errf("0A000", "setseed is not supported outside a session")
		}
		if err := c.Rand.SetSeed(a[0].F); err != nil {
			return types.Null, err
		}
		return types.NewString(""), nil
	}, types.Float8)
	ss.Volatile = true
}
