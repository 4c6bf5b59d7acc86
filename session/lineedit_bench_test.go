package session

import (
	"io"
	"strings"
	"testing"

	"golang.org/x/term"
)

// byteReader hands out its input a byte per Read, as keys come when typed.
type byteReader struct {
	s string
	i int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	p[0] = r.s[r.i]
	r.i++
	return 1, nil
}

const benchInput = `store.Set("color", strings.ToUpper(cfg.Level)); fmt.Println(store.Len())` + "\r"

// BenchmarkLineEditor types one 76-character input and Enter, a key per
// read, into the REPL's editor and, as the anchor, into x/term's ReadLine
// that it replaced.
func BenchmarkLineEditor(b *testing.B) {
	b.Run("manhole", func(b *testing.B) {
		r := &byteReader{s: strings.Repeat(benchInput, b.N)}
		e := newEditor(io.Discard, r, &history{})
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := e.ReadInput(">>> ", "... "); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("xterm", func(b *testing.B) {
		r := &byteReader{s: strings.Repeat(benchInput, b.N)}
		t := term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{r, io.Discard}, ">>> ")
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := t.ReadLine(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
