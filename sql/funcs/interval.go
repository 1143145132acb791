package funcs

import (
	"math"

	"github.com/borealis-db/borealis/sql/types"
)

// Interval functions: age, justify_days, justify_hours, justify_interval,
// date_part/extract and date_trunc on intervals, date_bin, make_interval.
func addIntervalFuncs(r *Registry) {
	IV, TS, TZ, T, I4, F := types.Interval_, types.Timestamp, types.Timestamptz, types.Text, types.Int4, types.Float8
	ivResult := func(iv types.Interval, err error) (types.Datum, error) {
		if err != nil {
			return types.Null, err
		}
		return types.NewInterval(iv), nil
	}
	add(r, "age", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return ivResult(age(a[0].I, a[1].I, splitMicros(a[0].I), splitMicros(a[1].I)))
	}, TS, TS)
	add(r, "age", IV, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		c1, err := localCivil(c, a[0].I)
		if err != nil {
			return types.Null, err
		}
		c2, err := localCivil(c, a[1].I)
		if err != nil {
			return types.Null, err
		}
		return ivResult(age(a[0].I, a[1].I, c1, c2))
	}, TZ, TZ)
	add(r, "age", IV, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		// age(ts) is age(current_date, ts) at midnight
		now := types.TimeToPGMicros(txTime(c))
		cv, err := localCivil(c, now)
		if err != nil {
			return types.Null, err
		}
		cv.hour, cv.min, cv.sec, cv.usec = 0, 0, 0, 0
		today := cv.micros()
		return ivResult(age(today, a[0].I, splitMicros(today), splitMicros(a[0].I)))
	}, TS)
	add(r, "justify_days", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return ivResult(justifyDays(a[0].Interval()))
	}, IV)
	add(r, "justify_hours", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return ivResult(justifyHours(a[0].Interval()))
	}, IV)
	add(r, "justify_interval", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return ivResult(justifyInterval(a[0].Interval()))
	}, IV)
	add(r, "date_part", F, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return intervalPart(a[0].S, a[1].Interval(), false)
	}, T, IV)
	add(r, "extract", types.Numeric_, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return intervalPart(a[0].S, a[1].Interval(), true)
	}, T, IV)
	add(r, "date_trunc", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return truncInterval(a[0].S, a[1].Interval())
	}, T, IV)
	add(r, "date_bin", TS, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		us, err := dateBin(a[0].Interval(), a[1].I, a[2].I)
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamp(us), nil
	}, IV, TS, TS)
	add(r, "date_bin", TZ, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		us, err := dateBin(a[0].Interval(), a[1].I, a[2].I)
		if err != nil {
			return types.Null, err
		}
		return types.NewTimestamptz(us), nil
	}, IV, TZ, TZ)
	params := []types.Type{I4, I4, I4, I4, I4, I4, F}
	for n := 0; n <= len(params); n++ {
		add(r, "make_interval", IV, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			return makeInterval(a)
		}, params[:n]...)
	}
}

