package funcs

import (
	"context"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// Smaller functions: bit_length, scale, min_scale, trim_scale, factorial,
// num_nulls, num_nonnulls, pg_sleep; the aggregate string_agg(bytea,
// bytea).
func addExtraFuncs(r *Registry) {
	N := types.Numeric_
	add(r, "bit_length", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(len(a[0].S)) * 8), nil
	}, types.Text)
	add(r, "bit_length", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(len(a[0].S)) * 8), nil
	}, types.Bytea)
	add(r, "scale", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if !numFinite(a[0].N) {
			return types.Null, nil
		}
		return types.NewInt(int64(a[0].N.Scale())), nil
	}, N)
	add(r, "min_scale", types.Int4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if !numFinite(a[0].N) {
			return types.Null, nil
		}
		return types.NewInt(int64(minScale(a[0].N))), nil
	}, N)
	add(r, "trim_scale", N, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if !numFinite(a[0].N) {
			return a[0], nil
		}
		return types.NewNumeric(a[0].N.Round(minScale(a[0].N))), nil
	}, N)
	add(r, "factorial", N, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		n := a[0].I
		if n < 0 {
			return types.Null, errf(codeNumericOutOfRange, "factorial of a negative number is undefined")
		}
		if n > 32177 { // the result would exceed numeric's 131072 digits
			return types.Null, errf(codeNumericOutOfRange, "value overflows numeric format")
		}
		f := new(big.Int).MulRange(1, max(n, 1))
		return types.NewNumeric(types.NumericFromBig(f, 0)), nil
	}, types.Int8)
	nulls := func(count bool) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			n := 0
			for _, d := range a {
				if d.IsNull() == count {
					n++
				}
			}
			return types.NewInt(int64(n)), nil
		}
	}
	nn := add(r, "num_nulls", types.Int4, nulls(true), Any)
	nn.Variadic, nn.Strict = true, false
	nnn := add(r, "num_nonnulls", types.Int4, nulls(false), Any)
	nnn.Variadic, nnn.Strict = true, false
	sleep := add(r, "pg_sleep", types.Text, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		secs := a[0].F
		if math.IsNaN(secs) || secs <= 0 {
			return types.NewString(""), nil
		}
		ctx := context.Background()
		if c != nil && c.Ctx != nil {
			ctx = c.Ctx
		}
		d := time.Duration(min(secs, 1e9) * float64(time.Second))
		tm := time.NewTimer(d)
		defer tm.Stop()
		select {
		case <-tm.C:
			return types.NewString(""), nil
		case <-ctx.Done():
			return types.Null, errf("57014", "canceling statement due to user request")
		}
	}, types.Float8)
	sleep.Volatile = true

	add(r, "to_number", N, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return toNumber(a[0].S, a[1].S)
	}, types.Text, types.Text)

	r.AddAgg(&Agg{Name: "string_agg", Args: []types.Type{types.Bytea, types.Bytea}, Result: types.Bytea,
		New: func([]types.Type) AggState { return &byteaAggState{} }})
}

// minScale is the smallest scale that represents n exactly.
func minScale(n *types.Numeric) int32 {
	s := n.String()
	if !strings.Contains(s, ".") {
		return 0
	}
	s = strings.TrimRight(s, "0")
	i := strings.IndexByte(s, '.')
	return int32(len(s) - i - 1)
}

type byteaAggState struct{ stringAggState }

func (s *byteaAggState) Final(c *Context) (types.Datum, error) {
	d, err := s.stringAggState.Final(c)
	if err != nil || d.IsNull() {
		return d, err
	}
	return types.NewByteaString(d.S), nil
}

// toNumber is to_number(text, format): digits are read where the format
// has 9 or 0, the decimal point where it has '.' or D; group separators,
// currency and other text are skipped; '-' (S, MI, SG) or angle brackets
// (PR) make the value negative. The result has the format's fraction
// digits as its scale. PostgreSQL's positional matching of input to
// format is approximated: extra input digits before the point are kept.
func toNumber(s, f string) (types.Datum, error) {
	post, seenPoint := -1, false
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == '.' || c == 'D' || c == 'd':
			if seenPoint {
				return types.Null, errf("42601", "multiple decimal points")
			}
			seenPoint, post = true, 0
		case (c == '9' || c == '0') && seenPoint:
			post++
		}
	}
	var digits strings.Builder
	neg := false
	frac := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits.WriteByte(c)
			if frac >= 0 {
				frac++
			}
		case c == '.' && seenPoint && frac < 0:
			frac = 0
		case c == '-' || c == '<':
			neg = true
		}
	}
	txt := digits.String()
	if txt == "" {
		if strings.TrimSpace(s) == "" {
			return types.Null, errf("22P02", "invalid input syntax for type numeric: \" \"")
		}
		txt = "0"
	}
	if frac > 0 {
		txt = txt[:len(txt)-frac] + "." + txt[len(txt)-frac:]
	}
	if neg {
		txt = "-" + txt
	}
	n, err := types.ParseNumeric(txt)
	if err != nil {
		return types.Null, err
	}
	if post >= 0 {
		n = numTrunc(n, int64(post)) // digits beyond the format are not read
	}
	return types.NewNumeric(n), nil
}
