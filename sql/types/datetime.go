package types

import (
	"strconv"
	"strings"
	"time"
)

const (
	pgEpochJDate  = 2451545 // date2j(2000,1,1)
	usecsPerDay   = int64(86400000000)
	dateEndJulian = 2147483494
	// minTimestamp is 4714-11-24 00:00:00 BC; endTimestamp is 294277-01-01 00:00:00.
	minTimestamp = int64(-211813488000000000)
	endTimestamp = int64(9223371331200000000)
)

// date2j is PostgreSQL's Julian day from a (astronomical) year, month, day.
func date2j(year, month, day int) int {
	if month > 2 {
		month++
		year += 4800
	} else {
		month += 13
		year += 4799
	}
	century := year / 100
	julian := year*365 - 32167
	julian += year/4 - century + century/4
	julian += 7834*month/256 + day
	return julian
}

// j2date is PostgreSQL's inverse of date2j.
func j2date(jd int) (year, month, day int) {
	julian := uint32(jd)
	julian += 32044
	quad := julian / 146097
	extra := (julian-quad*146097)*4 + 3
	julian += 60 + quad*3 + extra/146097
	quad = julian / 1461
	julian -= quad * 1461
	y := int(julian * 4 / 1461)
	if y != 0 {
		julian = (julian+305)%365 + 123
	} else {
		julian = (julian+306)%366 + 123
	}
	y += int(quad * 4)
	year = y - 4800
	q := julian * 2141 / 65536
	day = int(julian - 7834*q/256)
	month = int((q+10)%12 + 1)
	return
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dtFields is a parsed date/time literal.
type dtFields struct {
	special          string // "infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday"
	year, month, day int    // astronomical year (1 BC = 0)
	hasDate, hasTime bool
	hour, min, sec   int
	usec             int64
	hasTZ            bool
	tzOffset         int // seconds east of UTC
	tzLoc            *time.Location
}

type dtErr int

const (
	dtOK dtErr = iota
	dtBadFormat
	dtFieldOverflow
	dtBadZone
)

func scanDigits(s string, i int) (int, int) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j, j - i
}

func atoiSafe(s string) int {
	if len(s) > 9 {
		return 1 << 30
	}
	v, _ := strconv.Atoi(s)
	return v
}

