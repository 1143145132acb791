package types

import (
	"errors"
	"time"
)

func errCodeMsg(err error) (string, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	return "?", err.Error()
}

func time0UTC() *time.Location { return time.UTC }
