package session

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The pager shows a command's output that is taller than the window, as
// less does: Space or PgDn a page on, b or PgUp a page back, Enter, j
// and Down a line on, k and Up a line back, g and G (Home, End) the top
// and the bottom, /TEXT Enter the next line with TEXT, n the one after,
// q (or Ctrl-C) leaves. It runs on the alternate screen, which is left on
// every way out.

// Page shows text, through the pager when it has more rows than the
// window's height minus one (the status line); height gives the window's
// height now.
func (e *editor) Page(text, title string, height func() int) error {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	h := height()
	rows := e.wrapRows(text)
	if h < 3 || len(rows) <= h-1 {
		_, err := e.Write([]byte(text + "\n"))
		return err
	}
	e.writeRaw("\x1b[?1049h")
	defer e.writeRaw("\x1b[?1049l")
	p := &pager{e: e, text: text, title: title, rows: rows}
	for {
		h = max(height(), 3)
		p.draw(h)
		k, ok := e.nextKey()
		if !ok {
			return e.takeReadErr()
		}
		if p.key(k, h) {
			break
		}
	}
	e.writeRaw("\x1b[?1049l")
	_, err := fmt.Fprintf(e, "(%s: %d lines, shown in the pager)\n", title, len(strings.Split(text, "\n")))
	return err
}

func (e *editor) takeReadErr() error {
	err := e.readErr
	e.readErr = nil
	return err
}

// wrapRows cuts text into the rows the window shows.
func (e *editor) wrapRows(text string) []string {
	e.mu.Lock()
	w := e.width
	e.mu.Unlock()
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.ReplaceAll(line, "\t", "    ")
		for utf8.RuneCountInString(line) > w {
			r := []rune(line)
			rows = append(rows, string(r[:w]))
			line = string(r[w:])
		}
		rows = append(rows, line)
	}
	return rows
}

type pager struct {
	e      *editor
	text   string
	title  string
	rows   []string
	top    int
	query  []rune
	typing bool // a /search is being typed
	note   string
}

func (p *pager) draw(h int) {
	p.rows = p.e.wrapRows(p.text) // the window may have changed
	page := h - 1
	p.top = max(0, min(p.top, len(p.rows)-page))
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J")
	for i := p.top; i < min(p.top+page, len(p.rows)); i++ {
		b.WriteString(p.rows[i])
		b.WriteString("\r\n")
	}
	status := p.note
	switch {
	case p.typing:
		status = "/" + string(p.query)
	case status == "":
		status = fmt.Sprintf("%s: lines %d-%d of %d  (space, b, /search, n, q)", p.title, p.top+1, min(p.top+page, len(p.rows)), len(p.rows))
	}
	if r := []rune(status); len(r) > p.e.width-1 {
		status = string(r[:max(p.e.width-1, 0)])
	}
	fmt.Fprintf(&b, "\x1b[%d;1H\x1b[7m%s\x1b[0m", h, status)
	p.e.writeRaw(b.String())
}

// key handles one key; true leaves the pager.
func (p *pager) key(k key, h int) bool {
	page := h - 1
	p.note = ""
	if p.typing {
		switch k.name {
		case keyRune:
			if len(p.query) < 256 {
				p.query = append(p.query, k.r)
			}
		case kBackspace:
			if len(p.query) > 0 {
				p.query = p.query[:len(p.query)-1]
			} else {
				p.typing = false
			}
		case kEnter:
			p.typing = false
			p.find(p.top)
		case kInterrupt, kCancel:
			p.typing = false
		}
		return false
	}
	switch k.name {
	case kInterrupt, kCtrlD:
		return true
	case kEnter, kDown:
		p.top++
	case kUp:
		p.top--
	case kPageDown:
		p.top += page
	case kPageUp:
		p.top -= page
	case kHome:
		p.top = 0
	case kEnd:
		p.top = len(p.rows)
	case keyRune:
		switch k.r {
		case 'q', 'Q':
			return true
		case ' ', 'f':
			p.top += page
		case 'b':
			p.top -= page
		case 'j':
			p.top++
		case 'k':
			p.top--
		case 'g', '<':
			p.top = 0
		case 'G', '>':
			p.top = len(p.rows)
		case '/':
			p.typing, p.query = true, p.query[:0]
		case 'n':
			p.find(p.top)
		}
	}
	p.top = max(0, min(p.top, len(p.rows)-page))
	return false
}

// find moves to the next row after from holding the query.
func (p *pager) find(from int) {
	q := string(p.query)
	if q == "" {
		return
	}
	for i := from + 1; i < len(p.rows); i++ {
		if strings.Contains(p.rows[i], q) {
			p.top = i
			return
		}
	}
	p.note = "not found: " + q
}

// maxPaged bounds the output a command may leave for the pager.
const maxPaged = 16 << 20

// cappedBuffer keeps the first limit bytes written to it and notes the
// rest.
type cappedBuffer struct {
	b     strings.Builder
	limit int
	cut   int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.limit - c.b.Len()
	if room >= len(p) {
		c.b.Write(p)
	} else {
		c.b.Write(p[:max(room, 0)])
		c.cut += len(p) - max(room, 0)
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	if c.cut > 0 {
		return c.b.String() + fmt.Sprintf("\n… (%d more bytes cut)\n", c.cut)
	}
	return c.b.String()
}
