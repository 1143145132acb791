package types

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numeric is an arbitrary-precision decimal with PostgreSQL semantics:
// value = (-1)^neg × coef × 10^-scale, where scale is the display scale
// (dscale, ≥ 0), plus the special values NaN, Infinity and -Infinity.
// A *Numeric is immutable once built; operations return new values.
type Numeric struct {
	special uint8 // numFinite, numNaN, numPInf, numNInf
	neg     bool  // never true for zero
	coef    big.Int
	scale   int32
}

const (
	numFinite uint8 = iota
	numNaN
	numPInf
	numNInf
)

// PostgreSQL limits.
const (
	numericMaxPrecision   = 1000
	numericMaxDisplay     = 1000
	numericMinSigDigits   = 16
	numericDscaleMax      = 0x3FFF
	numericWeightMaxBase  = 0x7FFF // max base-10000 weight
	numericSignPos        = 0x0000
	numericSignNeg        = 0x4000
	numericSignNaN        = 0xC000
	numericSignPInf       = 0xD000
	numericSignNInf       = 0xF000
	numericMaxResultScale = numericMaxPrecision * 2
)

var (
	bigOne = big.NewInt(1)
	bigTen = big.NewInt(10)
	pow10s [40]*big.Int
)

func init() {
	p := big.NewInt(1)
	for i := range pow10s {
		pow10s[i] = new(big.Int).Set(p)
		p.Mul(p, bigTen)
	}
}

func pow10(n int32) *big.Int {
	if n >= 0 && int(n) < len(pow10s) {
		return pow10s[n]
	}
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// NumericNaN returns NaN.
func NumericNaN() *Numeric { return &Numeric{special: numNaN} }

// NumericInf returns +Infinity (neg=false) or -Infinity.
func NumericInf(neg bool) *Numeric {
	if neg {
		return &Numeric{special: numNInf}
	}
	return &Numeric{special: numPInf}
}

// NumericFromInt64 returns v as a numeric with scale 0.
func NumericFromInt64(v int64) *Numeric {
	n := &Numeric{}
	if v < 0 {
		n.neg = true
		n.coef.SetUint64(uint64(-(v + 1)) + 1)
	} else {
		n.coef.SetInt64(v)
	}
	return n
}

// NumericFromBig returns coef×10^-scale (scale ≥ 0).
func NumericFromBig(coef *big.Int, scale int32) *Numeric {
	n := &Numeric{scale: scale}
	n.coef.Abs(coef)
	n.neg = coef.Sign() < 0
	return n
}

// IsNaN reports whether n is NaN.
func (n *Numeric) IsNaN() bool { return n.special == numNaN }

// IsInf reports whether n is ±Infinity.
func (n *Numeric) IsInf() bool { return n.special == numPInf || n.special == numNInf }

// Scale returns the display scale.
func (n *Numeric) Scale() int32 { return n.scale }

// Sign returns -1, 0 or 1 (NaN → 0; ±Infinity → ±1).
func (n *Numeric) Sign() int {
	switch n.special {
	case numNaN:
		return 0
	case numPInf:
		return 1
	case numNInf:
		return -1
	}
	if n.coef.Sign() == 0 {
		return 0
	}
	if n.neg {
		return -1
	}
	return 1
}

// signedCoef returns the signed coefficient (a new big.Int).
func (n *Numeric) signedCoef() *big.Int {
	c := new(big.Int).Set(&n.coef)
	if n.neg {
		c.Neg(c)
	}
	return c
}

func (n *Numeric) fix() *Numeric {
	if n.coef.Sign() == 0 {
		n.neg = false
	}
	return n
}

func numericSyntax(s string) error { return errInvalidSyntax("numeric", s) }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// ParseNumeric parses PostgreSQL numeric input syntax (PostgreSQL 15):
// surrounding whitespace, optional sign, digits with an optional point,
// optional exponent, or NaN / [+-]Infinity (case-insensitive).
func ParseNumeric(s string) (*Numeric, error) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	rest := s[i:]
	trailingOK := func(t string) bool {
		for j := 0; j < len(t); j++ {
			if !isSpace(t[j]) {
				return false
			}
		}
		return true
	}
	for _, sp := range []struct {
		w string
		v uint8
	}{{"nan", numNaN}, {"infinity", numPInf}, {"+infinity", numPInf}, {"-infinity", numNInf},
		{"inf", numPInf}, {"+inf", numPInf}, {"-inf", numNInf}} {
		if len(rest) >= len(sp.w) && strings.EqualFold(rest[:len(sp.w)], sp.w) {
			if !trailingOK(rest[len(sp.w):]) {
				return nil, numericSyntax(s)
			}
			return &Numeric{special: sp.v}, nil
		}
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var digits []byte
	frac := 0
	seenPoint, seenDigit := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			seenDigit = true
			if seenPoint {
				frac++
			}
		} else if c == '.' && !seenPoint {
			seenPoint = true
		} else {
			break
		}
	}
	if !seenDigit {
		return nil, numericSyntax(s)
	}
	exp := int64(0)
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		j := i
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j {
			return nil, numericSyntax(s)
		}
		e, err := strconv.ParseInt(s[i:k], 10, 64)
		if err != nil || e >= math.MaxInt32/2 || e <= -(math.MaxInt32/2) {
			return nil, errNumericOverflow
		}
		exp = e
		i = k
	}
	if !trailingOK(s[i:]) {
		return nil, numericSyntax(s)
	}
	// Check the size before materialising 10^exp.
	sig := len(strings.TrimLeft(string(digits), "0"))
	if sig > 0 && int64(sig)-int64(frac)+exp > (numericWeightMaxBase+1)*4 {
		return nil, errNumericOverflow
	}
	if sc := int64(frac) - exp; sc > numericDscaleMax {
		return nil, errNumericOverflow
	}
	n := &Numeric{neg: neg}
	if _, ok := n.coef.SetString(string(digits), 10); !ok {
		return nil, numericSyntax(s)
	}
	sc := int64(frac) - exp
	if sc < 0 {
		if sig > 0 { // zero times 10^exp is zero: no 10^exp to build (0e100000000)
			n.coef.Mul(&n.coef, pow10(int32(-sc)))
		}
		sc = 0
	}
	n.scale = int32(sc)
	if err := n.checkRange(); err != nil {
		return nil, err
	}
	return n.fix(), nil
}

