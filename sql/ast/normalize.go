package ast

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// Normalized is a query with its literal constants replaced by parameters.
// Repeated simple-protocol queries that differ only in constants (as
// pgbench -M simple sends them) share one Key, so a plan cache keyed by Key
// parses and plans once; each execution binds Consts as parameter values.
type Normalized struct {
	Key    string   // the query text with literals replaced by $1, $2, ...
	Consts []*Const // the literals, in order, typed as the parser types them
}

// Normalize replaces numeric and plain string literals of a DML statement
// (SELECT, INSERT, UPDATE, DELETE, VALUES, WITH) by parameters, with a
// single-pass Go scanner (no cgo, no parse). ok is false when the text is
// not eligible (other statements, existing $n parameters, escape or dollar
// quoting, literals in positions where a parameter changes the meaning —
// ORDER BY/GROUP BY/LIMIT lists and typed literals such as DATE '...').
// Callers must then parse the original text. Bind a cached plan's
// parameter i to Consts[i-1].
func Normalize(sql string) (n *Normalized, ok bool) {
	first := firstWord(sql)
	switch first {
	case "select", "insert", "update", "delete", "values", "with":
	default:
		return nil, false
	}
	key := make([]byte, 0, len(sql)+8)
	// sig and sig2 are the last two significant (non-space) bytes written
	// to key, and sigAt the index of sig, to fold a prefix minus into a
	// number literal ("+ -4321" → "+ $1" with the constant -4321).
	var sig, sig2 byte
	sigAt := -1
	var consts []*Const
	prevWord := ""  // last keyword/identifier (lower-case)
	prevWord2 := "" // the one before
	prevTok := byte(0)
	inSortList := false // inside ORDER BY / GROUP BY, where numbers are column positions
	i := 0
	for i < len(sql) {
		ch := sql[i]
		switch {
		case ch == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			key = append(key, sql[i:i+j]...)
			i += j
			continue
		case ch == '/' && i+1 < len(sql) && sql[i+1] == '*':
			return nil, false // nested comments: not worth scanning here
		case ch == '$':
			return nil, false // parameters or dollar quoting
		case ch == '"':
			j := i + 1
			for {
				k := strings.IndexByte(sql[j:], '"')
				if k < 0 {
					return nil, false
				}
				j += k + 1
				if j < len(sql) && sql[j] == '"' {
					j++
					continue
				}
				break
			}
			key = append(key, sql[i:j]...)
			sig2, sig, sigAt = sig, 'i', len(key)-1
			prevWord2, prevWord = prevWord, "\"ident\""
			prevTok = 'i'
			i = j
			continue
		case ch == '\'':
			if prevTok == '\'' || (prevTok == 'i' && !stringOK[prevWord]) || (i > 0 && isIdentChar(sql[i-1])) {
				return nil, false // typed literal (DATE '...', E'...'), or string continuation
			}
			var val strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(sql[j:], '\'')
				if k < 0 {
					return nil, false
				}
				val.WriteString(sql[j : j+k])
				j += k + 1
				if j < len(sql) && sql[j] == '\'' {
					val.WriteByte('\'')
					j++
					continue
				}
				break
			}
			if strings.ContainsAny(val.String(), "\\") {
				return nil, false // standard_conforming_strings assumptions: keep exact
			}
			if inSortList || blocked(prevWord, prevWord2) {
				return nil, false
			}
			consts = append(consts, &Const{Value: strConst(val.String()), Type: unknownType, Loc: -1})
			key = appendPlaceholder(key, len(consts), sql, j)
			sig2, sig, sigAt = sig, '0', len(key)-1
			prevTok = '\''
			i = j
			continue
		case isDigit(ch) || (ch == '.' && i+1 < len(sql) && isDigit(sql[i+1])):
			j := i
			for j < len(sql) && (isDigit(sql[j]) || sql[j] == '.') {
				j++
			}
			if j < len(sql) && (sql[j] == 'e' || sql[j] == 'E') {
				k := j + 1
				if k < len(sql) && (sql[k] == '+' || sql[k] == '-') {
					k++
				}
				if k < len(sql) && isDigit(sql[k]) {
					j = k
					for j < len(sql) && isDigit(sql[j]) {
						j++
					}
				}
			}
			if j < len(sql) && (isIdentChar(sql[j]) || sql[j] == '.') {
				return nil, false // 0x1f, 1_000, 1.2.3 ...: let the parser decide
			}
			if inSortList || blocked(prevWord, prevWord2) {
				return nil, false
			}
			lit := sql[i:j]
			if sig == '-' && opRunHasSpecial(key[:sigAt+1]) {
				return nil, false // "-" ends a multi-character operator such as @-
			}
			if sig == '-' && sig2 == '-' {
				return nil, false // "- -1": PostgreSQL folds both signs
			}
			if sig == '-' && (strings.IndexByte("(,[+*/%<>=", sig2) >= 0 || (sig2 == 'i' && exprKeyword[prevWord2])) {
				if strings.HasPrefix(strings.TrimLeft(sql[j:], " \t\r\n"), "::") {
					return nil, false // "-1::t" is -(1::t): the cast binds tighter than the minus
				}
				key = key[:sigAt] // prefix minus: part of the constant, as PostgreSQL folds it
				if sigAt > 0 && isIdentChar(key[sigAt-1]) {
					key = append(key, ' ')
				}
				lit = "-" + lit
			}
			c, err := numConst(lit)
			if err != nil {
				return nil, false
			}
			consts = append(consts, c)
			key = appendPlaceholder(key, len(consts), sql, j)
			sig2, sig, sigAt = sig, '0', len(key)-1
			prevTok = '0'
			i = j
			continue
		case isIdentStart(ch):
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			w := strings.ToLower(sql[i:j])
			if w == "by" && (prevWord == "order" || prevWord == "group") {
				inSortList = true
			} else if sortListEnd[w] {
				inSortList = false
			}
			key = append(key, sql[i:j]...)
			sig2, sig, sigAt = sig, 'i', len(key)-1
			prevWord2, prevWord = prevWord, w
			prevTok = 'i'
			i = j
			continue
		}
		if ch == ':' && i+1 < len(sql) && sql[i+1] == ':' {
			prevTok = ':'
			key = append(key, "::"...)
			sig2, sig, sigAt = sig, ':', len(key)-1
			i += 2
			continue
		}
		key = append(key, ch)
		if !isSpace(ch) {
			sig2, sig, sigAt = sig, ch, len(key)-1
			prevTok = ch
			if ch == ',' || ch == '(' {
				// keep prevWord so "ORDER BY a, 2" and "varchar(10)" stay blocked
			} else {
				prevWord2, prevWord = prevWord, ""
			}
		}
		i++
	}
	return &Normalized{Key: string(key), Consts: consts}, true
}

