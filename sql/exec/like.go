package exec

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/borealis-db/borealis/sql/ast"
	"github.com/borealis-db/borealis/sql/types"
)

// SQLSTATEs of pattern matching, arrays and value functions.
const (
	CodeInvalidEscapeSequence = "22025" // LIKE pattern ends with the escape character, ESCAPE not one character
	CodeInvalidRegex          = "2201B"
	CodeArraySubscript        = "2202E"
	CodeProgramLimit          = "54000"
	CodeIndeterminateDatatype = "42P18"
)

// like compiles [NOT] LIKE / ILIKE with an optional ESCAPE.
func (cp *compiler) like(x *ast.Like, sc *scope) (expr, error) {
	v, err := cp.expr(x.Expr, sc)
	if err != nil {
		return nil, err
	}
	p, err := cp.expr(x.Pattern, sc)
	if err != nil {
		return nil, err
	}
	var esc expr
	if x.Escape != nil {
		if esc, err = cp.expr(x.Escape, sc); err != nil {
			return nil, err
		}
	}
	return cp.likeExprs(v, p, esc, x.Not, x.CaseInsensitive)
}

// textOperand resolves an operand of a text operator: unknown becomes
// text, string types are accepted, anything else is 42883.
func (cp *compiler) textOperands(op string, l, r expr) (expr, expr, error) {
	var err error
	for _, e := range []*expr{&l, &r} {
		if isUnknown(*e) {
			if *e, err = cp.coerce(*e, types.Text, types.CoerceImplicit); err != nil {
				return nil, nil, err
			}
		}
	}
	if !l.typ().IsString() || !r.typ().IsString() {
		return nil, nil, errf(types.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.typ(), op, r.typ())
	}
	return l, r, nil
}