func (n *Numeric) checkRange() error {
	if n.special != numFinite {
		return nil
	}
	// Integer digits must fit in PostgreSQL's weight limit (131072 digits).
	if n.coef.BitLen() > 0 {
		intDigits := len(n.coef.String()) - int(n.scale)
		if intDigits > (numericWeightMaxBase+1)*4 {
			return errNumericOverflow
		}
	}
	if n.scale > numericDscaleMax {
		return errNumericOverflow
	}
	return nil
}

// String returns PostgreSQL's text output.
func (n *Numeric) String() string {
	switch n.special {
	case numNaN:
		return "NaN"
	case numPInf:
		return "Infinity"
	case numNInf:
		return "-Infinity"
	}
	ds := n.coef.String()
	sc := int(n.scale)
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	if len(ds) <= sc {
		b.WriteByte('0')
		if sc > 0 {
			b.WriteByte('.')
			b.WriteString(strings.Repeat("0", sc-len(ds)))
			b.WriteString(ds)
		}
		return b.String()
	}
	b.WriteString(ds[:len(ds)-sc])
	if sc > 0 {
		b.WriteByte('.')
		b.WriteString(ds[len(ds)-sc:])
	}
	return b.String()
}

// base10000 returns the PostgreSQL base-NBASE digits (leading and trailing
// zero digits stripped) and the weight of the first one.
func (n *Numeric) base10000() (digits []int16, weight int) {
	if n.coef.Sign() == 0 {
		return nil, 0
	}
	ds := n.coef.String()
	sc := int(n.scale)
	// pad fraction to a multiple of 4
	if pad := (4 - sc%4) % 4; pad > 0 {
		ds += strings.Repeat("0", pad)
		sc += pad
	}
	intLen := len(ds) - sc
	if intLen < 0 {
		ds = strings.Repeat("0", -intLen) + ds
		intLen = 0
	}
	if pad := (4 - intLen%4) % 4; pad > 0 {
		ds = strings.Repeat("0", pad) + ds
		intLen += pad
	}
	weight = intLen/4 - 1
	for i := 0; i < len(ds); i += 4 {
		v := int16((ds[i]-'0'))*1000 + int16(ds[i+1]-'0')*100 + int16(ds[i+2]-'0')*10 + int16(ds[i+3]-'0')
		digits = append(digits, v)
	}
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	return digits, weight
}

