package types

import (
	"encoding/binary"
	"strings"
	"time"
)

// time and timetz, PostgreSQL's time without/with time zone.
//
// A time Datum (KindTime) holds microseconds since midnight in I, 0 to
// 24:00:00 inclusive. A timetz Datum (KindTimetz) holds the local time the
// same way and in Days its zone as PostgreSQL stores it: seconds *west* of
// Greenwich (UTC+02 is -7200). The binary formats are PostgreSQL's: int8
// microseconds, then (timetz) the int4 zone.

// The pg_type OIDs of time, timetz and their arrays.
const (
	OIDTime        OID = 1083
	OIDTimetz      OID = 1266
	OIDTimeArray   OID = 1183
	OIDTimetzArray OID = 1270
)

// Time and Timetz are the types without modifiers.
var (
	Time   = Type{OIDTime, -1}
	Timetz = Type{OIDTimetz, -1}
)

// NewTime returns a time Datum (microseconds since midnight).
func NewTime(us int64) Datum { return Datum{K: KindTime, I: us} }

// NewTimetz returns a timetz Datum: local microseconds since midnight and
// the zone in seconds west of UTC.
func NewTimetz(us int64, zone int32) Datum { return Datum{K: KindTimetz, I: us, Days: zone} }

// TimetzZone returns the zone of a timetz Datum (seconds west of UTC).
func (d Datum) TimetzZone() int32 { return d.Days }

const maxTimezoneSecs = 15*3600 + 59*60 // PostgreSQL's TZDISP_LIMIT

