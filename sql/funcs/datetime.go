package funcs

import (
	"math"
	"strings"
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

// Date/time functions: now, transaction_timestamp, statement_timestamp,
// clock_timestamp, date_trunc, date_part, extract, make_date,
// make_timestamp, make_timestamptz, to_char (timestamps, dates and
// numbers), to_date, to_timestamp, isfinite.
func addDateTimeFuncs(r *Registry) {
	T, F, TS, TZ, D := types.Text, types.Float8, types.Timestamp, types.Timestamptz, types.Date
	txNow := func(c *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewTimestamptzFromTime(txTime(c)), nil
	}
	add(r, "now", TZ, txNow)
	add(r, "transaction_timestamp", TZ, txNow)
	add(r, "statement_timestamp", TZ, func(c *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		if c != nil && !c.StatementStart.IsZero() {
			return types.NewTimestamptzFromTime(c.StatementStart), nil
		}
		return types.NewTimestamptzFromTime(txTime(c)), nil
	})
	clock := add(r, "clock_timestamp", TZ, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewTimestamptzFromTime(time.Now()), nil
	})
	clock.Volatile = true

	add(r, "date_trunc", TS, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return truncTimestamp(a[0].S, a[1].I, "timestamp without time zone")
	}, T, TS)
	add(r, "date_trunc", TZ, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return truncTimestamptz(c, a[0].S, a[1].I)
	}, T, TZ)
	add(r, "date_part", F, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return timestampPart(a[0].S, splitMicros(a[1].I), a[1].I, false, false)
	}, T, TS)
	add(r, "date_part", F, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return timestamptzPart(c, a[0].S, a[1].I, false)
	}, T, TZ)
	add(r, "date_part", F, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		us := dateToTS(a[1].I)
		return timestampPart(a[0].S, splitMicros(us), us, false, false)
	}, T, D)
	add(r, "extract", types.Numeric_, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return timestampPart(a[0].S, splitMicros(a[1].I), a[1].I, true, false)
	}, T, TS)
	add(r, "extract", types.Numeric_, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return timestamptzPart(c, a[0].S, a[1].I, true)
	}, T, TZ)
	add(r, "extract", types.Numeric_, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return datePart(a[0].S, a[1].I)
	}, T, D)
	add(r, "isfinite", types.Bool, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewBool(a[0].I != types.DatePosInfinity && a[0].I != types.DateNegInfinity), nil
	}, D)
	isfiniteTS := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewBool(a[0].I != types.TimestampPosInfinity && a[0].I != types.TimestampNegInfinity), nil
	}
	add(r, "isfinite", types.Bool, isfiniteTS, TS)
	add(r, "isfinite", types.Bool, isfiniteTS, TZ)
	I4 := types.Int4
	add(r, "make_date", D, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		days, err := makeDate(a[0].I, a[1].I, a[2].I)
		if err != nil {
			return types.Null, err
		}
		return types.NewDate(int32(days)), nil
	}, I4, I4, I4)
	add(r, "make_timestamp", TS, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		us, err := makeTimestamp(a)
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamp(us), nil
	}, I4, I4, I4, I4, I4, F)
	makeTZ := func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		us, err := makeTimestamp(a)
		if err != nil {
			return types.Null, err
		}
		loc := location(c)
		if len(a) > 6 {
			if loc, err = types.LoadLocation(a[6].S); err != nil {
				return types.Null, err
			}
		}
		r, err := types.TimestampToTimestamptz(us, loc)
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamptz(r), nil
	}
	add(r, "make_timestamptz", TZ, makeTZ, I4, I4, I4, I4, I4, F)
	add(r, "make_timestamptz", TZ, makeTZ, I4, I4, I4, I4, I4, F, T)

	add(r, "to_char", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return toCharTime(a[0].I, a[1].S, false, civil{})
	}, TS, T)
	add(r, "to_char", T, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].I == types.TimestampPosInfinity || a[0].I == types.TimestampNegInfinity {
			return types.Null, nil
		}
		cv, err := localCivil(c, a[0].I)
		if err != nil {
			return types.Null, err
		}
		return toCharTime(cv.micros(), a[1].S, true, cv)
	}, TZ, T)
	add(r, "to_char", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return toCharInterval(a[0].Interval(), a[1].S)
	}, types.Interval_, T)
	for _, t := range []types.Type{types.Int4, types.Int8, types.Numeric_, F} {
		add(r, "to_char", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			return toCharNumber(a[0], a[1].S)
		}, t, T)
	}
	add(r, "to_date", D, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		p, err := parseByFormat(a[0].S, a[1].S)
		if err != nil {
			return types.Null, err
		}
		us := p.civil().micros()
		return types.NewDate(int32(floorDiv(us, usPerDay))), nil
	}, T, T)
	add(r, "to_timestamp", TZ, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		p, err := parseByFormat(a[0].S, a[1].S)
		if err != nil {
			return types.Null, err
		}
		local := p.civil().micros()
		if p.hasTZ {
			return types.NewTimestamptz(local - int64(p.tzSecs)*usPerSec), nil
		}
		us, err := types.TimestampToTimestamptz(local, location(c))
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamptz(us), nil
	}, T, T)
	add(r, "to_timestamp", TZ, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		f := a[0].F
		switch {
		case math.IsNaN(f):
			return types.Null, errf(codeDatetimeOverflow, "timestamp cannot be NaN")
		case math.IsInf(f, 1):
			return types.NewTimestamptz(types.TimestampPosInfinity), nil
		case math.IsInf(f, -1):
			return types.NewTimestamptz(types.TimestampNegInfinity), nil
		}
		if f < -210866803200 || f >= 9224318016000 {
			return types.Null, errf(codeDatetimeOverflow, "timestamp out of range: \"%s\"", types.FormatFloat8(f))
		}
		us := int64(math.RoundToEven((f - 946684800) * 1e6))
		return types.NewTimestamptz(us), nil
	}, F)
}

