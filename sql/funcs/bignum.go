package funcs

import (
	"math"
	"math/big"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// numParts returns a finite numeric's signed coefficient and scale
// (value = coef × 10^-scale).
func numParts(n *types.Numeric) (*big.Int, int32) {
	s := n.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	scale := int32(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = int32(len(s) - i - 1)
		s = s[:i] + s[i+1:]
	}
	c, _ := new(big.Int).SetString(s, 10)
	if c == nil {
		c = new(big.Int)
	}
	if neg {
		c.Neg(c)
	}
	return c, scale
}

// numFinite reports whether n is neither NaN nor infinite.
func numFinite(n *types.Numeric) bool { return !n.IsNaN() && !n.IsInf() }

// numToFloat converts a finite numeric to a big.Float of prec bits.
func numToFloat(n *types.Numeric, prec uint) *big.Float {
	c, sc := numParts(n)
	f := new(big.Float).SetPrec(prec).SetInt(c)
	if sc > 0 {
		d := new(big.Float).SetPrec(prec).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sc)), nil))
		f.Quo(f, d)
	}
	return f
}

// floatToNum rounds f half away from zero to rscale decimal places.
func floatToNum(f *big.Float, rscale int32) *types.Numeric {
	s := f.Text('f', int(rscale)+8)
	n, err := types.ParseNumeric(s)
	if err != nil {
		return types.NumericFromInt64(0)
	}
	return n.Round(rscale)
}

// numLog10Approx returns log10(|n|) of a finite non-zero numeric.
func numLog10Approx(n *types.Numeric) float64 {
	c, sc := numParts(n)
	c.Abs(c)
	s := c.String()
	lead := s
	if len(lead) > 17 {
		lead = lead[:17]
	}
	var m float64
	for _, ch := range lead {
		m = m*10 + float64(ch-'0')
	}
	return math.Log10(m) + float64(len(s)-len(lead)) - float64(sc)
}

// precFor is the working precision (bits) for rscale decimal places of a
// result whose decimal weight is about w.
func precFor(rscale int32, w float64) uint {
	digits := float64(rscale) + math.Max(w, 0) + 30
	return uint(digits*3.33) + 64
}

// lnFloat returns ln(x) for x > 0.
func lnFloat(x *big.Float) *big.Float {
	prec := x.Prec()
	m := new(big.Float).SetPrec(prec)
	e := x.MantExp(m) // x = m × 2^e, 0.5 <= m < 1
	// Bring m close to 1 with square roots to speed the series up.
	k := 0
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	for ; k < 12; k++ {
		d := new(big.Float).Sub(m, one)
		if d.Abs(d).Cmp(big.NewFloat(1e-3)) < 0 {
			break
		}
		m.Sqrt(m)
	}
	r := atanhSeries(m, prec)
	r.SetMantExp(r, k) // × 2^k undoes the square roots
	if e != 0 {
		ln2 := atanhSeries(new(big.Float).SetPrec(prec).SetInt64(2), prec)
		r.Add(r, ln2.Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(int64(e))))
	}
	return r
}

// atanhSeries returns ln(m) = 2 atanh((m-1)/(m+1)).
func atanhSeries(m *big.Float, prec uint) *big.Float {
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	z := new(big.Float).SetPrec(prec).Sub(m, one)
	den := new(big.Float).SetPrec(prec).Add(m, one)
	z.Quo(z, den)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	sum := new(big.Float).SetPrec(prec).Set(z)
	term := new(big.Float).SetPrec(prec).Set(z)
	eps := new(big.Float).SetPrec(prec).SetMantExp(one, -int(prec))
	for i := int64(3); ; i += 2 {
		term.Mul(term, z2)
		t := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		sum.Add(sum, t)
		if t.Sign() == 0 || new(big.Float).Abs(t).Cmp(eps) < 0 {
			break
		}
	}
	return sum.Mul(sum, new(big.Float).SetPrec(prec).SetInt64(2))
}

