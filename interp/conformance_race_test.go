//go:build race

package interp

// raceEnabled tells the conformance test that it runs under the race
// detector; see conformance_test.go.
const raceEnabled = true
