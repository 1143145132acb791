// Package bench holds Borealis's reproducible benchmarks and the helpers they
// share (the fdatasync probe). Each subdirectory is either a program (`go run
// ./bench/pgbench`) or a Go benchmark (`go test -bench . ./bench/storage`)
// that measures Borealis and, where there is one, PostgreSQL side by side in
// the same run; bench/README.md gives the commands and bench/RESULTS.md the
// figures with the machine and the date.
package bench
