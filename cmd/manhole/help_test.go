//go:build unix

package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"
	"time"
)

func runInProcess(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code = c.run(args)
	return out.String(), errb.String(), code
}

func TestHelpOverviewListsEveryCommand(t *testing.T) {
	out, _, code := runInProcess("help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, sc := range commandList() {
		for _, s := range sc.synopsis {
			// A synopsis too long for the column ends its line.
			if !strings.Contains(out, "  manhole "+s+" ") && !strings.Contains(out, "  manhole "+s+"\n") {
				t.Errorf("overview lacks %q:\n%s", s, out)
			}
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 80 {
			t.Errorf("overview line longer than 80 columns: %q", line)
		}
		if strings.TrimRight(line, " ") != line {
			t.Errorf("trailing space: %q", line)
		}
	}
	if _, stderr, code := runInProcess(); code != exitUsage || stderr != out {
		t.Errorf("no arguments: exit %d, want %d and the overview on stderr", code, exitUsage)
	}
	for _, h := range []string{"-h", "--help", "-help"} {
		if got, _, code := runInProcess(h); code != 0 || got != out {
			t.Errorf("manhole %s: exit %d, want 0 and the overview", h, code)
		}
	}
}

// TestHelpPerCommand checks that "COMMAND -h" and "help COMMAND" print the
// same complete text: the synopsis the overview shows, details, flags.
func TestHelpPerCommand(t *testing.T) {
	for _, sc := range commandList() {
		t.Run(sc.name, func(t *testing.T) {
			help, _, code := runInProcess("help", sc.name)
			if code != 0 || !strings.HasPrefix(help, "Usage: manhole "+sc.synopsis[0]+"\n") {
				t.Fatalf("help %s: exit %d:\n%s", sc.name, code, help)
			}
			if sc.name != "help" {
				dashH, stderr, code := runInProcess(sc.name, "-h")
				if code != 0 || dashH != help || stderr != "" {
					t.Errorf("%s -h: exit %d, stderr %q; want exit 0 and the text of help %s", sc.name, code, stderr, sc.name)
				}
			}
			for _, line := range strings.Split(help, "\n") {
				// A tab is 8 columns in a terminal.
				if len(strings.ReplaceAll(line, "\t", "    ")) > 80 && !strings.HasPrefix(line, "  ssh -o") && !strings.HasPrefix(line, "  //go:generate ") {
					t.Errorf("line longer than 80 columns: %q", line)
				}
			}
			if sc.flags != nil && !strings.Contains(help, "\nFlags:\n") {
				t.Errorf("no flags in:\n%s", help)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"connect"},
		{"connect", "1", "2"},
		{"exec", "1"},
		{"proxy"},
		{"list", "extra"},
		{"ssh-config", "extra"},
		{"known-hosts"},
		{"exec", "-nosuchflag", "1", "x"},
		{"help", "nosuchcommand"},
	} {
		_, stderr, code := runInProcess(args...)
		if code != exitUsage || !strings.Contains(stderr, "manhole") {
			t.Errorf("manhole %s: exit %d, stderr %q; want exit %d and a message", strings.Join(args, " "), code, stderr, exitUsage)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want parsedTarget
		err  string
	}{
		{arg: "4242", want: parsedTarget{kind: kindPID, pid: 4242}},
		{arg: "manhole-4242", want: parsedTarget{kind: kindPID, pid: 4242}},
		{arg: "/run/x.sock", want: parsedTarget{kind: kindPath, path: "/run/x.sock"}},
		{arg: "127.0.0.1:2222", want: parsedTarget{kind: kindTCP, addr: "127.0.0.1:2222"}},
		{arg: "bob@localhost:22", want: parsedTarget{kind: kindTCP, addr: "localhost:22", user: "bob"}},
		{arg: "[::1]:2222", want: parsedTarget{kind: kindTCP, addr: "[::1]:2222"}},
		{arg: "0", err: "is not a pid"},
		{arg: "-5", err: "is not a pid"},
		{arg: "042", err: "is not a pid"},
		{arg: "4294967297", err: "is not a pid"}, // would wrap to pid 1 in kill(2)
		{arg: "manhole-", err: "is not a pid"},
		{arg: "app", err: "is not a pid"},
		{arg: "host:0", err: "is not a pid"},
		{arg: "host:ssh", err: "is not a pid"},
	} {
		got, err := parseTarget(tc.arg)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseTarget(%q) = %+v, %v; want error %q", tc.arg, got, err, tc.err)
			}
		case err != nil || got != tc.want:
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v", tc.arg, got, err, tc.want)
		}
	}
}

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
		err  bool
	}{
		{"USR1", syscall.SIGUSR1, false},
		{"SIGUSR2", syscall.SIGUSR2, false},
		{"sighup", syscall.SIGHUP, false},
		{"10", syscall.Signal(10), false},
		{"KILL", 0, true},
		{"9", 0, true},
		{"STOP", 0, true},
		{"0", 0, true},
		{"FOO", 0, true},
	} {
		got, err := parseSignal(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestConfigQuote(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "/usr/local/bin/manhole", want: "/usr/local/bin/manhole"},
		{in: "/opt/my tools/manhole", want: `"/opt/my tools/manhole"`},
		{in: "/opt/100%/manhole", want: "/opt/100%%/manhole"},
		{in: "/opt/$HOME/manhole", err: "cannot carry"},
		{in: `/opt/a"b/manhole`, err: "cannot carry"},
	} {
		got, err := configQuote(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("configQuote(%q) = %q, %v; want error", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("configQuote(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatUptime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		42 * time.Second:                "42s",
		3*time.Minute + 12*time.Second:  "3m12s",
		5*time.Hour + 2*time.Minute:     "5h2m",
		4*24*time.Hour + 3*time.Hour:    "4d3h",
		59*time.Minute + 59*time.Second: "59m59s",
	} {
		if got := formatUptime(d); got != want {
			t.Errorf("formatUptime(%v) = %q, want %q", d, got, want)
		}
	}
}