// parseDateTimeNumeric parses the ISO-style inputs PostgreSQL accepts (a subset
// of its grammar: Y-M-D or M/D/Y dates, ISO 8601 'T', hh:mm[:ss[.frac]],
// zones Z/UTC/±hh[:mm[:ss]]/IANA names, BC/AD, and the special words).
// parseDateTime (datewords.go) adds month and weekday names on top.
func parseDateTimeNumeric(in string) (dtFields, dtErr, string) {
	var f dtFields
	s := strings.ToLower(strings.Trim(in, " \t\n\r\v\f"))
	switch s {
	case "infinity", "+infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday", "allballs":
		f.special = strings.TrimPrefix(s, "+")
		return f, dtOK, ""
	}
	i := 0
	// date
	j, n := scanDigits(s, i)
	if n == 0 {
		return f, dtBadFormat, ""
	}
	switch {
	case j < len(s) && (s[j] == '-' || s[j] == '/'):
		// Three numeric fields: Y-M-D when the first has three or more
		// digits, else the DateStyle order (M-D-Y), whatever the
		// separator, as PostgreSQL's DecodeNumber decides.
		sep := s[j]
		k, n2 := scanDigits(s, j+1)
		if n2 == 0 || k >= len(s) || s[k] != sep {
			return f, dtBadFormat, ""
		}
		l, n3 := scanDigits(s, k+1)
		if n3 == 0 {
			return f, dtBadFormat, ""
		}
		a, b, c := atoiSafe(s[i:j]), atoiSafe(s[j+1:k]), atoiSafe(s[k+1:l])
		if n >= 3 {
			f.year, f.month, f.day = a, b, c
		} else {
			f.month, f.day, f.year = a, b, c
			if n3 <= 2 {
				f.year = adjustYear(f.year)
			}
		}
		i = l
	case n == 8:
		f.year = atoiSafe(s[0:4])
		f.month = atoiSafe(s[4:6])
		f.day = atoiSafe(s[6:8])
		i = j
	default:
		return f, dtBadFormat, ""
	}
	f.hasDate = true
	// time
	k := i
	if k < len(s) && (s[k] == 't' || s[k] == ' ') {
		k++
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if e, n := scanDigits(s, k); n > 0 && e < len(s) && s[e] == ':' {
			f.hasTime = true
			f.hour = atoiSafe(s[k:e])
			e2, n2 := scanDigits(s, e+1)
			if n2 == 0 {
				return f, dtBadFormat, ""
			}
			f.min = atoiSafe(s[e+1 : e2])
			i = e2
			if i < len(s) && s[i] == ':' {
				e3, n3 := scanDigits(s, i+1)
				if n3 == 0 {
					return f, dtBadFormat, ""
				}
				f.sec = atoiSafe(s[i+1 : e3])
				i = e3
				if i < len(s) && s[i] == '.' {
					e4, n4 := scanDigits(s, i+1)
					fr := s[i+1 : e4]
					if n4 > 6 {
						us := int64(atoiSafe(fr[:6]))
						if fr[6] >= '5' {
							us++
						}
						f.usec = us
					} else {
						fr += strings.Repeat("0", 6-n4)
						f.usec = int64(atoiSafe(fr))
					}
					i = e4
				}
			}
		} else if s[i] == 't' {
			return f, dtBadFormat, ""
		}
	}
	// zone and era
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '+' || c == '-':
			if f.hasTZ {
				return f, dtBadFormat, ""
			}
			sign := 1
			if c == '-' {
				sign = -1
			}
			e, n := scanDigits(s, i+1)
			if n == 0 {
				return f, dtBadFormat, ""
			}
			var h, m, sec int
			if n == 4 {
				h, m = atoiSafe(s[i+1:i+3]), atoiSafe(s[i+3:i+5])
			} else if n <= 2 {
				h = atoiSafe(s[i+1 : e])
				if e < len(s) && s[e] == ':' {
					e2, n2 := scanDigits(s, e+1)
					if n2 == 0 {
						return f, dtBadFormat, ""
					}
					m = atoiSafe(s[e+1 : e2])
					e = e2
					if e < len(s) && s[e] == ':' {
						e3, n3 := scanDigits(s, e+1)
						if n3 == 0 {
							return f, dtBadFormat, ""
						}
						sec = atoiSafe(s[e+1 : e3])
						e = e3
					}
				}
			} else {
				return f, dtBadFormat, ""
			}
			if h > 15 || m > 59 || sec > 59 {
				return f, dtFieldOverflow, ""
			}
			f.hasTZ = true
			f.tzOffset = sign * (h*3600 + m*60 + sec)
			i = e
		case c >= 'a' && c <= 'z':
			e := i
			for e < len(s) && s[e] != ' ' {
				e++
			}
			word := s[i:e]
			switch word {
			case "bc":
				f.year = -(f.year - 1)
			case "ad":
			case "z", "utc", "gmt", "zulu":
				if f.hasTZ {
					return f, dtBadFormat, ""
				}
				f.hasTZ = true
			default:
				if f.hasTZ {
					return f, dtBadFormat, ""
				}
				loc, err := loadZone(in[len(in)-len(strings.TrimLeft(in, " \t\n\r\v\f")):], word)
				if err != nil {
					return f, dtBadZone, word
				}
				f.hasTZ = true
				f.tzLoc = loc
			}
			i = e
		default:
			return f, dtBadFormat, ""
		}
	}
	if f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month) ||
		f.hour > 24 || f.min > 59 || f.sec > 60 ||
		(f.hour == 24 && (f.min > 0 || f.sec > 0 || f.usec > 0)) {
		return f, dtFieldOverflow, ""
	}
	if f.year == 0 && !f.hasDate {
		return f, dtBadFormat, ""
	}
	return f, dtOK, ""
}

// loadZone resolves a lower-cased zone word using the original-case text.
func loadZone(orig, lower string) (*time.Location, error) {
	idx := strings.Index(strings.ToLower(orig), lower)
	name := lower
	if idx >= 0 && idx+len(lower) <= len(orig) { // ToLower may change the length of invalid UTF-8
		name = orig[idx : idx+len(lower)]
	}
	return LoadLocation(name)
}