func txTime(c *Context) time.Time {
	if c != nil && c.Env != nil && !c.Env.Now.IsZero() {
		return c.Env.Now
	}
	return time.Now()
}

func dateToTS(days int64) int64 {
	switch days {
	case types.DatePosInfinity:
		return types.TimestampPosInfinity
	case types.DateNegInfinity:
		return types.TimestampNegInfinity
	}
	return days * usPerDay
}

func isInfTS(us int64) bool {
	return us == types.TimestampPosInfinity || us == types.TimestampNegInfinity
}

// Units of date_trunc and extract.
const (
	uNone = iota
	uMicro
	uMilli
	uSecond
	uMinute
	uHour
	uDay
	uWeek
	uMonth
	uQuarter
	uYear
	uDecade
	uCentury
	uMillennium
	uEpoch
	uDow
	uIsodow
	uDoy
	uIsoyear
	uJulian
	uTZ
	uTZHour
	uTZMinute
)

var unitWords = map[string]int{
	"microsecon": uMicro, "microsecond": uMicro, "microseconds": uMicro, "us": uMicro, "usec": uMicro, "usecond": uMicro, "useconds": uMicro, "usecs": uMicro,
	"millisecon": uMilli, "millisecond": uMilli, "milliseconds": uMilli, "ms": uMilli, "msec": uMilli, "msecond": uMilli, "mseconds": uMilli, "msecs": uMilli,
	"second": uSecond, "seconds": uSecond, "sec": uSecond, "secs": uSecond, "s": uSecond,
	"minute": uMinute, "minutes": uMinute, "min": uMinute, "mins": uMinute, "m": uMinute,
	"hour": uHour, "hours": uHour, "h": uHour, "hr": uHour, "hrs": uHour,
	"day": uDay, "days": uDay, "d": uDay,
	"week": uWeek, "weeks": uWeek, "w": uWeek,
	"month": uMonth, "months": uMonth, "mon": uMonth, "mons": uMonth,
	"quarter": uQuarter, "qtr": uQuarter,
	"year": uYear, "years": uYear, "y": uYear, "yr": uYear, "yrs": uYear,
	"decade": uDecade, "decades": uDecade, "dec": uDecade, "decs": uDecade,
	"century": uCentury, "centuries": uCentury, "c": uCentury, "cent": uCentury,
	"millennium": uMillennium, "millennia": uMillennium, "mil": uMillennium, "mils": uMillennium,
	"epoch": uEpoch, "dow": uDow, "isodow": uIsodow, "doy": uDoy, "isoyear": uIsoyear,
	"julian": uJulian, "j": uJulian, "jd": uJulian,
	"timezone": uTZ, "timezone_h": uTZHour, "timezone_m": uTZMinute,
}

