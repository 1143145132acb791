package types

import (
	"math"
	"strconv"
	"strings"
)

// Interval is PostgreSQL's interval: months, days and microseconds kept
// separately (a month is not a fixed number of days, a day not a fixed
// number of microseconds across DST changes). For comparison, hashing and
// keys PostgreSQL normalises with 1 month = 30 days and 1 day = 24 hours
// (see Interval.Span).
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

const (
	usecsPerHour   = int64(3600000000)
	usecsPerMinute = int64(60000000)
	usecsPerSec    = int64(1000000)
	daysPerMonth   = 30
	monthsPerYear  = 12
)

// Span returns the interval as (whole days, microseconds within the day,
// 0 <= micros < 24h) after normalising 1 month = 30 days and 1 day = 24
// hours: PostgreSQL's interval_cmp_value, on which comparison, equality,
// hashing and the key encoding are based.
func (iv Interval) Span() (days int64, micros int64) {
	days = int64(iv.Months)*daysPerMonth + int64(iv.Days)
	days += floorDiv(iv.Micros, usecsPerDay)
	micros = iv.Micros - floorDiv(iv.Micros, usecsPerDay)*usecsPerDay
	return days, micros
}

// CompareIntervals orders intervals as PostgreSQL does (by Span).
func CompareIntervals(a, b Interval) int {
	ad, au := a.Span()
	bd, bu := b.Span()
	if c := cmpInt64(ad, bd); c != 0 {
		return c
	}
	return cmpInt64(au, bu)
}

func errIntervalOutOfRange() error {
	return Errorf(CodeDatetimeFieldOverflow, "interval out of range")
}

// CodeIntervalFieldOverflow is SQLSTATE 22015.
const CodeIntervalFieldOverflow = "22015"

// intervalAcc accumulates parsed interval fields with overflow detection.
type intervalAcc struct {
	months, days, micros int64
	overflow             bool
}

func (a *intervalAcc) add(p *int64, v int64) {
	r := *p + v
	if (v > 0 && r < *p) || (v < 0 && r > *p) {
		a.overflow = true
	}
	*p = r
}

func (a *intervalAcc) mulAdd(p *int64, v, scale int64) {
	if v != 0 && (v > math.MaxInt64/scale || v < math.MinInt64/scale) {
		a.overflow = true
		return
	}
	a.add(p, v*scale)
}

// fractMicros adds frac*scale microseconds, rounded (AdjustFractMicroseconds).
func (a *intervalAcc) fractMicros(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	f := math.RoundToEven(frac * float64(scale))
	if math.IsNaN(f) || f >= 9.2e18 || f <= -9.2e18 {
		a.overflow = true
		return
	}
	a.add(&a.micros, int64(f))
}

// fractDays adds frac*scale days, the fraction of a day as microseconds
// (AdjustFractDays).
func (a *intervalAcc) fractDays(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	frac *= float64(scale)
	extra := int64(frac)
	a.add(&a.days, extra)
	a.fractMicros(frac-float64(extra), usecsPerDay)
}

// fractYears adds frac*scale years as whole months, rounded (AdjustFractYears).
func (a *intervalAcc) fractYears(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	a.add(&a.months, int64(math.RoundToEven(frac*float64(scale)*monthsPerYear)))
}

// interval field units.
type ivUnit uint8

const (
	ivNone ivUnit = iota
	ivMicro
	ivMilli
	ivSecond
	ivMinute
	ivHour
	ivDay
	ivWeek
	ivMonth
	ivYear
	ivDecade
	ivCentury
	ivMillennium
)

var ivUnits = map[string]ivUnit{
	"c": ivCentury, "cent": ivCentury, "centuries": ivCentury, "century": ivCentury,
	"d": ivDay, "day": ivDay, "days": ivDay,
	"dec": ivDecade, "decade": ivDecade, "decades": ivDecade, "decs": ivDecade,
	"h": ivHour, "hour": ivHour, "hours": ivHour, "hr": ivHour, "hrs": ivHour,
	"m": ivMinute, "min": ivMinute, "mins": ivMinute, "minute": ivMinute, "minutes": ivMinute,
	"microsecon": ivMicro, "us": ivMicro, "usec": ivMicro, "usecond": ivMicro, "useconds": ivMicro, "usecs": ivMicro,
	"mil": ivMillennium, "millennia": ivMillennium, "millennium": ivMillennium, "mils": ivMillennium,
	"millisecon": ivMilli, "ms": ivMilli, "msec": ivMilli, "msecond": ivMilli, "mseconds": ivMilli, "msecs": ivMilli,
	"mon": ivMonth, "mons": ivMonth, "month": ivMonth, "months": ivMonth,
	"s": ivSecond, "sec": ivSecond, "second": ivSecond, "seconds": ivSecond, "secs": ivSecond,
	"w": ivWeek, "week": ivWeek, "weeks": ivWeek,
	"y": ivYear, "year": ivYear, "years": ivYear, "yr": ivYear, "yrs": ivYear,
}

