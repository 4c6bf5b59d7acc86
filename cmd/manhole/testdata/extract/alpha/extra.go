//go:build extra

package alpha

// Extra exists only with the build tag extra.
func Extra() int { return hidden() + 41 }