// ParseTime parses time (tz=false) or timetz input as time_in/timetz_in:
// hh:mm[:ss[.frac]] with an optional AM/PM, an optional date before it
// (ignored) and, for timetz, a zone (±hh[:mm[:ss]], Z, UTC or a zone name,
// resolved at the date given or today; no zone: the session's).
func ParseTime(s string, tz bool, env *Env) (int64, int32, error) {
	name := "time without time zone"
	if tz {
		name = "time with time zone"
	}
	bad := func() error {
		return Errorf(CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	in := strings.ToLower(strings.Trim(s, " \t\n\r\v\f"))
	if in == "allballs" {
		return 0, 0, nil
	}
	if in == "now" {
		now := env.now().In(env.loc())
		_, off := now.Zone()
		us := int64(now.Hour())*3600e6 + int64(now.Minute())*60e6 + int64(now.Second())*1e6 + int64(now.Nanosecond()/1000)
		return us, int32(-off), nil
	}
	// A leading date (anything parseDateTime reads as a date with a time).
	if f, e, _ := parseDateTime(in); e == dtOK && f.special == "" && f.hasDate {
		if !f.hasTime {
			return 0, 0, bad()
		}
		us := (int64(f.hour)*3600+int64(f.min)*60+int64(f.sec))*1e6 + f.usec
		zone, err := timeZoneOf(f.hasTZ, f.tzOffset, f.tzLoc, time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, 0, time.UTC), env)
		return us, zone, err
	} else if e == dtFieldOverflow {
		return 0, 0, Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	in = strings.TrimPrefix(in, "t")
	i, n := scanDigits(in, 0)
	if n == 0 || n > 2 || i >= len(in) || in[i] != ':' {
		return 0, 0, bad()
	}
	h := atoiSafe(in[:i])
	j, n := scanDigits(in, i+1)
	if n == 0 || n > 2 {
		return 0, 0, bad()
	}
	m := atoiSafe(in[i+1 : j])
	sec, usec := 0, int64(0)
	if j < len(in) && in[j] == ':' {
		k, n := scanDigits(in, j+1)
		if n == 0 || n > 2 {
			return 0, 0, bad()
		}
		sec = atoiSafe(in[j+1 : k])
		j = k
		if j < len(in) && in[j] == '.' {
			k, n := scanDigits(in, j+1)
			if n == 0 {
				return 0, 0, bad()
			}
			frac := in[j+1 : k]
			// round to microseconds, half up, as PostgreSQL's rint
			digits := frac + "0000000"
			usec = int64(atoiSafe(digits[:6]))
			if digits[6] >= '5' {
				usec++
			}
			j = k
		}
	}
	rest := strings.TrimSpace(in[j:])
	switch {
	case strings.HasPrefix(rest, "am"), strings.HasPrefix(rest, "a.m."):
		if h > 12 {
			return 0, 0, Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
		}
		if h == 12 {
			h = 0
		}
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "a.m."), "am"))
	case strings.HasPrefix(rest, "pm"), strings.HasPrefix(rest, "p.m."):
		if h > 12 {
			return 0, 0, Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
		}
		if h != 12 {
			h += 12
		}
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "p.m."), "pm"))
	}
	if h > 24 || m > 59 || sec > 60 || (h == 24 && (m > 0 || sec > 0 || usec > 0)) {
		return 0, 0, Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	us := (int64(h)*3600+int64(m)*60+int64(sec))*1e6 + usec
	if us > usecsPerDay {
		return 0, 0, Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	if rest == "" {
		zone, err := timeZoneOf(false, 0, nil, time.Time{}, env)
		return us, zone, err
	}
	off, loc, ok := parseZoneWord(rest)
	if !ok {
		return 0, 0, bad()
	}
	if off > maxTimezoneSecs || off < -maxTimezoneSecs {
		return 0, 0, Errorf("22009", "time zone displacement out of range: \"%s\"", s)
	}
	zone, err := timeZoneOf(true, off, loc, time.Time{}, env)
	return us, zone, err
}

// parseZoneWord reads a zone after a time: ±hh[:mm[:ss]] / ±hhmm, z, utc,
// gmt or an IANA name.
func parseZoneWord(z string) (int, *time.Location, bool) {
	switch z {
	case "z", "utc", "gmt", "zulu":
		return 0, nil, true
	}
	if z[0] == '+' || z[0] == '-' {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		parts := strings.Split(z[1:], ":")
		if len(parts) == 1 && len(parts[0]) == 4 {
			parts = []string{parts[0][:2], parts[0][2:]}
		}
		secs := 0
		for i, p := range parts {
			if p == "" || len(p) > 2 || i > 2 {
				return 0, nil, false
			}
			for _, c := range p {
				if c < '0' || c > '9' {
					return 0, nil, false
				}
			}
			secs += atoiSafe(p) * []int{3600, 60, 1}[i]
		}
		return sign * secs, nil, true
	}
	loc, err := LoadLocation(z)
	if err != nil {
		return 0, nil, false
	}
	return 0, loc, true
}

// timeZoneOf returns the zone (seconds west) of a timetz: the explicit
// offset, or the named / session zone's offset at date at (today if zero).
func timeZoneOf(hasTZ bool, east int, loc *time.Location, at time.Time, env *Env) (int32, error) {
	if hasTZ && loc == nil {
		return int32(-east), nil
	}
	if loc == nil {
		loc = env.loc()
	}
	if at.IsZero() {
		n := env.now().In(loc)
		at = time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, time.UTC)
	}
	t := time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), 0, loc)
	_, off := t.Zone()
	return int32(-off), nil
}

// AppendTime appends time output: hh:mm:ss[.ffffff].
func AppendTime(dst []byte, us int64) []byte {
	secs := us / 1e6
	return appendHMS(dst, int(secs/3600), int(secs/60%60), int(secs%60), us%1e6)
}

// AppendTimetz appends timetz output: the local time and the offset from
// UTC (+hh[:mm[:ss]]).
func AppendTimetz(dst []byte, us int64, zone int32) []byte {
	dst = AppendTime(dst, us)
	return appendZoneOffset(dst, int(-zone))
}

// RoundTime applies time(p) precision.
func RoundTime(us int64, typmod int32) int64 {
	if typmod < 0 || typmod >= 6 {
		return us
	}
	return RoundTimestamp(us, typmod)
}

// timeParseText is ParseText for time and timetz.
func timeParseText(t Type, s string, env *Env) (Datum, error) {
	us, zone, err := ParseTime(s, t.OID == OIDTimetz, env)
	if err != nil {
		return Null, err
	}
	us = RoundTime(us, t.Typmod)
	if t.OID == OIDTimetz {
		return NewTimetz(us, zone), nil
	}
	return NewTime(us), nil
}

