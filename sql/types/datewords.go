package types

import (
	"fmt"
	"strings"
)

// monthWords maps PostgreSQL's month names and abbreviations to month numbers.
var monthWords = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// weekdayWords are the day names PostgreSQL's datetime parser accepts and ignores.
var weekdayWords = map[string]bool{
	"sun": true, "sunday": true, "mon": true, "monday": true, "tue": true, "tues": true,
	"tuesday": true, "wed": true, "wednes": true, "wednesday": true, "thu": true,
	"thur": true, "thurs": true, "thursday": true, "fri": true, "friday": true,
	"sat": true, "saturday": true,
}

// parseDateTime parses a date/time literal: the numeric forms of
// parseDateTimeNumeric, and on failure the textual forms PostgreSQL's
// DecodeDateTime accepts with month names ('Feb 29, 2024', 'January 8 1999',
// 'Jan-08-1999', '08-Jan-1999', '1999-Jan-08') and ignored weekday names
// ('Fri Jan 08 04:05:06 1999'). The textual form is rewritten to the
// numeric one, so both share one validator.
func parseDateTime(in string) (dtFields, dtErr, string) {
	f, e, zone := parseDateTimeNumeric(in)
	if e != dtBadFormat {
		return f, e, zone
	}
	canon, ok := rewriteDateWords(in)
	if !ok {
		return f, e, zone
	}
	f2, e2, zone2 := parseDateTimeNumeric(canon)
	if e2 == dtBadFormat {
		return f, e, zone
	}
	return f2, e2, zone2
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rewriteDateWords turns a literal with a month or weekday name into
// "YYYY-MM-DD [time] [rest]"; ok is false when it has no such word or the
// fields do not make a date as PostgreSQL (DateStyle MDY) assigns them.
func rewriteDateWords(in string) (string, bool) {
	fields := strings.Fields(strings.ReplaceAll(in, ",", " "))
	var (
		month, day, year      int
		haveMonth, haveDay    bool
		haveYear, year2digits bool
		sawWord               bool
		timeTok               string
		rest                  []string
	)
	number := func(tok string) bool {
		v := atoiSafe(tok)
		switch {
		case !haveDay && !haveYear:
			if len(tok) >= 3 {
				year, haveYear, year2digits = v, true, false
			} else {
				day, haveDay = v, true
			}
		case haveYear && !haveDay:
			if len(tok) >= 3 && year2digits {
				day, year, year2digits = year, v, false
			} else {
				day = v
			}
			haveDay = true
		case haveDay && !haveYear:
			year, haveYear, year2digits = v, true, len(tok) <= 2
		default:
			return false
		}
		return true
	}
	for _, tok := range fields {
		low := strings.ToLower(tok)
		parts := []string{low}
		if strings.ContainsAny(low, "-/") && low[0] != '-' && low[0] != '+' {
			sp := strings.FieldsFunc(low, func(r rune) bool { return r == '-' || r == '/' })
			split := true
			hasMonth := false
			for _, p := range sp {
				if _, m := monthWords[p]; m {
					hasMonth = true
				} else if !isDigits(p) {
					split = false
				}
			}
			switch {
			case split && hasMonth:
				parts = sp
			case split:
				return "", false // a numeric date beside a weekday: PostgreSQL refuses it
			}
		}
		for _, p := range parts {
			switch {
			case weekdayWords[p]:
				sawWord = true
			case monthWords[p] != 0:
				if haveMonth {
					return "", false
				}
				month, haveMonth, sawWord = monthWords[p], true, true
			case isDigits(p):
				if !number(p) {
					return "", false
				}
			case p[0] >= '0' && p[0] <= '9' && strings.Contains(p, ":") && timeTok == "":
				timeTok = p
			default:
				rest = append(rest, tok)
			}
		}
	}
	if !sawWord {
		return "", false
	}
	var b strings.Builder
	if !haveMonth || !haveDay || !haveYear {
		return "", false
	}
	if year2digits {
		year = adjustYear(year)
	}
	fmt.Fprintf(&b, "%04d-%02d-%02d", year, month, day)
	if timeTok != "" {
		b.WriteString(" " + timeTok)
	}
	for _, r := range rest {
		b.WriteString(" " + r)
	}
	return b.String(), true
}
