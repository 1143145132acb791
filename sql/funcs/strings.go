package funcs

import (
	"crypto/md5"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/borealis-db/borealis/sql/types"
)

// String functions: length, char_length, character_length, octet_length,
// lower, upper, initcap, substr, substring, position, strpos, replace,
// btrim, ltrim, rtrim, lpad, rpad, left, right, repeat, reverse, concat,
// concat_ws, split_part, starts_with, md5, to_hex, ascii, chr, quote_ident,
// quote_literal, quote_nullable, format, regexp_replace, translate, overlay.
//
// Case mapping follows the C locale (ASCII letters only), the collation
// Borealis compares text in.
func addStringFuncs(r *Registry) {
	T, I4, I8 := types.Text, types.Int4, types.Int8
	str := func(f func(s string) string) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			return types.NewString(f(a[0].S)), nil
		}
	}
	charLen := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(utf8.RuneCountInString(a[0].S))), nil
	}
	bpcharLen := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(utf8.RuneCountInString(types.TrimBpchar(a[0].S)))), nil
	}
	octetLen := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewInt(int64(len(a[0].S))), nil
	}
	for _, n := range []string{"length", "char_length", "character_length"} {
		add(r, n, I4, charLen, T)
		add(r, n, I4, bpcharLen, types.Bpchar)
	}
	add(r, "octet_length", I4, octetLen, T)
	add(r, "octet_length", I4, octetLen, types.Bpchar)
	add(r, "lower", T, str(asciiLower), T)
	add(r, "upper", T, str(asciiUpper), T)
	add(r, "initcap", T, str(initcap), T)
	add(r, "reverse", T, str(reverse), T)
	add(r, "md5", T, str(func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }), T)
	add(r, "quote_ident", T, str(QuoteIdent), T)
	add(r, "quote_literal", T, str(quoteLiteral), T)
	add(r, "quote_literal", T, anyToText(quoteLiteral), AnyElement)
	qn := add(r, "quote_nullable", T, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.NewString("NULL"), nil
		}
		return types.NewString(quoteLiteral(outText(c, t[0], a[0]))), nil
	}, AnyElement)
	qn.Strict = false
	qn2 := add(r, "quote_nullable", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.NewString("NULL"), nil
		}
		return types.NewString(quoteLiteral(a[0].S)), nil
	}, T)
	qn2.Strict = false

	substr := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if len(a) == 2 {
			return substring(a[0].S, a[1].I, 0, false)
		}
		return substring(a[0].S, a[1].I, a[2].I, true)
	}
	for _, n := range []string{"substr", "substring"} {
		add(r, n, T, substr, T, I4)
		add(r, n, T, substr, T, I4, I4)
	}
	strpos := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		i := strings.Index(a[0].S, a[1].S)
		if i < 0 {
			return types.NewInt(0), nil
		}
		return types.NewInt(int64(utf8.RuneCountInString(a[0].S[:i]) + 1)), nil
	}
	add(r, "strpos", I4, strpos, T, T)
	add(r, "position", I4, strpos, T, T)
	add(r, "replace", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[1].S == "" {
			return a[0], nil
		}
		return types.NewString(strings.ReplaceAll(a[0].S, a[1].S, a[2].S)), nil
	}, T, T, T)
	trim := func(left, right bool) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			set := " "
			if len(a) > 1 {
				set = a[1].S
			}
			s := a[0].S
			if left {
				s = strings.TrimLeft(s, set)
			}
			if right {
				s = strings.TrimRight(s, set)
			}
			return types.NewString(s), nil
		}
	}
	for _, n := range []struct {
		name        string
		left, right bool
	}{{"btrim", true, true}, {"ltrim", true, false}, {"rtrim", false, true}} {
		add(r, n.name, T, trim(n.left, n.right), T)
		add(r, n.name, T, trim(n.left, n.right), T, T)
	}
	pad := func(left bool) evalFn {
		return func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
			fill := " "
			if len(a) > 2 {
				fill = a[2].S
			}
			s, err := padString(a[0].S, a[1].I, fill, left)
			if err != nil {
				return types.Null, err
			}
			return types.NewString(s), nil
		}
	}
	add(r, "lpad", T, pad(true), T, I4)
	add(r, "lpad", T, pad(true), T, I4, T)
	add(r, "rpad", T, pad(false), T, I4)
	add(r, "rpad", T, pad(false), T, I4, T)
	add(r, "left", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		rs := []rune(a[0].S)
		n := a[1].I
		if n < 0 {
			n = int64(len(rs)) + n
		}
		n = max(0, min(n, int64(len(rs))))
		return types.NewString(string(rs[:n])), nil
	}, T, I4)
	add(r, "right", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		rs := []rune(a[0].S)
		n := a[1].I
		if n < 0 {
			n = int64(len(rs)) + n
		}
		n = max(0, min(n, int64(len(rs))))
		return types.NewString(string(rs[int64(len(rs))-n:])), nil
	}, T, I4)
	add(r, "repeat", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		n := a[1].I
		if n <= 0 || a[0].S == "" {
			return types.NewString(""), nil
		}
		if n*int64(len(a[0].S)) > maxAlloc {
			return types.Null, errTooLarge()
		}
		return types.NewString(strings.Repeat(a[0].S, int(n))), nil
	}, T, I4)
	concat := add(r, "concat", T, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		var b strings.Builder
		for i, d := range a {
			if !d.IsNull() {
				b.WriteString(outText(c, t[i], d))
			}
		}
		return types.NewString(b.String()), nil
	}, Any)
	concat.Variadic, concat.Strict = true, false
	concatWS := add(r, "concat_ws", T, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		var b strings.Builder
		first := true
		for i := 1; i < len(a); i++ {
			if a[i].IsNull() {
				continue
			}
			if !first {
				b.WriteString(a[0].S)
			}
			first = false
			b.WriteString(outText(c, t[i], a[i]))
		}
		return types.NewString(b.String()), nil
	}, T, Any)
	concatWS.Variadic, concatWS.Strict = true, false
	add(r, "split_part", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, d, n := a[0].S, a[1].S, a[2].I
		if n == 0 {
			return types.Null, errf(codeInvalidParameterValue, "field position must not be zero")
		}
		if s == "" {
			return types.NewString(""), nil
		}
		if d == "" {
			if n == 1 || n == -1 {
				return types.NewString(s), nil
			}
			return types.NewString(""), nil
		}
		parts := strings.Split(s, d)
		if n < 0 {
			n = int64(len(parts)) + n + 1
		}
		if n < 1 || n > int64(len(parts)) {
			return types.NewString(""), nil
		}
		return types.NewString(parts[n-1]), nil
	}, T, T, I4)
	add(r, "starts_with", types.Bool, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewBool(strings.HasPrefix(a[0].S, a[1].S)), nil
	}, T, T)
	add(r, "to_hex", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewString(strconv.FormatUint(uint64(uint32(a[0].I)), 16)), nil
	}, I4)
	add(r, "to_hex", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return types.NewString(strconv.FormatUint(uint64(a[0].I), 16)), nil
	}, I8)
	add(r, "ascii", I4, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		if a[0].S == "" {
			return types.NewInt(0), nil
		}
		c, _ := utf8.DecodeRuneInString(a[0].S)
		return types.NewInt(int64(c)), nil
	}, T)
	add(r, "chr", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		v := a[0].I
		switch {
		case v < 0:
			return types.Null, errf(codeInvalidParameterValue, "character number must be positive")
		case v == 0:
			return types.Null, errf(codeProgramLimitExceeded, "null character not permitted")
		case v > 0x10ffff:
			return types.Null, errf(codeProgramLimitExceeded, "requested character too large for encoding: %d", v)
		case v >= 0xd800 && v <= 0xdfff:
			return types.Null, errf(codeProgramLimitExceeded, "requested character not valid for encoding: %d", v)
		}
		return types.NewString(string(rune(v))), nil
	}, I4)
	add(r, "translate", T, func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		from, to := []rune(a[1].S), []rune(a[2].S)
		var b strings.Builder
		for _, c := range a[0].S {
			j := -1
			for k, f := range from {
				if f == c {
					j = k
					break
				}
			}
			switch {
			case j < 0:
				b.WriteRune(c)
			case j < len(to):
				b.WriteRune(to[j])
			}
		}
		return types.NewString(b.String()), nil
	}, T, T, T)
	overlay := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		s, p := []rune(a[0].S), a[1].S
		start := a[2].I
		n := int64(utf8.RuneCountInString(p))
		if len(a) > 3 {
			n = a[3].I
		}
		if start < 1 || n < 0 {
			return types.Null, errf(codeSubstringError, "negative substring length not allowed")
		}
		head, err := substring(string(s), 1, start-1, true)
		if err != nil {
			return types.Null, err
		}
		tail, _ := substring(string(s), start+n, 0, false)
		return types.NewString(head.S + p + tail.S), nil
	}
	add(r, "overlay", T, overlay, T, T, I4, I4)
	add(r, "overlay", T, overlay, T, T, I4)
	format := add(r, "format", T, func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		if a[0].IsNull() {
			return types.Null, nil
		}
		return formatText(c, a[0].S, a[1:], t[1:])
	}, T, Any)
	format.Variadic, format.Strict = true, false
	format0 := add(r, "format", T, func(c *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		return formatText(c, a[0].S, nil, nil)
	}, T)
	_ = format0
	reReplace := func(_ *Context, a []types.Datum, _ []types.Type) (types.Datum, error) {
		flags := ""
		if len(a) > 3 {
			flags = a[3].S
		}
		s, err := regexpReplace(a[0].S, a[1].S, a[2].S, flags)
		if err != nil {
			return types.Null, err
		}
		return types.NewString(s), nil
	}
	add(r, "regexp_replace", T, reReplace, T, T, T)
	add(r, "regexp_replace", T, reReplace, T, T, T, T)
}

