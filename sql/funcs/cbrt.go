package funcs

import "math"

// cbrt2Factor scales the reduced cube root by 2^(e%3 / 3). The reciprocals
// are divided at run time in float64, as glibc's constants are (a Go
// constant expression would round once from the exact quotient and differ
// in the last bit).
var cbrt2Factor = func() [5]float64 {
	var c2, sc2 float64 = 1.2599210498948731648, 1.5874010519681994748 // 2^(1/3), 2^(2/3)
	return [5]float64{1 / sc2, 1 / c2, 1, c2, sc2}
}()

// pgCbrt is the cube root as PostgreSQL computes it: libc's cbrt, here
// glibc's (sysdeps/ieee754/dbl-64/s_cbrt.c), which PostgreSQL on Linux
// answers with. It differs from math.Cbrt in the last bit for some inputs
// (cbrt(27) is 3.0000000000000004 there); every step is rounded to float64
// explicitly so that no fused multiply-add changes a result.
func pgCbrt(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x + x
	}
	xm, xe := math.Frexp(math.Abs(x))
	u := float64(0.784932344976639262 - float64(0.145263899385486377*xm))
	u = float64(-1.83469277483613086 + float64(u*xm))
	u = float64(2.44693122563534430 + float64(u*xm))
	u = float64(-2.11499494167371287 + float64(u*xm))
	u = float64(1.50819193781584896 + float64(u*xm))
	u = float64(0.354895765043919860 + float64(u*xm))
	t2 := float64(float64(u*u) * u)
	ym := float64(float64(u*float64(t2+float64(2*xm))) / float64(float64(2*t2)+xm))
	ym = float64(ym * cbrt2Factor[2+xe%3])
	return math.Copysign(math.Ldexp(ym, xe/3), x)
}
