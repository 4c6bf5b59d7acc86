// Package beta is extracted with alpha into one table.
package beta

// Point is a type with a method.
type Point struct{ X, Y int }

// Sum adds the coordinates.
func (p Point) Sum() int { return p.X + p.Y }

// Origin is a package-level variable of a struct type.
var Origin Point
