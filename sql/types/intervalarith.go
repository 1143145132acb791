package types

import (
	"math"
	"time"
)

func isDatetimeOID(o OID) bool { return o == OIDDate || o == OIDTimestamp || o == OIDTimestamptz }

func datetimePlusIntervalType(o OID) Type {
	if o == OIDTimestamptz {
		return Timestamptz
	}
	return Timestamp
}

// resolveUnknown gives untyped literal operands a type as PostgreSQL's
// operator resolution does: the other operand's type, except that a
// literal added to a date/time or interval, or a literal subtracted from
// an interval, is an interval.
func resolveUnknown(op ArithOp, lo, ro OID) (OID, OID) {
	switch {
	case lo == OIDUnknown && ro != OIDUnknown:
		lo = ro
		if op == OpAdd && isDatetimeOID(ro) {
			lo = OIDInterval
		}
	case ro == OIDUnknown && lo != OIDUnknown:
		ro = lo
		if op == OpAdd && isDatetimeOID(lo) {
			ro = OIDInterval
		}
		if (op == OpMul || op == OpDiv) && lo == OIDInterval {
			ro = OIDFloat8
		}
	}
	return lo, ro
}

// NegInterval is unary minus on an interval (22008 on overflow).
func NegInterval(iv Interval) (Interval, error) {
	if iv.Months == math.MinInt32 || iv.Days == math.MinInt32 || iv.Micros == math.MinInt64 {
		return Interval{}, errIntervalOutOfRange()
	}
	return Interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}, nil
}

