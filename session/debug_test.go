package session

import (
	"bytes"
	"strings"
	"testing"
)

// TestDebugRewrite: :debug rewrite shows, dim and before the result, the
// source yaegi compiles for each input once rewritten, until it is
// turned off again.
func TestDebugRewrite(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	if out := p.run(t, ":debug"); !strings.Contains(out, "rewrite off") {
		t.Fatalf(":debug, at the start: %q", out)
	}
	if out := p.run(t, ":debug rewrite"); !strings.Contains(out, "rewrite on") {
		t.Fatalf(":debug rewrite: %q", out)
	}
	p.run(t, "x := 7")
	out := p.run(t, "min(x, 3) + 1")
	// min of a variable is expanded in place: yaegi has no min.
	header := strings.Index(out, "\x1b[2m// rewritten:\n")
	hoist := strings.Index(out, "__mh_")
	show := strings.Index(out, "__mh.Show(")
	result := strings.LastIndex(out, "\n4\n")
	if header < 0 || hoist < header || show < hoist || result < show || strings.Contains(out[max(header, 0):], "min(") {
		t.Fatalf("min(x, 3) + 1 with :debug rewrite printed %q: want the dim header, the expanded min, then the result", out)
	}
	if !strings.Contains(out[show:result], "\x1b[0m") {
		t.Errorf("the dim source does not end before the result: %q", out)
	}
	p.runWant(t, ":debug", "rewrite on")
	if out := p.run(t, ":debug rewrite"); !strings.Contains(out, "rewrite off") {
		t.Fatalf(":debug rewrite again: %q", out)
	}
	if out := p.run(t, "min(x, 3) + 1"); strings.Contains(out, "rewritten") || !strings.Contains(out, "4\n") {
		t.Errorf("with :debug rewrite off again: %q", out)
	}
	p.runWant(t, ":debug rewrite on", "rewrite on")
	p.runWant(t, ":debug rewrite off", "rewrite off")
	p.runWant(t, ":debug stack", "usage: :debug [rewrite [on|off]]")
	if r := m.exec(t, ":help debug"); r.code != 0 || !strings.Contains(string(r.stdout), ":debug [rewrite [on|off]]") {
		t.Errorf(":help debug: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := m.exec(t, ":help"); !strings.Contains(string(r.stdout), ":debug ") {
		t.Errorf(":help does not list :debug: %q", r.stdout)
	}
}

// TestDebugRewriteScript: in a piped script the source goes to stderr,
// plain, and stdout keeps only the results.
func TestDebugRewriteScript(t *testing.T) {
	m := startTestManhole(t)
	sess, err := m.dial(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var stdout, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	sess.Stdin = strings.NewReader(":debug rewrite\nfor i := range 2 {\n\tprint(i)\n}\n")
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, sess.Wait()); code != 0 {
		t.Fatalf("status %d, stderr %q", code, stderr.String())
	}
	if got := stdout.String(); got != "rewrite on: each input shows the source yaegi compiles\n01" {
		t.Errorf("stdout %q", got)
	}
	// yaegi cannot range over an integer: the loop has three clauses.
	got := stderr.String()
	if !strings.HasPrefix(got, "line 2: // rewritten:\n") || !strings.Contains(got, "; __mh_") || strings.Contains(got, "range") || strings.Contains(got, "\x1b") {
		t.Errorf("stderr %q: want the rewritten loop, plain", got)
	}
}

// TestDebugRewriteShared: on the shared interpreter, one session's
// :debug rewrite shows nothing in another's, and nothing of another's.
func TestDebugRewriteShared(t *testing.T) {
	m := startTestManhole(t, withConfig(func(srv *Server) { srv.Shared = true }))
	a, b := m.pty(t), m.pty(t)
	a.run(t, ":debug rewrite")
	if out := a.run(t, "1 + 1"); !strings.Contains(out, "// rewritten:") {
		t.Errorf("the session with :debug rewrite: %q", out)
	}
	if out := b.run(t, "2 + 2"); strings.Contains(out, "rewritten") || !strings.Contains(out, "4") {
		t.Errorf("the other session: %q", out)
	}
	if out := b.run(t, ":type 2 + 2"); strings.Contains(out, "rewritten") {
		t.Errorf(":type in the other session: %q", out)
	}
	// Nor is the other's source shown to the session with :debug on.
	if out := a.run(t, "fmt.Sprint(3 + 3)"); strings.Contains(out, "2 + 2") || !strings.Contains(out, "__mh.Show(fmt.Sprint(3 + 3))") {
		t.Errorf("the session with :debug rewrite, after the other one evaluated: %q", out)
	}
}
