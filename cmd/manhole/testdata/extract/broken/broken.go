// Package broken does not compile.
package broken

// F returns the wrong type.
func F() int { return "x" }
