package ast

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v5"
)

// Renames says which names of a query's text to change, by the position
// the typed tree gives them: Columns maps a ColumnRef's Loc to its new
// column name (a select-list item it is keeps its output name: "new AS
// old"), Qualifiers a ColumnRef's Loc to its new table qualifier,
// Relations a TableRef's Loc to its new relation name (schema kept), and
// Stars a star ColumnRef's Loc ("*" or "t.*" in a select list) to the
// qualified column references replacing it (each [qualifier, column] or
// [column]).
type Renames struct {
	Columns    map[int]string
	Qualifiers map[int]string
	Relations  map[int]string
	Stars      map[int][][]string
}

// RenameQuery parses one query, applies r and deparses it again with
// PostgreSQL's deparser (the form CreateView.SQL has).
func RenameQuery(sql string, r Renames) (string, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return "", syntaxError(err)
	}
	if len(tree.Stmts) != 1 {
		return "", fmt.Errorf("rename: expected one statement, got %d", len(tree.Stmts))
	}
	chars := func(loc int32) int {
		if loc < 0 || int(loc) > len(sql) {
			return -1
		}
		return utf8.RuneCountInString(sql[:loc])
	}
	renameNodes(reflect.ValueOf(tree.Stmts[0].Stmt), func(v reflect.Value) {
		switch n := v.Interface().(type) {
		case *pg.ColumnRef:
			loc := chars(n.Location)
			if len(n.Fields) == 0 {
				return
			}
			last := len(n.Fields) - 1
			if col, ok := r.Columns[loc]; ok && n.Fields[last].GetString_() != nil {
				n.Fields[last] = pg.MakeStrNode(col)
			}
			if q, ok := r.Qualifiers[loc]; ok && last >= 1 && n.Fields[last-1].GetString_() != nil {
				n.Fields[last-1] = pg.MakeStrNode(q)
			}
		case *pg.RangeVar:
			if name, ok := r.Relations[chars(n.Location)+1]; ok {
				n.Relname = name
			}
		case *pg.SelectStmt:
			// A renamed column keeps naming its output column (as
			// PostgreSQL prints "t.new AS old"): subqueries, CTEs and
			// output names that refer to it stay valid.
			for _, t := range n.TargetList {
				rt := t.GetResTarget()
				cr := rt.GetVal().GetColumnRef()
				if rt == nil || rt.Name != "" || cr == nil || len(cr.Fields) == 0 {
					continue
				}
				if _, ok := r.Columns[chars(cr.Location)]; ok {
					if old := cr.Fields[len(cr.Fields)-1].GetString_(); old != nil {
						rt.Name = old.Sval
					}
				}
			}
			if len(r.Stars) == 0 {
				return
			}
			var out []*pg.Node
			for _, t := range n.TargetList {
				rt := t.GetResTarget()
				cr := rt.GetVal().GetColumnRef()
				if cr == nil || len(cr.Fields) == 0 || cr.Fields[len(cr.Fields)-1].GetAStar() == nil {
					out = append(out, t)
					continue
				}
				cols, ok := r.Stars[chars(cr.Location)]
				if !ok {
					out = append(out, t)
					continue
				}
				for _, c := range cols {
					var fields []*pg.Node
					for _, f := range c {
						fields = append(fields, pg.MakeStrNode(f))
					}
					out = append(out, pg.MakeResTargetNodeWithVal(pg.MakeColumnRefNode(fields, -1), -1))
				}
			}
			n.TargetList = out
		}
	})
	out, err := pg.Deparse(tree)
	if err != nil {
		return "", fmt.Errorf("rename: deparse: %w", err)
	}
	return out, nil
}

var (
	columnRefType = reflect.TypeOf(&pg.ColumnRef{})
	rangeVarType  = reflect.TypeOf(&pg.RangeVar{})
	selectType    = reflect.TypeOf(&pg.SelectStmt{})
)

// renameNodes calls fn for every *ColumnRef, *RangeVar and *SelectStmt
// below v (a select's target list is rewritten before its children are
// visited, so new references are visited too, harmlessly).
func renameNodes(v reflect.Value, fn func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		switch v.Type() {
		case columnRefType, rangeVarType, selectType:
			fn(v)
		}
		renameNodes(v.Elem(), fn)
	case reflect.Interface:
		if !v.IsNil() {
			renameNodes(v.Elem(), fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				renameNodes(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			renameNodes(v.Index(i), fn)
		}
	}
}
