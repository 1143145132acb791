package session

import (
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// setConfig is set_config(name, value, is_local): SET [LOCAL] name = value
// from inside a statement (a nil value resets the parameter to its
// default), returning the value current_setting now reports. A search_path
// set this way takes effect from the next statement on, because plans
// record the path they were built with.
func (s *Session) setConfig(name string, value *string, local bool, out *output) (string, error) {
	name = strings.ToLower(name)
	if name == "" {
		return "", types.Errorf(types.CodeNullValueNotAllowed, "SET requires parameter name")
	}
	v := defaults[name]
	if value != nil {
		v = *value
	}
	if err := s.setOne(name, v, local, out); err != nil {
		return "", err
	}
	if local && !s.inBlock {
		// Outside a block the change ends with the statement's own
		// transaction; PostgreSQL still answers the new value.
		return checkSetting(name, v)
	}
	cur, _ := s.setting(name)
	return cur, nil
}

// searchPath is the search_path plans are built with: the setting, or
// "pg_catalog" when it is empty (SET to an empty string, or set_config's
// pgbench idiom), since BuildPath takes "" for public only while an empty
// setting leaves unqualified names nothing but the system catalogs.
func (s *Session) searchPath() string {
	if v := s.settings["search_path"]; strings.TrimSpace(v) != "" {
		return v
	}
	return "pg_catalog"
}