// outText is the output function of type t applied to d.
func outText(c *Context, t types.Type, d types.Datum) string {
	var env *types.Env
	if c != nil {
		env = c.Env
	}
	if t.OID == types.OIDBool && d.K == types.KindBool {
		if d.Bool() {
			return "t"
		}
		return "f"
	}
	return types.FormatText(t, d, env)
}

// anyToText adapts a text function to an argument of any type (the value
// goes through its output function first).
func anyToText(f func(string) string) evalFn {
	return func(c *Context, a []types.Datum, t []types.Type) (types.Datum, error) {
		return types.NewString(f(outText(c, t[0], a[0]))), nil
	}
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func isASCIIAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func initcap(s string) string {
	b := []byte(s)
	was := false
	for i, c := range b {
		if was {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 32
			}
		} else if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
		was = isASCIIAlnum(c)
	}
	return string(b)
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}

// substring is text_substring: characters [start, start+count) counted
// from 1, clipped to the string.
func substring(s string, start, count int64, hasCount bool) (types.Datum, error) {
	end := int64(math.MaxInt64)
	if hasCount {
		if count < 0 {
			return types.Null, errf(codeSubstringError, "negative substring length not allowed")
		}
		if start > math.MaxInt64-count {
			end = math.MaxInt64
		} else {
			end = start + count
		}
	}
	if end < 1 {
		return types.NewString(""), nil
	}
	s1 := max(start, 1)
	var b strings.Builder
	pos := int64(1)
	for _, c := range s {
		if pos >= end {
			break
		}
		if pos >= s1 {
			b.WriteRune(c)
		}
		pos++
	}
	return types.NewString(b.String()), nil
}

