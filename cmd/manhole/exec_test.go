//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestExec(t *testing.T) {
	d := startDemo(t)
	pid := d.pidArg()
	for _, tc := range []struct {
		name           string
		args           []string
		stdin          string
		code           int
		stdout, stderr string // stderr: a substring
	}{
		{name: "value", args: []string{pid, "store.Len()"}, stdout: "1\n"},
		{name: "statement prints", args: []string{pid, `fmt.Println("hi")`}, stdout: "hi\n"},
		{name: "words joined", args: []string{pid, "1", "+", "2"}, stdout: "3\n"},
		{name: "flags after target", args: []string{pid, "-timeout", "1s", "1+1"}, stdout: "2\n"},
		{name: "code after --", args: []string{pid, "--", "-1"}, stdout: "-1\n"},
		{name: "manhole-PID", args: []string{"manhole-" + pid, "2*3"}, stdout: "6\n"},
		{name: "socket path", args: []string{d.socket, "2*4"}, stdout: "8\n"},
		{name: "binary safe", args: []string{pid, `fmt.Print("a\nb\x00c\r\n")`}, stdout: "a\nb\x00c\r\n"},
		{name: "command", args: []string{pid, ":help"}, stdout: "*"},
		{name: "evaluation error", args: []string{pid, "store.NoSuchMethod()"}, code: 1, stderr: "NoSuchMethod"},
		{name: "script", args: []string{pid, "-"}, stdin: "x := 21\nfunc double(n int) int {\n\treturn 2 * n\n}\ndouble(x)\n", stdout: "42\n"},
		{name: "script stops at the first error", args: []string{pid, "-"}, stdin: "fmt.Println(\"out\")\nnope()\nfmt.Println(\"never\")\n",
			code: 1, stdout: "out\n", stderr: "line 2: "},
		{name: "no connection", args: []string{"99999999", "1+1"}, code: 255, stderr: "no process with pid 99999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, d.env(), tc.stdin, append([]string{"exec"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("want exit %d, got %v", tc.code, r)
			}
			switch {
			case tc.stdout == "*":
				if r.stdout == "" {
					t.Errorf("no output: %v", r)
				}
			case r.stdout != tc.stdout:
				t.Errorf("stdout %q, want %q (%v)", r.stdout, tc.stdout, r)
			}
			if tc.stderr == "" && r.stderr != "" || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.stderr)
			}
		})
	}
}

// TestExecConnectionLost: the program dies during an evaluation; like
// ssh, manhole exits 255 and says so.
func TestExecConnectionLost(t *testing.T) {
	d := startDemo(t)
	cmd := exec.Command(manholeBin(t), "exec", d.pidArg(), `fmt.Println("started"); time.Sleep(time.Minute)`)
	cmd.Env = append(os.Environ(), d.env()...)
	p := start(t, cmd)
	p.expect(t, "started\n")
	d.cmd.Process.Kill()
	p.waitExit(t)
	if code := cmd.ProcessState.ExitCode(); code != 255 || !strings.Contains(p.stderr.String(), "connection to the manhole lost") {
		t.Fatalf("exit %d, stderr %q; want 255 and a message", code, p.stderr.String())
	}
}

// TestExecInterrupt: Ctrl-C (SIGINT) stops the evaluation in the program
// rather than leaving it running there.
func TestExecInterrupt(t *testing.T) {
	d := startDemo(t)
	cmd := exec.Command(manholeBin(t), "exec", d.pidArg(), `fmt.Println("started"); time.Sleep(time.Minute)`)
	cmd.Env = append(os.Environ(), d.env()...)
	p := start(t, cmd)
	p.expect(t, "started\n")
	cmd.Process.Signal(syscall.SIGINT)
	p.waitExit(t)
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(p.stderr.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 1 and the evaluation interrupted", code, p.stderr.String())
	}
}

// TestExecFindsExplicitSocketByPID: a manhole whose socket is not in a
// default directory (Options.SocketPath) is found from its pid through
// the sockets it listens on.
func TestExecFindsExplicitSocketByPID(t *testing.T) {
	d := startDemoAt(t, filepath.Join(tempDir(t, 0o700), "app.sock"))
	r := run(t, []string{"MANHOLE_DIR=" + tempDir(t, 0o700)}, "", "exec", d.pidArg(), "1+1")
	if r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("want 2, got %v", r)
	}
}
