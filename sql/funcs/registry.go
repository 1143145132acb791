package funcs

import "strings"

// Registry holds function and aggregate overloads by name. Build it, Add to
// it, then share it read-only (concurrent lookups are safe once no Add runs).
type Registry struct {
	funcs map[string][]*Func
	aggs  map[string][]*Agg
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{funcs: map[string][]*Func{}, aggs: map[string][]*Agg{}}
}

// Add registers a scalar function overload.
func (r *Registry) Add(f *Func) { r.funcs[f.Name] = append(r.funcs[f.Name], f) }

// AddAgg registers an aggregate overload.
func (r *Registry) AddAgg(a *Agg) { r.aggs[a.Name] = append(r.aggs[a.Name], a) }

// IsAggregate reports whether name is an aggregate (the planner asks before
// resolving, since aggregate calls are planned differently).
func (r *Registry) IsAggregate(name string) bool { return len(r.aggs[strings.ToLower(name)]) > 0 }
