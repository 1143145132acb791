package funcs

import (
	"math"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// Aggregates: count(*), count(x), sum, avg, min, max, bool_and, bool_or,
// every, string_agg, stddev, stddev_samp, stddev_pop, variance, var_samp,
// var_pop. DISTINCT, ORDER BY and FILTER inside the call are applied by the
// executor, which steps the state with the rows it selects and orders.
func addAggregates(r *Registry) {
	I2, I4, I8, N, F := types.Int2, types.Int4, types.Int8, types.Numeric_, types.Float8
	agg := func(name string, res types.Type, newState func([]types.Type) AggState, args ...types.Type) {
		r.AddAgg(&Agg{Name: name, Args: args, Result: res, Strict: true, New: newState})
	}
	agg("count", I8, func([]types.Type) AggState { return &countState{} })
	agg("count", I8, func([]types.Type) AggState { return &countState{} }, Any)

	agg("sum", I8, func([]types.Type) AggState { return &intSumState{} }, I2)
	agg("sum", I8, func([]types.Type) AggState { return &intSumState{} }, I4)
	agg("sum", N, func([]types.Type) AggState { return &numSumState{} }, I8)
	agg("sum", N, func([]types.Type) AggState { return &numSumState{} }, N)
	agg("sum", F, func([]types.Type) AggState { return &floatState{kind: fSum} }, F)
	for _, t := range []types.Type{I2, I4, I8, N} {
		agg("avg", N, func([]types.Type) AggState { return &numSumState{avg: true} }, t)
	}
	agg("avg", F, func([]types.Type) AggState { return &floatState{kind: fAvg} }, F)

	for _, t := range []types.Type{I2, I4, I8, N, F, types.Text, types.Bpchar, types.Date, types.Timestamp, types.Timestamptz, types.Interval_, AnyArray} {
		t := t
		if t.OID == OIDAnyArray {
			r.AddAgg(&Agg{Name: "min", Args: []types.Type{t}, ResultOf: func(a []types.Type) types.Type { return a[0] }, Strict: true,
				New: func(at []types.Type) AggState { return &extremeState{t: at[0], sign: -1} }})
			r.AddAgg(&Agg{Name: "max", Args: []types.Type{t}, ResultOf: func(a []types.Type) types.Type { return a[0] }, Strict: true,
				New: func(at []types.Type) AggState { return &extremeState{t: at[0], sign: 1} }})
			continue
		}
		agg("min", t, func([]types.Type) AggState { return &extremeState{t: t, sign: -1} }, t)
		agg("max", t, func([]types.Type) AggState { return &extremeState{t: t, sign: 1} }, t)
	}
	agg("sum", types.Interval_, func([]types.Type) AggState { return &intervalSumState{} }, types.Interval_)
	agg("avg", types.Interval_, func([]types.Type) AggState { return &intervalSumState{avg: true} }, types.Interval_)
	agg("bool_and", types.Bool, func([]types.Type) AggState { return &boolState{and: true} }, types.Bool)
	agg("every", types.Bool, func([]types.Type) AggState { return &boolState{and: true} }, types.Bool)
	agg("bool_or", types.Bool, func([]types.Type) AggState { return &boolState{} }, types.Bool)
	r.AddAgg(&Agg{Name: "string_agg", Args: []types.Type{types.Text, types.Text}, Result: types.Text,
		New: func([]types.Type) AggState { return &stringAggState{} }})

	stats := []struct {
		name string
		kind int
	}{{"stddev", fStddevSamp}, {"stddev_samp", fStddevSamp}, {"stddev_pop", fStddevPop},
		{"variance", fVarSamp}, {"var_samp", fVarSamp}, {"var_pop", fVarPop}}
	for _, s := range stats {
		s := s
		agg(s.name, F, func([]types.Type) AggState { return &floatState{kind: s.kind} }, F)
		for _, t := range []types.Type{I2, I4, I8, N} {
			agg(s.name, N, func([]types.Type) AggState { return &numVarState{kind: s.kind} }, t)
		}
	}
}

type countState struct{ n int64 }

func (s *countState) Step(*Context, []types.Datum) error { s.n++; return nil }
func (s *countState) Final(*Context) (types.Datum, error) {
	return types.NewInt(s.n), nil
}

// intSumState is sum(int2/int4) → int8.
type intSumState struct {
	n   int64
	sum int64
}

func (s *intSumState) Step(_ *Context, a []types.Datum) error {
	v := a[0].I
	r := s.sum + v
	if (s.sum > 0 && v > 0 && r < 0) || (s.sum < 0 && v < 0 && r >= 0) {
		return errf(codeNumericOutOfRange, "bigint out of range")
	}
	s.sum = r
	s.n++
	return nil
}

func (s *intSumState) Final(*Context) (types.Datum, error) {
	if s.n == 0 {
		return types.Null, nil
	}
	return types.NewInt(s.sum), nil
}

// numSumState is sum(int8/numeric) and avg of integers and numeric.
type numSumState struct {
	avg bool
	n   int64
	sum *types.Numeric
}

func toNum(d types.Datum) *types.Numeric {
	switch d.K {
	case types.KindInt:
		return types.NumericFromInt64(d.I)
	case types.KindFloat:
		return types.NumericFromFloat64(d.F)
	}
	return d.N
}

func (s *numSumState) Step(_ *Context, a []types.Datum) error {
	v := toNum(a[0])
	if s.sum == nil {
		s.sum = v
	} else {
		s.sum = s.sum.Add(v)
	}
	s.n++
	return nil
}

func (s *numSumState) Final(*Context) (types.Datum, error) {
	if s.n == 0 {
		return types.Null, nil
	}
	if !s.avg {
		return types.NewNumeric(s.sum), nil
	}
	q, err := s.sum.Div(types.NumericFromInt64(s.n))
	if err != nil {
		return types.Null, err
	}
	return types.NewNumeric(q), nil
}

const (
	fSum = iota
	fAvg
	fStddevSamp
	fStddevPop
	fVarSamp
	fVarPop
)

// floatState is PostgreSQL's float8_accum (Youngs-Cramer) state.
type floatState struct {
	kind       int
	n, sx, sxx float64
}

func (s *floatState) Step(_ *Context, a []types.Datum) error {
	x := a[0].F
	if s.kind == fSum {
		r := s.sx + x
		if math.IsInf(r, 0) && !math.IsInf(s.sx, 0) && !math.IsInf(x, 0) {
			return errf(codeNumericOutOfRange, "value out of range: overflow")
		}
		s.sx = r
		s.n++
		return nil
	}
	n := s.n + 1
	sx := s.sx + x
	sxx := s.sxx
	if s.n > 0 {
		tmp := x*n - sx
		sxx += tmp * tmp / (n * s.n)
		if math.IsInf(sx, 0) || math.IsInf(sxx, 0) {
			if !math.IsInf(s.sx, 0) && !math.IsInf(x, 0) {
				return errf(codeNumericOutOfRange, "value out of range: overflow")
			}
			sxx = math.NaN()
		}
	} else if math.IsNaN(x) || math.IsInf(x, 0) {
		sxx = math.NaN()
	}
	s.n, s.sx, s.sxx = n, sx, sxx
	return nil
}

func (s *floatState) Final(*Context) (types.Datum, error) {
	switch s.kind {
	case fSum:
		if s.n == 0 {
			return types.Null, nil
		}
		return types.NewFloat(s.sx), nil
	case fAvg:
		if s.n == 0 {
			return types.Null, nil
		}
		return types.NewFloat(s.sx / s.n), nil
	case fVarPop, fStddevPop:
		if s.n == 0 {
			return types.Null, nil
		}
		v := s.sxx / s.n
		if s.kind == fStddevPop {
			v = math.Sqrt(v)
		}
		return types.NewFloat(v), nil
	}
	if s.n <= 1 {
		return types.Null, nil
	}
	v := s.sxx / (s.n - 1)
	if s.kind == fStddevSamp {
		v = math.Sqrt(v)
	}
	return types.NewFloat(v), nil
}

// numVarState is variance/stddev over integers and numeric, computed
// exactly as PostgreSQL's numeric_stddev_internal.
type numVarState struct {
	kind      int
	n         int64
	sx, sxx   *types.Numeric
	nan, infs bool
}

func (s *numVarState) Step(_ *Context, a []types.Datum) error {
	v := toNum(a[0])
	if v.IsNaN() {
		s.nan = true
	} else if v.IsInf() {
		s.infs = true
	}
	if s.sx == nil {
		s.sx, s.sxx = types.NumericFromInt64(0), types.NumericFromInt64(0)
	}
	if numFinite(v) {
		s.sx = s.sx.Add(v)
		s.sxx = s.sxx.Add(v.Mul(v))
	}
	s.n++
	return nil
}

func (s *numVarState) Final(*Context) (types.Datum, error) {
	sample := s.kind == fVarSamp || s.kind == fStddevSamp
	if s.n == 0 || (sample && s.n == 1) {
		return types.Null, nil
	}
	if s.nan || s.infs {
		return types.NewNumeric(types.NumericNaN()), nil
	}
	n := types.NumericFromInt64(s.n)
	sx2 := s.sx.Mul(s.sx)
	num := n.Mul(s.sxx).Sub(sx2)
	if num.Sign() <= 0 {
		return types.NewNumeric(types.NumericFromInt64(0)), nil
	}
	den := n.Mul(n)
	if sample {
		den = n.Mul(types.NumericFromInt64(s.n - 1))
	}
	v, err := num.Div(den)
	if err != nil {
		return types.Null, err
	}
	if s.kind == fStddevSamp || s.kind == fStddevPop {
		// sqrt_var at the division's scale.
		c, sc := numParts(v)
		e := 2*(v.Scale()+1) - sc
		c.Mul(c, pow10(e))
		c.Sqrt(c)
		v = types.NumericFromBig(c, v.Scale()+1).Round(v.Scale())
	}
	return types.NewNumeric(v), nil
}

// extremeState is min/max.
type extremeState struct {
	t    types.Type
	sign int
	best types.Datum
}

func (s *extremeState) Step(_ *Context, a []types.Datum) error {
	if s.best.IsNull() || types.CompareAs(s.t, a[0], s.best)*s.sign > 0 {
		s.best = a[0]
	}
	return nil
}

func (s *extremeState) Final(*Context) (types.Datum, error) { return s.best, nil }

type boolState struct {
	and, seen, v bool
}

func (s *boolState) Step(_ *Context, a []types.Datum) error {
	b := a[0].Bool()
	if !s.seen {
		s.seen, s.v = true, b
	} else if s.and {
		s.v = s.v && b
	} else {
		s.v = s.v || b
	}
	return nil
}

func (s *boolState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewBool(s.v), nil
}

// stringAggState is string_agg(value, delimiter): NULL values are
// skipped, a NULL delimiter counts as empty, the first delimiter is not
// emitted.
type stringAggState struct {
	seen bool
	b    strings.Builder
}

func (s *stringAggState) Step(_ *Context, a []types.Datum) error {
	if a[0].IsNull() {
		return nil
	}
	if s.seen && !a[1].IsNull() {
		s.b.WriteString(a[1].S)
	}
	s.seen = true
	s.b.WriteString(a[0].S)
	return nil
}

func (s *stringAggState) Final(*Context) (types.Datum, error) {
	if !s.seen {
		return types.Null, nil
	}
	return types.NewString(s.b.String()), nil
}

// intervalSumState is sum(interval) and avg(interval).
type intervalSumState struct {
	avg bool
	n   int64
	sum types.Interval
}

func (s *intervalSumState) Step(_ *Context, a []types.Datum) error {
	r, err := types.AddIntervals(s.sum, a[0].Interval())
	if err != nil {
		return err
	}
	s.sum = r
	s.n++
	return nil
}

func (s *intervalSumState) Final(*Context) (types.Datum, error) {
	if s.n == 0 {
		return types.Null, nil
	}
	if !s.avg {
		return types.NewInterval(s.sum), nil
	}
	r, err := types.DivInterval(s.sum, float64(s.n))
	if err != nil {
		return types.Null, err
	}
	return types.NewInterval(r), nil
}
