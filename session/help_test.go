package session

import (
	"strings"
	"testing"
)

// TestNewcomerWords: exit, quit, help (with or without parentheses) say
// what to do instead of "undefined", unless the session declared the
// name.
func TestNewcomerWords(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	for in, want := range map[string]string{
		"exit": "Ctrl-D or type :quit", "quit()": "Ctrl-D or type :quit",
		"help": "Type :help", "help()": "Type :help",
	} {
		if out := p.run(t, in); !strings.Contains(out, want) || strings.Contains(out, "undefined") {
			t.Errorf("%s printed %q, want %q", in, out, want)
		}
	}
	p.run(t, "help := 42")
	p.runWant(t, "help", "42")
}

func TestHelpTopics(t *testing.T) {
	m := startTestManhole(t)
	for cmd, want := range map[string]string{
		":help":            ":help keys",
		":help keys":       "Ctrl-R Ctrl-S",
		":help dump":       "dump(x, ...)",
		":help dump()":     "dump(x, ...)",
		":help completion": "import \"enc<Tab>",
		":help history":    "secrets included",
		":help packages":   ":packages [PREFIX]",
		":packages":        "encoding/json",
		":packages str":    "strings",
	} {
		r := m.exec(t, cmd)
		if r.code != 0 || !strings.Contains(string(r.stdout), want) {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want %q", cmd, r.code, r.stdout, r.stderr, want)
		}
	}
	if r := m.exec(t, ":packages str"); strings.Contains(string(r.stdout), "encoding/json") {
		t.Errorf(":packages str lists other packages: %q", r.stdout)
	}
	if r := m.exec(t, ":help nosuch"); r.code != 2 || !strings.Contains(string(r.stderr), "no command or topic") {
		t.Errorf(":help nosuch: %d %q", r.code, r.stderr)
	}
}

func TestTypeAndMethodsCommands(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	p.run(t, `var r io.Reader = strings.NewReader("x")`)
	p.runWant(t, ":type r", "io.Reader")
	p.runWant(t, `:type strings.Cut("a", "b")`, "(string, string, bool)")
	p.runWant(t, ":methods r", "Read([]uint8) (int, error)")
	p.runWant(t, ":type", "usage: :type EXPR")
	if r := m.exec(t, ":type time.Second"); r.code != 0 || !strings.Contains(string(r.stdout), "time.Duration") {
		t.Errorf("exec :type: %d %q %q", r.code, r.stdout, r.stderr)
	}

	ro := startTestManhole(t, withMeta(func(m *Meta) { m.InspectOnly = true }))
	for _, cmd := range []string{":type 1", ":methods 1"} {
		if r := ro.exec(t, cmd); r.code == 0 || !strings.Contains(string(r.stderr), "inspect-only") {
			t.Errorf("an inspect-only key ran %s: %d %q %q", cmd, r.code, r.stdout, r.stderr)
		}
	}
}
