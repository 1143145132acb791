// Package bench holds Borealis's reproducible benchmarks. Each subdirectory is a
// program (`go run ./bench/<name>`) that measures Borealis and, where there is
// one, PostgreSQL side by side in the same run, and prints the figures that go
// into bench/RESULTS.md with the machine and the date.
package bench
