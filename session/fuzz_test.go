package session

import (
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// FuzzRequestPayloads feeds arbitrary payloads to the parsers of the
// requests a client sends before its session starts. None may panic, and
// a window is always clamped to a size x/term can handle.
func FuzzRequestPayloads(f *testing.F) {
	f.Add(gossh.Marshal(ptyRequest{Term: "xterm", Cols: 80, Rows: 24}))
	f.Add(gossh.Marshal(ptyRequest{Term: "", Cols: 0, Rows: 0}))
	f.Add(gossh.Marshal(ptyRequest{Term: "x", Cols: 1 << 31, Rows: 1<<32 - 1}))
	f.Add(gossh.Marshal(windowChange{Cols: 100, Rows: 40}))
	f.Add(gossh.Marshal(envRequest{Name: "TERM", Value: "xterm"}))
	f.Add([]byte{0, 0, 0, 5, 'x'})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		if _, w, ok := parsePtyReq(payload); ok {
			checkWindow(t, w)
		}
		if w, ok := parseWindowChange(payload); ok {
			checkWindow(t, w)
		}
		var e envRequest
		gossh.Unmarshal(payload, &e)
		var x execRequest
		gossh.Unmarshal(payload, &x)
		var sig signalRequest
		gossh.Unmarshal(payload, &sig)
	})
}

func checkWindow(t *testing.T, w window) {
	if w.Cols < 1 || w.Rows < 1 || w.Cols > maxCells || w.Rows > maxCells {
		t.Fatalf("window %+v out of bounds", w)
	}
}
