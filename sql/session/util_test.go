package session

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
