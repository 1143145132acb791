package funcs

import (
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// ServerVersion is what version() reports.
const ServerVersion = "PostgreSQL 15.0 (Borealis) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"

// Session and system functions: version, current_database, current_schema,
// current_schemas (text[]: Borealis has no type name), current_setting,
// pg_backend_pid, pg_typeof (its result is text: Borealis has no regtype).
func addMiscFuncs(r *Registry) {
	T := types.Text
	add(r, "version", T, func(*Context, []types.Datum, []types.Type) (types.Datum, error) {
		return types.NewString(ServerVersion), nil
	})
	add(r, "current_database", T, func(c *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		if c == nil {
			return types.Null, nil
		}
		return types.NewString(c.Database), nil
	})
	add(r, "current_schema", T, func(c *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		p := searchPath(c, false)
		if len(p) == 0 {
			return types.Null, nil
		}
		return types.NewString(p[0]), nil
	})
	add(r, "current_schemas", types.Type{OID: types.OIDTextArray, Typmod: -1}, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		p := searchPath(c, a[0].Bool())
		elems := make([]types.Datum, len(p))
		for i, s := range p {
			elems[i] = types.NewString(s)
		}
		return types.NewArray(types.MakeArray(elems)), nil
	}, types.Bool)
	setting := func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		name := strings.ToLower(a[0].S)
		if c != nil && c.Setting != nil {
			if v, ok := c.Setting(name); ok {
				return types.NewString(v), nil
			}
		}
		if len(a) > 1 && a[1].Bool() {
			return types.Null, nil
		}
		return types.Null, errf("42704", "unrecognized configuration parameter \"%s\"", a[0].S)
	}
	add(r, "current_setting", T, setting, T)
	add(r, "current_setting", T, setting, T, types.Bool)
	add(r, "pg_backend_pid", types.Int4, func(c *Context, _ []types.Datum, _ []types.Type) (types.Datum, error) {
		if c == nil {
			return types.NewInt(0), nil
		}
		return types.NewInt(int64(c.BackendPID)), nil
	})
	tf := add(r, "pg_typeof", T, func(_ *Context, _ []types.Datum, t []types.Type) (types.Datum, error) {
		return types.NewString(typeName(t[0])), nil
	}, Any)
	tf.Strict = false
}

// searchPath returns the schemas of the search_path setting that exist
// (pg_catalog first when implicit is set and it is not listed). Listed
// schemas are taken to exist, except "$user" (Borealis has no per-user
// schemas).
func searchPath(c *Context, implicit bool) []string {
	path := `"$user", public`
	if c != nil && c.Setting != nil {
		if v, ok := c.Setting("search_path"); ok {
			path = v
		}
	}
	var out []string
	for _, part := range strings.Split(path, ",") {
		s := strings.TrimSpace(part)
		if strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) && len(s) >= 2 {
			s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		} else {
			s = strings.ToLower(s)
		}
		if s != "" && s != "$user" {
			out = append(out, s)
		}
	}
	if implicit {
		has := false
		for _, s := range out {
			has = has || s == "pg_catalog"
		}
		if !has {
			out = append([]string{"pg_catalog"}, out...)
		}
	}
	return out
}