// AppendBinary appends PostgreSQL's binary send format (numeric_send).
func (n *Numeric) AppendBinary(dst []byte) []byte {
	var sign uint16
	var digits []int16
	weight := 0
	switch n.special {
	case numNaN:
		sign = numericSignNaN
	case numPInf:
		sign = numericSignPInf
	case numNInf:
		sign = numericSignNInf
	default:
		digits, weight = n.base10000()
		if n.neg {
			sign = numericSignNeg
		}
	}
	dscale := uint16(n.scale)
	switch n.special {
	case numNaN:
		dscale = 0
	case numPInf, numNInf:
		dscale = 0x20 // what PostgreSQL's numeric_send emits for infinities
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(digits)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, dscale)
	for _, d := range digits {
		dst = binary.BigEndian.AppendUint16(dst, uint16(d))
	}
	return dst
}

// NumericFromBinary decodes numeric_send's format (numeric_recv rules).
func NumericFromBinary(b []byte) (*Numeric, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidBinaryRep, "%s", msg) }
	if len(b) < 8 {
		return nil, bad("insufficient data left in message")
	}
	nd := int(binary.BigEndian.Uint16(b[0:]))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := binary.BigEndian.Uint16(b[6:])
	if len(b) != 8+2*nd {
		return nil, bad("incorrect binary data format")
	}
	switch sign {
	case numericSignNaN:
		return NumericNaN(), nil
	case numericSignPInf:
		return NumericInf(false), nil
	case numericSignNInf:
		return NumericInf(true), nil
	case numericSignPos, numericSignNeg:
	default:
		return nil, bad("invalid sign in external \"numeric\" value")
	}
	if dscale&numericDscaleMax != dscale {
		return nil, bad("invalid scale in external \"numeric\" value")
	}
	n := &Numeric{neg: sign == numericSignNeg, scale: int32(dscale)}
	var sb strings.Builder
	for i := 0; i < nd; i++ {
		d := binary.BigEndian.Uint16(b[8+2*i:])
		if d >= 10000 {
			return nil, bad("invalid digit in external \"numeric\" value")
		}
		sb.WriteString(strconv.Itoa(int(d) + 10000)[1:])
	}
	if nd == 0 {
		return n.fix(), nil
	}
	n.coef.SetString(sb.String(), 10)
	// digits represent coef × 10^(4×(weight+1-nd))
	e := 4 * (weight + 1 - nd)
	// convert to scale dscale: value = coef × 10^e = c' × 10^-dscale
	shift := e + int(dscale)
	if shift >= 0 {
		n.coef.Mul(&n.coef, pow10(int32(shift)))
	} else {
		n.coef.Quo(&n.coef, pow10(int32(-shift))) // truncate hidden digits, like numeric_recv
	}
	if err := n.checkRange(); err != nil {
		return nil, err
	}
	return n.fix(), nil
}

// Cmp compares with PostgreSQL's total order: -Infinity < finite <
// +Infinity < NaN, and NaN = NaN.
func (n *Numeric) Cmp(m *Numeric) int {
	rank := func(x *Numeric) int {
		switch x.special {
		case numNInf:
			return 0
		case numPInf:
			return 2
		case numNaN:
			return 3
		}
		return 1
	}
	ra, rb := rank(n), rank(m)
	if ra != rb || ra != 1 {
		return cmpInt(ra, rb)
	}
	a, b := n.signedCoef(), m.signedCoef()
	if n.scale < m.scale {
		a.Mul(a, pow10(m.scale-n.scale))
	} else if m.scale < n.scale {
		b.Mul(b, pow10(n.scale-m.scale))
	}
	return a.Cmp(b)
}

func cmpInt(a, b int) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func aligned(a, b *Numeric) (*big.Int, *big.Int, int32) {
	x, y := a.signedCoef(), b.signedCoef()
	sc := a.scale
	if a.scale < b.scale {
		x.Mul(x, pow10(b.scale-a.scale))
		sc = b.scale
	} else if b.scale < a.scale {
		y.Mul(y, pow10(a.scale-b.scale))
	}
	return x, y, sc
}

