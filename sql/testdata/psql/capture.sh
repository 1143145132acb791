#!/usr/bin/env bash
# capture.sh regenerates queries/*.sql and expected/*.out: it starts a private
# PostgreSQL 15 with log_statement=all in a temporary directory, loads
# schema.sql, runs each psql meta-command of commands.txt with `psql -X -c`,
# and stores the statements psql sent (from the server log) and psql's
# output. Tab completion is captured through a pseudo-terminal (tabcomplete.py).
# Run from anywhere: bash sql/testdata/psql/capture.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${PGBIN:-/usr/lib/postgresql/15/bin}
tmp=$(mktemp -d /tmp/borealis-psqlcap.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
	chown postgres "$tmp"
	as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as[@]}" "$bin/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w -o "-p $port -k $tmp -c listen_addresses= -c fsync=off -c log_statement=all -c log_line_prefix=" start >/dev/null
trap '"${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
export PGHOST=$tmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
psql() { "$bin/psql" -X "$@"; }
psql -q -v ON_ERROR_STOP=1 -f "$here/schema.sql"
mkdir -p "$here/queries" "$here/expected"

# statements logged after byte offset $1 of the server log, one per
# paragraph (PostgreSQL indents continuation lines of a message with a tab).
statements() {
	tail -c +"$(($1 + 1))" "$tmp/log" | awk '
		function out() { if (s == "") return; if (s !~ /;$/) s = s ";"; print s "\n" }
		/^LOG:  statement: / { out(); s = substr($0, 18); next }
		/^\t/ && s != "" { s = s "\n" substr($0, 2); next }
		{ out(); s = "" }
		END { out() }'
}

while IFS='|' read -r name cmd; do
	[ -z "$name" ] && continue
	case $name in \#*) continue ;; esac
	off=$(stat -c %s "$tmp/log")
	psql -c "$cmd" >"$here/expected/$name.out" 2>&1 || true
	# pg_ctl's log is flushed per line; wait until psql's last statement is there
	for _ in $(seq 50); do
		[ "$(stat -c %s "$tmp/log")" -gt "$off" ] || [ "$name" = conninfo ] && break
		sleep 0.1
	done
	{ echo "-- psql 15: $cmd"; statements "$off"; } >"$here/queries/$name.sql"
done <"$here/commands.txt"

off=$(stat -c %s "$tmp/log")
python3 "$here/tabcomplete.py" "$bin/psql" 'SELECT * FROM acc' >"$here/expected/tabcomplete.out"
sleep 0.5
{ echo "-- psql 15: tab completion of 'SELECT * FROM acc<TAB>'"; statements "$off"; } >"$here/queries/tabcomplete.sql"
# the socket directory and port change on every run
sed -i "s|$tmp|<socket dir>|g; s|\"$port\"|\"<port>\"|g" "$here"/expected/*.out
