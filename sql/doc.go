// Package sql is Borealis's SQL engine: parsing (subpackage ast), the type
// system and value encodings (subpackage types), planning and execution.
package sql
