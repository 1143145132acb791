package sequence

import (
	"fmt"
	"math"

	"github.com/borealis-db/borealis/sql/types"
)

// IntType is a sequence's data type (CREATE SEQUENCE ... AS type): it only
// bounds the default and allowed MINVALUE/MAXVALUE. serial is Int4,
// bigserial Int8, smallserial Int2.
type IntType uint8

// Sequence data types.
const (
	Int8 IntType = 8 // bigint, the default
	Int4 IntType = 4 // integer
	Int2 IntType = 2 // smallint
)

// String returns the type's SQL name as PostgreSQL prints it in messages.
func (t IntType) String() string {
	switch t {
	case Int2:
		return "smallint"
	case Int4:
		return "integer"
	case Int8:
		return "bigint"
	}
	return fmt.Sprintf("inttype(%d)", uint8(t))
}

// bounds returns the type's range.
func (t IntType) bounds() (int64, int64, bool) {
	switch t {
	case Int2:
		return math.MinInt16, math.MaxInt16, true
	case Int4:
		return math.MinInt32, math.MaxInt32, true
	case Int8:
		return math.MinInt64, math.MaxInt64, true
	}
	return 0, 0, false
}

// Params are a sequence's parameters (pg_sequence), all resolved.
type Params struct {
	Type      IntType
	Start     int64
	Increment int64
	Min       int64
	Max       int64
	// Cache is stored and reported; values are handed out one at a time
	// whatever it is (as with CACHE 1).
	Cache int64
	Cycle bool
}

// Options are the options of CREATE SEQUENCE / ALTER SEQUENCE (and of an
// identity column's sequence): nil means not given. NoMin / NoMax are
// NO MINVALUE / NO MAXVALUE (the default bound for the type and direction).
type Options struct {
	Type         *IntType
	Start        *int64
	Increment    *int64
	Min, Max     *int64
	NoMin, NoMax bool
	Cache        *int64
	Cycle        *bool
}

// Resolve applies o to old (ALTER SEQUENCE) or, when old is nil, to the
// defaults (CREATE SEQUENCE), with PostgreSQL's rules: INCREMENT 1; an
// ascending sequence's MINVALUE 1 and MAXVALUE the type's maximum, a
// descending one's MINVALUE the type's minimum and MAXVALUE -1; START at
// MINVALUE (ascending) or MAXVALUE (descending); CACHE 1; NO CYCLE. On
// ALTER, a bound that was the old type's default follows a change of type
// or direction. Invalid combinations are 22023 errors with PostgreSQL's
// messages.
func (o Options) Resolve(old *Params) (Params, error) {
	var p Params
	isInit := old == nil
	if !isInit {
		p = *old
	}
	oldType := p.Type
	if o.Type != nil {
		p.Type = *o.Type
	} else if isInit {
		p.Type = Int8
	}
	tmin, tmax, ok := p.Type.bounds()
	if !ok {
		return Params{}, types.Errorf("22023", "sequence type must be smallint, integer, or bigint")
	}
	if o.Increment != nil {
		if *o.Increment == 0 {
			return Params{}, types.Errorf("22023", "INCREMENT must not be zero")
		}
		p.Increment = *o.Increment
	} else if isInit {
		p.Increment = 1
	}
	if o.Cycle != nil {
		p.Cycle = *o.Cycle
	}
	// A bound at the old type's default follows a type change.
	resetMax, resetMin := isInit || o.NoMax, isInit || o.NoMin
	if !isInit && o.Type != nil && oldType != p.Type {
		omin, omax, _ := oldType.bounds()
		resetMax = resetMax || (old.Increment > 0 && old.Max == omax) || (old.Increment < 0 && old.Max == -1)
		resetMin = resetMin || (old.Increment > 0 && old.Min == 1) || (old.Increment < 0 && old.Min == omin)
	}
	switch {
	case o.Max != nil:
		p.Max = *o.Max
	case resetMax:
		if p.Increment > 0 {
			p.Max = tmax
		} else {
			p.Max = -1
		}
	}
	if p.Max < tmin || p.Max > tmax {
		return Params{}, types.Errorf("22023", "MAXVALUE (%d) is out of range for sequence data type %s", p.Max, p.Type)
	}
	switch {
	case o.Min != nil:
		p.Min = *o.Min
	case resetMin:
		if p.Increment > 0 {
			p.Min = 1
		} else {
			p.Min = tmin
		}
	}
	if p.Min < tmin || p.Min > tmax {
		return Params{}, types.Errorf("22023", "MINVALUE (%d) is out of range for sequence data type %s", p.Min, p.Type)
	}
	if p.Min >= p.Max {
		return Params{}, types.Errorf("22023", "MINVALUE (%d) must be less than MAXVALUE (%d)", p.Min, p.Max)
	}
	switch {
	case o.Start != nil:
		p.Start = *o.Start
	case isInit:
		if p.Increment > 0 {
			p.Start = p.Min
		} else {
			p.Start = p.Max
		}
	}
	if p.Start < p.Min {
		return Params{}, types.Errorf("22023", "START value (%d) cannot be less than MINVALUE (%d)", p.Start, p.Min)
	}
	if p.Start > p.Max {
		return Params{}, types.Errorf("22023", "START value (%d) cannot be greater than MAXVALUE (%d)", p.Start, p.Max)
	}
	if o.Cache != nil {
		if *o.Cache <= 0 {
			return Params{}, types.Errorf("22023", "CACHE (%d) must be greater than zero", *o.Cache)
		}
		p.Cache = *o.Cache
	} else if isInit {
		p.Cache = 1
	}
	return p, nil
}

// check validates stored parameters (a page read from storage).
func (p Params) check() error {
	tmin, tmax, ok := p.Type.bounds()
	switch {
	case !ok:
		return fmt.Errorf("bad type %d", uint8(p.Type))
	case p.Increment == 0:
		return fmt.Errorf("increment 0")
	case p.Min >= p.Max || p.Min < tmin || p.Max > tmax:
		return fmt.Errorf("bounds %d..%d for %s", p.Min, p.Max, p.Type)
	case p.Start < p.Min || p.Start > p.Max:
		return fmt.Errorf("start %d outside %d..%d", p.Start, p.Min, p.Max)
	case p.Cache <= 0:
		return fmt.Errorf("cache %d", p.Cache)
	}
	return nil
}
