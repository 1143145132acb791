// Package funcs is Borealis's library of built-in SQL functions and
// aggregates: each one is a descriptor (name, argument types, result type,
// strictness, volatility) with a Go implementation over types.Datum, kept in
// a Registry that the planner asks to resolve a call by name and argument
// types the way PostgreSQL's function resolution does (exact match first,
// then implicit casts, unknown-typed literals matching any type; 42883 when
// nothing matches, 42725 when several match equally well).
//
// Calling a function, as the planner/executor should:
//
//	f, params, err := reg.Resolve(name, argTypes) // 42883 / 42725 errors
//	// coerce argument i with types.Cast(v, argTypes[i], params[i],
//	// types.CoerceImplicit, env) unless params[i] is argTypes[i] or the
//	// parameter is "any" (params[i] then is the argument's own type)
//	// if f.Strict and an argument is NULL, the result is NULL
//	res, err := f.Eval(ctx, args, params) // of type f.ResultType(params)
//
// Calls of functions that are not Volatile with constant arguments may be
// folded at plan time. Aggregates: ResolveAgg, then per group
// st := a.New(params), st.Step for each row (rows with a NULL argument are
// skipped when a.Strict), st.Final. DISTINCT, ORDER BY and FILTER inside
// an aggregate call are the executor's job (it decides which rows, in
// which order, reach Step). Set-returning functions (unnest,
// generate_series, regexp_matches, jsonb_each, ...) are not here either.
//
// A Registry is built once (Builtins) and read-only afterwards: there is no
// package-level mutable state. Functions that need the catalog (format_type,
// pg_get_indexdef, …) are added by the packages that own that knowledge
// through Registry.Add before the registry is shared.
package funcs

import (
	"context"
	"time"

	"github.com/borealis-db/borealis/sql/catalog"
	"github.com/borealis-db/borealis/sql/types"
)

// Pseudo-type OIDs (PostgreSQL's values) usable in Func.Args for
// polymorphic functions. The planner never gives a value these types: the
// resolver replaces them with the actual argument types.
const (
	OIDAny        types.OID = 2276 // "any": any type, independently per argument
	OIDAnyElement types.OID = 2283 // anyelement: all such arguments share one type
	OIDAnyArray   types.OID = 2277 // anyarray: an array of the anyelement type
	// anycompatible: all such arguments are coerced to their common type
	// (PostgreSQL's select_common_type), anycompatiblearray to an array of it.
	OIDAnyCompatible      types.OID = 5077
	OIDAnyCompatibleArray types.OID = 5078
)

// Pseudo-type Type values for Func.Args.
var (
	Any        = types.Type{OID: OIDAny, Typmod: -1}
	AnyElement = types.Type{OID: OIDAnyElement, Typmod: -1}
	AnyArray   = types.Type{OID: OIDAnyArray, Typmod: -1}
	// AnyCompatible and AnyCompatibleArray are PostgreSQL's anycompatible
	// family: arguments are unified to a common type instead of having to
	// be identical.
	AnyCompatible      = types.Type{OID: OIDAnyCompatible, Typmod: -1}
	AnyCompatibleArray = types.Type{OID: OIDAnyCompatibleArray, Typmod: -1}
)

// Context is what a function may consult while it runs.
type Context struct {
	// Ctx bounds the call (functions that wait or do I/O honour it).
	Ctx context.Context
	// Env carries TimeZone, DateStyle-dependent I/O and the transaction
	// timestamp (now()).
	Env *types.Env
	// User and Database name the session (current_user, current_database()).
	User, Database string
	// Setting returns a session setting by lower-case name (current_setting).
	Setting func(name string) (string, bool)
	// SetSetting changes a session setting as SET [LOCAL] does and returns
	// its new value (set_config; a nil value resets it); nil refuses with 0A000.
	SetSetting func(name string, value *string, local bool) (string, error)
	// Cat is the catalog the statement runs against (nil when none).
	Cat *catalog.Set
	// BackendPID is the session's process id as the wire protocol reports
	// it in BackendKeyData (pg_backend_pid()).
	BackendPID int32
	// StatementStart is when the current statement began
	// (statement_timestamp()); zero means Env's transaction time.
	StatementStart time.Time
	// Random returns a uniformly distributed float64 in [0, 1) (random());
	// nil means math/rand/v2's generator.
	Random func() float64
	// Rand is the session's random() state, which setseed reseeds (nil:
	// setseed is refused and random() falls back to Random).
	Rand *SessionRand
}

// Func is one overload of a scalar function.
type Func struct {
	// Name is the lower-case function name.
	Name string
	// Args are the parameter types; pseudo-types Any/AnyElement/AnyArray
	// make the function polymorphic.
	Args []types.Type
	// Variadic: the last element of Args may repeat zero or more times.
	Variadic bool
	// Result is the result type; ResultOf, when set, computes it from the
	// resolved argument types instead (polymorphic results).
	Result   types.Type
	ResultOf func(args []types.Type) types.Type
	// Strict: any NULL argument makes the result NULL without calling Eval.
	Strict bool
	// Volatile: the result may differ between calls with the same
	// arguments within a statement (random(), nextval()); such calls are
	// never folded into constants. Stable functions (now()) are not
	// volatile.
	Volatile bool
	// Eval computes the result. args are already coerced to the resolved
	// parameter types, given in argTypes (one per actual argument).
	Eval func(c *Context, args []types.Datum, argTypes []types.Type) (types.Datum, error)
}

// AggState accumulates one group of an aggregate.
type AggState interface {
	// Step adds one row's arguments (skipped by the executor when the
	// aggregate is strict and an argument is NULL).
	Step(c *Context, args []types.Datum) error
	// Final returns the aggregate's value for the rows stepped so far.
	Final(c *Context) (types.Datum, error)
}

// Agg is one overload of an aggregate function.
type Agg struct {
	// Name is the lower-case aggregate name.
	Name string
	// Args are the parameter types (pseudo-types allowed, as for Func).
	Args []types.Type
	// Result / ResultOf as for Func.
	Result   types.Type
	ResultOf func(args []types.Type) types.Type
	// Strict: rows with a NULL argument are not stepped (count(x), sum, …);
	// count(*) has no arguments.
	Strict bool
	// New returns a fresh state for one group, given the resolved argument
	// types.
	New func(argTypes []types.Type) AggState
}
