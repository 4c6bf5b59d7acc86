package interp

import (
	"cmp"
	"container/heap"
	"reflect"
	"sort"
)

// compareKeys orders map keys as fmt prints them (its internal/fmtsort):
// numbers by value (NaN first), strings in byte order, false before true,
// pointers and channels by address, structs and arrays element by
// element, interfaces by their dynamic type first, nil first.
func compareKeys(a, b reflect.Value) int {
	if a.Type() != b.Type() {
		return -1 // fmtsort's answer: no order between types
	}
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	case reflect.Complex64, reflect.Complex128:
		ac, bc := a.Complex(), b.Complex()
		if c := cmp.Compare(real(ac), real(bc)); c != 0 {
			return c
		}
		return cmp.Compare(imag(ac), imag(bc))
	case reflect.Bool:
		switch {
		case a.Bool() == b.Bool():
			return 0
		case a.Bool():
			return 1
		}
		return -1
	case reflect.Pointer, reflect.UnsafePointer, reflect.Chan:
		return cmp.Compare(a.Pointer(), b.Pointer())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if c := compareKeys(a.Field(i), b.Field(i)); c != 0 {
				return c
			}
		}
		return 0
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if c := compareKeys(a.Index(i), b.Index(i)); c != 0 {
				return c
			}
		}
		return 0
	case reflect.Interface:
		switch {
		case a.IsNil() && b.IsNil():
			return 0
		case a.IsNil():
			return -1
		case b.IsNil():
			return 1
		}
		if c := compareKeys(reflect.ValueOf(a.Elem().Type()), reflect.ValueOf(b.Elem().Type())); c != 0 {
			return c
		}
		return compareKeys(a.Elem(), b.Elem())
	}
	return 0
}

// mapKeysSorted returns the keys of the map v in compareKeys's order; with
// limit >= 0, only the first limit of them, found without sorting them
// all (a heap of limit keys: a big map of the host's is read once, under
// its lock, at little cost).
// The values come with their keys: a NaN key cannot be looked up.
func mapKeysSorted(v reflect.Value, limit int) []mapEntry {
	byKey := func(a, b mapEntry) int { return compareKeys(a.key, b.key) }
	h := &entryHeap{}
	it := v.MapRange()
	for it.Next() {
		if limit < 0 || h.Len() < limit {
			h.entries = append(h.entries, mapEntry{it.Key(), it.Value()})
			if limit >= 0 {
				heap.Fix(h, h.Len()-1)
			}
		} else if limit > 0 && compareKeys(it.Key(), h.entries[0].key) < 0 {
			h.entries[0] = mapEntry{it.Key(), it.Value()}
			heap.Fix(h, 0)
		}
	}
	// Not slices.SortStableFunc: a generic sort of a struct type costs
	// the binary ~8 KiB per element type.
	sort.SliceStable(h.entries, func(i, j int) bool { return byKey(h.entries[i], h.entries[j]) < 0 })
	return h.entries
}

type mapEntry struct{ key, val reflect.Value }

// entryHeap keeps the entry of the greatest key on top.
type entryHeap struct{ entries []mapEntry }

func (h *entryHeap) Len() int { return len(h.entries) }
func (h *entryHeap) Less(i, j int) bool {
	return compareKeys(h.entries[i].key, h.entries[j].key) > 0
}
func (h *entryHeap) Swap(i, j int) { h.entries[i], h.entries[j] = h.entries[j], h.entries[i] }
func (h *entryHeap) Push(x any)    { h.entries = append(h.entries, x.(mapEntry)) }
func (h *entryHeap) Pop() any {
	e := h.entries[len(h.entries)-1]
	h.entries = h.entries[:len(h.entries)-1]
	return e
}
