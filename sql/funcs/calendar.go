package funcs

import (
	"time"

	"github.com/borealis-db/borealis/sql/types"
)

const (
	usPerDay  = int64(86400000000)
	usPerSec  = int64(1000000)
	pgEpochJD = 2451545 // date2j(2000, 1, 1)
	unixEpoch = -946684800 * usPerSec
)

// date2j is PostgreSQL's date2j: the Julian day number of a proleptic
// Gregorian date (year 0 is 1 BC).
func date2j(y, m, d int) int {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	julian := y*365 - 32167
	julian += y/4 - century + century/4
	julian += 7834*m/256 + d
	return julian
}

// j2date is PostgreSQL's j2date.
func j2date(jd int) (y, m, d int) {
	julian := uint(jd) + 32044
	quad := julian / 146097
	extra := (julian-quad*146097)*4 + 3
	julian += 60 + quad*3 + extra/146097
	quad = julian / 1461
	julian -= quad * 1461
	yy := int(julian) * 4 / 1461
	if yy != 0 {
		julian = (julian+305)%365 + 123
	} else {
		julian = (julian+306)%366 + 123
	}
	yy += int(quad) * 4
	y = yy - 4800
	quad = julian * 2141 / 65536
	d = int(julian - 7834*quad/256)
	m = int((quad+10)%12 + 1)
	return
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civil is a broken-down local date and time.
type civil struct {
	year, mon, day, hour, min, sec int
	usec                           int64
	gmtoff                         int // seconds east of UTC (timestamptz only)
	tzName                         string
}

func splitMicros(us int64) civil {
	days := floorDiv(us, usPerDay)
	rem := us - days*usPerDay
	var c civil
	c.year, c.mon, c.day = j2date(int(days) + pgEpochJD)
	c.hour = int(rem / 3600000000)
	rem -= int64(c.hour) * 3600000000
	c.min = int(rem / 60000000)
	rem -= int64(c.min) * 60000000
	c.sec = int(rem / usPerSec)
	c.usec = rem - int64(c.sec)*usPerSec
	return c
}

func (c civil) micros() int64 {
	days := int64(date2j(c.year, c.mon, c.day) - pgEpochJD)
	return days*usPerDay + (int64(c.hour)*3600+int64(c.min)*60+int64(c.sec))*usPerSec + c.usec
}

func location(c *Context) *time.Location {
	if c != nil && c.Env != nil && c.Env.Location != nil {
		return c.Env.Location
	}
	return time.UTC
}

// localCivil breaks a timestamptz down in the session time zone.
func localCivil(c *Context, us int64) (civil, error) {
	loc := location(c)
	local, err := types.TimestamptzToTimestamp(us, loc)
	if err != nil {
		return civil{}, err
	}
	cv := splitMicros(local)
	cv.gmtoff = int((local - us) / usPerSec)
	t := types.PGMicrosToTime(us).In(loc)
	cv.tzName, _ = t.Zone()
	return cv, nil
}

// isoWeek returns the ISO 8601 year and week of a date.
func isoWeek(y, m, d int) (int, int) {
	jd := date2j(y, m, d)
	// ISO week-numbering year: the Thursday of the week decides.
	dow := (jd + 1) % 7 // 0 = Sunday
	isodow := dow
	if isodow == 0 {
		isodow = 7
	}
	thursday := jd - isodow + 4
	ty, _, _ := j2date(thursday)
	jan1 := date2j(ty, 1, 1)
	return ty, (thursday-jan1)/7 + 1
}

// isoYearStart returns the Julian day of the Monday starting ISO year y.
func isoYearStart(y int) int {
	jan4 := date2j(y, 1, 4)
	dow := (jan4 + 1) % 7
	if dow == 0 {
		dow = 7
	}
	return jan4 - dow + 1
}