type ivTokKind uint8

const (
	ivTokNumber ivTokKind = iota
	ivTokTime
	ivTokWord
	ivTokYearMonth
)

type ivTok struct {
	kind ivTokKind
	text string // number or time including its sign; lower-cased word
}

// tokenizeInterval splits interval input into numbers, times (with ':')
// and words, like PostgreSQL's ParseDateTime; ok=false on a character it
// does not accept.
func tokenizeInterval(s string) ([]ivTok, bool) {
	var toks []ivTok
	i := 0
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case isDigit(c) || c == '.' || ((c == '+' || c == '-') && i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '.')):
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == ':') {
				j++
			}
			kind := ivTokNumber
			if strings.IndexByte(s[i:j], ':') >= 0 {
				kind = ivTokTime
			} else if j+1 < len(s) && s[j] == '-' && isDigit(s[j+1]) && strings.IndexByte(s[i:j], '.') < 0 {
				// SQL-standard years-months, '1-2'
				j++
				for j < len(s) && isDigit(s[j]) {
					j++
				}
				kind = ivTokYearMonth
			}
			toks = append(toks, ivTok{kind, s[i:j]})
			i = j
		case c == '@':
			i++
		case (c|0x20) >= 'a' && (c|0x20) <= 'z':
			j := i
			for j < len(s) && (s[j]|0x20) >= 'a' && (s[j]|0x20) <= 'z' {
				j++
			}
			toks = append(toks, ivTok{ivTokWord, strings.ToLower(s[i:j])})
			i = j
		default:
			return nil, false
		}
	}
	return toks, true
}

// splitNumber parses [sign]digits[.digits] into its integer part and
// signed fraction.
func splitNumber(t string) (val int64, frac float64, ok, overflow bool) {
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	ip, fp, hasDot := strings.Cut(t, ".")
	if ip == "" && (!hasDot || fp == "") {
		return 0, 0, false, false
	}
	for _, c := range []byte(ip + fp) {
		if c < '0' || c > '9' {
			return 0, 0, false, false
		}
	}
	if ip != "" {
		u, err := strconv.ParseInt(ip, 10, 64)
		if err != nil {
			return 0, 0, true, true
		}
		val = u
	}
	if fp != "" {
		f, err := strconv.ParseFloat("0."+fp, 64)
		if err != nil {
			return 0, 0, false, false
		}
		frac = f
	}
	if neg {
		val, frac = -val, -frac
	}
	return val, frac, true, false
}

// parseIntervalTime decodes [+-]h:m[:s[.f]] or [+-]m:s.f into microseconds.
func parseIntervalTime(t string, minuteToSecond bool) (int64, dtErr) {
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	parts := strings.Split(t, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, dtBadFormat
	}
	var h, m, sec int64
	var fsec int64
	parseInt := func(p string) (int64, dtErr) {
		if p == "" {
			return 0, dtBadFormat
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return 0, dtBadFormat
			}
		}
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, dtFieldOverflow
		}
		return v, dtOK
	}
	parseSec := func(p string) (int64, int64, dtErr) {
		ip, fp, hasDot := strings.Cut(p, ".")
		s, e := parseInt(ip)
		if e != dtOK {
			return 0, 0, e
		}
		var us int64
		if hasDot {
			for _, c := range []byte(fp) {
				if c < '0' || c > '9' {
					return 0, 0, dtBadFormat
				}
			}
			if fp != "" {
				f, _ := strconv.ParseFloat("0."+fp, 64)
				us = int64(math.RoundToEven(f * 1e6))
			}
		}
		return s, us, dtOK
	}
	var e dtErr
	if len(parts) == 2 && (strings.IndexByte(parts[1], '.') >= 0 || minuteToSecond) {
		// mm:ss.fff is MINUTE TO SECOND
		if m, e = parseInt(parts[0]); e != dtOK {
			return 0, e
		}
		if sec, fsec, e = parseSec(parts[1]); e != dtOK {
			return 0, e
		}
	} else {
		if h, e = parseInt(parts[0]); e != dtOK {
			return 0, e
		}
		if strings.IndexByte(parts[1], '.') >= 0 {
			return 0, dtBadFormat
		}
		if m, e = parseInt(parts[1]); e != dtOK {
			return 0, e
		}
		if len(parts) == 3 {
			if sec, fsec, e = parseSec(parts[2]); e != dtOK {
				return 0, e
			}
		}
	}
	if m > 59 || sec > 60 || fsec > usecsPerSec {
		return 0, dtFieldOverflow
	}
	if h > math.MaxInt64/usecsPerHour-1 {
		return 0, dtFieldOverflow
	}
	us := h*usecsPerHour + m*usecsPerMinute + sec*usecsPerSec + fsec
	if neg {
		us = -us
	}
	return us, dtOK
}

