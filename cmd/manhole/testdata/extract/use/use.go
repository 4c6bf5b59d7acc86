// Package use receives a generated symbol file in extract_test.go, through
// a build overlay, to prove that the file compiles.
package use
