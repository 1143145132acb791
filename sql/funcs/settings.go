package funcs

import (
	"github.com/borealis-db/borealis/sql/types"
)

// addSettingsFuncs registers set_config(name, value, is_local), which
// changes a session setting through Context.SetSetting (current_setting is
// in misc.go).
func addSettingsFuncs(r *Registry) {
	f := add(r, "set_config", types.Text, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, errf(string(types.CodeNullValueNotAllowed), "SET requires parameter name")
		}
		if c == nil || c.SetSetting == nil {
			return types.Null, errf(codeFeatureNotSupported, "set_config is not supported here")
		}
		var value *string
		if !a[1].IsNull() {
			v := a[1].S
			value = &v
		}
		local := !a[2].IsNull() && a[2].Bool()
		v, err := c.SetSetting(a[0].S, value, local)
		if err != nil {
			return types.Null, err
		}
		return types.NewString(v), nil
	}, types.Text, types.Text, types.Bool)
	f.Strict = false
	f.Volatile = true
}
