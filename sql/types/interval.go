package types

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
