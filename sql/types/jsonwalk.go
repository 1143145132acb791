package types

// Walking json text (already validated) without building a tree: the
// operators -> ->> #> #>> on json return sub-values as their verbatim text.

// jsonSkipWS returns the first index at or after p that is not JSON
// whitespace.
func jsonSkipWS(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r') {
		p++
	}
	return p
}

// jsonSkipValue returns the end index of the value starting at p (p at
// its first byte) in validated json text.
func jsonSkipValue(s string, p int) int {
	if p >= len(s) {
		return p
	}
	switch s[p] {
	case '"':
		return jsonSkipString(s, p)
	case '{', '[':
		depth := 0
		for p < len(s) {
			switch s[p] {
			case '"':
				p = jsonSkipString(s, p)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return p + 1
				}
			}
			p++
		}
		return p
	}
	for p < len(s) {
		switch s[p] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return p
		}
		p++
	}
	return p
}

// jsonSkipString returns the index just past the string starting at p.
func jsonSkipString(s string, p int) int {
	p++
	for p < len(s) {
		switch s[p] {
		case '\\':
			p += 2
			continue
		case '"':
			return p + 1
		}
		p++
	}
	return len(s)
}

// JSONTextField returns the verbatim text of the value of key in the json
// object text s (the last one when the key repeats, as PostgreSQL's json
// -> does), and false when s is not an object or has no such key.
func JSONTextField(s, key string) (string, bool) {
	p := jsonSkipWS(s, 0)
	if p >= len(s) || s[p] != '{' {
		return "", false
	}
	p++
	var out string
	found := false
	for {
		p = jsonSkipWS(s, p)
		if p >= len(s) || s[p] == '}' {
			return out, found
		}
		ke := jsonSkipString(s, p)
		k, err := ParseJSON(s[p:ke])
		if err != nil {
			return "", false
		}
		p = jsonSkipWS(s, min(ke, len(s)))
		p = jsonSkipWS(s, min(p+1, len(s))) // the colon
		ve := jsonSkipValue(s, p)
		if k.Str == key {
			out, found = s[p:ve], true
		}
		p = jsonSkipWS(s, ve)
		if p < len(s) && s[p] == ',' {
			p++
		}
	}
}

// JSONTextElems returns the verbatim texts of the elements of the json
// array text s, and false when s is not an array.
func JSONTextElems(s string) ([]string, bool) {
	p := jsonSkipWS(s, 0)
	if p >= len(s) || s[p] != '[' {
		return nil, false
	}
	p++
	var out []string
	for {
		p = jsonSkipWS(s, p)
		if p >= len(s) || s[p] == ']' {
			return out, true
		}
		ve := jsonSkipValue(s, p)
		if ve == p { // not json (never for validated text): stop
			return out, true
		}
		out = append(out, s[p:ve])
		p = jsonSkipWS(s, ve)
		if p < len(s) && s[p] == ',' {
			p++
		}
	}
}

// JSONTextElem returns the verbatim text of element i (negative counts
// from the end) of the json array text s, and false when there is none.
func JSONTextElem(s string, i int64) (string, bool) {
	elems, ok := JSONTextElems(s)
	if !ok {
		return "", false
	}
	if i < 0 {
		i += int64(len(elems))
	}
	if i < 0 || i >= int64(len(elems)) {
		return "", false
	}
	return elems[i], true
}

// JSONTextScalar is the text ->> gives for the json value text v: a
// string unescaped, null as SQL NULL (false), anything else verbatim.
func JSONTextScalar(v string) (string, bool, error) {
	p := jsonSkipWS(v, 0)
	switch {
	case p < len(v) && v[p] == '"':
		j, err := ParseJSON(v)
		if err != nil {
			return "", false, err
		}
		return j.Str, true, nil
	case len(v) >= p+4 && v[p:p+4] == "null":
		return "", false, nil
	}
	return v, true, nil
}

// JSONTextFields returns the keys (unescaped) and verbatim value texts of
// the json object text s in input order, duplicates included, and false
// when s is not an object.
func JSONTextFields(s string) (keys, vals []string, ok bool) {
	p := jsonSkipWS(s, 0)
	if p >= len(s) || s[p] != '{' {
		return nil, nil, false
	}
	p++
	for {
		p = jsonSkipWS(s, p)
		if p >= len(s) || s[p] == '}' {
			return keys, vals, true
		}
		ke := jsonSkipString(s, p)
		k, err := ParseJSON(s[p:ke])
		if err != nil {
			return keys, vals, true
		}
		p = jsonSkipWS(s, min(ke, len(s)))
		p = jsonSkipWS(s, min(p+1, len(s))) // the colon
		ve := jsonSkipValue(s, p)
		keys, vals = append(keys, k.Str), append(vals, s[p:ve])
		p = jsonSkipWS(s, ve)
		if p < len(s) && s[p] == ',' {
			p++
		}
	}
}
