package funcs

import (
	"math"

	"github.com/borealis-db/borealis/sql/types"
)

// addTimeFuncs registers the functions of time and timetz: make_time,
// date_part/extract (extract gives numeric, as PostgreSQL 14+); and
// isfinite(interval).
func addTimeFuncs(r *Registry) {
	I4, F, T := types.Int4, types.Float8, types.Text
	add(r, "make_time", types.Time, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		h, mi, sec := a[0].I, a[1].I, a[2].F
		if h < 0 || h > 24 || mi < 0 || mi > 59 || math.IsNaN(sec) || sec < 0 || sec > 60 ||
			(h == 24 && (mi > 0 || sec > 0)) {
			return types.Null, errf(codeDatetimeOverflow, "time field value out of range: %d:%02d:%s", h, mi, fmtSec(sec))
		}
		us := (h*3600+mi*60)*usPerSec + int64(math.RoundToEven(sec*1e6))
		if us > 24*3600*usPerSec {
			return types.Null, errf(codeDatetimeOverflow, "time field value out of range: %d:%02d:%s", h, mi, fmtSec(sec))
		}
		return types.NewTime(us), nil
	}, I4, I4, F)
	// isfinite(interval): PostgreSQL 15's intervals are always finite.
	add(r, "isfinite", types.Bool, func(_ *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewBool(true), nil
	}, types.Interval_)
	for _, tt := range []types.Type{types.Time, types.Timetz} {
		add(r, "date_part", F, func(_ *Context, a []types.Datum, ts []types.Type) (types.Datum, error) {
			return timePart(a[0].S, a[1], false)
		}, T, tt)
		add(r, "extract", types.Numeric_, func(_ *Context, a []types.Datum, ts []types.Type) (types.Datum, error) {
			return timePart(a[0].S, a[1], true)
		}, T, tt)
	}
}

// timePart is time_part / timetz_part (numeric: extract's result).
func timePart(unit string, d types.Datum, numeric bool) (types.Datum, error) {
	typ := "time without time zone"
	if d.K == types.KindTimetz {
		typ = "time with time zone"
	}
	u, low := lookupUnit(unit)
	us := d.I
	east := -int64(d.TimetzZone())
	switch u {
	case uMicro:
		return fieldResult(us%(60*usPerSec), 0, numeric), nil
	case uMilli:
		return fieldResult(us%(60*usPerSec), 3, numeric), nil
	case uSecond:
		return fieldResult(us%(60*usPerSec), 6, numeric), nil
	case uMinute:
		return fieldResult(us/(60*usPerSec)%60, 0, numeric), nil
	case uHour:
		return fieldResult(us/(3600*usPerSec), 0, numeric), nil
	case uEpoch:
		if d.K == types.KindTimetz {
			us -= east * usPerSec
		}
		if numeric {
			return fieldResult(us, 6, true), nil
		}
		return types.NewFloat(float64(us) / 1e6), nil
	case uTZ, uTZHour, uTZMinute:
		if d.K != types.KindTimetz {
			break
		}
		switch u {
		case uTZ:
			return fieldResult(east, 0, numeric), nil
		case uTZHour:
			return fieldResult(east/3600, 0, numeric), nil
		}
		return fieldResult(east/60%60, 0, numeric), nil
	case uNone:
		return types.Null, errUnitNotRecognized(low, typ)
	}
	return types.Null, errUnitNotSupported(low, typ)
}
