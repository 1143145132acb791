package funcs

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

func bigInt(v int64) *big.Int { return big.NewInt(v) }

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}
var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// dchKeywords are to_char's date/time template patterns, longest first
// where one is a prefix of another. Matching ignores case; the case of
// the matched text decides the case of month, day and meridiem names.
var dchKeywords = []string{
	"A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "D",
	"FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH",
	"IDDD", "ID", "IW", "IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS",
	"OF", "P.M.", "PM", "Q", "RM", "SSSSS", "SSSS", "SS", "TZH", "TZM", "TZ", "US",
	"WW", "W", "Y,YYY", "YYYY", "YYY", "YY", "Y",
}

func matchKeyword(f string) string {
	for _, k := range dchKeywords {
		if len(f) >= len(k) && strings.EqualFold(f[:len(k)], k) {
			return k
		}
	}
	return ""
}

// caseLike renders name in the case style of the pattern text p: all
// upper, capitalised, or all lower.
func caseLike(p, name string) string {
	switch {
	case len(p) > 1 && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z':
		return strings.ToUpper(name)
	case p[0] >= 'A' && p[0] <= 'Z':
		return strings.ToUpper(name[:1]) + strings.ToLower(name[1:])
	}
	return strings.ToLower(name)
}

func ordinal(n int64, upper bool) string {
	s := "th"
	if m := n % 100; m < 11 || m > 13 {
		switch n % 10 {
		case 1:
			s = "st"
		case 2:
			s = "nd"
		case 3:
			s = "rd"
		}
	}
	if upper {
		return strings.ToUpper(s)
	}
	return s
}

var romanMonths = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// toCharTime formats local microseconds us with a to_char template; tz
// carries the zone (abbreviation and offset) for timestamptz values.
func toCharTime(us int64, f string, hasTZ bool, tz civil) (types.Datum, error) {
	if isInfTS(us) {
		return types.Null, nil
	}
	return toCharFields(splitMicros(us), nil, f, hasTZ, tz)
}

// intervalDateFields are the patterns that need a calendar date, refused
// for intervals.
var intervalDateFields = map[string]bool{"AD": true, "BC": true, "A.D.": true, "B.C.": true, "DAY": true, "DY": true,
	"D": true, "ID": true, "IDDD": true, "IW": true, "IYYY": true, "IYY": true, "IY": true, "I": true, "WW": true,
	"W": true, "J": true, "CC": true, "Q": true, "TZ": true, "TZH": true, "TZM": true, "OF": true, "RM": true,
	"MONTH": true, "MON": true}

// toCharInterval is to_char(interval, text): the fields of interval2tm
// (hours may exceed 23, values may be negative).
func toCharInterval(iv types.Interval, f string) (types.Datum, error) {
	fl := splitInterval(iv)
	return toCharFields(civil{}, &fl, f, false, civil{})
}

