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