// ParseInterval parses interval input as PostgreSQL 15's interval_in with
// IntervalStyle postgres: unit fields ('1 year 2 mons', '2 hours 30
// minutes', '1.5 days', '10min'), a time field ('1:30' is 1 h 30 min,
// '04:05:06.5'), a bare number (seconds, or days before a time field), '@'
// and a trailing 'ago', and ISO 8601 ('P1Y2M3DT4H5M6S', 'P1D', 'PT1.5S',
// 'P0001-02-03T04:05:06').
func ParseInterval(s string) (Interval, error) { return parseIntervalTypmod(s, -1) }

// parseIntervalTypmod is interval_in: the typmod's range decides the unit
// of a bare number ('5' is 5 days for interval day) and whether h:m is
// m:s (interval minute to second); the typmod is not applied.
func parseIntervalTypmod(s string, typmod int32) (Interval, error) {
	iv, e := decodeInterval(s, typmod)
	if e == dtBadFormat {
		iv, e = decodeISOInterval(s)
	}
	switch e {
	case dtOK:
		return iv, nil
	case dtFieldOverflow:
		return Interval{}, Errorf(CodeIntervalFieldOverflow, "interval field value out of range: \"%s\"", s)
	}
	return Interval{}, Errorf(CodeInvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
}

func (a *intervalAcc) result() (Interval, dtErr) {
	if a.overflow || a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 || a.days < math.MinInt32 {
		return Interval{}, dtFieldOverflow
	}
	return Interval{Months: int32(a.months), Days: int32(a.days), Micros: a.micros}, dtOK
}

// addUnit adds val+frac of unit u.
func (a *intervalAcc) addUnit(u ivUnit, val int64, frac float64) {
	switch u {
	case ivMicro:
		a.add(&a.micros, val)
		a.fractMicros(frac, 1)
	case ivMilli:
		a.mulAdd(&a.micros, val, 1000)
		a.fractMicros(frac, 1000)
	case ivSecond:
		a.mulAdd(&a.micros, val, usecsPerSec)
		a.fractMicros(frac, usecsPerSec)
	case ivMinute:
		a.mulAdd(&a.micros, val, usecsPerMinute)
		a.fractMicros(frac, usecsPerMinute)
	case ivHour:
		a.mulAdd(&a.micros, val, usecsPerHour)
		a.fractMicros(frac, usecsPerHour)
	case ivDay:
		a.add(&a.days, val)
		a.fractMicros(frac, usecsPerDay)
	case ivWeek:
		a.mulAdd(&a.days, val, 7)
		a.fractDays(frac, 7)
	case ivMonth:
		a.add(&a.months, val)
		a.fractDays(frac, daysPerMonth)
	case ivYear:
		a.mulAdd(&a.months, val, monthsPerYear)
		a.fractYears(frac, 1)
	case ivDecade:
		a.mulAdd(&a.months, val, 10*monthsPerYear)
		a.fractYears(frac, 10)
	case ivCentury:
		a.mulAdd(&a.months, val, 100*monthsPerYear)
		a.fractYears(frac, 100)
	case ivMillennium:
		a.mulAdd(&a.months, val, 1000*monthsPerYear)
		a.fractYears(frac, 1000)
	}
}

func decodeInterval(s string, typmod int32) (Interval, dtErr) {
	toks, ok := tokenizeInterval(s)
	if !ok {
		return Interval{}, dtBadFormat
	}
	var a intervalAcc
	unit := ivNone
	ago := false
	var seen uint32
	any := false
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch t.kind {
		case ivTokWord:
			w := t.text
			if len(w) > 10 {
				w = w[:10]
			}
			if w == "ago" {
				ago = true
				continue
			}
			u, ok := ivUnits[w]
			if !ok {
				return Interval{}, dtBadFormat
			}
			unit = u
		case ivTokTime:
			us, e := parseIntervalTime(t.text, intervalRange(typmod) == intervalMinute|intervalSecond)
			if e != dtOK {
				return Interval{}, e
			}
			const timeMask = 1<<ivHour | 1<<ivMinute | 1<<ivSecond
			if seen&timeMask != 0 {
				return Interval{}, dtBadFormat
			}
			seen |= timeMask
			a.add(&a.micros, us)
			unit = ivDay
			any = true
		case ivTokYearMonth:
			neg := t.text[0] == '-'
			ys, ms, _ := strings.Cut(strings.TrimLeft(t.text, "+-"), "-")
			y, err1 := strconv.ParseInt(ys, 10, 64)
			m, err2 := strconv.ParseInt(ms, 10, 64)
			if err1 != nil || err2 != nil || y > math.MaxInt32 || m > math.MaxInt32 {
				return Interval{}, dtFieldOverflow
			}
			months := y*monthsPerYear + m
			if months > math.MaxInt32 {
				return Interval{}, dtFieldOverflow
			}
			if neg {
				months = -months
			}
			if seen&(1<<ivMonth) != 0 {
				return Interval{}, dtBadFormat
			}
			seen |= 1 << ivMonth
			a.add(&a.months, months)
			unit = ivMonth
			any = true
		case ivTokNumber:
			u := unit
			if u == ivNone {
				u = defaultIntervalUnit(typmod)
			}
			val, frac, ok, ovf := splitNumber(t.text)
			if ovf {
				return Interval{}, dtFieldOverflow
			}
			if !ok {
				return Interval{}, dtBadFormat
			}
			if seen&(1<<u) != 0 {
				return Interval{}, dtBadFormat
			}
			seen |= 1 << u
			a.addUnit(u, val, frac)
			any = true
		}
	}
	if !any {
		return Interval{}, dtBadFormat
	}
	if ago {
		a.months, a.days, a.micros = -a.months, -a.days, -a.micros
	}
	return a.result()
}