// timeAppendBinary is the send function of time and timetz.
func timeAppendBinary(dst []byte, d Datum) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(d.I))
	if d.K == KindTimetz {
		dst = binary.BigEndian.AppendUint32(dst, uint32(d.Days))
	}
	return dst
}

// timeParseBinary is the receive function of time and timetz.
func timeParseBinary(t Type, b []byte) (Datum, error) {
	if t.OID == OIDTime {
		if len(b) != 8 {
			return Null, errBinaryLen()
		}
		us := int64(binary.BigEndian.Uint64(b))
		if us < 0 || us > usecsPerDay {
			return Null, Errorf(CodeDatetimeFieldOverflow, "time out of range")
		}
		return NewTime(RoundTime(us, t.Typmod)), nil
	}
	if len(b) != 12 {
		return Null, errBinaryLen()
	}
	us := int64(binary.BigEndian.Uint64(b))
	zone := int32(binary.BigEndian.Uint32(b[8:]))
	if us < 0 || us > usecsPerDay {
		return Null, Errorf(CodeDatetimeFieldOverflow, "time out of range")
	}
	if zone < -maxTimezoneSecs || zone > maxTimezoneSecs {
		return Null, Errorf("22009", "time zone displacement out of range")
	}
	return NewTimetz(RoundTime(us, t.Typmod), zone), nil
}

// compareTimetz is timetz_cmp: by the UTC instant, then by zone.
func compareTimetz(a, b Datum) int {
	ua, ub := a.I+int64(a.Days)*1e6, b.I+int64(b.Days)*1e6
	if c := cmpInt64(ua, ub); c != 0 {
		return c
	}
	return cmpInt64(int64(a.Days), int64(b.Days))
}

// appendTimetzKey is the order-preserving key of a timetz (UTC instant,
// then zone; two sign-flipped 8-byte words).
func appendTimetzKey(dst []byte, d Datum) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(d.I+int64(d.Days)*1e6)^(1<<63))
	return binary.BigEndian.AppendUint64(dst, uint64(int64(d.Days))^(1<<63))
}

// decodeTimetzKey reverses appendTimetzKey from its two words.
func decodeTimetzKey(u, z uint64) Datum {
	zone := int32(int64(z ^ (1 << 63)))
	return NewTimetz(int64(u^(1<<63))-int64(zone)*1e6, zone)
}

// wrapTime brings microseconds into [0, 24h) as time arithmetic does.
func wrapTime(us int64) int64 {
	us %= usecsPerDay
	if us < 0 {
		us += usecsPerDay
	}
	return us
}

// timeArith is the time/timetz operators: time ± interval (wraps around
// midnight; the interval's months and days are ignored), time − time →
// interval, date + time → timestamp, date + timetz → timestamptz.
func timeArith(op ArithOp, lt Type, a Datum, rt Type, b Datum) (Datum, bool, error) {
	isT := func(o OID) bool { return o == OIDTime || o == OIDTimetz }
	switch {
	case isT(lt.OID) && rt.OID == OIDInterval && (op == OpAdd || op == OpSub):
		d := b.I
		if op == OpSub {
			d = -d
		}
		a.I = wrapTime(a.I + d)
		return a, true, nil
	case lt.OID == OIDInterval && isT(rt.OID) && op == OpAdd:
		b.I = wrapTime(b.I + a.I)
		return b, true, nil
	case lt.OID == OIDTime && rt.OID == OIDTime && op == OpSub:
		return NewInterval(Interval{Micros: a.I - b.I}), true, nil
	case lt.OID == OIDDate && isT(rt.OID) && op == OpAdd:
		d, err := dateTimeSum(a, b)
		return d, true, err
	case isT(lt.OID) && rt.OID == OIDDate && op == OpAdd:
		d, err := dateTimeSum(b, a)
		return d, true, err
	}
	return Null, false, nil
}

