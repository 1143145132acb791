package ast

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/borealis-db/borealis/sql/types"
)

// Dump renders a node as an indented, deterministic text tree (zero-valued
// fields omitted), for tests and debugging.
func Dump(n Node) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n), 0)
	b.WriteByte('\n')
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if c, ok := v.Interface().(*Const); ok {
			if c.Value.IsNull() {
				fmt.Fprintf(b, "Const(%s NULL)", c.Type)
			} else {
				fmt.Fprintf(b, "Const(%s %s)", c.Type, strconv.Quote(types.FormatText(c.Type, c.Value, nil)))
			}
			return
		}
		if v.Elem().Kind() != reflect.Struct {
			dumpValue(b, v.Elem(), depth)
			return
		}
		v = v.Elem()
	}
	ind := strings.Repeat("  ", depth+1)
	switch v.Kind() {
	case reflect.Struct:
		if q, ok := v.Interface().(QualifiedName); ok {
			b.WriteString(strconv.Quote(q.String()))
			return
		}
		b.WriteString(v.Type().Name())
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.IsZero() || t.Field(i).Name == "Loc" || (f.Kind() == reflect.Slice && f.Len() == 0) {
				continue
			}
			b.WriteString("\n" + ind + t.Field(i).Name + ":")
			if f.Kind() != reflect.Slice {
				b.WriteByte(' ')
			}
			dumpValue(b, f, depth+1)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			b.WriteString("\n" + ind + "- ")
			dumpValue(b, v.Index(i), depth+1)
		}
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Uint8:
		b.WriteString(enumName(v))
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

func enumName(v reflect.Value) string {
	i := int(v.Uint())
	var names []string
	switch v.Interface().(type) {
	case SetOp:
		names = []string{"none", "union", "intersect", "except"}
	case JoinType:
		names = []string{"inner", "left", "right", "full", "cross"}
	case ConstraintType:
		names = []string{"", "primary key", "unique", "check", "foreign key"}
	case DropObjectType:
		names = []string{"", "table", "index", "view", "schema", "sequence"}
	case AlterCmdType:
		names = []string{"", "add column", "drop column", "add constraint", "drop constraint", "set default",
			"set not null", "drop not null", "rename column", "rename table", "rename constraint"}
	case TxnKind:
		names = []string{"", "begin", "commit", "rollback", "savepoint", "release", "rollback to"}
	case BoolOp:
		names = []string{"", "and", "or", "not"}
	case SubqueryKind:
		names = []string{"", "exists", "scalar", "any", "all", "array"}
	}
	if i < len(names) {
		return names[i]
	}
	return strconv.Itoa(i)
}
