package main

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// screenModes passes a session's output to the local terminal and keeps
// track of the modes it turns on that would leave the terminal unusable
// if the session ended without turning them off: the alternate screen
// (:top), a hidden cursor, autowrap off, bracketed paste (the REPL).
// reset turns off whatever is still on.
type screenModes struct {
	mu      sync.Mutex // protects the fields below and serializes writes
	w       io.Writer
	pending []byte // an unfinished "ESC [ ? ..." at the end of the last write
	alt     bool
	hidden  bool
	nowrap  bool
	paste   bool
}

// maxModeSeq bounds an unfinished sequence kept between writes.
const maxModeSeq = 32

func (s *screenModes) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scan(p)
	return s.w.Write(p)
}

func (s *screenModes) scan(p []byte) {
	data := p
	if len(s.pending) > 0 {
		data = append(s.pending, p...)
		s.pending = nil
	}
	const intro = "\x1b[?"
	for i := 0; i < len(data); i++ {
		if data[i] != 0x1b {
			continue
		}
		rest := data[i:]
		if len(rest) < len(intro) {
			if bytes.HasPrefix([]byte(intro), rest) {
				s.pending = append([]byte(nil), rest...)
			}
			return
		}
		if !bytes.HasPrefix(rest, []byte(intro)) {
			continue
		}
		j := len(intro)
		for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == ';') {
			j++
		}
		if j == len(rest) {
			if len(rest) <= maxModeSeq {
				s.pending = append([]byte(nil), rest...)
			}
			return
		}
		if rest[j] == 'h' || rest[j] == 'l' {
			on := rest[j] == 'h'
			for _, f := range bytes.Split(rest[len(intro):j], []byte(";")) {
				n, err := strconv.Atoi(string(f))
				if err != nil {
					continue
				}
				switch n {
				case 1049, 1047, 47:
					s.alt = on
				case 25:
					s.hidden = !on
				case 7:
					s.nowrap = !on
				case 2004:
					s.paste = on
				}
			}
		}
		i += j
	}
}

// reset turns off the modes still on.
func (s *screenModes) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b bytes.Buffer
	if s.paste {
		b.WriteString("\x1b[?2004l")
	}
	if s.nowrap {
		b.WriteString("\x1b[?7h")
	}
	if s.hidden {
		b.WriteString("\x1b[?25h")
	}
	if s.alt {
		b.WriteString("\x1b[?1049l")
	}
	s.alt, s.hidden, s.nowrap, s.paste = false, false, false, false
	s.pending = nil
	if b.Len() > 0 {
		s.w.Write(b.Bytes())
	}
}