// timeArithType is the result type of the time operators (ok false: none).
func timeArithType(op ArithOp, lo, ro OID) (Type, bool) {
	isT := func(o OID) bool { return o == OIDTime || o == OIDTimetz }
	switch {
	case isT(lo) && ro == OIDInterval && (op == OpAdd || op == OpSub):
		return Type{OID: lo, Typmod: -1}, true
	case lo == OIDInterval && isT(ro) && op == OpAdd:
		return Type{OID: ro, Typmod: -1}, true
	case lo == OIDTime && ro == OIDTime && op == OpSub:
		return Interval_, true
	case lo == OIDDate && ro == OIDTime && op == OpAdd, lo == OIDTime && ro == OIDDate && op == OpAdd:
		return Timestamp, true
	case lo == OIDDate && ro == OIDTimetz && op == OpAdd, lo == OIDTimetz && ro == OIDDate && op == OpAdd:
		return Timestamptz, true
	}
	return Type{}, false
}

func dateTimeSum(date, tm Datum) (Datum, error) {
	if date.I == DatePosInfinity || date.I == DateNegInfinity {
		if tm.K == KindTimetz {
			return NewTimestamptz(dateToTimestamp(date.I)), nil
		}
		return NewTimestamp(dateToTimestamp(date.I)), nil
	}
	us := date.I*usecsPerDay + tm.I
	if tm.K == KindTimetz {
		us += int64(tm.Days) * 1e6
		if !validTimestamp(us) {
			return Null, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
		}
		return NewTimestamptz(us), nil
	}
	if !validTimestamp(us) {
		return Null, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return NewTimestamp(us), nil
}

// timeCastContext is pg_cast for the casts involving time and timetz.
func timeCastContext(from, to OID) (CoercionContext, bool, bool) {
	switch {
	case from == OIDTime && to == OIDTimetz, from == OIDTime && to == OIDInterval:
		return CoerceImplicit, true, true
	case from == OIDTimetz && to == OIDTime,
		(from == OIDTimestamp || from == OIDTimestamptz) && to == OIDTime,
		from == OIDTimestamptz && to == OIDTimetz,
		from == OIDInterval && to == OIDTime:
		return CoerceAssignment, true, true
	case from == OIDTime || from == OIDTimetz || to == OIDTime || to == OIDTimetz:
		return 0, false, true // strings are handled by the caller; no other casts
	}
	return 0, false, false
}

// timeConvert converts to or from time/timetz (not text).
func timeConvert(d Datum, from, to Type, env *Env) (Datum, bool, error) {
	switch {
	case from.OID == OIDTime && to.OID == OIDTimetz:
		zone, err := timeZoneOf(false, 0, nil, time.Time{}, env)
		return NewTimetz(d.I, zone), true, err
	case from.OID == OIDTime && to.OID == OIDInterval:
		return NewInterval(Interval{Micros: d.I}), true, nil
	case from.OID == OIDTimetz && to.OID == OIDTime:
		return NewTime(d.I), true, nil
	case from.OID == OIDTimestamp && to.OID == OIDTime:
		if d.I == TimestampPosInfinity || d.I == TimestampNegInfinity {
			return Null, true, nil
		}
		return NewTime(d.I - floorDiv(d.I, usecsPerDay)*usecsPerDay), true, nil
	case from.OID == OIDTimestamptz && (to.OID == OIDTime || to.OID == OIDTimetz):
		if d.I == TimestampPosInfinity || d.I == TimestampNegInfinity {
			return Null, true, nil
		}
		t := PGMicrosToTime(d.I).In(env.loc())
		_, off := t.Zone()
		us := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
		if to.OID == OIDTime {
			return NewTime(us), true, nil
		}
		return NewTimetz(us, int32(-off)), true, nil
	case from.OID == OIDInterval && to.OID == OIDTime:
		return NewTime(wrapTime(d.I)), true, nil
	}
	return Null, false, nil
}

// TimetzAtZone is timetz AT TIME ZONE: the same instant in zone loc (its
// offset now) or at a fixed offset (seconds east).
func TimetzAtZone(d Datum, zoneWest int32) Datum {
	utc := d.I + int64(d.Days)*1e6
	return NewTimetz(wrapTime(utc-int64(zoneWest)*1e6), zoneWest)
}