// decodeISOInterval parses ISO 8601 durations (DecodeISO8601Interval).
func decodeISOInterval(s string) (Interval, dtErr) {
	if len(s) < 2 || s[0] != 'P' {
		return Interval{}, dtBadFormat
	}
	str := s[1:]
	var a intervalAcc
	datePart := true
	if str == "" {
		return Interval{}, dtBadFormat
	}
	for len(str) > 0 {
		if str[0] == 'T' {
			datePart = false
			str = str[1:]
			continue
		}
		j := 0
		if j < len(str) && (str[j] == '+' || str[j] == '-') {
			j++
		}
		for j < len(str) && ((str[j] >= '0' && str[j] <= '9') || str[j] == '.') {
			j++
		}
		num := str[:j]
		val, frac, ok, ovf := splitNumber(num)
		if ovf {
			return Interval{}, dtFieldOverflow
		}
		if !ok {
			return Interval{}, dtBadFormat
		}
		if j >= len(str) {
			// a trailing number without designator: years in the date
			// part, hours in the time part (the alternative format)
			if datePart {
				a.mulAdd(&a.months, val, monthsPerYear)
				a.add(&a.months, int64(frac*monthsPerYear))
			} else {
				a.addUnit(ivHour, val, frac)
			}
			return a.result()
		}
		unitc := str[j]
		str = str[j+1:]
		if datePart {
			switch unitc {
			case 'Y':
				a.addUnit(ivYear, val, frac)
			case 'M':
				a.addUnit(ivMonth, val, frac)
			case 'W':
				a.addUnit(ivWeek, val, frac)
			case 'D':
				a.addUnit(ivDay, val, frac)
			case '-':
				// alternative format P0001-02-03T04:05:06
				return decodeISOAlternative(s)
			default:
				return Interval{}, dtBadFormat
			}
		} else {
			switch unitc {
			case 'H':
				a.addUnit(ivHour, val, frac)
			case 'M':
				a.addUnit(ivMinute, val, frac)
			case 'S':
				a.addUnit(ivSecond, val, frac)
			case ':':
				return decodeISOAlternative(s)
			default:
				return Interval{}, dtBadFormat
			}
		}
	}
	return a.result()
}