func lookupUnit(s string) (int, string) {
	low := asciiLower(s)
	w := low
	if len(w) > 10 && !strings.HasPrefix(w, "timezone_") {
		w = w[:10]
	}
	if strings.HasPrefix(w, "timezone_") && len(w) > 10 {
		w = w[:10]
	}
	return unitWords[w], low
}

func errUnitNotRecognized(low, typ string) *types.Error {
	return errf(codeInvalidParameterValue, "unit \"%s\" not recognized for type %s", low, typ)
}

func errUnitNotSupported(low, typ string) *types.Error {
	return errf(codeFeatureNotSupported, "unit \"%s\" not supported for type %s", low, typ)
}

// truncCivil truncates a broken-down time to unit u.
func truncCivil(cv civil, u int) (civil, bool) {
	switch u {
	case uMillennium:
		if cv.year > 0 {
			cv.year = ((cv.year+999)/1000)*1000 - 999
		} else {
			cv.year = -((999-(cv.year-1))/1000)*1000 + 1
		}
		fallthrough
	case uCentury:
		if u == uCentury {
			if cv.year > 0 {
				cv.year = ((cv.year+99)/100)*100 - 99
			} else {
				cv.year = -((99-(cv.year-1))/100)*100 + 1
			}
		}
		fallthrough
	case uDecade:
		if u == uDecade {
			if cv.year > 0 {
				cv.year = (cv.year / 10) * 10
			} else {
				cv.year = -((8 - (cv.year - 1)) / 10) * 10
			}
		}
		fallthrough
	case uYear:
		cv.mon = 1
		fallthrough
	case uQuarter:
		if u == uQuarter {
			cv.mon = 3*((cv.mon-1)/3) + 1
		}
		fallthrough
	case uMonth:
		cv.day = 1
		fallthrough
	case uDay:
		cv.hour = 0
		fallthrough
	case uHour:
		cv.min = 0
		fallthrough
	case uMinute:
		cv.sec = 0
		fallthrough
	case uSecond:
		cv.usec = 0
	case uMilli:
		cv.usec = (cv.usec / 1000) * 1000
	case uMicro:
	case uWeek:
		iy, iw := isoWeek(cv.year, cv.mon, cv.day)
		jd := isoYearStart(iy) + (iw-1)*7
		cv.year, cv.mon, cv.day = j2date(jd)
		cv.hour, cv.min, cv.sec, cv.usec = 0, 0, 0, 0
	default:
		return cv, false
	}
	return cv, true
}

// truncUnitError is date_trunc's unit check: time zone units are
// recognized but not supported, other non-truncation units unknown.
func truncUnitError(u int, low, typ string) error {
	switch {
	case u == uTZ || u == uTZHour || u == uTZMinute:
		return errUnitNotSupported(low, typ)
	case u == uNone || u >= uEpoch:
		return errUnitNotRecognized(low, typ)
	}
	return nil
}

func truncTimestamp(unit string, us int64, typ string) (types.Datum, error) {
	if isInfTS(us) {
		return types.NewTimestamp(us), nil
	}
	u, low := lookupUnit(unit)
	if err := truncUnitError(u, low, typ); err != nil {
		return types.Null, err
	}
	cv, _ := truncCivil(splitMicros(us), u)
	return types.NewTimestamp(cv.micros()), nil
}

func truncTimestamptz(c *Context, unit string, us int64) (types.Datum, error) {
	const typ = "timestamp with time zone"
	if isInfTS(us) {
		return types.NewTimestamptz(us), nil
	}
	u, low := lookupUnit(unit)
	if err := truncUnitError(u, low, typ); err != nil {
		return types.Null, err
	}
	cv, err := localCivil(c, us)
	if err != nil {
		return types.Null, err
	}
	local := cv.micros()
	tc, _ := truncCivil(cv, u)
	if u >= uDay {
		r, err := types.TimestampToTimestamptz(tc.micros(), location(c))
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamptz(r), nil
	}
	return types.NewTimestamptz(us - (local - tc.micros())), nil
}

