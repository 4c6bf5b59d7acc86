// Package lazyre compiles a regular expression at its first use instead of
// at init, so that linking manhole into an application costs no heap for
// the expressions of a session nobody opens (as the standard library's
// internal/lazyregexp does for go/build and others).
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr at its first call, panicking
// as regexp.MustCompile does if expr is invalid, and returns the same
// *regexp.Regexp on every call. Call it from a package-level var; a test
// of the package should use each expression once so that a bad one fails
// there, not in a session.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