// AddIntervals is a + b (22008 on overflow).
func AddIntervals(a, b Interval) (Interval, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m > math.MaxInt32 || m < math.MinInt32 || d > math.MaxInt32 || d < math.MinInt32 ||
		(a.Micros > 0 && b.Micros > 0 && us < 0) || (a.Micros < 0 && b.Micros < 0 && us >= 0) {
		return Interval{}, errIntervalOutOfRange()
	}
	return Interval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

func tsround(f float64) float64 { return math.RoundToEven(f*1e6) / 1e6 }

// MulInterval is interval * factor (PostgreSQL's interval_mul: fractional
// months cascade into days, fractional days into microseconds).
func MulInterval(iv Interval, factor float64) (Interval, error) {
	rm := float64(iv.Months) * factor
	if math.IsNaN(rm) || rm > math.MaxInt32 || rm < math.MinInt32 {
		return Interval{}, errIntervalOutOfRange()
	}
	rd := float64(iv.Days) * factor
	if math.IsNaN(rd) || rd > math.MaxInt32 || rd < math.MinInt32 {
		return Interval{}, errIntervalOutOfRange()
	}
	res := Interval{Months: int32(rm), Days: int32(rd)}
	monthRemDays := tsround((float64(iv.Months)*factor - float64(res.Months)) * daysPerMonth)
	secRem := tsround((float64(iv.Days)*factor - float64(res.Days) + monthRemDays - float64(int64(monthRemDays))) * 86400)
	if math.Abs(secRem) >= 86400 {
		res.Days += int32(secRem / 86400)
		secRem -= float64(int64(secRem/86400)) * 86400
	}
	res.Days += int32(monthRemDays)
	t := math.RoundToEven(float64(iv.Micros)*factor + secRem*1e6)
	if math.IsNaN(t) || t < -9223372036854775808.0 || t >= 9223372036854775808.0 {
		return Interval{}, errIntervalOutOfRange()
	}
	res.Micros = int64(t)
	return res, nil
}

// DivInterval is interval / factor (interval_div; 22012 for zero).
func DivInterval(iv Interval, factor float64) (Interval, error) {
	if factor == 0 {
		return Interval{}, errDivByZero
	}
	rm := float64(iv.Months) / factor
	rd := float64(iv.Days) / factor
	if math.IsNaN(rm) || rm > math.MaxInt32 || rm < math.MinInt32 || math.IsNaN(rd) || rd > math.MaxInt32 || rd < math.MinInt32 {
		return Interval{}, errIntervalOutOfRange()
	}
	res := Interval{Months: int32(rm), Days: int32(rd)}
	monthRemDays := tsround((float64(iv.Months)/factor - float64(res.Months)) * daysPerMonth)
	secRem := tsround((float64(iv.Days)/factor - float64(res.Days) + monthRemDays - float64(int64(monthRemDays))) * 86400)
	if math.Abs(secRem) >= 86400 {
		res.Days += int32(secRem / 86400)
		secRem -= float64(int64(secRem/86400)) * 86400
	}
	res.Days += int32(monthRemDays)
	t := math.RoundToEven(float64(iv.Micros)/factor + secRem*1e6)
	if math.IsNaN(t) || t < -9223372036854775808.0 || t >= 9223372036854775808.0 {
		return Interval{}, errIntervalOutOfRange()
	}
	res.Micros = int64(t)
	return res, nil
}

// addMonthsDays adds months then days to local civil microseconds us
// (timestamp_pl_interval's calendar steps: the day of month is clamped to
// the length of the resulting month).
func addMonthsDays(us int64, months, days int32) (int64, error) {
	if months == 0 && days == 0 {
		return us, nil
	}
	dd := floorDiv(us, usecsPerDay)
	tod := us - dd*usecsPerDay
	y, m, d := j2date(int(dd) + pgEpochJDate)
	if months != 0 {
		mm := int64(m) + int64(months)
		yy := int64(y)
		if mm > 12 {
			yy += (mm - 1) / 12
			mm = (mm-1)%12 + 1
		} else if mm < 1 {
			yy += mm/12 - 1
			mm = mm%12 + 12
		}
		if yy > 300000 || yy < -5000 {
			return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
		}
		y, m = int(yy), int(mm)
		if dim := daysInMonth(y, m); d > dim {
			d = dim
		}
	}
	j := int64(date2j(y, m, d)) + int64(days)
	if j < 0 || j > dateEndJulian {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	r := (j-pgEpochJDate)*usecsPerDay + tod
	if !validTimestamp(r) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

// TimestampPlusInterval is timestamp + interval (tz=false) or timestamptz +
// interval (tz=true, months and days added in loc's local time).
// Infinite timestamps are returned unchanged.
func TimestampPlusInterval(us int64, iv Interval, tz bool, loc *time.Location) (int64, error) {
	if us == TimestampPosInfinity || us == TimestampNegInfinity {
		return us, nil
	}
	if iv.Months != 0 || iv.Days != 0 {
		if tz {
			local, err := TimestamptzToTimestamp(us, loc)
			if err != nil {
				return 0, err
			}
			if local, err = addMonthsDays(local, iv.Months, iv.Days); err != nil {
				return 0, err
			}
			if us, err = TimestampToTimestamptz(local, loc); err != nil {
				return 0, err
			}
		} else {
			var err error
			if us, err = addMonthsDays(us, iv.Months, iv.Days); err != nil {
				return 0, err
			}
		}
	}
	r := us + iv.Micros
	if (iv.Micros > 0 && r < us) || (iv.Micros < 0 && r > us) || !validTimestamp(r) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

// TimestampDiff is a − b for timestamps (or two timestamptz values): an
// interval of days and microseconds (justify_hours applied, so whole days
// become days), 22008 for infinite inputs.
func TimestampDiff(a, b int64) (Interval, error) {
	if a == TimestampPosInfinity || a == TimestampNegInfinity || b == TimestampPosInfinity || b == TimestampNegInfinity {
		return Interval{}, Errorf(CodeDatetimeFieldOverflow, "cannot subtract infinite timestamps")
	}
	us := a - b
	if (b < 0 && us < a) || (b > 0 && us > a) {
		return Interval{}, errIntervalOutOfRange()
	}
	days := us / usecsPerDay
	us -= days * usecsPerDay
	if days > 0 && us < 0 {
		us += usecsPerDay
		days--
	} else if days < 0 && us > 0 {
		us -= usecsPerDay
		days++
	}
	return Interval{Days: int32(days), Micros: us}, nil
}

// intervalArith evaluates the date/time operators whose operands or result
// involve intervals; operand kinds are already resolved.
func intervalArith(op ArithOp, a, b Datum, env *Env) (Datum, error) {
	loc := env.loc()
	asTS := func(d Datum) (int64, bool) { // date → timestamp
		if d.K == KindDate {
			return dateToTimestamp(d.I), false
		}
		return d.I, d.K == KindTimestamptz
	}
	switch {
	case a.K == KindInterval && b.K == KindInterval:
		bi := b.Interval()
		if op == OpSub {
			var err error
			if bi, err = NegInterval(bi); err != nil {
				return Null, err
			}
		}
		r, err := AddIntervals(a.Interval(), bi)
		if err != nil {
			return Null, err
		}
		return NewInterval(r), nil
	case b.K == KindInterval && (a.K == KindDate || a.K == KindTimestamp || a.K == KindTimestamptz):
		us, tz := asTS(a)
		iv := b.Interval()
		if op == OpSub {
			var err error
			if iv, err = NegInterval(iv); err != nil {
				return Null, err
			}
		}
		r, err := TimestampPlusInterval(us, iv, tz, loc)
		if err != nil {
			return Null, err
		}
		if tz {
			return NewTimestamptz(r), nil
		}
		return NewTimestamp(r), nil
	case a.K == KindInterval && (b.K == KindDate || b.K == KindTimestamp || b.K == KindTimestamptz):
		return intervalArith(op, b, a, env)
	case a.K == KindInterval && (op == OpMul || op == OpDiv):
		f := toFloat(b)
		var r Interval
		var err error
		if op == OpMul {
			r, err = MulInterval(a.Interval(), f)
		} else {
			r, err = DivInterval(a.Interval(), f)
		}
		if err != nil {
			return Null, err
		}
		return NewInterval(r), nil
	case b.K == KindInterval && op == OpMul:
		return intervalArith(op, b, a, env)
	case op == OpSub:
		au, atz := asTS(a)
		bu, btz := asTS(b)
		if atz != btz { // timestamp − timestamptz: the timestamp is taken in the session zone
			var err error
			if !atz {
				if au, err = TimestampToTimestamptz(au, loc); err != nil {
					return Null, err
				}
			} else if bu, err = TimestampToTimestamptz(bu, loc); err != nil {
				return Null, err
			}
		}
		r, err := TimestampDiff(au, bu)
		if err != nil {
			return Null, err
		}
		return NewInterval(r), nil
	}
	return Null, Errorf(CodeUndefinedFunction, "operator does not exist: %s %s %s", a.K, op, b.K)
}