func padString(s string, n int64, fill string, left bool) (string, error) {
	if n < 0 {
		n = 0
	}
	rs := []rune(s)
	if int64(len(rs)) > n {
		rs = rs[:n]
	}
	fr := []rune(fill)
	if len(fr) == 0 {
		return string(rs), nil
	}
	need := n - int64(len(rs))
	if n*4 > maxAlloc {
		return "", errTooLarge()
	}
	p := make([]rune, 0, need)
	for i := int64(0); i < need; i++ {
		p = append(p, fr[i%int64(len(fr))])
	}
	if left {
		return string(p) + string(rs), nil
	}
	return string(rs) + string(p), nil
}

// QuoteIdent quotes an identifier as PostgreSQL's quote_ident does: only
// when it is not all lower-case letters, digits and underscores starting
// with a letter or underscore, or when it is a keyword that is not
// unreserved.
func QuoteIdent(s string) string {
	safe := s != "" && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		if !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
			safe = false
		}
	}
	if safe && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteLiteral(s string) string {
	var b strings.Builder
	if strings.Contains(s, `\`) {
		b.WriteByte('E')
	}
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte(s[i])
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// formatText is format(): %s, %I, %L and %%, with argument positions (n$)
// and widths (n, *, *n$, - for left alignment).
func formatText(c *Context, f string, args []types.Datum, argTypes []types.Type) (types.Datum, error) {
	var b strings.Builder
	next := 0
	bad := func(msg string) error {
		return &types.Error{Code: codeInvalidParameterValue, Message: msg}
	}
	unterminated := func() error {
		return &types.Error{Code: codeInvalidParameterValue, Message: "unterminated format() type specifier",
			Hint: `For a single "%" use "%%".`}
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return types.Null, unterminated()
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// [argpos$][-][width|*|*argpos$]type
		num := func() (int, bool, error) {
			st := i
			v := 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				if v > (math.MaxInt32-9)/10 {
					return 0, false, bad("number is out of range")
				}
				v = v*10 + int(f[i]-'0')
				i++
			}
			return v, i > st, nil
		}
		argPos := -1
		leftAlign := false
		width, hasWidth := 0, false
		v, ok, err := num()
		if err != nil {
			return types.Null, err
		}
		if ok {
			if i < len(f) && f[i] == '$' {
				if v == 0 {
					return types.Null, bad("format specifies argument 0, but arguments are numbered from 1")
				}
				argPos = v - 1
				i++
			} else {
				width, hasWidth = v, true
			}
		}
		if !hasWidth {
			if i < len(f) && f[i] == '-' {
				leftAlign = true
				i++
			}
			if i < len(f) && f[i] == '*' {
				i++
				wpos := next
				if n, ok, err := num(); err != nil {
					return types.Null, err
				} else if ok {
					if i >= len(f) || f[i] != '$' {
						return types.Null, unterminated()
					}
					if n == 0 {
						return types.Null, bad("format specifies argument 0, but arguments are numbered from 1")
					}
					wpos = n - 1
					i++
				}
				if wpos >= len(args) {
					return types.Null, bad("too few arguments for format()")
				}
				next = wpos + 1
				wd := args[wpos]
				if !wd.IsNull() {
					w, err := types.Cast(wd, argTypes[wpos], types.Int4, types.CoerceImplicit, nil)
					if err != nil {
						return types.Null, err
					}
					width = int(w.I)
					if width < 0 {
						leftAlign, width = true, -width
					}
				}
			} else if n, ok, err := num(); err != nil {
				return types.Null, err
			} else if ok {
				width = n
			}
		}
		if i >= len(f) {
			return types.Null, unterminated()
		}
		typ := f[i]
		if typ != 's' && typ != 'I' && typ != 'L' {
			return types.Null, &types.Error{Code: codeInvalidParameterValue,
				Message: `unrecognized format() type specifier "` + string(typ) + `"`,
				Hint:    `For a single "%" use "%%".`}
		}
		p := next
		if argPos >= 0 {
			p = argPos
		}
		if p >= len(args) {
			return types.Null, bad("too few arguments for format()")
		}
		next = p + 1
		var s string
		d := args[p]
		switch typ {
		case 's':
			if !d.IsNull() {
				s = outText(c, argTypes[p], d)
			}
		case 'I':
			if d.IsNull() {
				return types.Null, errf(codeNullNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			s = QuoteIdent(outText(c, argTypes[p], d))
		case 'L':
			if d.IsNull() {
				s = "NULL"
			} else {
				s = quoteLiteral(outText(c, argTypes[p], d))
			}
		}
		if n := utf8.RuneCountInString(s); n < width {
			if leftAlign {
				s += strings.Repeat(" ", width-n)
			} else {
				s = strings.Repeat(" ", width-n) + s
			}
		}
		b.WriteString(s)
	}
	return types.NewString(b.String()), nil
}

// compileRegex compiles a PostgreSQL (ARE) pattern with regexp_* flags
// using Go's RE2 engine; back-references and lookaround are not
// supported.
func compileRegex(pattern, flags string) (*regexp.Regexp, bool, error) {
	global := false
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'g':
			global = true
		case 'i':
			for _, r := range pattern { // the C locale folds ASCII letters only; (?i) would fold É to é
				if r > unicode.MaxASCII && unicode.SimpleFold(r) != r {
					return nil, false, errf(codeFeatureNotSupported, "case-insensitive regular expressions with non-ASCII letters are not supported")
				}
			}
			prefix += "(?i)"
		case 'c':
		case 'n', 'm':
			prefix += "(?m)"
		case 's':
			prefix += "(?s)"
		case 'x', 'p', 'w', 'q', 'b', 'e', 't':
			if f == 'q' {
				pattern = regexp.QuoteMeta(pattern)
			}
		default:
			return nil, false, errf(codeInvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	if !strings.ContainsAny(flags, "nm") {
		prefix = "(?s)" + prefix // PostgreSQL's . matches newline by default
	}
	re, err := regexp.Compile(prefix + pattern)
	if err != nil {
		return nil, false, errf(codeInvalidRegex, "invalid regular expression: %s", err.Error())
	}
	return re, global, nil
}

func regexpReplace(src, pattern, repl, flags string) (string, error) {
	re, global, err := compileRegex(pattern, flags)
	if err != nil {
		return "", err
	}
	if err := emptyMatchReplace(re, global, repl); err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		b.WriteString(src[last:m[0]])
		expandReplacement(&b, src, m, repl)
		last = m[1]
		if !global {
			break
		}
	}
	b.WriteString(src[last:])
	return b.String(), nil
}
