//go:build unix

package manhole_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

// readmeSessions returns README's transcripts of sessions: the lines of
// each fenced block from its first ">>> " line up to a shell prompt ("$ ")
// or the block's end.
func readmeSessions(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, block := range strings.Split(string(b), "```") {
		if i%2 == 0 {
			continue // outside a fence
		}
		lines := strings.Split(block, "\n")[1:] // drop the info string
		start := -1
		var session []string
		for _, l := range lines {
			if start < 0 && strings.HasPrefix(l, ">>> ") {
				start = 0
			}
			if start < 0 {
				continue
			}
			if strings.HasPrefix(l, "$ ") {
				break
			}
			session = append(session, strings.TrimRight(l, " "))
		}
		if len(session) > 0 {
			out = append(out, strings.TrimRight(strings.Join(session, "\n"), "\n"))
		}
	}
	return out
}

// TestReadmeTranscripts types every session README shows into the demo
// and compares the screen with README, line for line.
func TestReadmeTranscripts(t *testing.T) {
	sessions := readmeSessions(t)
	if len(sessions) < 2 {
		t.Fatalf("found %d session transcripts in README.md, want the Connect and REPL ones", len(sessions))
	}
	for _, want := range sessions {
		d := startDemo(t, 0o700)
		m, err := discovery.ReadMetadata(d.metaPath())
		if err != nil {
			t.Fatal(err)
		}
		key, err := m.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		client := testkit.Connect(t, "unix", d.socket, testkit.ClientConfig(key))
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		stdin, _ := sess.StdinPipe()
		out := testexp.New()
		sess.Stdout, sess.Stderr = out, out
		if err := sess.RequestPty("xterm", 40, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		if _, err := out.Expect(">>> $", 10*time.Second); err != nil {
			t.Fatal(err)
		}
		mark := out.Mark()
		for _, l := range strings.Split(want, "\n") {
			var typed string
			switch {
			case strings.HasPrefix(l, ">>> "):
				typed = l[4:]
			case strings.HasPrefix(l, "... "):
				// The editor indents continuation lines itself.
				typed = strings.TrimLeft(l[4:], " ")
			default:
				continue // output
			}
			stdin.Write([]byte(typed + "\r"))
			if _, err := out.Expect(`(>>> |\.\.\. *)$`, 10*time.Second); err != nil {
				t.Fatalf("after %q: %v", typed, err)
			}
		}
		got := strings.TrimSuffix(normalize(">>> "+out.RawSince(mark)), "\n")
		got = strings.TrimSuffix(strings.TrimRight(got, " "), "\n>>>")
		if got != want {
			t.Errorf("README transcript differs from the demo's screen:\n--- README\n%s\n--- demo\n%s", want, got)
		}
		sess.Close()
	}
}

var _ = regexp.MustCompile
