package diag

import (
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1024": 1024, "1B": 1, "2KiB": 2 << 10, "512MiB": 512 << 20, "1 GiB": 1 << 30, "3TiB": 3 << 40,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1KB", "1.5GiB", "MiB", "1 kib", "99999999999TiB", "0x10"} {
		if got, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, got)
		}
	}
}

func TestFmtBytes(t *testing.T) {
	for in, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.00 KiB", 1536: "1.50 KiB", 10 << 20: "10.0 MiB",
		512 << 20: "512 MiB", 1 << 30: "1.00 GiB", -2048: "-2.00 KiB",
	} {
		if got := fmtBytes(in); got != want {
			t.Errorf("fmtBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a bit too long", 10, "a bit too…"},
		{"two\nlines", 20, "two⏎lines"},
		{"ééééé", 3, "éé…"},
	} {
		if got := cut(tt.in, tt.width); got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestFormatVarsIsOneLineEach(t *testing.T) {
	type point struct{ X, Y int }
	lines := formatVars(map[string]any{
		"p":      &point{1, 2},
		"nilptr": (*point)(nil),
		"none":   nil,
		"text":   strings.Repeat("x", 500),
		"multi":  "a\nb",
		"m":      map[string]int{"a": 1},
		"ch":     make(chan int, 3),
		"panics": panicky{},
	}, 80)
	want := map[string]string{
		"p":      "p\t*diag.point\t&diag.point{X:1, Y:2}\n",
		"nilptr": "nilptr\t*diag.point\t(*diag.point)(nil)\n",
		"none":   "none\tnil\tnil\n",
		"multi":  "multi\tstring\t\"a\\nb\"\n",
		"m":      "m\tmap[string]int\tmap[string]int{… not read: no lock of the app guards it he…\n",
		"ch":     "ch\tchan int\tlen 0, cap 3\n",
	}
	for _, l := range lines {
		name, _, _ := strings.Cut(l, "\t")
		if w, ok := want[name]; ok && l != w {
			t.Errorf("%s: got %q, want %q", name, l, w)
		}
		if strings.Count(l, "\n") != 1 || len([]rune(l)) > 100 {
			t.Errorf("%s: not one short line: %q", name, l)
		}
	}
	if l := lines[len(lines)-1]; !strings.HasPrefix(l, "text\tstring\t\"xxx") || !strings.HasSuffix(l, "…\n") {
		t.Errorf("long value not cut: %q", l)
	}
}

type panicky struct{}

func (panicky) String() string { panic("boom") }

// What a session shows people never reaches their terminal as control
// sequences: another session's code, the app's text.
func TestDiagnosticsEscapeControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"store.Set(\"evil\", \"\x1b]0;PWNED\x07\x1b[2J\")": `store.Set("evil", "\x1b]0;PWNED\x07\x1b[2J")`,
		"plain ⏎ text é":          "plain ⏎ text é",
		"bad \xff byte":           `bad \xff byte`,
		"a real \uFFFD stays":     "a real \uFFFD stays",
		"line one\nline two\ttab": "line one⏎line two tab",
		"c1 \u009b control":       `c1 \x9b control`,
	} {
		if got := cut(in, 0); got != want {
			t.Errorf("cut(%q) = %q, want %q", in, got, want)
		}
	}
}
