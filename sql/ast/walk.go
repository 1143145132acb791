package ast

import "reflect"

var nodeType = reflect.TypeOf((*Node)(nil)).Elem()

// Walk calls fn for n and, while fn returns true, for every node below it
// in field order (depth first, pre-order). It does not descend into nodes
// for which fn returns false. Walk is meant for planning (finding
// aggregates, parameters, subqueries), not for per-row work.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return
	}
	if !fn(n) {
		return
	}
	walkValue(reflect.ValueOf(n), fn)
}

func walkValue(v reflect.Value, fn func(Node) bool) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return
		}
		walkValue(v.Elem(), fn)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			walkField(v.Field(i), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkField(v.Index(i), fn)
		}
	}
}

func walkField(f reflect.Value, fn func(Node) bool) {
	switch f.Kind() {
	case reflect.Interface, reflect.Pointer:
		if f.IsNil() {
			return
		}
		if f.Type().Implements(nodeType) {
			if n, ok := f.Interface().(Node); ok {
				Walk(n, fn)
				return
			}
		}
		walkValue(f, fn)
	case reflect.Struct, reflect.Slice:
		walkValue(f, fn)
	}
}