// stringOK lists keywords after which a string literal is a plain value.
var stringOK = map[string]bool{"select": true, "where": true, "and": true, "or": true, "not": true, "like": true,
	"ilike": true, "then": true, "else": true, "when": true, "between": true, "in": true, "case": true, "is": true,
	"from": true, "escape": true, "values": true, "set": true, "returning": true, "distinct": true, "all": true, "any": true}

// appendPlaceholder appends "$n", separated by spaces from identifier
// characters on either side so that it stays one token.
func appendPlaceholder(key []byte, n int, sql string, next int) []byte {
	if len(key) > 0 && isIdentChar(key[len(key)-1]) {
		key = append(key, ' ')
	}
	key = append(key, '$')
	key = strconv.AppendInt(key, int64(n), 10)
	if next < len(sql) && isIdentChar(sql[next]) {
		key = append(key, ' ')
	}
	return key
}

// opRunHasSpecial reports whether the run of operator characters ending
// key contains one of ~!@#^&|`? (then PostgreSQL lexes a trailing "-" as
// part of the operator).
func opRunHasSpecial(key []byte) bool {
	for i := len(key) - 1; i >= 0; i-- {
		c := key[i]
		switch {
		case strings.IndexByte("~!@#^&|`?", c) >= 0:
			return true
		case strings.IndexByte("+-*/<>=%", c) >= 0:
		default:
			return false
		}
	}
	return false
}

// exprKeyword lists reserved words after which "-" is a prefix minus.
var exprKeyword = map[string]bool{"select": true, "where": true, "and": true, "or": true, "not": true, "then": true,
	"else": true, "when": true, "case": true, "limit": true, "offset": true, "having": true, "on": true, "between": true,
	"like": true, "ilike": true, "returning": true, "distinct": true, "all": true, "any": true, "some": true, "by": true,
	"in": true, "is": true, "from": true, "values": true, "return": true, "array": true, "using": true, "escape": true}

// sortListEnd lists keywords that end an ORDER BY / GROUP BY list.
var sortListEnd = map[string]bool{"limit": true, "offset": true, "having": true, "fetch": true, "for": true,
	"union": true, "intersect": true, "except": true, "window": true, "returning": true}

// blocked reports literal positions where a parameter would change the
// statement: ORDER BY/GROUP BY column numbers, and type modifiers.
func blocked(w, w2 string) bool {
	if w == "by" && (w2 == "order" || w2 == "group") {
		return true
	}
	if w == "" {
		return false
	}
	switch w {
	case "varchar", "char", "character", "numeric", "decimal", "timestamp", "timestamptz", "bpchar", "float", "varying", "interval",
		"time", "bit", "current_timestamp", "current_time", "localtime", "localtimestamp", "timetz", "nchar", "dec":
		return true
	}
	return false
}

func firstWord(s string) string {
	i := 0
	for i < len(s) && (isSpace(s[i]) || s[i] == '(') {
		i++
	}
	j := i
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	return strings.ToLower(s[i:j])
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }

// Fingerprint returns pg_query's fingerprint of a statement: equal for
// statements that differ only in constants and formatting. It parses (via
// cgo), so it costs about as much as Parse; Normalize is the cheap path.
func Fingerprint(sql string) (uint64, error) {
	fp, err := pg.FingerprintToUInt64(sql)
	if err != nil {
		return 0, syntaxError(err)
	}
	return fp, nil
}
