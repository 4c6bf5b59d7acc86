// Package store is the application package of the inventory example: the
// code a session imports by path ("github.com/gomanhole/manhole/examples/inventory/store")
// or uses by its name (store.Lookup) once the application passes the
// symbols that `manhole extract` wrote for it in Options.Symbols.
package store

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Item is one line of stock.
type Item struct {
	SKU   string
	Name  string
	Qty   int
	Cents int // unit price

	note string // unexported: compiled code sees it, a session does not
}

// Value is the stock value of the item in cents.
func (it Item) Value() int { return it.Qty * it.Cents }

// String is how fmt prints an item.
func (it Item) String() string {
	return fmt.Sprintf("%s %q x%d @%d.%02d", it.SKU, it.Name, it.Qty, it.Cents/100, it.Cents%100)
}

// ErrNotFound is returned for an unknown SKU.
var ErrNotFound = errors.New("store: no such SKU")

// LowStock is the quantity under which Low reports an item. Sessions may
// change it: it is a package-level variable, exported as a pointer.
var LowStock = 3

// MaxQty is the most of one SKU the store holds.
const MaxQty = 10_000

// Inventory is a concurrency-safe set of items by SKU.
type Inventory struct {
	mu    sync.Mutex // protects items
	items map[string]Item
}

// New returns an empty inventory.
func New() *Inventory { return &Inventory{items: map[string]Item{}} }

// Default is the inventory the example application serves.
var Default = New()

// Put adds or replaces an item.
func (inv *Inventory) Put(it Item) error {
	if it.SKU == "" {
		return errors.New("store: empty SKU")
	}
	if it.Qty < 0 || it.Qty > MaxQty {
		return fmt.Errorf("store: quantity %d of %s out of range [0, %d]", it.Qty, it.SKU, MaxQty)
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.items[it.SKU] = it
	return nil
}

// Get returns the item with the given SKU.
func (inv *Inventory) Get(sku string) (Item, error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	it, ok := inv.items[sku]
	if !ok {
		return Item{}, fmt.Errorf("%w: %q", ErrNotFound, sku)
	}
	return it, nil
}

// Take removes n of an item from stock.
func (inv *Inventory) Take(sku string, n int) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	it, ok := inv.items[sku]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, sku)
	}
	if n > it.Qty {
		return fmt.Errorf("store: %d of %s wanted, %d in stock", n, sku, it.Qty)
	}
	it.Qty -= n
	inv.items[sku] = it
	return nil
}

// Items returns the items in SKU order.
func (inv *Inventory) Items() []Item {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := make([]Item, 0, len(inv.items))
	for _, it := range inv.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

// Low returns the items with fewer than LowStock in stock.
func (inv *Inventory) Low() []Item {
	var out []Item
	for _, it := range inv.Items() {
		if it.Qty < LowStock {
			out = append(out, it)
		}
	}
	return out
}

// Total is the stock value of a list of items in cents.
func Total(items []Item) int {
	t := 0
	for _, it := range items {
		t += it.Value()
	}
	return t
}

// Lookup finds an item in the Default inventory.
func Lookup(sku string) (Item, error) { return Default.Get(sku) }

// Pricer is anything with a price; sessions can implement it with their
// own types, which Cheapest then calls.
type Pricer interface {
	Price() int
}

// Cheapest returns the index of the cheapest of ps, -1 if there are none.
func Cheapest(ps ...Pricer) int {
	best := -1
	for i, p := range ps {
		if best < 0 || p.Price() < ps[best].Price() {
			best = i
		}
	}
	return best
}

// Filter returns the elements of s for which keep is true. Being generic,
// it is not in the extracted symbols: yaegi cannot call compiled generic
// code, and `manhole extract` lists it as skipped.
func Filter[T any](s []T, keep func(T) bool) []T {
	var out []T
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// Page is a generic type: skipped too.
type Page[T any] struct {
	Items []T
	Next  string
}

// seed is unexported, so not extracted.
func seed(inv *Inventory) {
	for _, it := range []Item{
		{SKU: "A-100", Name: "bolt", Qty: 120, Cents: 15},
		{SKU: "A-200", Name: "nut", Qty: 2, Cents: 5},
		{SKU: "B-300", Name: "hinge", Qty: 14, Cents: 250, note: "brass"},
	} {
		if err := inv.Put(it); err != nil {
			panic(err)
		}
	}
}

// Seed fills inv with the example's three items.
func Seed(inv *Inventory) { seed(inv) }