// fieldResult returns a field value as float8 or as numeric
// value/10^scale.
func fieldResult(v int64, scale int32, numeric bool) types.Datum {
	if numeric {
		n := types.NumericFromInt64(v)
		if scale > 0 {
			n = types.NumericFromBig(bigInt(v), scale)
		}
		return types.NewNumeric(n)
	}
	if scale == 0 {
		return types.NewFloat(float64(v))
	}
	return types.NewFloat(float64(v) / math.Pow10(int(scale)))
}

func yearField(y int) int {
	if y <= 0 {
		return y - 1
	}
	return y
}

func timestampPart(unit string, cv civil, us int64, numeric, tz bool) (types.Datum, error) {
	typ := "timestamp without time zone"
	if tz {
		typ = "timestamp with time zone"
	}
	u, low := lookupUnit(unit)
	if u == uNone {
		return types.Null, errUnitNotRecognized(low, typ)
	}
	if isInfTS(us) {
		neg := us == types.TimestampNegInfinity
		switch u {
		case uYear, uDecade, uCentury, uMillennium, uJulian, uIsoyear, uEpoch:
			if numeric {
				return types.NewNumeric(types.NumericInf(neg)), nil
			}
			if neg {
				return types.NewFloat(math.Inf(-1)), nil
			}
			return types.NewFloat(math.Inf(1)), nil
		case uTZ, uTZHour, uTZMinute:
			if !tz {
				return types.Null, errUnitNotSupported(low, typ)
			}
		}
		return types.Null, nil
	}
	secUs := int64(cv.sec)*usPerSec + cv.usec
	switch u {
	case uMicro:
		return fieldResult(secUs, 0, numeric), nil
	case uMilli:
		return fieldResult(secUs, 3, numeric), nil
	case uSecond:
		return fieldResult(secUs, 6, numeric), nil
	case uMinute:
		return fieldResult(int64(cv.min), 0, numeric), nil
	case uHour:
		return fieldResult(int64(cv.hour), 0, numeric), nil
	case uDay:
		return fieldResult(int64(cv.day), 0, numeric), nil
	case uMonth:
		return fieldResult(int64(cv.mon), 0, numeric), nil
	case uQuarter:
		return fieldResult(int64((cv.mon-1)/3+1), 0, numeric), nil
	case uWeek:
		_, w := isoWeek(cv.year, cv.mon, cv.day)
		return fieldResult(int64(w), 0, numeric), nil
	case uYear:
		return fieldResult(int64(yearField(cv.year)), 0, numeric), nil
	case uDecade:
		y := cv.year
		if y >= 0 {
			return fieldResult(int64(y/10), 0, numeric), nil
		}
		return fieldResult(int64(-((8 - (y - 1)) / 10)), 0, numeric), nil
	case uCentury:
		y := cv.year
		if y > 0 {
			return fieldResult(int64((y+99)/100), 0, numeric), nil
		}
		return fieldResult(int64(-((99 - (y - 1)) / 100)), 0, numeric), nil
	case uMillennium:
		y := cv.year
		if y > 0 {
			return fieldResult(int64((y+999)/1000), 0, numeric), nil
		}
		return fieldResult(int64(-((999 - (y - 1)) / 1000)), 0, numeric), nil
	case uDow, uIsodow:
		dow := (date2j(cv.year, cv.mon, cv.day) + 1) % 7
		if u == uIsodow && dow == 0 {
			dow = 7
		}
		return fieldResult(int64(dow), 0, numeric), nil
	case uDoy:
		doy := date2j(cv.year, cv.mon, cv.day) - date2j(cv.year, 1, 1) + 1
		return fieldResult(int64(doy), 0, numeric), nil
	case uIsoyear:
		iy, _ := isoWeek(cv.year, cv.mon, cv.day)
		if iy <= 0 {
			iy--
		}
		return fieldResult(int64(iy), 0, numeric), nil
	case uJulian:
		jd := int64(date2j(cv.year, cv.mon, cv.day))
		dayUs := (int64(cv.hour)*3600+int64(cv.min)*60)*usPerSec + secUs
		if numeric {
			frac, err := types.NumericFromInt64(dayUs).Div(types.NumericFromInt64(usPerDay))
			if err != nil {
				return types.Null, err
			}
			return types.NewNumeric(types.NumericFromInt64(jd).Add(frac)), nil
		}
		return types.NewFloat(float64(jd) + (float64(cv.hour*3600+cv.min*60+cv.sec)+float64(cv.usec)/1e6)/86400), nil
	case uEpoch:
		// us is UTC for timestamptz and local for timestamp.
		return fieldResult(us-unixEpoch, 6, numeric), nil
	case uTZ, uTZHour, uTZMinute:
		if !tz {
			return types.Null, errUnitNotSupported(low, typ)
		}
		switch u {
		case uTZ:
			return fieldResult(int64(cv.gmtoff), 0, numeric), nil
		case uTZHour:
			return fieldResult(int64(cv.gmtoff/3600), 0, numeric), nil
		}
		return fieldResult(int64((cv.gmtoff/60)%60), 0, numeric), nil
	}
	return types.Null, errUnitNotSupported(low, typ)
}

