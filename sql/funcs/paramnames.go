package funcs

import "github.com/borealis-db/borealis/sql/types"

// Param is a named parameter of a built-in function, for calls in named
// or mixed notation (`make_interval(days => 3)`).
type Param struct {
	Name string
	// Default is the value of an omitted argument; HasDefault is false
	// for parameters that must be given.
	Default    types.Datum
	DefaultT   types.Type
	HasDefault bool
}

// paramNames are pg_proc.proargnames (and proargdefaults) of the built-in
// functions that name their parameters.
var paramNames = map[string][]Param{
	"make_interval": {
		{"years", types.NewInt(0), types.Int4, true}, {"months", types.NewInt(0), types.Int4, true},
		{"weeks", types.NewInt(0), types.Int4, true}, {"days", types.NewInt(0), types.Int4, true},
		{"hours", types.NewInt(0), types.Int4, true}, {"mins", types.NewInt(0), types.Int4, true},
		{"secs", types.NewFloat(0), types.Float8, true},
	},
	"make_date":        {{Name: "year"}, {Name: "month"}, {Name: "day"}},
	"make_time":        {{Name: "hour"}, {Name: "min"}, {Name: "sec"}},
	"make_timestamp":   {{Name: "year"}, {Name: "month"}, {Name: "mday"}, {Name: "hour"}, {Name: "min"}, {Name: "sec"}},
	"make_timestamptz": {{Name: "year"}, {Name: "month"}, {Name: "mday"}, {Name: "hour"}, {Name: "min"}, {Name: "sec"}, {Name: "timezone"}},
	"set_config":       {{Name: "setting_name"}, {Name: "new_value"}, {Name: "is_local"}},
	"current_setting":  {{Name: "setting_name"}, {Name: "missing_ok"}},
}

// ParamNames returns the named parameters of the built-in function name
// (nil when it has none).
func ParamNames(name string) []Param { return paramNames[name] }
