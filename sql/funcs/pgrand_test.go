package funcs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/borealis-db/borealis/sql/types"
)

// randNumeric returns a random numeric literal with up to 20 integer and
// 20 fraction digits, sometimes tiny or huge.
func randNumeric(r *rand.Rand, positive bool) string {
	var b strings.Builder
	if !positive && r.IntN(3) == 0 {
		b.WriteByte('-')
	}
	ip := r.IntN(8)
	if r.IntN(5) == 0 {
		ip = r.IntN(21)
	}
	if ip == 0 {
		b.WriteByte('0')
	} else {
		b.WriteByte(byte('1' + r.IntN(9)))
		for i := 1; i < ip; i++ {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	if fp := r.IntN(12); fp > 0 {
		b.WriteByte('.')
		lead := 0
		if ip == 0 && r.IntN(3) == 0 {
			lead = r.IntN(10)
		}
		for i := 0; i < lead; i++ {
			b.WriteByte('0')
		}
		for i := 0; i < fp; i++ {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	s := b.String()
	if positive && strings.Trim(s, "0.") == "" {
		return "1.5"
	}
	return s
}

// testRandomNumeric compares numeric sqrt, ln, log, exp, power, round,
// trunc, div, mod, gcd and to_char on random inputs.
func testRandomNumeric(t *testing.T, conn *pgconn.PgConn, reg *Registry) {
	r := rand.New(rand.NewPCG(7, 11))
	c := &Context{Env: &types.Env{Location: time.UTC}}
	n := 0
	for i := 0; i < 150; i++ {
		a, p := randNumeric(r, false), randNumeric(r, true)
		small := fmt.Sprintf("%d.%d", r.IntN(20), r.IntN(100))
		exps := []string{fmt.Sprint(r.IntN(30) - 10), small, "-" + small}
		cases := []string{
			"sqrt(" + p + "::numeric)", "ln(" + p + "::numeric)", "log(" + p + "::numeric)",
			"exp(" + small + "::numeric)", "exp(-" + small + "::numeric)",
			"power(" + p + "::numeric, " + exps[r.IntN(len(exps))] + "::numeric)",
			"round(" + a + "::numeric, " + fmt.Sprint(r.IntN(12)-4) + ")", "trunc(" + a + "::numeric, " + fmt.Sprint(r.IntN(12)-4) + ")",
			"div(" + a + "::numeric, " + p + "::numeric)", "mod(" + a + "::numeric, " + p + "::numeric)",
			"ceil(" + a + "::numeric)", "floor(" + a + "::numeric)", "log(" + p + "::numeric, " + randNumeric(r, true) + "::numeric)",
			"sqrt(" + p + "::float8)", "exp(" + small + "::float8)", "ln(" + p + "::float8)", "log(" + p + "::float8)",
			"power(" + p + "::float8, " + exps[r.IntN(len(exps))] + "::float8)",
			"round(" + small + "::float8)", "trunc(-" + small + "::float8)",
			"to_char(" + a + "::numeric, '9999999990.999')", "to_char(" + a + "::numeric, 'FM999,999,999,990.00')",
		}
		for _, src := range cases {
			compareScalar(t, conn, reg, c, src, "rand")
			n++
		}
	}
	t.Logf("%d random numeric cases", n)
}