// Add returns n+m.
func (n *Numeric) Add(m *Numeric) *Numeric {
	if n.special != numFinite || m.special != numFinite {
		return addSpecial(n.special, m.special)
	}
	x, y, sc := aligned(n, m)
	return NumericFromBig(x.Add(x, y), sc).fix()
}

func addSpecial(a, b uint8) *Numeric {
	if a == numNaN || b == numNaN {
		return NumericNaN()
	}
	if a == numFinite {
		return &Numeric{special: b}
	}
	if b == numFinite || a == b {
		return &Numeric{special: a}
	}
	return NumericNaN() // Inf + -Inf
}

// Neg returns -n.
func (n *Numeric) Neg() *Numeric {
	switch n.special {
	case numPInf:
		return NumericInf(true)
	case numNInf:
		return NumericInf(false)
	case numNaN:
		return n
	}
	r := &Numeric{neg: !n.neg, scale: n.scale}
	r.coef.Set(&n.coef)
	return r.fix()
}

// Abs returns |n|.
func (n *Numeric) Abs() *Numeric {
	if n.Sign() < 0 {
		return n.Neg()
	}
	return n
}

// Sub returns n-m.
func (n *Numeric) Sub(m *Numeric) *Numeric { return n.Add(m.Neg()) }

// Mul returns n×m (scale = sum of scales, as PostgreSQL).
func (n *Numeric) Mul(m *Numeric) *Numeric {
	if n.special != numFinite || m.special != numFinite {
		if n.special == numNaN || m.special == numNaN {
			return NumericNaN()
		}
		s := n.Sign() * m.Sign()
		if s == 0 {
			return NumericNaN() // Inf × 0
		}
		return NumericInf(s < 0)
	}
	r := &Numeric{neg: n.neg != m.neg, scale: n.scale + m.scale}
	r.coef.Mul(&n.coef, &m.coef)
	if r.scale > numericDscaleMax {
		return r.fix().Round(numericDscaleMax)
	}
	return r.fix()
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *Numeric) int32 {
	da, wa := a.base10000()
	db, wb := b.base10000()
	var fa, fb int16
	if len(da) > 0 {
		fa = da[0]
	} else {
		wa = 0
	}
	if len(db) > 0 {
		fb = db[0]
	} else {
		wb = 0
	}
	qweight := wa - wb
	if fa <= fb { // equal first digits: assume a < b, as PostgreSQL
		qweight--
	}
	rscale := int32(numericMinSigDigits - qweight*4)
	rscale = max(rscale, a.scale, b.scale, 0)
	return min(rscale, numericMaxDisplay)
}

// Div returns n/m rounded half away from zero at PostgreSQL's result scale.
func (n *Numeric) Div(m *Numeric) (*Numeric, error) {
	if n.special == numNaN || m.special == numNaN {
		return NumericNaN(), nil
	}
	if n.special != numFinite {
		if m.special != numFinite {
			return NumericNaN(), nil
		}
		s := m.Sign()
		if s == 0 {
			return nil, errDivByZero
		}
		return NumericInf((n.special == numNInf) != (s < 0)), nil
	}
	if m.special != numFinite {
		return &Numeric{}, nil
	}
	if m.coef.Sign() == 0 {
		return nil, errDivByZero
	}
	rscale := divScale(n, m)
	return divRound(n, m, rscale), nil
}