// decodeISOAlternative parses PYYYY-MM-DDThh:mm:ss.
func decodeISOAlternative(s string) (Interval, dtErr) {
	body := s[1:]
	datePart, timePart, hasT := strings.Cut(body, "T")
	var a intervalAcc
	if datePart != "" {
		f := strings.Split(datePart, "-")
		if len(f) > 3 {
			return Interval{}, dtBadFormat
		}
		units := []ivUnit{ivYear, ivMonth, ivDay}
		for i, p := range f {
			val, frac, ok, ovf := splitNumber(p)
			if ovf {
				return Interval{}, dtFieldOverflow
			}
			if !ok || p[0] == '+' || p[0] == '-' {
				return Interval{}, dtBadFormat
			}
			a.addUnit(units[i], val, frac)
		}
	}
	if hasT {
		us, e := parseIntervalTime(timePart, false)
		if e != dtOK {
			return Interval{}, e
		}
		a.add(&a.micros, us)
	}
	return a.result()
}

// AppendInterval appends the output of iv in IntervalStyle postgres, e.g.
// "1 year 2 mons 3 days 04:05:06", "-1 days +02:00:00", "00:00:00".
func AppendInterval(dst []byte, iv Interval) []byte {
	year := iv.Months / monthsPerYear
	mon := iv.Months % monthsPerYear
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			dst = append(dst, ' ')
		}
		if isBefore && v > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(int64(year), "year")
	part(int64(mon), "mon")
	part(int64(iv.Days), "day")
	t := iv.Micros
	hour := t / usecsPerHour
	t -= hour * usecsPerHour
	min := t / usecsPerMinute
	t -= min * usecsPerMinute
	sec := t / usecsPerSec
	fsec := t - sec*usecsPerSec
	if isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		minus := hour < 0 || min < 0 || sec < 0 || fsec < 0
		if !isZero {
			dst = append(dst, ' ')
		}
		if minus {
			dst = append(dst, '-')
		} else if isBefore {
			dst = append(dst, '+')
		}
		dst = appendPadded(dst, int(absI64(hour)), 2)
		dst = append(dst, ':')
		dst = appendPadded(dst, int(absI64(min)), 2)
		dst = append(dst, ':')
		dst = appendHMSsec(dst, absI64(sec), absI64(fsec))
	}
	return dst
}

func appendHMSsec(dst []byte, sec, fsec int64) []byte {
	dst = appendPadded(dst, int(sec), 2)
	if fsec > 0 {
		fr := []byte(strconv.FormatInt(fsec+1000000, 10)[1:])
		for len(fr) > 0 && fr[len(fr)-1] == '0' {
			fr = fr[:len(fr)-1]
		}
		dst = append(dst, '.')
		dst = append(dst, fr...)
	}
	return dst
}

func absI64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// RoundInterval applies an interval typmod (PostgreSQL's
// AdjustIntervalForTypmod): fields below the range's last field are
// dropped (interval year keeps whole years, interval day to minute whole
// minutes, ...), then interval(p) rounds the microseconds half away from
// zero.
func RoundInterval(iv Interval, typmod int32) Interval {
	if typmod < 0 {
		return iv
	}
	switch intervalRange(typmod) {
	case intervalYear:
		iv = Interval{Months: iv.Months / monthsPerYear * monthsPerYear}
	case intervalMonth, intervalYear | intervalMonth:
		iv.Days, iv.Micros = 0, 0
	case intervalDay:
		iv.Micros = 0
	case intervalHour, intervalDay | intervalHour:
		iv.Micros = iv.Micros / usecsPerHour * usecsPerHour
	case intervalMinute, intervalDay | intervalHour | intervalMinute, intervalHour | intervalMinute:
		iv.Micros = iv.Micros / usecsPerMinute * usecsPerMinute
	}
	if p := IntervalPrecision(typmod); p >= 0 && p < 6 {
		iv.Micros = RoundTimestamp(iv.Micros, int32(p))
	}
	return iv
}

// defaultIntervalUnit is the unit of a bare number under a range typmod.
func defaultIntervalUnit(typmod int32) ivUnit {
	switch intervalRange(typmod) {
	case intervalYear:
		return ivYear
	case intervalMonth, intervalYear | intervalMonth:
		return ivMonth
	case intervalDay:
		return ivDay
	case intervalHour, intervalDay | intervalHour:
		return ivHour
	case intervalMinute, intervalHour | intervalMinute, intervalDay | intervalHour | intervalMinute:
		return ivMinute
	}
	return ivSecond
}