// toCharFields formats a broken-down time (or, when ivl is set, an
// interval's fields) with a to_char template.
func toCharFields(cv civil, ivl *ivFields, f string, hasTZ bool, tz civil) (types.Datum, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		fm := false
		if len(f)-i >= 2 && strings.EqualFold(f[i:i+2], "FM") {
			fm = true
			i += 2
		}
		k := matchKeyword(f[i:])
		if k == "" {
			if fm {
				continue // a lone FM applies to nothing
			}
			switch c := f[i]; c {
			case '"':
				i++
				for i < len(f) && f[i] != '"' {
					if f[i] == '\\' && i+1 < len(f) {
						i++
					}
					b.WriteByte(f[i])
					i++
				}
				i++
			case '\\':
				if i+1 < len(f) {
					b.WriteByte(f[i+1])
					i += 2
				} else {
					b.WriteByte(c)
					i++
				}
			default:
				b.WriteByte(c)
				i++
			}
			continue
		}
		pat := f[i : i+len(k)]
		i += len(k)
		th, thUpper := false, false
		if len(f)-i >= 2 && (f[i:i+2] == "TH" || f[i:i+2] == "th") {
			th, thUpper = true, f[i] == 'T'
			i += 2
		}
		num := func(v int64, width int) {
			s := strconv.FormatInt(absInt(v), 10)
			if !fm && len(s) < width {
				s = strings.Repeat("0", width-len(s)) + s
			}
			if v < 0 {
				s = "-" + s
			}
			b.WriteString(s)
			if th {
				b.WriteString(ordinal(absInt(v), thUpper))
			}
		}
		name := func(n string, abbrev bool) {
			if abbrev {
				b.WriteString(caseLike(pat, n[:3]))
				return
			}
			s := caseLike(pat, n)
			if !fm && len(s) < 9 {
				s += strings.Repeat(" ", 9-len(s))
			}
			b.WriteString(s)
		}
		if ivl != nil {
			up := strings.ToUpper(k)
			if intervalDateFields[up] {
				return types.Null, &types.Error{Code: codeInvalidDatetimeFormat,
					Message: "invalid format specification for an interval value",
					Hint:    "Intervals are not tied to specific calendar dates."}
			}
			if done := intervalField(&b, up, pat, ivl, fm, th, thUpper, num); done {
				continue
			}
		}
		year := cv.year
		if year <= 0 {
			year = -year + 1 // BC years print as positive
		}
		hour12 := cv.hour % 12
		if hour12 == 0 {
			hour12 = 12
		}
		jd := date2j(cv.year, cv.mon, cv.day)
		switch strings.ToUpper(k) {
		case "HH24":
			num(int64(cv.hour), 2)
		case "HH", "HH12":
			num(int64(hour12), 2)
		case "MI":
			num(int64(cv.min), 2)
		case "SS":
			num(int64(cv.sec), 2)
		case "SSSS", "SSSSS":
			num(int64(cv.hour*3600+cv.min*60+cv.sec), 0)
		case "MS":
			num(cv.usec/1000, 3)
		case "US":
			num(cv.usec, 6)
		case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			n := int(k[2] - '0')
			num(cv.usec/int64(math.Pow10(6-n)), n)
		case "AM", "PM":
			m := "AM"
			if cv.hour >= 12 {
				m = "PM"
			}
			b.WriteString(caseLike(pat, m))
		case "A.M.", "P.M.":
			m := "A.M."
			if cv.hour >= 12 {
				m = "P.M."
			}
			if pat[0] >= 'a' {
				m = strings.ToLower(m)
			}
			b.WriteString(m)
		case "AD", "BC":
			m := "AD"
			if cv.year <= 0 {
				m = "BC"
			}
			b.WriteString(caseLike(pat, m))
		case "A.D.", "B.C.":
			m := "A.D."
			if cv.year <= 0 {
				m = "B.C."
			}
			if pat[0] >= 'a' {
				m = strings.ToLower(m)
			}
			b.WriteString(m)
		case "Y,YYY":
			s := strconv.Itoa(year/1000) + "," + padInt(year%1000, 3)
			b.WriteString(s)
		case "YYYY":
			num(int64(year), 4)
		case "YYY":
			num(int64(year%1000), 3)
		case "YY":
			num(int64(year%100), 2)
		case "Y":
			num(int64(year%10), 1)
		case "IYYY", "IYY", "IY", "I":
			iy, _ := isoWeek(cv.year, cv.mon, cv.day)
			if iy <= 0 {
				iy = -iy + 1
			}
			w := len(k)
			num(int64(iy%int(math.Pow10(w))), w)
		case "MONTH":
			name(monthNames[cv.mon-1], false)
		case "MON":
			name(monthNames[cv.mon-1], true)
		case "MM":
			num(int64(cv.mon), 2)
		case "DAY":
			name(dayNames[(jd+1)%7], false)
		case "DY":
			name(dayNames[(jd+1)%7], true)
		case "DDD":
			num(int64(jd-date2j(cv.year, 1, 1)+1), 3)
		case "IDDD":
			iy, _ := isoWeek(cv.year, cv.mon, cv.day)
			num(int64(jd-isoYearStart(iy)+1), 3)
		case "DD":
			num(int64(cv.day), 2)
		case "D":
			num(int64((jd+1)%7+1), 1)
		case "ID":
			d := (jd + 1) % 7
			if d == 0 {
				d = 7
			}
			num(int64(d), 1)
		case "WW":
			num(int64((jd-date2j(cv.year, 1, 1))/7+1), 2)
		case "W":
			num(int64((cv.day-1)/7+1), 1)
		case "IW":
			_, w := isoWeek(cv.year, cv.mon, cv.day)
			num(int64(w), 2)
		case "CC":
			c := (year + 99) / 100
			if cv.year <= 0 {
				c = -c
			}
			num(int64(c), 2)
		case "J":
			num(int64(jd), 0)
		case "Q":
			num(int64((cv.mon-1)/3+1), 0)
		case "RM":
			s := romanMonths[cv.mon-1]
			if pat[0] == 'r' {
				s = strings.ToLower(s)
			}
			if !fm && len(s) < 4 {
				s += strings.Repeat(" ", 4-len(s))
			}
			b.WriteString(s)
		case "TZ":
			if hasTZ {
				n := tz.tzName
				if pat[0] == 't' {
					n = strings.ToLower(n)
				}
				b.WriteString(n)
			}
		case "TZH":
			{
				sign := "+"
				if tz.gmtoff < 0 {
					sign = "-"
				}
				b.WriteString(sign + padInt(absI(tz.gmtoff)/3600, 2))
			}
		case "TZM":
			{
				b.WriteString(padInt((absI(tz.gmtoff)/60)%60, 2))
			}
		case "OF":
			{
				sign := "+"
				if tz.gmtoff < 0 {
					sign = "-"
				}
				s := sign + padInt(absI(tz.gmtoff)/3600, 2)
				if m := (absI(tz.gmtoff) / 60) % 60; m != 0 {
					s += ":" + padInt(m, 2)
				}
				b.WriteString(s)
			}
		case "FX":
		}
	}
	return types.NewString(b.String()), nil
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func absI(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func padInt(v, w int) string {
	s := strconv.Itoa(v)
	if len(s) < w {
		s = strings.Repeat("0", w-len(s)) + s
	}
	return s
}

// toCharNumber is to_char for numbers: 9, 0, '.', D, ',', G, S, MI, PL,
// SG, PR, FM and TH; other characters are copied.
func toCharNumber(v types.Datum, f string) (types.Datum, error) {
	type tok struct {
		kind byte // '9', '0', '.', ',', 'S' (S), 'M' (MI), 'P' (PL), 'G' (SG), 'R' (PR), 'T' (TH), 't' (th), 'L' (literal)
		lit  string
	}
	var toks []tok
	fm := false
	pre, post := 0, 0
	seenPoint := false
	zeroAt := -1 // integer position (from the left) of the first '0'
	explicitSign, hasPR := false, false
	for i := 0; i < len(f); {
		up := strings.ToUpper(f[i:])
		switch {
		case strings.HasPrefix(up, "FM"):
			fm = true
			i += 2
		case f[i] == '9' || f[i] == '0':
			if seenPoint {
				post++
			} else {
				if f[i] == '0' && zeroAt < 0 {
					zeroAt = pre
				}
				pre++
			}
			toks = append(toks, tok{kind: f[i]})
			i++
		case f[i] == '.' || up[0] == 'D':
			if seenPoint {
				return types.Null, errf("42601", "multiple decimal points")
			}
			seenPoint = true
			toks = append(toks, tok{kind: '.'})
			i++
		case f[i] == ',' || up[0] == 'G':
			toks = append(toks, tok{kind: ','})
			i++
		case strings.HasPrefix(up, "MI"):
			toks, explicitSign = append(toks, tok{kind: 'M'}), true
			i += 2
		case strings.HasPrefix(up, "PL"):
			toks = append(toks, tok{kind: 'P'})
			i += 2
		case strings.HasPrefix(up, "SG"):
			toks, explicitSign = append(toks, tok{kind: 'G'}), true
			i += 2
		case strings.HasPrefix(up, "RN"), strings.HasPrefix(up, "EEEE"), up[0] == 'V':
			// Roman numerals, scientific notation and shifted digits: not
			// implemented, and never printed as literal text.
			return types.Null, errf(codeFeatureNotSupported, "to_char number patterns RN, EEEE and V are not supported")
		case strings.HasPrefix(up, "PR"):
			toks, hasPR = append(toks, tok{kind: 'R'}), true
			i += 2
		case strings.HasPrefix(f[i:], "TH"), strings.HasPrefix(f[i:], "th"):
			toks = append(toks, tok{kind: map[bool]byte{true: 'T', false: 't'}[f[i] == 'T']})
			i += 2
		case up[0] == 'S':
			toks, explicitSign = append(toks, tok{kind: 'S'}), true
			i++
		case f[i] == '"':
			j := i + 1
			for j < len(f) && f[j] != '"' {
				j++
			}
			toks = append(toks, tok{kind: 'L', lit: f[i+1 : min(j, len(f))]})
			i = j + 1
		default:
			toks = append(toks, tok{kind: 'L', lit: f[i : i+1]})
			i++
		}
	}
	// The value's digits, rounded to post fraction digits.
	var neg bool
	var digits string // integer and fraction digits without the point
	var nan bool
	switch v.K {
	case types.KindInt:
		neg = v.I < 0
		digits = strconv.FormatUint(uint64(absInt(v.I)), 10)
		if v.I == math.MinInt64 {
			digits = "9223372036854775808"
		}
		digits += strings.Repeat("0", post)
	case types.KindFloat:
		x := v.F
		if math.IsNaN(x) || math.IsInf(x, 0) {
			nan = true
			break
		}
		neg = math.Signbit(x) && x != 0
		ip := strconv.FormatFloat(math.Abs(x), 'f', 0, 64)
		p := post
		if len(ip) >= 15 {
			p = 0
		} else if len(ip)+p > 15 {
			p = 15 - len(ip)
		}
		s := strconv.FormatFloat(math.Abs(x), 'f', p, 64)
		digits = strings.Replace(s, ".", "", 1) + strings.Repeat("0", post-p)
	case types.KindNumeric:
		if v.N.IsNaN() || v.N.IsInf() {
			nan = true
			break
		}
		n := v.N.Round(int32(post))
		neg = n.Sign() < 0
		s := strings.TrimPrefix(n.String(), "-")
		ip, fp, _ := strings.Cut(s, ".")
		digits = ip + fp + strings.Repeat("0", post-len(fp))
	}
	intDigits := digits[:max(0, len(digits)-post)]
	fracDigits := digits[len(digits)-post:]
	intDigits = strings.TrimLeft(intDigits, "0")
	overflow := nan || len(intDigits) > pre
	var b strings.Builder
	signDone := explicitSign
	started := false
	plus := false // a leading S: the sign goes before the first digit, + or -
	emitSign := func() {
		if signDone {
			return
		}
		signDone = true
		switch {
		case neg && hasPR:
			b.WriteByte('<')
		case neg:
			b.WriteByte('-')
		case plus:
			b.WriteByte('+')
		case !fm:
			b.WriteByte(' ')
		}
	}
	ipos, fpos := 0, 0
	lastNonZeroFrac := len(strings.TrimRight(fracDigits, "0"))
	for ti, t := range toks {
		switch t.kind {
		case '9', '0':
			if overflow {
				emitSign()
				b.WriteByte('#')
				continue
			}
			if ipos < pre { // integer part
				k := ipos
				ipos++
				off := k - (pre - len(intDigits))
				switch {
				case off >= 0:
					emitSign()
					started = true
					b.WriteByte(intDigits[off])
				case zeroAt >= 0 && k >= zeroAt:
					emitSign()
					started = true
					b.WriteByte('0')
				case k == pre-1 && post == 0 && intDigits == "":
					emitSign()
					started = true
					b.WriteByte('0')
				case !fm:
					b.WriteByte(' ')
				}
				continue
			}
			k := fpos
			fpos++
			if fm && t.kind == '9' && k >= lastNonZeroFrac {
				onlyNines := true
				for _, r := range toks[ti:] {
					if r.kind == '0' {
						onlyNines = false
					}
				}
				if onlyNines {
					continue
				}
			}
			b.WriteByte(fracDigits[k])
		case '.':
			emitSign()
			started = true
			b.WriteByte('.')
		case ',':
			if started || overflow {
				b.WriteByte(',')
			} else if !fm {
				b.WriteByte(' ')
			}
		case 'S':
			if !started && !overflow && fpos == 0 && ipos == 0 { // leading S: anchored to the number
				signDone, plus = false, true
				continue
			}
			if neg {
				b.WriteByte('-')
			} else {
				b.WriteByte('+')
			}
		case 'M':
			if neg {
				b.WriteByte('-')
			} else if !fm {
				b.WriteByte(' ')
			}
		case 'P':
			if !neg {
				b.WriteByte('+')
			} else if !fm {
				b.WriteByte(' ')
			}
		case 'G':
			if neg {
				b.WriteByte('-')
			} else {
				b.WriteByte('+')
			}
		case 'R':
			if neg {
				b.WriteByte('>')
			} else if !fm {
				b.WriteByte(' ')
			}
		case 'T', 't':
			if !overflow && post == 0 {
				n, _ := strconv.ParseInt(intDigits+"0", 10, 64)
				b.WriteString(ordinal(n/10, t.kind == 'T'))
			}
		case 'L':
			b.WriteString(t.lit)
		}
	}
	return types.NewString(b.String()), nil
}

// parsed is what to_date/to_timestamp read from their input.
type parsed struct {
	year, mon, day, hour, min, sec int
	usec                           int64
	pm, hasMeridiem, bc            bool
	hour12                         bool
	hasTZ                          bool
	tzSecs                         int
}

func (p parsed) civil() civil {
	y := p.year
	if p.bc {
		y = -y + 1
	}
	h := p.hour
	if p.hasMeridiem || p.hour12 {
		h %= 12
		if p.pm {
			h += 12
		}
	}
	return civil{year: y, mon: max(p.mon, 1), day: max(p.day, 1), hour: h, min: p.min, sec: p.sec, usec: p.usec}
}

// parseByFormat reads s with a to_date/to_timestamp template.
func parseByFormat(s, f string) (parsed, error) {
	p := parsed{year: 1, mon: 1, day: 1}
	si := 0
	skipSep := func() {
		for si < len(s) && (s[si] == ' ' || (!isASCIIAlnum(s[si]) && s[si] != '-' && s[si] != '+')) {
			si++
		}
	}
	readInt := func(k string, maxDigits int) (int, error) {
		for si < len(s) && s[si] == ' ' {
			si++
		}
		st := si
		if si < len(s) && (s[si] == '-' || s[si] == '+') {
			si++
		}
		ds := si
		for si < len(s) && s[si] >= '0' && s[si] <= '9' && (maxDigits <= 0 || si-ds < maxDigits) {
			si++
		}
		if si == ds {
			si = st
			rest := s[st:]
			if len(rest) > 0 {
				return 0, &types.Error{Code: codeInvalidDatetimeFormat,
					Message: "invalid value \"" + firstWord(rest, 2) + "\" for \"" + k + "\"",
					Detail:  "Value must be an integer."}
			}
			return 0, &types.Error{Code: codeInvalidDatetimeFormat,
				Message: "source string too short for \"" + k + "\" formatting field",
				Detail:  "Field requires " + strconv.Itoa(max(maxDigits, 1)) + " characters, but only 0 remain.",
				Hint:    "If your source string is not fixed-width, try using the \"FM\" modifier."}
		}
		v, err := strconv.Atoi(s[st:si])
		if err != nil || v > 1<<30 || v < -(1<<30) {
			return 0, &types.Error{Code: codeDatetimeOverflow,
				Message: "value for \"" + k + "\" in source string is out of range",
				Detail:  "Value must be in the range -2147483648 to 2147483647."}
		}
		return v, nil
	}
	readName := func(k string, names []string, abbrev bool) (int, error) {
		for si < len(s) && s[si] == ' ' {
			si++
		}
		for i, n := range names {
			if abbrev {
				n = n[:3]
			}
			if len(s)-si >= len(n) && strings.EqualFold(s[si:si+len(n)], n) {
				si += len(n)
				return i, nil
			}
		}
		return 0, &types.Error{Code: codeInvalidDatetimeFormat,
			Message: "invalid value \"" + firstWord(s[si:], len(k)) + "\" for \"" + k + "\"",
			Detail:  "The given value did not match any of the allowed values for this field."}
	}
	for fi := 0; fi < len(f); {
		si = min(si, len(s)) // literals in the format may run past the input
		if len(f)-fi >= 2 && strings.EqualFold(f[fi:fi+2], "FM") {
			fi += 2
			continue
		}
		k := matchKeyword(f[fi:])
		if k == "" {
			c := f[fi]
			fi++
			if c == '"' {
				for fi < len(f) && f[fi] != '"' {
					fi++
					si++
				}
				fi++
				continue
			}
			if c == ' ' || !isASCIIAlnum(c) {
				if si < len(s) && !isASCIIAlnum(s[si]) {
					si++
				}
				continue
			}
			si++
			continue
		}
		pat := f[fi : fi+len(k)]
		fi += len(k)
		if len(f)-fi >= 2 && strings.EqualFold(f[fi:fi+2], "TH") {
			fi += 2
		}
		var err error
		skip := func() {
			for si < len(s) && !isASCIIAlnum(s[si]) && s[si] != '-' && s[si] != '+' {
				si++
			}
		}
		_ = skipSep
		switch strings.ToUpper(k) {
		case "YYYY", "IYYY":
			skip()
			w := 0
			if fi < len(f) && isASCIIAlnum(f[fi]) {
				w = 4 // another field follows without a separator
			}
			p.year, err = readInt(pat, w)
		case "YYY", "YY", "Y", "IYY", "IY", "I":
			skip()
			var v int
			st := si
			v, err = readInt(pat, len(k))
			n := si - st
			if err == nil {
				switch {
				case n <= 2 && len(k) == 2 || n <= 2 && len(k) == 3:
					if v < 70 {
						v += 2000
					} else {
						v += 1900
					}
				case n == 3:
					v += 1000
				}
				p.year = v
			}
		case "Y,YYY":
			skip()
			var hi, lo int
			if hi, err = readInt(pat, 0); err == nil {
				if si < len(s) && s[si] == ',' {
					si++
				}
				lo, err = readInt(pat, 3)
				p.year = hi*1000 + lo
			}
		case "MM":
			skip()
			p.mon, err = readInt(pat, 2)
			if err == nil && (p.mon < 1 || p.mon > 12) {
				return p, errf(codeDatetimeOverflow, "date/time field value out of range: \"%s\"", s)
			}
		case "MONTH":
			var i int
			i, err = readName(pat, monthNames, false)
			p.mon = i + 1
		case "MON":
			var i int
			i, err = readName(pat, monthNames, true)
			p.mon = i + 1
		case "DD":
			skip()
			p.day, err = readInt(pat, 2)
		case "DDD":
			skip()
			var doy int
			doy, err = readInt(pat, 3)
			p.mon, p.day = 1, doy
		case "HH24":
			skip()
			p.hour, err = readInt(pat, 2)
		case "HH", "HH12":
			skip()
			p.hour, err = readInt(pat, 2)
			p.hour12 = true
			if err == nil && (p.hour < 1 || p.hour > 12) {
				return p, &types.Error{Code: codeInvalidDatetimeFormat,
					Message: "hour \"" + strconv.Itoa(p.hour) + "\" is invalid for the 12-hour clock",
					Hint:    "Use the 24-hour clock, or give an hour between 1 and 12."}
			}
		case "MI":
			skip()
			p.min, err = readInt(pat, 2)
		case "SS":
			skip()
			p.sec, err = readInt(pat, 2)
		case "MS":
			skip()
			st := si
			var v int
			v, err = readInt(pat, 3)
			p.usec = int64(v) * int64(math.Pow10(3-(si-st))) * 1000
		case "US", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			skip()
			st := si
			var v int
			v, err = readInt(pat, 6)
			p.usec = int64(v) * int64(math.Pow10(6-(si-st)))
		case "AM", "PM", "A.M.", "P.M.":
			for si < len(s) && s[si] == ' ' {
				si++
			}
			rest := strings.ToUpper(s[si:])
			switch {
			case strings.HasPrefix(rest, "AM"), strings.HasPrefix(rest, "PM"):
				p.pm, si = rest[0] == 'P', si+2
			case strings.HasPrefix(rest, "A.M."), strings.HasPrefix(rest, "P.M."):
				p.pm, si = rest[0] == 'P', si+4
			default:
				return p, &types.Error{Code: codeInvalidDatetimeFormat,
					Message: "invalid value \"" + firstWord(s[si:], len(k)) + "\" for \"" + pat + "\"",
					Detail:  "The given value did not match any of the allowed values for this field."}
			}
			p.hasMeridiem = true
		case "BC", "AD", "B.C.", "A.D.":
			for si < len(s) && s[si] == ' ' {
				si++
			}
			rest := strings.ToUpper(s[si:])
			switch {
			case strings.HasPrefix(rest, "BC"), strings.HasPrefix(rest, "AD"):
				p.bc, si = rest[0] == 'B', si+2
			case strings.HasPrefix(rest, "B.C."), strings.HasPrefix(rest, "A.D."):
				p.bc, si = rest[0] == 'B', si+4
			}
		case "TZH":
			skip()
			var h int
			h, err = readInt(pat, 3)
			p.hasTZ, p.tzSecs = true, h*3600
		case "TZM":
			skip()
			var m int
			m, err = readInt(pat, 2)
			if p.tzSecs < 0 {
				p.tzSecs -= m * 60
			} else {
				p.tzSecs += m * 60
			}
			p.hasTZ = true
		case "J":
			skip()
			var j int
			j, err = readInt(pat, 0)
			p.year, p.mon, p.day = j2date(j)
		default:
			return p, errf(codeFeatureNotSupported, "formatting field \"%s\" is only supported in to_char", pat)
		}
		if err != nil {
			return p, err
		}
	}
	if p.mon < 1 || p.mon > 12 || p.day < 1 || p.day > daysIn(p.civil().year, p.mon) ||
		p.hour > 24 || p.min > 59 || p.sec > 60 {
		if p.mon == 1 && p.day > 31 { // DDD: day of year
			y := p.civil().year
			jd := date2j(y, 1, 1) + p.day - 1
			p.year, p.mon, p.day = j2date(jd)
			if p.year <= 0 {
				p.year, p.bc = -p.year+1, true
			} else {
				p.bc = false
			}
			return p, nil
		}
		return p, errf(codeDatetimeOverflow, "date/time field value out of range: \"%s\"", s)
	}
	return p, nil
}

func firstWord(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// intervalField writes the interval patterns that differ from timestamps;
// false means "format as for a timestamp" (never reached for intervals,
// every pattern is handled or refused).
func intervalField(b *strings.Builder, up, pat string, f *ivFields, fm, th, thUpper bool, num func(int64, int)) bool {
	width := func(_ int64, w int) int { return w } // the sign is outside the zero padding
	switch up {
	case "HH24":
		num(f.hour, width(f.hour, 2))
	case "HH", "HH12":
		h := f.hour % 12
		if h == 0 {
			h = 12
		}
		num(h, width(f.hour, 2))
	case "MI":
		num(f.min, width(f.min, 2))
	case "SS":
		num(f.sec, width(f.sec, 2))
	case "SSSS", "SSSSS":
		num(f.hour*3600+f.min*60+f.sec, 0)
	case "MS":
		num(f.fsec/1000, width(f.fsec, 3))
	case "US":
		num(f.fsec, width(f.fsec, 6))
	case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
		n := int(up[2] - '0')
		v := f.fsec / int64(math.Pow10(6-n))
		num(v, width(v, n))
	case "AM", "PM", "A.M.", "P.M.":
		m := "AM"
		if f.hour%24 >= 12 {
			m = "PM"
		}
		if strings.Contains(up, ".") {
			m = m[:1] + "." + m[1:] + "."
		}
		b.WriteString(caseLike(pat, m))
	case "Y,YYY":
		b.WriteString(strconv.FormatInt(f.year/1000, 10) + "," + padInt(int(absInt(f.year%1000)), 3))
	case "YYYY":
		num(f.year, width(f.year, 4))
	case "YYY":
		num(f.year%1000, width(f.year, 3))
	case "YY":
		num(f.year%100, width(f.year, 2))
	case "Y":
		num(f.year%10, width(f.year, 1))
	case "MM":
		num(f.mon, width(f.mon, 2))
	case "DD":
		if f.day < 0 {
			num(f.day, 1) // "%02d": the sign counts in the width
		} else {
			num(f.day, width(f.day, 2))
		}
	case "DDD":
		if v := (f.year*12+f.mon)*30 + f.day; v < 0 {
			num(v, 2) // "%03d": the sign counts in the width
		} else {
			num(v, width(f.day, 3))
		}
	case "FX":
	default:
		return false
	}
	return true
}