func (cp *compiler) likeExprs(v, p, esc expr, not, fold bool) (expr, error) {
	op := "~~"
	if fold {
		op = "~~*"
	}
	if not {
		op = "!" + op
	}
	v, p, err := cp.textOperands(op, v, p)
	if err != nil {
		return nil, err
	}
	if esc != nil {
		if esc, err = cp.coerce(esc, types.Text, types.CoerceImplicit); err != nil {
			return nil, err
		}
	}
	out := &likeExpr{v: v, p: p, esc: esc, not: not, fold: fold}
	pc, pok := p.(*constExpr)
	ec, eok := esc.(*constExpr)
	if pok && !pc.d.IsNull() && (esc == nil || (eok && !ec.d.IsNull())) {
		e := "\\"
		if esc != nil {
			e = ec.d.S
		}
		if out.pat, err = compileLike(pc.d.S, e, fold); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// likeTok is one element of a LIKE pattern.
type likeTok struct {
	kind byte // 'l' literal rune, '_' any one character, '%' any sequence
	r    rune
}

// compileLike parses a LIKE pattern (fold: ILIKE, compared lower-cased)
// with PostgreSQL's escaping: esc (one character, or "" for none) makes
// the next character literal; a pattern ending in esc is 22025.
func compileLike(pattern, esc string, fold bool) ([]likeTok, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return nil, errf(CodeInvalidEscapeSequence, "invalid escape string")
	}
	escR, _ := utf8.DecodeRuneInString(esc)
	if esc == "" {
		escR = -1
	}
	if fold {
		pattern = asciiFold(pattern)
		if escR >= 0 {
			// PostgreSQL lower-cases the pattern before reading escapes.
			escR = []rune(asciiFold(string(escR)))[0]
		}
	}
	var toks []likeTok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escR:
			if i+1 >= len(rs) {
				return nil, errf(CodeInvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			toks = append(toks, likeTok{kind: 'l', r: rs[i]})
		case r == '%':
			if len(toks) == 0 || toks[len(toks)-1].kind != '%' {
				toks = append(toks, likeTok{kind: '%'})
			}
		case r == '_':
			toks = append(toks, likeTok{kind: '_'})
		default:
			toks = append(toks, likeTok{kind: 'l', r: r})
		}
	}
	return toks, nil
}

// likeMatch matches s against a compiled pattern (greedy with
// backtracking to the last %, exact for %/_ patterns).
func likeMatch(s string, toks []likeTok) bool {
	rs := []rune(s)
	si, ti, starT, starS := 0, 0, -1, 0
	for si < len(rs) {
		if ti < len(toks) {
			t := toks[ti]
			if t.kind == '_' || (t.kind == 'l' && t.r == rs[si]) {
				si++
				ti++
				continue
			}
			if t.kind == '%' {
				starT, starS = ti, si
				ti++
				continue
			}
		}
		if starT >= 0 {
			starS++
			si, ti = starS, starT+1
			continue
		}
		return false
	}
	for ti < len(toks) && toks[ti].kind == '%' {
		ti++
	}
	return ti == len(toks)
}

type likeExpr struct {
	v, p, esc expr
	pat       []likeTok // compiled at plan time when the pattern is constant
	not, fold bool
}

func (e *likeExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	v, err := e.v.eval(c, row)
	if err != nil || v.IsNull() {
		return types.Null, err
	}
	pat := e.pat
	if pat == nil {
		p, err := e.p.eval(c, row)
		if err != nil || p.IsNull() {
			return types.Null, err
		}
		esc := "\\"
		if e.esc != nil {
			d, err := e.esc.eval(c, row)
			if err != nil || d.IsNull() {
				return types.Null, err
			}
			esc = d.S
		}
		if pat, err = compileLike(p.S, esc, e.fold); err != nil {
			return types.Null, err
		}
	}
	s := v.S
	if e.fold {
		s = asciiFold(s)
	}
	return types.NewBool(likeMatch(s, pat) != e.not), nil
}
func (e *likeExpr) typ() types.Type { return types.Bool }

// regexOp compiles ~ ~* !~ !~* with Go's regexp (RE2). Differences from
// PostgreSQL's ARE: no back references or lookaround (those patterns are
// 2201B here); '.' matches newlines as in PostgreSQL's default mode.
func (cp *compiler) regexOp(op string, l, r expr) (expr, error) {
	l, r, err := cp.textOperands(op, l, r)
	if err != nil {
		return nil, err
	}
	out := &regexExpr{l: l, r: r, not: op[0] == '!', fold: strings.HasSuffix(op, "*")}
	if rc, ok := r.(*constExpr); ok && !rc.d.IsNull() {
		if out.re, err = compileRegex(rc.d.S, out.fold); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compileRegex(pattern string, fold bool) (*regexp.Regexp, error) {
	flags := "(?s)"
	if fold {
		if hasNonASCIICased(pattern) {
			// PostgreSQL's C locale folds ASCII letters only; RE2's (?i)
			// would also match É for é.
			return nil, unsupported("case-insensitive regular expressions with non-ASCII letters are not supported")
		}
		flags = "(?is)"
	}
	re, err := regexp.Compile(flags + pattern)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*syntax.Error); ok {
			msg = string(e.Code)
		}
		return nil, errf(CodeInvalidRegex, "invalid regular expression: %s", msg)
	}
	return re, nil
}

type regexExpr struct {
	l, r      expr
	re        *regexp.Regexp
	not, fold bool
}

func (e *regexExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	a, err := e.l.eval(c, row)
	if err != nil || a.IsNull() {
		return types.Null, err
	}
	re := e.re
	if re == nil {
		p, err := e.r.eval(c, row)
		if err != nil || p.IsNull() {
			return types.Null, err
		}
		if re, err = compileRegex(p.S, e.fold); err != nil {
			return types.Null, err
		}
	}
	return types.NewBool(re.MatchString(a.S) != e.not), nil
}
func (e *regexExpr) typ() types.Type { return types.Bool }

// similar compiles [NOT] SIMILAR TO: the SQL pattern translated to an
// anchored regular expression as PostgreSQL's similar_to_escape does.
func (cp *compiler) similar(x *ast.Similar, sc *scope) (expr, error) {
	v, err := cp.expr(x.Expr, sc)
	if err != nil {
		return nil, err
	}
	p, err := cp.expr(x.Pattern, sc)
	if err != nil {
		return nil, err
	}
	if v, p, err = cp.textOperands("~", v, p); err != nil {
		return nil, err
	}
	esc := "\\"
	if x.Escape != nil {
		e, err := cp.expr(x.Escape, sc)
		if err != nil {
			return nil, err
		}
		ec, ok := e.(*constExpr)
		if !ok {
			return nil, unsupported("SIMILAR TO with a non-constant ESCAPE is not supported")
		}
		if ec.d.IsNull() {
			return &constExpr{d: types.Null, t: types.Bool}, nil
		}
		esc = ec.d.S
	}
	pc, ok := p.(*constExpr)
	if !ok {
		return nil, unsupported("SIMILAR TO with a non-constant pattern is not supported")
	}
	if pc.d.IsNull() {
		return &constExpr{d: types.Null, t: types.Bool}, nil
	}
	re, err := similarToRegex(pc.d.S, esc)
	if err != nil {
		return nil, err
	}
	cre, err := compileRegex(re, false)
	if err != nil {
		return nil, err
	}
	return &regexExpr{l: v, r: p, re: cre, not: x.Not}, nil
}

// similarToRegex translates a SIMILAR TO pattern to a regular expression.
func similarToRegex(pat, esc string) (string, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return "", errf(CodeInvalidEscapeSequence, "invalid escape string")
	}
	escR, _ := utf8.DecodeRuneInString(esc)
	if esc == "" {
		escR = -1
	}
	var b strings.Builder
	b.WriteString("^(?:")
	afterEsc, inClass := false, false
	for _, r := range pat {
		switch {
		case afterEsc:
			if r == '"' {
				return "", unsupported("SIMILAR TO escape-double-quote is not supported")
			}
			b.WriteString(regexp.QuoteMeta(string(r)))
			afterEsc = false
		case r == escR:
			afterEsc = true
		case inClass:
			if r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			if r == ']' {
				inClass = false
			}
		case r == '[':
			inClass = true
			b.WriteRune(r)
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteByte('.')
		case r == '(':
			b.WriteString("(?:")
		case r == '\\' || r == '.' || r == '^' || r == '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if afterEsc {
		return "", errf(CodeInvalidEscapeSequence, "SIMILAR TO pattern must not end with escape character")
	}
	b.WriteString(")$")
	return b.String(), nil
}

// sqlValueFuncMore compiles the SQL value functions with a precision
// (current_timestamp(p), localtimestamp(p)) and current_time[(p)] and
// localtime[(p)].
func sqlValueFuncMore(x *ast.SQLValueFunc) (expr, error) {
	switch x.Name {
	case "current_timestamp", "localtimestamp":
		t := types.Timestamptz
		if x.Name == "localtimestamp" {
			t = types.Timestamp
		}
		if x.Precision < 0 {
			return &nowExpr{t: t}, nil
		}
		p := x.Precision
		if p > 6 {
			p = 6
		}
		to := t
		to.Typmod = p
		return &castExpr{e: &nowExpr{t: t}, to: to, ctx: types.CoerceExplicit}, nil
	case "current_time", "localtime": // the transaction time in the session zone
		to := types.Timetz
		if x.Name == "localtime" {
			to = types.Time
		}
		if x.Precision >= 0 {
			to.Typmod = min(x.Precision, 6)
		}
		return &castExpr{e: &nowExpr{t: types.Timestamptz}, to: to, ctx: types.CoerceExplicit}, nil
	}
	return nil, unsupported("%s is not supported", x.Name)
}

// builtinMore compiles the functions behind special syntax that the
// registry does not hold: timezone(zone, ts) for AT TIME ZONE. nil, nil
// when name is not one of them.
func (cp *compiler) builtinMore(name string, args []expr) (expr, error) {
	if name != "timezone" || len(args) != 2 {
		return nil, nil
	}
	zone, err := cp.coerce(args[0], types.Text, types.CoerceImplicit)
	if err != nil {
		if args[0].typ().OID == types.OIDInterval {
			return nil, unsupported("AT TIME ZONE with an interval is not supported")
		}
		return nil, err
	}
	ts := args[1]
	switch ts.typ().OID {
	case types.OIDTimestamp, types.OIDTimestamptz:
	case types.OIDTime, types.OIDTimetz:
		return cp.timetzAtZone(zone, ts) // timeexpr.go
	case types.OIDUnknown, types.OIDDate:
		if ts, err = cp.coerce(ts, types.Timestamptz, types.CoerceImplicit); err != nil {
			return nil, err
		}
	default:
		return nil, errf(types.CodeUndefinedFunction, "function timezone(%s, %s) does not exist", args[0].typ(), ts.typ())
	}
	t := types.Timestamp
	if ts.typ().OID == types.OIDTimestamp {
		t = types.Timestamptz
	}
	return &atTimeZoneExpr{zone: zone, ts: ts, t: t}, nil
}

// atTimeZoneExpr is ts AT TIME ZONE zone: timestamptz → the wall-clock
// time in zone (timestamp); timestamp → that wall-clock time in zone
// (timestamptz).
type atTimeZoneExpr struct {
	zone, ts expr
	t        types.Type
}

func (e *atTimeZoneExpr) eval(c *Ctx, row []types.Datum) (types.Datum, error) {
	z, err := e.zone.eval(c, row)
	if err != nil || z.IsNull() {
		return types.Null, err
	}
	ts, err := e.ts.eval(c, row)
	if err != nil || ts.IsNull() {
		return types.Null, err
	}
	loc, err := types.LoadLocation(z.S)
	if err != nil {
		return types.Null, errf(types.CodeInvalidParameterValue, "time zone %q not recognized", z.S)
	}
	if e.t.OID == types.OIDTimestamp {
		us, err := types.TimestamptzToTimestamp(ts.I, loc)
		return types.NewTimestamp(us), err
	}
	us, err := types.TimestampToTimestamptz(ts.I, loc)
	return types.NewTimestamptz(us), err
}
func (e *atTimeZoneExpr) typ() types.Type { return e.t }

// pgOnlyTypes are built-in PostgreSQL types this engine does not support:
// naming one is 0A000 (not 42704, which says the type does not exist).
var pgOnlyTypes = map[string]bool{
	"money": true, "bit": true,
	"varbit": true, "xml": true, "json": true, "inet": true, "cidr": true, "macaddr": true,
	"macaddr8": true, "point": true, "line": true, "lseg": true, "box": true, "path": true,
	"polygon": true, "circle": true, "tsvector": true, "tsquery": true, "int4range": true,
	"int8range": true, "numrange": true, "tsrange": true, "tstzrange": true, "daterange": true,
	"pg_lsn": true, "txid_snapshot": true, "pg_snapshot": true, "char": true, "name": true,
	"regproc": true, "regprocedure": true, "regoper": true, "regoperator": true, "regconfig": true,
	"regdictionary": true, "regrole": true, "regcollation": true, "xid": true, "xid8": true,
	"cid": true, "tid": true, "int2vector": true, "oidvector": true, "record": true,
}

// knownUnsupportedType turns "type does not exist" for a PostgreSQL
// built-in type into 0A000; other errors pass through.
func knownUnsupportedType(tn *ast.TypeName, err error) error {
	if te, ok := err.(*types.Error); ok && te.Code == types.CodeUndefinedObject && pgOnlyTypes[tn.Name] && (tn.Schema == "" || tn.Schema == "pg_catalog") {
		return unsupported("type %s is not supported", tn.Name)
	}
	return err
}

// asciiFold lower-cases the ASCII letters of s only: ILIKE folds case as
// lower() does in the C locale of the database (é and É stay different).
func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// hasNonASCIICased reports whether s holds a non-ASCII letter that has
// another case.
func hasNonASCIICased(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}