// age is PostgreSQL's timestamp_age: the field-wise ("symbolic")
// difference of two broken-down times, borrowing from the next field.
func age(dt1, dt2 int64, t1, t2 civil) (types.Interval, error) {
	if isInfTS(dt1) || isInfTS(dt2) {
		return types.Interval{}, errf(codeDatetimeOverflow, "cannot subtract infinite timestamps")
	}
	fsec := t1.usec - t2.usec
	sec := t1.sec - t2.sec
	mi := t1.min - t2.min
	hour := t1.hour - t2.hour
	day := t1.day - t2.day
	mon := t1.mon - t2.mon
	year := t1.year - t2.year
	flip := dt1 < dt2
	if flip {
		fsec, sec, mi, hour, day, mon, year = -fsec, -sec, -mi, -hour, -day, -mon, -year
	}
	for fsec < 0 {
		fsec += usPerSec
		sec--
	}
	for sec < 0 {
		sec += 60
		mi--
	}
	for mi < 0 {
		mi += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		day--
	}
	for day < 0 {
		if flip {
			day += daysIn(t1.year, t1.mon)
		} else {
			day += daysIn(t2.year, t2.mon)
		}
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if flip {
		fsec, sec, mi, hour, day, mon, year = -fsec, -sec, -mi, -hour, -day, -mon, -year
	}
	months := int64(year)*12 + int64(mon)
	if months > math.MaxInt32 || months < math.MinInt32 {
		return types.Interval{}, errf(codeDatetimeOverflow, "interval out of range")
	}
	return types.Interval{Months: int32(months), Days: int32(day),
		Micros: ((int64(hour)*60+int64(mi))*60+int64(sec))*usPerSec + fsec}, nil
}

func errIntervalRange() error { return errf(codeDatetimeOverflow, "interval out of range") }

func justifyDays(iv types.Interval) (types.Interval, error) {
	whole := iv.Days / 30
	iv.Days -= whole * 30
	m := int64(iv.Months) + int64(whole)
	if m > math.MaxInt32 || m < math.MinInt32 {
		return iv, errIntervalRange()
	}
	iv.Months = int32(m)
	if iv.Months > 0 && iv.Days < 0 {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && iv.Days > 0 {
		iv.Days -= 30
		iv.Months++
	}
	return iv, nil
}

func justifyHours(iv types.Interval) (types.Interval, error) {
	whole := iv.Micros / usPerDay
	iv.Micros -= whole * usPerDay
	d := int64(iv.Days) + whole
	if d > math.MaxInt32 || d < math.MinInt32 {
		return iv, errIntervalRange()
	}
	iv.Days = int32(d)
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += usPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= usPerDay
		iv.Days++
	}
	return iv, nil
}

func justifyInterval(iv types.Interval) (types.Interval, error) {
	whole := iv.Micros / usPerDay
	iv.Micros -= whole * usPerDay
	d := int64(iv.Days) + whole
	if d > math.MaxInt32 || d < math.MinInt32 {
		return iv, errIntervalRange()
	}
	wm := d / 30
	d -= wm * 30
	m := int64(iv.Months) + wm
	if m > math.MaxInt32 || m < math.MinInt32 {
		return iv, errIntervalRange()
	}
	iv.Days, iv.Months = int32(d), int32(m)
	if iv.Months > 0 && (iv.Days < 0 || (iv.Days == 0 && iv.Micros < 0)) {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && (iv.Days > 0 || (iv.Days == 0 && iv.Micros > 0)) {
		iv.Days -= 30
		iv.Months++
	}
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += usPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= usPerDay
		iv.Days++
	}
	return iv, nil
}

// ivFields is interval2tm: fields with C's truncating division.
type ivFields struct {
	year, mon, day, hour, min, sec int64
	fsec                           int64
}

func splitInterval(iv types.Interval) ivFields {
	f := ivFields{year: int64(iv.Months) / 12, mon: int64(iv.Months) % 12, day: int64(iv.Days)}
	t := iv.Micros
	f.hour = t / 3600000000
	t -= f.hour * 3600000000
	f.min = t / 60000000
	t -= f.min * 60000000
	f.sec = t / usPerSec
	f.fsec = t - f.sec*usPerSec
	return f
}

func intervalPart(unit string, iv types.Interval, numeric bool) (types.Datum, error) {
	const typ = "interval"
	u, low := lookupUnit(unit)
	f := splitInterval(iv)
	switch u {
	case uMicro:
		return fieldResult(f.sec*usPerSec+f.fsec, 0, numeric), nil
	case uMilli:
		return fieldResult(f.sec*usPerSec+f.fsec, 3, numeric), nil
	case uSecond:
		return fieldResult(f.sec*usPerSec+f.fsec, 6, numeric), nil
	case uMinute:
		return fieldResult(f.min, 0, numeric), nil
	case uHour:
		return fieldResult(f.hour, 0, numeric), nil
	case uDay:
		return fieldResult(f.day, 0, numeric), nil
	case uMonth:
		return fieldResult(f.mon, 0, numeric), nil
	case uQuarter:
		return fieldResult(f.mon/3+1, 0, numeric), nil
	case uYear:
		return fieldResult(f.year, 0, numeric), nil
	case uDecade:
		return fieldResult(f.year/10, 0, numeric), nil
	case uCentury:
		return fieldResult(f.year/100, 0, numeric), nil
	case uMillennium:
		return fieldResult(f.year/1000, 0, numeric), nil
	case uEpoch:
		secs := int64(31557600)*(int64(iv.Months)/12) + int64(30*86400)*(int64(iv.Months)%12) + 86400*int64(iv.Days)
		if numeric {
			return fieldResult(secs*usPerSec+iv.Micros, 6, true), nil
		}
		return types.NewFloat(float64(iv.Micros)/1e6 + 31557600*float64(int64(iv.Months)/12) +
			float64(30*86400)*float64(int64(iv.Months)%12) + 86400*float64(iv.Days)), nil
	case uNone:
		return types.Null, errUnitNotRecognized(low, typ)
	}
	return types.Null, errUnitNotSupported(low, typ)
}

func truncInterval(unit string, iv types.Interval) (types.Datum, error) {
	const typ = "interval"
	u, low := lookupUnit(unit)
	f := splitInterval(iv)
	switch u {
	case uMillennium:
		f.year = (f.year / 1000) * 1000
		fallthrough
	case uCentury:
		f.year = (f.year / 100) * 100
		fallthrough
	case uDecade:
		f.year = (f.year / 10) * 10
		fallthrough
	case uYear:
		f.mon = 0
		fallthrough
	case uQuarter:
		f.mon = 3 * (f.mon / 3)
		fallthrough
	case uMonth:
		f.day = 0
		fallthrough
	case uDay:
		f.hour = 0
		fallthrough
	case uHour:
		f.min = 0
		fallthrough
	case uMinute:
		f.sec = 0
		fallthrough
	case uSecond:
		f.fsec = 0
	case uMilli:
		f.fsec = (f.fsec / 1000) * 1000
	case uMicro:
	case uNone:
		return types.Null, errUnitNotRecognized(low, typ)
	default:
		e := errUnitNotSupported(low, typ)
		if u == uWeek {
			e.Detail = "Months usually have fractional weeks."
		}
		return types.Null, e
	}
	return types.NewInterval(types.Interval{Months: int32(f.year*12 + f.mon), Days: int32(f.day),
		Micros: ((f.hour*60+f.min)*60+f.sec)*usPerSec + f.fsec}), nil
}

func dateBin(stride types.Interval, ts, origin int64) (int64, error) {
	if isInfTS(ts) {
		return ts, nil
	}
	if isInfTS(origin) {
		return 0, errf(codeDatetimeOverflow, "origin out of range")
	}
	if stride.Months != 0 {
		return 0, errf(codeFeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	}
	step := int64(stride.Days)*usPerDay + stride.Micros
	if step <= 0 {
		return 0, errf(codeDatetimeOverflow, "stride must be greater than zero")
	}
	diff := ts - origin
	if (origin < 0 && diff < ts) || (origin > 0 && diff > ts) {
		return 0, errIntervalRange()
	}
	mod := diff % step
	res := origin + (diff - mod)
	if mod < 0 {
		res -= step
	}
	return res, nil
}

func makeInterval(a []types.Datum) (types.Datum, error) {
	v := [7]types.Datum{}
	for i := range v {
		if i < 6 {
			v[i] = types.NewInt(0)
		} else {
			v[i] = types.NewFloat(0)
		}
	}
	copy(v[:], a)
	secs := v[6].F
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return types.Null, errIntervalRange()
	}
	months := v[0].I*12 + v[1].I
	days := v[2].I*7 + v[3].I
	us := (v[4].I*3600+v[5].I*60)*usPerSec + int64(math.RoundToEven(secs*1e6))
	if months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 {
		return types.Null, errIntervalRange()
	}
	return types.NewInterval(types.Interval{Months: int32(months), Days: int32(days), Micros: us}), nil
}
