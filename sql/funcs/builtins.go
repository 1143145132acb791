package funcs

import (
	"fmt"

	"github.com/borealis-db/borealis/sql/types"
)

// evalFn is the signature of Func.Eval.
type evalFn = func(c *Context, args []types.Datum, argTypes []types.Type) (types.Datum, error)

// Builtins returns a new registry holding PostgreSQL 15's built-in scalar
// functions and aggregates that Borealis implements (see the package files
// strings.go, math.go, datetime.go, misc.go and agg.go for the lists).
// Callers may Add more before sharing it.
//
// Not here because they are expressions the planner handles: coalesce,
// nullif, greatest, least, CURRENT_TIMESTAMP and friends, current_user,
// session_user. The planner maps EXTRACT(f FROM x) to extract('f', x)
// (numeric result, as PostgreSQL 14+) and POSITION(a IN b) to
// position(b, a). DISTINCT, ORDER BY and FILTER inside aggregate calls are
// the executor's job: it feeds an AggState the rows it should see.
func Builtins() *Registry {
	r := NewRegistry()
	addStringFuncs(r)
	addMathFuncs(r)
	addDateTimeFuncs(r)
	addMiscFuncs(r)
	addArrayFuncs(r)
	addBinaryFuncs(r)
	addIntervalFuncs(r)
	addJSONFuncs(r)
	addJSONModFuncs(r) // jsonbmod.go
	addJSONTextFuncs(r)
	addExtraFuncs(r)
	addRegexFuncs(r)
	addRegexSubstrFuncs(r) // regexsubstr.go
	addByteFuncs(r)        // bytefuncs.go
	addCastFuncs(r)
	addSettingsFuncs(r) // settings.go
	addTimeFuncs(r)     // timefuncs.go
	addSmallFuncs(r)    // small.go
	addAggregates(r)
	return r
}

// add registers a strict, non-volatile overload and returns it for
// adjustment.
func add(r *Registry, name string, result types.Type, eval evalFn, args ...types.Type) *Func {
	f := &Func{Name: name, Args: args, Result: result, Strict: true, Eval: eval}
	r.Add(f)
	return f
}

// errf builds a SQLSTATE error.
func errf(code, format string, args ...any) *types.Error {
	return &types.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// SQLSTATEs raised by the built-in functions.
const (
	codeInvalidParameterValue = "22023"
	codeNumericOutOfRange     = "22003"
	codeDivisionByZero        = "22012"
	codeProgramLimitExceeded  = "54000"
	codeSubstringError        = "22011"
	codeNullNotAllowed        = "22004"
	codeInvalidRegex          = "2201B"
	codeInvalidArgLog         = "2201E"
	codeInvalidArgPower       = "2201F"
	codeDatetimeOverflow      = "22008"
	codeInvalidDatetimeFormat = "22007"
	codeFeatureNotSupported   = "0A000"
	codeArgForWidthBucket     = "2201G"
)

// maxAlloc is PostgreSQL's MaxAllocSize: results larger than this fail
// with "requested length too large".
const maxAlloc = 0x3fffffff

func errTooLarge() error {
	return errf(codeProgramLimitExceeded, "requested length too large")
}
