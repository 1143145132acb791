package types

import "errors"

func errCodeMsg(err error) (string, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	return "?", err.Error()
}
