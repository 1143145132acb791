package exec

import (
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// timetzAtZone compiles time[tz] AT TIME ZONE zone (timezone(zone,
// timetz)): the same instant in the zone, whose offset is taken at the
// transaction's time as PostgreSQL's timetz_zone does.
func (cp *compiler) timetzAtZone(zone, t expr) (expr, error) {
	t, err := cp.coerce(t, types.Timetz, types.CoerceImplicit)
	if err != nil {
		return nil, err
	}
	return &timetzAtZoneExpr{zone: zone, t: t}, nil
}

type timetzAtZoneExpr struct{ zone, t expr }

func (e *timetzAtZoneExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	z, err := e.zone.eval(c, row)
	if err != nil || z.IsNull() {
		return types.Null, err
	}
	v, err := e.t.eval(c, row)
	if err != nil || v.IsNull() {
		return types.Null, err
	}
	loc, err := types.LoadLocation(z.S)
	if err != nil {
		return types.Null, errf(types.CodeInvalidParameterValue, "time zone %q not recognized", z.S)
	}
	now := time.Now()
	if c.Env != nil && !c.Env.Now.IsZero() {
		now = c.Env.Now
	}
	_, off := now.In(loc).Zone()
	return types.TimetzAtZone(v, int32(-off)), nil
}

func (e *timetzAtZoneExpr) typ() types.Type { return types.Timetz }

// datetimePlusUnknown resolves `x + 'literal'` (either order) as
// PostgreSQL's operator resolution does for the date/time types: with a
// timestamp, timestamptz or time the literal is an interval (the only +
// operator of those types that takes one); with timetz (interval or date)
// or date (integer, interval or time) the choice is ambiguous (42725).
// Other operands are left for unify.
func (cp *compiler) datetimePlusUnknown(op types.ArithOp, l, r expr) (expr, expr, error) {
	if op != types.OpAdd || isUnknown(l) == isUnknown(r) {
		return l, r, nil
	}
	known := l
	if isUnknown(l) {
		known = r
	}
	switch known.typ().OID {
	case types.OIDTimestamp, types.OIDTimestamptz, types.OIDTime:
	case types.OIDTimetz, types.OIDDate:
		if isUnknown(l) {
			return nil, nil, errf(types.CodeAmbiguousFunction, "operator is not unique: unknown + %s", known.typ())
		}
		return nil, nil, errf(types.CodeAmbiguousFunction, "operator is not unique: %s + unknown", known.typ())
	default:
		return l, r, nil
	}
	var err error
	if isUnknown(l) {
		l, err = cp.coerce(l, types.Interval_, types.CoerceImplicit)
	} else {
		r, err = cp.coerce(r, types.Interval_, types.CoerceImplicit)
	}
	return l, r, err
}
