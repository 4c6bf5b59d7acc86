//go:build unix

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// tmux is a detached tmux server with one session, "t": a real terminal
// to run manhole connect in.
type tmux struct {
	t    *testing.T
	sock string
	dir  string // results of the pane's command: rc, stty, done
}

// newTmux runs command in a cols×rows terminal. After command, the pane
// records the exit status and the terminal settings in dir.
func newTmux(t *testing.T, cols, rows int, command string) *tmux {
	t.Helper()
	testkit.Need(t, "tmux", testkit.InstallTmux)
	dir := tempDir(t, 0o700)
	x := &tmux{t: t, sock: filepath.Join(dir, "tmux"), dir: dir}
	script := fmt.Sprintf(`%s; echo "rc=$?" > %s/rc; stty -a > %s/stty; echo done > %s/done; exec sleep 600`, command, dir, dir, dir)
	x.cmd("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), script)
	t.Cleanup(func() { exec.Command("tmux", "-S", x.sock, "kill-server").Run() })
	return x
}

func (x *tmux) cmd(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) screen() string { return x.cmd("capture-pane", "-p", "-t", "t") }

func (x *tmux) send(keys ...string) { x.cmd(append([]string{"send-keys", "-t", "t"}, keys...)...) }

// waitScreen polls the pane until re matches what it shows.
func (x *tmux) waitScreen(re string) string {
	x.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := x.screen()
		if rx.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the terminal never showed %q; it shows:\n%s", re, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (x *tmux) paneTTY() string {
	return strings.TrimSpace(x.cmd("display", "-p", "-t", "t", "#{pane_tty}"))
}

func (x *tmux) size() (cols, rows string) {
	f := strings.Fields(x.cmd("display", "-p", "-t", "t", "#{pane_width} #{pane_height}"))
	return f[0], f[1]
}

// finish waits for the pane's command to end and checks how: the exit
// status, and a terminal in its cooked state again.
func (x *tmux) finish(wantRC int) {
	x.t.Helper()
	testkit.Eventually(x.t, "manhole connect to exit", func() bool {
		_, err := os.Stat(filepath.Join(x.dir, "done"))
		return err == nil
	})
	rc, _ := os.ReadFile(filepath.Join(x.dir, "rc"))
	if got := strings.TrimSpace(string(rc)); got != fmt.Sprintf("rc=%d", wantRC) {
		x.t.Errorf("manhole connect: %s, want rc=%d; the terminal shows:\n%s", got, wantRC, x.screen())
	}
	stty, _ := os.ReadFile(filepath.Join(x.dir, "stty"))
	checkCooked(x.t, string(stty))
}

// checkCooked fails unless stty -a output shows canonical mode and echo.
func checkCooked(t *testing.T, stty string) {
	t.Helper()
	for _, flag := range []string{"icanon", "echo", "isig", "icrnl", "opost"} {
		if !regexp.MustCompile(`(^|\s)` + flag + `(\s|$)`).MatchString(stty) {
			t.Errorf("terminal not restored: %s is off:\n%s", flag, stty)
		}
	}
}

func sttyOf(t *testing.T, tty string) string {
	t.Helper()
	out, err := exec.Command("stty", "-a", "-F", tty).CombinedOutput()
	if err != nil {
		t.Fatalf("stty -F %s: %v\n%s", tty, err, out)
	}
	return string(out)
}

func TestConnectInteractive(t *testing.T) {
	d := startDemo(t)
	x := newTmux(t, 60, 30, fmt.Sprintf("MANHOLE_DIR=%s %s connect %s", d.dir, manholeBin(t), d.pidArg()))
	x.waitScreen(`type :help`)
	x.waitScreen(`(?m)^>>>`)
	if s := sttyOf(t, x.paneTTY()); !strings.Contains(s, "-icanon") || !strings.Contains(s, "-echo ") {
		t.Errorf("the terminal is not raw while connected:\n%s", s)
	}
	x.send(`store.Get("version")`, "Enter")
	x.waitScreen(`"1.0", true`)

	// Wider than before: a line that did not fit must now fit on one
	// row, which it does only if the manhole's line editor was told (it
	// breaks lines at the width it knows).
	x.cmd("resize-window", "-t", "t", "-x", "100", "-y", "30")
	long := `"` + strings.Repeat("x", 78) + `"`
	oneRow := regexp.MustCompile(`(?m)^>>> ` + long + `$`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		x.send("-l", long)
		if oneRow.MatchString(x.waitScreen(`(?m)x"$`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session never learnt the new width:\n%s", x.screen())
		}
		// Too early for the resize: clear the line and type it again.
		x.send("C-c")
		x.waitScreen(`(?m)^>>> ?$`)
	}
	x.send("Enter")
	x.waitScreen(`(?m)^` + long + `$`)
	x.send(":quit", "Enter")
	x.finish(0)
}

// TestConnectServerKilled: the program dies under an open session; the
// terminal is restored and manhole exits 255.
func TestConnectServerKilled(t *testing.T) {
	d := startDemo(t)
	x := newTmux(t, 80, 24, fmt.Sprintf("MANHOLE_DIR=%s %s connect %s", d.dir, manholeBin(t), d.pidArg()))
	x.waitScreen(`(?m)^>>>`)
	d.cmd.Process.Kill()
	x.finish(255)
	x.waitScreen(`connection to the manhole lost`)
}

// TestConnectKilledBySignal: manhole connect itself is sent SIGTERM or
// SIGHUP (the terminal closed); it restores the terminal and exits 255.
func TestConnectKilledBySignal(t *testing.T) {
	d := startDemo(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			pidFile := filepath.Join(tempDir(t, 0o700), "pid")
			x := newTmux(t, 80, 24, fmt.Sprintf(`sh -c 'echo $$ > %s; MANHOLE_DIR=%s exec %s connect %s'`, pidFile, d.dir, manholeBin(t), d.pidArg()))
			x.waitScreen(`(?m)^>>>`)
			b, _ := os.ReadFile(pidFile)
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			syscall.Kill(pid, sig)
			x.finish(255)
		})
	}
}

