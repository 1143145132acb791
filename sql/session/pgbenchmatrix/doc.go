// Package pgbenchmatrix holds issue 3's pgbench conformance test: unmodified
// pgbench against a `borealis writer` process on six storage processes,
// both init variants at scale 10 and the -M simple|extended|prepared ×
// tpcb-like / simple-update / select-only matrix. It has no code of its own;
// it is a package so that its test runs as its own binary, in parallel with
// the rest of `go test ./...` and within go test's default timeout.
package pgbenchmatrix
