package types

// Array is the value of an array type (int4[], text[], ...): PostgreSQL's
// n-dimensional arrays with per-dimension lengths and lower bounds.
// Elements are stored row-major (the last subscript varies fastest); a
// NULL element is the Null Datum. An empty array has no dimensions (Dims
// is empty, Elems is empty), as in PostgreSQL. The element type is not
// stored: like every Datum, an array's type comes from its column or
// expression (a Type whose OID is an array type, see ElemType).
type Array struct {
	Dims    []int32 // length of each dimension (at most MaxArrayDims)
	LBounds []int32 // lower bound of each dimension (same length as Dims; usually 1)
	Elems   []Datum // product(Dims) elements, row-major
}

// MaxArrayDims is PostgreSQL's MAXDIM.
const MaxArrayDims = 6