func divRound(n, m *Numeric, rscale int32) *Numeric {
	num := new(big.Int).Set(&n.coef)
	den := new(big.Int).Set(&m.coef)
	e := m.scale + rscale - n.scale
	if e >= 0 {
		num.Mul(num, pow10(e))
	} else {
		den.Mul(den, pow10(-e))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Lsh(r, 1)
	if r.Cmp(den) >= 0 {
		q.Add(q, bigOne)
	}
	res := &Numeric{neg: n.neg != m.neg, scale: rscale}
	res.coef.Set(q)
	return res.fix()
}

// Mod returns n % m (sign of n, scale max of the two), as PostgreSQL.
func (n *Numeric) Mod(m *Numeric) (*Numeric, error) {
	if n.special == numNaN || m.special == numNaN {
		return NumericNaN(), nil
	}
	if n.special != numFinite {
		if m.special == numFinite && m.coef.Sign() == 0 {
			return nil, errDivByZero
		}
		return NumericNaN(), nil
	}
	if m.special != numFinite {
		return n, nil
	}
	if m.coef.Sign() == 0 {
		return nil, errDivByZero
	}
	x, y, sc := aligned(n, m)
	x.Rem(x, y)
	return NumericFromBig(x, sc).fix(), nil
}

// Round rounds to scale digits after the point (negative scale rounds to
// tens, hundreds, ...), half away from zero; the result has display scale
// max(scale, 0).
func (n *Numeric) Round(scale int32) *Numeric {
	if n.special != numFinite {
		return n
	}
	r := &Numeric{neg: n.neg}
	r.coef.Set(&n.coef)
	if scale >= n.scale {
		r.coef.Mul(&r.coef, pow10(scale-n.scale))
	} else {
		d := pow10(n.scale - scale)
		q, rem := new(big.Int).QuoRem(&r.coef, d, new(big.Int))
		rem.Lsh(rem, 1)
		if rem.Cmp(d) >= 0 {
			q.Add(q, bigOne)
		}
		r.coef.Set(q)
	}
	if scale < 0 {
		r.coef.Mul(&r.coef, pow10(-scale))
		scale = 0
	}
	r.scale = scale
	return r.fix()
}

// Trunc truncates toward zero at scale digits (scale ≥ 0).
func (n *Numeric) Trunc(scale int32) *Numeric {
	if n.special != numFinite || scale >= n.scale {
		return n
	}
	r := &Numeric{neg: n.neg, scale: scale}
	r.coef.Quo(&n.coef, pow10(n.scale-scale))
	return r.fix()
}

// ApplyTypmod enforces numeric(p,s): rounds to s and checks the precision,
// giving 22003 "numeric field overflow" as PostgreSQL does.
func (n *Numeric) ApplyTypmod(t Type) (*Numeric, error) {
	p, s, ok := t.NumericPrecScale()
	if !ok || n.special == numNaN {
		return n, nil
	}
	maxdigits := p - s
	if n.special != numFinite {
		return nil, &Error{Code: CodeNumericValueOutOfRange, Message: "numeric field overflow",
			Detail: fmtDetail("A field with precision %d, scale %d cannot hold an infinite value.", p, s)}
	}
	r := n.Round(int32(s))
	if r.coef.Sign() != 0 {
		intDigits := len(r.coef.String()) - int(r.scale)
		if intDigits > maxdigits {
			pre, md := "10^", maxdigits
			if maxdigits == 0 {
				pre, md = "", 1
			}
			return nil, &Error{Code: CodeNumericValueOutOfRange, Message: "numeric field overflow",
				Detail: fmtDetail("A field with precision %d, scale %d must round to an absolute value less than %s%d.", p, s, pre, md)}
		}
	}
	return r, nil
}

// Int64 converts to int64 rounding half away from zero; ok=false when the
// value does not fit or is NaN/Infinity.
func (n *Numeric) Int64() (int64, bool) {
	if n.special != numFinite {
		return 0, false
	}
	r := n.Round(0)
	c := r.signedCoef()
	if !c.IsInt64() {
		return 0, false
	}
	return c.Int64(), true
}

// Float64 converts to float64 as PostgreSQL's numeric_float8 does (through
// the decimal text), ok=false on overflow.
func (n *Numeric) Float64() (float64, bool) {
	switch n.special {
	case numNaN:
		return math.NaN(), true
	case numPInf:
		return math.Inf(1), true
	case numNInf:
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil && math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// NumericFromFloat64 converts as PostgreSQL's float8_numeric does: through
// 15 significant digits.
func NumericFromFloat64(f float64) *Numeric {
	return numericFromFloat(f, 15, 64)
}

// numericFromFloat converts f (of bitSize 32 or 64) through its text with
// digits significant digits, as float4_numeric and float8_numeric do.
func numericFromFloat(f float64, digits, bitSize int) *Numeric {
	switch {
	case math.IsNaN(f):
		return NumericNaN()
	case math.IsInf(f, 1):
		return NumericInf(false)
	case math.IsInf(f, -1):
		return NumericInf(true)
	}
	n, err := ParseNumeric(strconv.FormatFloat(f, 'g', digits, bitSize))
	if err != nil { // cannot happen for finite values
		return &Numeric{}
	}
	return n
}
