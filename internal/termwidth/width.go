// Package termwidth says how many columns a terminal gives a rune: 0 for
// combining marks and other zero-width characters, 2 for East Asian wide
// and fullwidth characters and emoji, 1 for the rest. The line editor and
// the tests' screen both measure with it, so they agree.
package termwidth

import "unicode"

// wide are the ranges of East Asian Wide (W) and Fullwidth (F) code
// points that terminals draw in two columns, emoji included.
var wide = &unicode.RangeTable{R16: []unicode.Range16{
	{0x1100, 0x115f, 1}, {0x231a, 0x231b, 1}, {0x2329, 0x232a, 1}, {0x23e9, 0x23ec, 1},
	{0x2e80, 0x303e, 1}, {0x3041, 0x33ff, 1}, {0x3400, 0x4dbf, 1}, {0x4e00, 0x9fff, 1},
	{0xa000, 0xa4cf, 1}, {0xa960, 0xa97f, 1}, {0xac00, 0xd7a3, 1}, {0xf900, 0xfaff, 1},
	{0xfe10, 0xfe19, 1}, {0xfe30, 0xfe6f, 1}, {0xff00, 0xff60, 1}, {0xffe0, 0xffe6, 1},
}, R32: []unicode.Range32{
	{0x16fe0, 0x16fe4, 1}, {0x17000, 0x18cff, 1}, {0x1b000, 0x1b2ff, 1},
	{0x1f300, 0x1f64f, 1}, {0x1f680, 0x1f6ff, 1}, {0x1f900, 0x1f9ff, 1}, {0x1fa70, 0x1faff, 1},
	{0x20000, 0x2fffd, 1}, {0x30000, 0x3fffd, 1},
}}

// Rune is the number of columns r takes.
func Rune(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || r == 0x200b:
		return 0
	case unicode.Is(wide, r):
		return 2
	}
	return 1
}
