// Package alpha is extracted by extract_test.go.
package alpha

import "io"

// Greeting is a variable sessions may read and set.
var Greeting = "hello"

// Big does not fit an int64: yaegi's extractor keeps it exact.
const Big = 1 << 70

// Hello greets.
func Hello(who string) string { return Greeting + ", " + who }

// Sink is an interface with an embedded one.
type Sink interface {
	io.Writer
	Flush() error
}

// Map is generic: left out.
func Map[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// Number is a constraint interface: left out.
type Number interface{ ~int | ~float64 }

// Box is a generic type: left out.
type Box[T any] struct{ V T }

func hidden() int { return 1 }
