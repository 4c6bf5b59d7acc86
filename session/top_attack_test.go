package session

import (
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/testkit"
)

// Regression tests of an attack on :top.

// TestPasteIntoTopIsDropped: a paste while a full-screen view has the
// keys is dropped whole: none of it reaches the view as keys (a q in it
// quit :top) nor the editor afterwards (its lines ran one by one).
func TestPasteIntoTopIsDropped(t *testing.T) {
	var tapped []byte
	in := &input{}
	in.tap = func(b byte) { tapped = append(tapped, b) }
	paste := pasteStart + "// quick note\r" + strings.Repeat("leaked := 1\r", 1000) + pasteEnd
	for _, c := range []byte("s" + paste + "+") {
		in.feed(c)
	}
	if string(tapped) != "s+" {
		t.Fatalf("the view got %q, want only the keys around the paste", tapped[:min(len(tapped), 40)])
	}
	if len(in.buf) != 0 {
		t.Fatalf("the editor would get %d bytes of the paste", len(in.buf))
	}
	in.tap = nil
	in.feed('x')
	if string(in.buf) != "x" {
		t.Fatalf("after the view: %q", in.buf)
	}
}

// TestKickAStalledTopWatcher: a client that watches :top and reads
// nothing can still be kicked; its session ends and the sampler stops.
func TestKickAStalledTopWatcher(t *testing.T) {
	m := startTestManhole(t)
	client := m.dial(t)
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm", 1000, 1000, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StdoutPipe(); err != nil { // never read
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte(":top\r"))
	var id uint64
	testkit.Eventually(t, "the watcher in :top", func() bool {
		for _, s := range m.cfg.Sessions() {
			if s.Mode == "pty" && strings.HasPrefix(s.Activity, ":top") {
				id = s.ID
				return true
			}
		}
		return false
	})
	// Redraws until the client's window is full.
	go func() {
		for range 3000 {
			if _, err := stdin.Write([]byte("\x0c")); err != nil {
				return
			}
		}
	}()
	time.Sleep(time.Second) // let the window fill
	if err := m.cfg.Kick(id, "test"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the kicked session to end", func() bool {
		for _, s := range m.cfg.Sessions() {
			if s.ID == id {
				return false
			}
		}
		return true
	})
}
