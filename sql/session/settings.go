package session

import (
	"strings"

	"github.com/borealis-db/borealis/sql/types"
	"github.com/borealis-db/borealis/wire"
)

// defaults are the run-time parameters a session starts with.
var defaults = map[string]string{
	"application_name":                    "",
	"client_encoding":                     "UTF8",
	"client_min_messages":                 "notice",
	"datestyle":                           "ISO, MDY",
	"default_transaction_isolation":       "read committed",
	"default_transaction_read_only":       "off",
	"extra_float_digits":                  "1",
	"idle_in_transaction_session_timeout": "0",
	"integer_datetimes":                   "on",
	"intervalstyle":                       "postgres",
	"is_superuser":                        "on",
	"lock_timeout":                        "0",
	"max_identifier_length":               "63",
	"search_path":                         `"$user", public`,
	"server_encoding":                     "UTF8",
	"server_version":                      wire.DefaultServerVersion,
	"server_version_num":                  "160004",
	"standard_conforming_strings":         "on",
	"statement_timeout":                   "0",
	"synchronous_commit":                  "on",
	"timezone":                            "UTC",
	"transaction_isolation":               "read committed",
	"transaction_read_only":               "off",
	"row_security":                        "on",
	"work_mem":                            "4MB",
	"maintenance_work_mem":                "64MB",
	"jit":                                 "off",
	"enable_seqscan":                      "on",
	"session_authorization":               "",
	"bytea_output":                        "hex",
}

// reported are the parameters whose changes are sent as ParameterStatus,
// with their canonical spelling.
var reported = map[string]string{
	"application_name":            "application_name",
	"client_encoding":             "client_encoding",
	"datestyle":                   "DateStyle",
	"intervalstyle":               "IntervalStyle",
	"timezone":                    "TimeZone",
	"standard_conforming_strings": "standard_conforming_strings",
	"is_superuser":                "is_superuser",
	"server_version":              "server_version",
	"integer_datetimes":           "integer_datetimes",
	"session_authorization":       "session_authorization",
}

// readOnly parameters cannot be SET.
var readOnly = map[string]bool{
	"server_version": true, "server_version_num": true, "server_encoding": true,
	"integer_datetimes": true, "max_identifier_length": true, "is_superuser": true,
	"transaction_read_only": false,
}

// checkSetting validates a value for a parameter and returns its canonical
// form.
func checkSetting(name, value string) (string, error) {
	switch name {
	case "timezone":
		if strings.EqualFold(value, "local") || value == "" {
			value = "UTC"
		}
		if _, err := types.LoadLocation(value); err != nil {
			return "", &wire.Error{Code: wire.CodeInvalidParameterValue, Message: "invalid value for parameter \"TimeZone\": \"" + value + "\""}
		}
	case "datestyle":
		up := strings.ToUpper(value)
		if !strings.Contains(up, "ISO") {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "only DateStyle ISO is supported"}
		}
		// The input field order must stay MDY: DMY/YMD would be ignored.
		if strings.Contains(up, "DMY") || strings.Contains(up, "YMD") || strings.Contains(up, "EURO") {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "only DateStyle ISO, MDY is supported"}
		}
		return "ISO, MDY", nil
	case "extra_float_digits":
		// 1 to 3 all print the shortest exact digits (PostgreSQL 12+);
		// 0 and below round, which Borealis does not do.
		if v := strings.TrimSpace(value); v != "1" && v != "2" && v != "3" {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "only extra_float_digits 1 to 3 is supported"}
		}
	case "client_encoding":
		v := strings.ToUpper(strings.ReplaceAll(value, "-", ""))
		if v != "UTF8" && v != "UNICODE" {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "only client_encoding UTF8 is supported"}
		}
		return "UTF8", nil
	case "bytea_output":
		v := strings.ToLower(strings.TrimSpace(value))
		if v != "hex" && v != "escape" {
			return "", &wire.Error{Code: wire.CodeInvalidParameterValue, Message: "invalid value for parameter \"bytea_output\": \"" + value + "\"",
				Hint: "Available values: escape, hex."}
		}
		return v, nil
	case "intervalstyle":
		if !strings.EqualFold(value, "postgres") {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "only IntervalStyle postgres is supported"}
		}
	case "standard_conforming_strings":
		if v := strings.ToLower(value); v != "on" && v != "true" && v != "1" {
			return "", &wire.Error{Code: wire.CodeFeatureNotSupported, Message: "standard_conforming_strings must be on"}
		}
		return "on", nil
	case "transaction_read_only", "default_transaction_read_only":
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "on", "true", "yes", "1", "t", "y":
			return "on", nil
		case "off", "false", "no", "0", "f", "n":
			return "off", nil
		}
		return "", &wire.Error{Code: wire.CodeInvalidParameterValue, Message: "parameter \"" + name + "\" requires a Boolean value"}
	case "transaction_isolation", "default_transaction_isolation":
		switch v := strings.ToLower(value); v {
		case "read committed", "read uncommitted":
			return "read committed", nil
		case "repeatable read", "serializable":
			return v, nil
		}
		return "", &wire.Error{Code: wire.CodeInvalidParameterValue, Message: "invalid value for parameter \"" + name + "\": \"" + value + "\""}
	}
	return value, nil
}

// boolSetting spells a Boolean parameter value.
func boolSetting(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// known reports whether SET accepts name.
func known(name string) bool {
	if _, ok := defaults[name]; ok {
		return !readOnly[name]
	}
	return strings.Contains(name, ".")
}