// expFloat returns e^x.
func expFloat(x *big.Float) *big.Float {
	prec := x.Prec()
	// x = r × 2^k with |r| < 2^-10.
	r := new(big.Float).SetPrec(prec).Set(x)
	k := 0
	if x.Sign() != 0 {
		if e := x.MantExp(nil); e > -10 {
			k = e + 10
			r.SetMantExp(r, -k)
		}
	}
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(one, -int(prec))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		sum.Add(sum, term)
		if term.Sign() == 0 || new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for ; k > 0; k-- {
		sum.Mul(sum, sum)
	}
	return sum
}

// estimateLnDweight is PostgreSQL's estimate_ln_dweight: the decimal
// weight of ln(n), for choosing result scales.
func estimateLnDweight(n *types.Numeric) int {
	if n.Sign() <= 0 {
		return 0
	}
	lo, _ := types.ParseNumeric("0.9")
	hi, _ := types.ParseNumeric("1.1")
	if n.Cmp(lo) >= 0 && n.Cmp(hi) <= 0 {
		x := n.Sub(types.NumericFromInt64(1))
		if x.Sign() == 0 {
			return 0
		}
		return int(math.Floor(numLog10Approx(x)))
	}
	ln := numLog10Approx(n) * math.Ln10
	if ln == 0 {
		return 0
	}
	return int(math.Log10(math.Abs(ln)))
}

func clampScale(r int) int32 {
	return int32(max(0, min(r, 1000)))
}

// Correctly rounded float8 logarithms, exponentials and powers, computed
// in extended precision: glibc's exp, log and pow (which PostgreSQL calls)
// are correctly rounded in practically all cases, Go's math package is
// not, and the last digit shows in float8 output.
const floatPrec = 160

func bigF(x float64) *big.Float { return new(big.Float).SetPrec(floatPrec).SetFloat64(x) }

// preciseLn returns ln(x) for finite x > 0.
func preciseLn(x float64) float64 {
	if x == 1 {
		return 0 // exactly, as the C library answers (the series leaves -3e-46)
	}
	f, _ := lnFloat(bigF(x)).Float64()
	return f
}

// preciseExp returns e^x for finite x (±Inf and 0 on overflow/underflow).
func preciseExp(x float64) float64 {
	if x > 710 {
		return math.Inf(1)
	}
	if x < -746 {
		return 0
	}
	f, _ := expFloat(bigF(x)).Float64()
	return f
}

// precisePow returns x^y for finite non-zero x and finite y (x < 0 only
// with integral y).
func precisePow(x, y float64) float64 {
	neg := x < 0 && math.Mod(y, 2) != 0
	l := lnFloat(bigF(math.Abs(x)))
	l.Mul(l, bigF(y))
	if v, _ := l.Float64(); v > 710 {
		if neg {
			return math.Inf(-1)
		}
		return math.Inf(1)
	} else if v < -746 {
		if neg {
			return math.Copysign(0, -1)
		}
		return 0
	}
	f, _ := expFloat(l).Float64()
	if neg {
		f = -f
	}
	return f
}

// glibcLog10 is glibc's __ieee754_log10 (which is not correctly rounded)
// over a correctly rounded natural logarithm, so results match
// PostgreSQL's log(float8) on glibc bit for bit.
func glibcLog10(x float64) float64 {
	const (
		two54     = 1.80143985094819840000e+16
		ivln10    = 4.34294481903251816668e-01
		log10_2hi = 3.01029995663611771306e-01
		log10_2lo = 3.69423907715893078616e-13
	)
	bits := math.Float64bits(x)
	hx := int32(bits >> 32)
	k := int32(0)
	if hx < 0x00100000 { // subnormal
		x *= two54
		k -= 54
		bits = math.Float64bits(x)
		hx = int32(bits >> 32)
	}
	lx := uint32(bits)
	k += (hx >> 20) - 1023
	i := int32(uint32(k)&0x80000000) >> 31
	i &= 1
	hx = (hx & 0x000fffff) | ((0x3ff - i) << 20)
	y := float64(k + i)
	x = math.Float64frombits(uint64(uint32(hx))<<32 | uint64(lx))
	z := float64(y*log10_2lo) + float64(ivln10*preciseLn(x))
	return z + float64(y*log10_2hi)
}