// LoadLocation resolves a TimeZone setting value (IANA name, UTC, or a
// POSIX-style fixed offset such as "+02" is not accepted here).
func LoadLocation(name string) (*time.Location, error) {
	switch strings.ToLower(name) {
	case "utc", "gmt", "z", "zulu", "etc/utc":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// try common capitalisation of IANA names (e.g. "europe/paris")
		parts := strings.Split(name, "/")
		for i, p := range parts {
			if p != "" {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
		if loc2, err2 := time.LoadLocation(strings.Join(parts, "/")); err2 == nil {
			return loc2, nil
		}
		return nil, Errorf(CodeInvalidParameterValue, "time zone \"%s\" not recognized", name)
	}
	return loc, nil
}

func adjustYear(y int) int {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

func dtError(e dtErr, zone, typeName, in string) error {
	switch e {
	case dtFieldOverflow:
		return Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", in)
	case dtBadZone:
		return Errorf(CodeInvalidParameterValue, "time zone \"%s\" not recognized", zone)
	}
	return Errorf(CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typeName, in)
}

func validDate(days int64) bool {
	j := days + pgEpochJDate
	return j >= 0 && j < dateEndJulian
}

func validTimestamp(us int64) bool { return us >= minTimestamp && us < endTimestamp }

// civilMicros returns local-civil microseconds since 2000-01-01.
func civilMicros(f *dtFields) int64 {
	days := int64(date2j(f.year, f.month, f.day) - pgEpochJDate)
	return days*usecsPerDay + (int64(f.hour)*3600+int64(f.min)*60+int64(f.sec))*1e6 + f.usec
}

func specialMicros(f *dtFields, env *Env, tz bool) (int64, bool) {
	loc := env.loc()
	now := env.now()
	midnight := func(addDays int) int64 {
		y, m, d := now.In(loc).Date()
		if !tz {
			return (int64(date2j(y, int(m), d)-pgEpochJDate) + int64(addDays)) * usecsPerDay
		}
		return TimeToPGMicros(time.Date(y, m, d+addDays, 0, 0, 0, 0, loc))
	}
	switch f.special {
	case "infinity":
		return TimestampPosInfinity, true
	case "-infinity":
		return TimestampNegInfinity, true
	case "epoch":
		return -pgEpochUnix * 1e6, true
	case "now":
		if !tz {
			t := now.In(loc)
			_, off := t.Zone()
			return TimeToPGMicros(t) + int64(off)*1e6, true
		}
		return TimeToPGMicros(now), true
	case "today":
		return midnight(0), true
	case "tomorrow":
		return midnight(1), true
	case "yesterday":
		return midnight(-1), true
	}
	return 0, false
}

// ParseTimestamp parses timestamp (tz=false) or timestamptz input.
func ParseTimestamp(s string, tz bool, env *Env) (int64, error) {
	name := "timestamp"
	if tz {
		name = "timestamp with time zone"
	}
	f, e, zone := parseDateTime(s)
	if e != dtOK {
		return 0, dtError(e, zone, name, s)
	}
	if f.special != "" {
		if v, ok := specialMicros(&f, env, tz); ok {
			return v, nil
		}
		return 0, dtError(dtBadFormat, "", name, s)
	}
	if f.year > 294277 || f.year < -4713 {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	var us int64
	if !tz {
		us = civilMicros(&f)
	} else {
		switch {
		case f.tzLoc != nil || !f.hasTZ:
			loc := f.tzLoc
			if loc == nil {
				loc = env.loc()
			}
			us = localToUTC(f.year, f.month, f.day, f.hour, f.min, f.sec, loc) + f.usec
		default:
			us = civilMicros(&f) - int64(f.tzOffset)*1e6
		}
	}
	if !validTimestamp(us) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return us, nil
}

// ParseDate parses date input (days since 2000-01-01).
func ParseDate(s string, env *Env) (int32, error) {
	f, e, zone := parseDateTime(s)
	if e != dtOK {
		return 0, dtError(e, zone, "date", s)
	}
	switch f.special {
	case "":
	case "infinity":
		return DatePosInfinity, nil
	case "-infinity":
		return DateNegInfinity, nil
	case "epoch":
		return int32(date2j(1970, 1, 1) - pgEpochJDate), nil
	default:
		us, ok := specialMicros(&f, env, false)
		if !ok {
			return 0, dtError(dtBadFormat, "", "date", s)
		}
		return int32(floorDiv(us, usecsPerDay)), nil
	}
	days := int64(date2j(f.year, f.month, f.day) - pgEpochJDate)
	if f.year > 5874897 || f.year < -4713 || !validDate(days) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return int32(days), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func appendYMD(dst []byte, y, m, d int) ([]byte, bool) {
	bc := false
	if y <= 0 {
		y = -y + 1
		bc = true
	}
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, d, 2)
	return dst, bc
}

func appendPadded(dst []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func appendHMS(dst []byte, h, m, s int, us int64) []byte {
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, s, 2)
	if us > 0 {
		fr := []byte(strconv.FormatInt(us+1000000, 10)[1:])
		for len(fr) > 0 && fr[len(fr)-1] == '0' {
			fr = fr[:len(fr)-1]
		}
		dst = append(dst, '.')
		dst = append(dst, fr...)
	}
	return dst
}

// AppendDate appends date output (ISO DateStyle).
func AppendDate(dst []byte, days int32) []byte {
	switch days {
	case DatePosInfinity:
		return append(dst, "infinity"...)
	case DateNegInfinity:
		return append(dst, "-infinity"...)
	}
	y, m, d := j2date(int(days) + pgEpochJDate)
	dst, bc := appendYMD(dst, y, m, d)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestamp appends timestamp output (ISO DateStyle).
func AppendTimestamp(dst []byte, us int64) []byte {
	switch us {
	case TimestampPosInfinity:
		return append(dst, "infinity"...)
	case TimestampNegInfinity:
		return append(dst, "-infinity"...)
	}
	days := floorDiv(us, usecsPerDay)
	tod := us - days*usecsPerDay
	y, m, d := j2date(int(days) + pgEpochJDate)
	dst, bc := appendYMD(dst, y, m, d)
	dst = append(dst, ' ')
	secs := tod / 1e6
	dst = appendHMS(dst, int(secs/3600), int(secs/60%60), int(secs%60), tod%1e6)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestamptz appends timestamptz output in loc (ISO DateStyle), e.g.
// "2024-01-02 03:04:05.123456+00" or "...+05:30".
func AppendTimestamptz(dst []byte, us int64, loc *time.Location) []byte {
	switch us {
	case TimestampPosInfinity:
		return append(dst, "infinity"...)
	case TimestampNegInfinity:
		return append(dst, "-infinity"...)
	}
	if loc == nil {
		loc = time.UTC
	}
	t := PGMicrosToTime(us).In(loc)
	_, off := t.Zone()
	y, mo, d := t.Date()
	dst, bc := appendYMD(dst, y, int(mo), d)
	dst = append(dst, ' ')
	dst = appendHMS(dst, t.Hour(), t.Minute(), t.Second(), int64(t.Nanosecond()/1000))
	dst = appendZoneOffset(dst, off)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// RoundTimestamp applies timestamp(p) precision (half away from zero).
func RoundTimestamp(us int64, typmod int32) int64 {
	if typmod < 0 || typmod >= 6 || us == TimestampPosInfinity || us == TimestampNegInfinity {
		return us
	}
	scale := int64(1)
	for i := typmod; i < 6; i++ {
		scale *= 10
	}
	off := scale / 2
	if us >= 0 {
		return (us + off) / scale * scale
	}
	return -(((-us) + off) / scale * scale)
}

// localToUTC converts a local civil time in loc to microseconds since
// 2000-01-01 UTC with PostgreSQL's rule for transitions: a time skipped by
// a spring-forward transition takes the offset from before it, an
// ambiguous time in a fall-back transition the offset from after it.
func localToUTC(y, mo, d, h, mi, s int, loc *time.Location) int64 {
	local := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC).Unix()
	offAt := func(u int64) int64 {
		_, off := time.Unix(u, 0).In(loc).Zone()
		return int64(off)
	}
	before, after := offAt(local-86400), offAt(local+86400)
	var u int64
	if before == after {
		u = local - before
		if offAt(u) != before { // a transition and its reversal within two days
			u = local - offAt(u)
		}
	} else {
		u1, u2 := local-before, local-after
		ok1, ok2 := offAt(u1) == before, offAt(u2) == after
		switch {
		case ok2:
			u = u2 // unique "after", or ambiguous: prefer after
		case ok1:
			u = u1
		default:
			u = u1 // skipped time: prefer before
		}
	}
	return (u - pgEpochUnix) * 1e6
}

// TimestampToTimestamptz interprets a local timestamp in loc.
func TimestampToTimestamptz(us int64, loc *time.Location) (int64, error) {
	if us == TimestampPosInfinity || us == TimestampNegInfinity {
		return us, nil
	}
	days := floorDiv(us, usecsPerDay)
	tod := us - days*usecsPerDay
	y, m, d := j2date(int(days) + pgEpochJDate)
	secs := tod / 1e6
	r := localToUTC(y, m, d, int(secs/3600), int(secs/60%60), int(secs%60), loc) + tod%1e6
	if !validTimestamp(r) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

// TimestamptzToTimestamp gives the local time of us in loc.
func TimestamptzToTimestamp(us int64, loc *time.Location) (int64, error) {
	if us == TimestampPosInfinity || us == TimestampNegInfinity {
		return us, nil
	}
	_, off := PGMicrosToTime(us).In(loc).Zone()
	r := us + int64(off)*1e6
	if !validTimestamp(r) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

// appendZoneOffset appends a UTC offset in seconds east as PostgreSQL prints
// it: +hh, +hh:mm or +hh:mm:ss.
func appendZoneOffset(dst []byte, off int) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = appendPadded(dst, off/3600, 2)
	if off%3600 != 0 {
		dst = append(dst, ':')
		dst = appendPadded(dst, off/60%60, 2)
		if off%60 != 0 {
			dst = append(dst, ':')
			dst = appendPadded(dst, off%60, 2)
		}
	}
	return dst
}
