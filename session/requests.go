package session

import (
	gossh "golang.org/x/crypto/ssh"
)

// window is a terminal size in character cells.
type window struct {
	Cols, Rows int
}

// Terminal limits: a width of 0 confuses x/term's line editor, and an
// absurd size would make it allocate.
const (
	defaultCols = 80
	defaultRows = 24
	maxCells    = 4096
)

func clampWindow(cols, rows uint32) window {
	w := window{Cols: int(min(cols, maxCells)), Rows: int(min(rows, maxCells))}
	if w.Cols == 0 {
		w.Cols = defaultCols
	}
	if w.Rows == 0 {
		w.Rows = defaultRows
	}
	return w
}

// ptyRequest is RFC 4254 section 6.2.
type ptyRequest struct {
	Term     string
	Cols     uint32
	Rows     uint32
	WidthPx  uint32
	HeightPx uint32
	Modes    string
}

// parsePtyReq returns the TERM value and window of a pty-req payload.
func parsePtyReq(payload []byte) (term string, w window, ok bool) {
	var p ptyRequest
	if err := gossh.Unmarshal(payload, &p); err != nil {
		return "", window{}, false
	}
	return p.Term, clampWindow(p.Cols, p.Rows), true
}

// windowChange is RFC 4254 section 6.7.
type windowChange struct {
	Cols     uint32
	Rows     uint32
	WidthPx  uint32
	HeightPx uint32
}

func parseWindowChange(payload []byte) (window, bool) {
	var p windowChange
	if err := gossh.Unmarshal(payload, &p); err != nil {
		return window{}, false
	}
	return clampWindow(p.Cols, p.Rows), true
}

type envRequest struct{ Name, Value string }

type execRequest struct{ Command string }

type signalRequest struct{ Signal string }

type exitStatus struct{ Status uint32 }