// TestConnectTerminalProtocol checks what connect sends, against an SSH
// server in this test that records it: TERM and the size in pty-req, a
// window-change on resize; and that the session's exit status becomes
// manhole's.
func TestConnectTerminalProtocol(t *testing.T) {
	dir := tempDir(t, 0o700)
	events, finish := fakeManhole(t, filepath.Join(dir, "fake.sock"))
	x := newTmux(t, 60, 30, fmt.Sprintf("TERM=manhole-test-term %s connect %s", manholeBin(t), filepath.Join(dir, "fake.sock")))
	next := func() string {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(20 * time.Second):
			t.Fatal("timed out waiting for the client's requests")
			return ""
		}
	}
	cols, rows := x.size()
	if got, want := next(), "pty-req manhole-test-term "+cols+"x"+rows; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := next(); got != "shell" {
		t.Fatalf("got %q, want shell", got)
	}
	x.waitScreen(`fake>`)
	x.cmd("resize-window", "-t", "t", "-x", "100", "-y", "40")
	cols, rows = x.size()
	if got, want := next(), "window-change "+cols+"x"+rows; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	close(finish)
	x.finish(7)
}

// fakeManhole serves SSH on socket, with a metadata file beside it,
// reporting each session request on events; closing finish ends the
// session with exit status 7.
func fakeManhole(t *testing.T, socket string) (events chan string, finish chan struct{}) {
	t.Helper()
	signer, err := hostkeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(signer)
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	writeMeta(t, filepath.Dir(socket), &discovery.Metadata{PID: 99999995, Socket: socket, HostKey: hostkeys.AuthorizedKey(signer.PublicKey())})
	events, finish = make(chan string, 16), make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			events <- "handshake: " + err.Error()
			return
		}
		go ssh.DiscardRequests(reqs)
		// The one session channel the test opens.
		if nc, ok := <-chans; ok {
			ch, reqs, err := nc.Accept()
			if err != nil {
				return
			}
			go func() {
				for req := range reqs {
					switch req.Type {
					case "pty-req":
						var p struct {
							Term             string
							Cols, Rows, W, H uint32
							Modes            string
						}
						ssh.Unmarshal(req.Payload, &p)
						events <- fmt.Sprintf("pty-req %s %dx%d", p.Term, p.Cols, p.Rows)
					case "window-change":
						var w struct{ Cols, Rows, W, H uint32 }
						ssh.Unmarshal(req.Payload, &w)
						events <- fmt.Sprintf("window-change %dx%d", w.Cols, w.Rows)
					case "shell":
						events <- "shell"
						ch.Write([]byte("fake> "))
					}
					if req.WantReply {
						req.Reply(true, nil)
					}
				}
			}()
			<-finish
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{7}))
			ch.Close()
		}
	}()
	return events, finish
}
