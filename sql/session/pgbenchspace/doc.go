// Package pgbenchspace holds issue 3's pgbench Space and crash tests: five
// minutes of tpcb-like at scale 10 with 8 clients against a `borealis
// writer` process on six storage processes must grow the volume's live
// pages by at most 30%, and a writer SIGKILLed in the middle of a pgbench
// run must be replaced by one that recovers without replaying the log and
// keeps every acknowledged commit. It has no code of its own; it is a
// package so that its test runs as its own binary, in parallel with the
// rest of `go test ./...` and within go test's default timeout.
package pgbenchspace
