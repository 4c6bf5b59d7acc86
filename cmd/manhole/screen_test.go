//go:build unix

package main

import (
	"bytes"
	"testing"
)

func TestScreenModesResetWhatIsLeftOn(t *testing.T) {
	for _, c := range []struct {
		name   string
		writes []string
		reset  string
	}{
		{"nothing", []string{"hello\r\n"}, ""},
		{"top", []string{"\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H frame"}, "\x1b[?7h\x1b[?25h\x1b[?1049l"},
		{"top left", []string{"\x1b[?1049h\x1b[?25l", "frame", "\x1b[?25h\x1b[?1049l"}, ""},
		{"split", []string{"\x1b", "[", "?10", "49", "h"}, "\x1b[?1049l"},
		{"several", []string{"\x1b[?1049;2004h"}, "\x1b[?2004l\x1b[?1049l"},
		{"repl", []string{"\x1b[?2004h>>> "}, "\x1b[?2004l"},
		{"not a mode", []string{"\x1b[2J\x1b[?1049x\x1b[1;2H"}, ""},
		{"overlong", []string{"\x1b[?" + string(bytes.Repeat([]byte("1"), 100)), "h"}, ""},
	} {
		var out bytes.Buffer
		s := &screenModes{w: &out}
		var want bytes.Buffer
		for _, w := range c.writes {
			s.Write([]byte(w))
			want.WriteString(w)
		}
		if out.String() != want.String() {
			t.Errorf("%s: output changed: %q", c.name, out.String())
		}
		out.Reset()
		s.reset()
		if out.String() != c.reset {
			t.Errorf("%s: reset wrote %q, want %q", c.name, out.String(), c.reset)
		}
	}
}