func timestamptzPart(c *Context, unit string, us int64, numeric bool) (types.Datum, error) {
	if isInfTS(us) {
		return timestampPart(unit, civil{}, us, numeric, true)
	}
	cv, err := localCivil(c, us)
	if err != nil {
		return types.Null, err
	}
	return timestampPart(unit, cv, us, numeric, true)
}

// datePart is extract(field FROM date).
func datePart(unit string, days int64) (types.Datum, error) {
	u, low := lookupUnit(unit)
	if u == uNone {
		return types.Null, errUnitNotRecognized(low, "date")
	}
	switch u {
	case uMicro, uMilli, uSecond, uMinute, uHour, uTZ, uTZHour, uTZMinute:
		return types.Null, errUnitNotSupported(low, "date")
	}
	if days == types.DatePosInfinity || days == types.DateNegInfinity {
		return timestampPart(unit, civil{}, dateToTS(days), true, false)
	}
	if u == uEpoch {
		return types.NewNumeric(types.NumericFromInt64((days*usPerDay - unixEpoch) / usPerSec)), nil
	}
	if u == uJulian {
		return types.NewNumeric(types.NumericFromInt64(days + pgEpochJD)), nil
	}
	return timestampPart(unit, splitMicros(days*usPerDay), days*usPerDay, true, false)
}

func makeDate(y, m, d int64) (int64, error) {
	if y == 0 {
		return 0, errf(codeDatetimeOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	yy := y
	if yy < 0 {
		yy++
	}
	if m < 1 || m > 12 || d < 1 || d > int64(daysIn(int(yy), int(m))) || yy < -4713 || yy > 5874897 {
		return 0, errf(codeDatetimeOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	return int64(date2j(int(yy), int(m), int(d)) - pgEpochJD), nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if (y%4 == 0 && y%100 != 0) || y%400 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func makeTimestamp(a []types.Datum) (int64, error) {
	y, m, d, h, mi := a[0].I, a[1].I, a[2].I, a[3].I, a[4].I
	sec := a[5].F
	days, err := makeDate(y, m, d)
	if err != nil {
		return 0, err
	}
	if h < 0 || h > 24 || mi < 0 || mi > 59 || math.IsNaN(sec) || sec < 0 || sec > 60 ||
		(h == 24 && (mi > 0 || sec > 0)) {
		return 0, errf(codeDatetimeOverflow, "time field value out of range: %d:%02d:%s", h, mi, fmtSec(sec))
	}
	us := days*usPerDay + (h*3600+mi*60)*usPerSec + int64(math.RoundToEven(sec*1e6))
	return us, nil
}

func fmtSec(f float64) string {
	s := types.FormatFloat8(f)
	if f < 10 && f >= 0 {
		s = "0" + s
	}
	return s
}
