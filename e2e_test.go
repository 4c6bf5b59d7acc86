//go:build unix

package manhole_test

// End-to-end tests: the demo runs as a separate process and the real
// OpenSSH client talks to it, through `manhole proxy` and through nc.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

var bins testexp.Binaries

// binaries builds manhole and manhole-demo once per test run into a
// directory any uid can read, so a client can run as another user.
func binaries(t *testing.T) string {
	t.Helper()
	return bins.Dir(t, "./cmd/manhole", "./cmd/manhole-demo")
}

func TestMain(m *testing.M) {
	code := m.Run()
	bins.Remove()
	os.Exit(code)
}

func needSSH(t *testing.T) {
	t.Helper()
	testkit.Need(t, "ssh", testkit.InstallSSH)
}

// needProxy makes sure the ProxyCommand proxy (see proxies) can run.
func needProxy(t *testing.T, proxy string) {
	t.Helper()
	if strings.HasPrefix(proxy, "nc ") {
		testkit.Need(t, "nc", testkit.InstallNC)
	}
}

// demo is a running manhole-demo process.
type demo struct {
	cmd    *exec.Cmd
	socket string
	dir    string
	stdout *testexp.Output
	stderr *testexp.Output
	exited chan error
}

// startDemo runs the demo with its socket in a fresh directory of the
// given mode.
func startDemo(t *testing.T, dirMode os.FileMode) *demo {
	t.Helper()
	return startDemoWith(t, dirMode, "listening on")
}

// startDemoWith runs the demo with extra flags and waits for ready on its
// stdout.
func startDemoWith(t *testing.T, dirMode os.FileMode, ready string, flags ...string) *demo {
	t.Helper()
	bin := binaries(t)
	dir := testkit.ShortDir(t)
	if err := os.Chmod(dir, dirMode); err != nil {
		t.Fatal(err)
	}
	d := &demo{socket: filepath.Join(dir, "demo.sock"), dir: dir, stdout: testexp.New(), stderr: testexp.New(), exited: make(chan error, 1)}
	d.cmd = exec.Command(filepath.Join(bin, "manhole-demo"), append([]string{"-v", "-socket", d.socket}, flags...)...)
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.exited
	})
	if _, err := d.stdout.Expect(ready, 20*time.Second); err != nil {
		t.Fatalf("demo did not start: %v\nstderr: %s", err, d.stderr.String())
	}
	return d
}

func (d *demo) metaPath() string {
	return filepath.Join(d.dir, strconv.Itoa(d.cmd.Process.Pid)+".json")
}

// sshArgs returns arguments for the real ssh client that trust exactly the
// demo's host key (from its metadata file) and reach it through proxy.
func (d *demo) sshArgs(t *testing.T, proxy string, extra ...string) []string {
	t.Helper()
	m, err := discovery.ReadMetadata(d.metaPath())
	if err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(d.dir, "known_hosts")
	if err := os.WriteFile(kh, []byte("demo "+m.HostKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-F", "none",
		"-o", "UserKnownHostsFile=" + kh,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "HostKeyAlias=demo",
		"-o", "IdentityAgent=none",
		"-o", "IdentityFile=/dev/null",
		"-o", "BatchMode=yes",
		"-o", "LogLevel=ERROR",
		"-o", "ProxyCommand=" + proxy,
	}
	args = append(args, extra...)
	return append(args, "demo")
}

func (d *demo) proxies(t *testing.T) map[string]string {
	return map[string]string{
		"manhole proxy": filepath.Join(binaries(t), "manhole") + " proxy " + d.socket,
		"nc -U":         "nc -U " + d.socket,
	}
}

func TestE2EOpenSSHInteractive(t *testing.T) {
	needSSH(t)
	d := startDemo(t, 0o700)
	for name, proxy := range d.proxies(t) {
		t.Run(name, func(t *testing.T) {
			needProxy(t, proxy)
			cmd := exec.Command("ssh", d.sshArgs(t, proxy, "-tt")...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			out := testexp.New()
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			send := func(line string) {
				t.Helper()
				if _, err := io.WriteString(stdin, line+"\r"); err != nil {
					t.Fatal(err)
				}
			}
			expect := func(re string) string {
				t.Helper()
				s, err := out.Expect(re, 15*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			expect(`type :help`)
			expect(`>>> `)
			send(`store.Set("color", "green")`)
			expect(`>>> `)
			send(`store.Get("color")`)
			expect(`"green", true\n>>> `)

			// stats changes between reads: the demo's worker ticks every second.
			send(`stats.Ticks`)
			first := expect(`(\d+)\n>>> `)
			re := regexp.MustCompile(`(\d+)\n>>> $`)
			n0, _ := strconv.Atoi(re.FindStringSubmatch(first)[1])
			deadline := time.Now().Add(10 * time.Second)
			for {
				send(`stats.Ticks`)
				s := expect(`\d+\n>>> `)
				n, _ := strconv.Atoi(re.FindStringSubmatch(s)[1])
				if n > n0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("stats.Ticks stayed at %d", n0)
				}
				time.Sleep(100 * time.Millisecond) // the demo ticks once a second
			}

			// A multi-line if block, with continuation prompts.
			send(`if n := store.Len(); n > 0 {`)
			expect(`\.\.\. `)
			send(`	fmt.Println("keys:", n)`)
			expect(`\.\.\. `)
			send(`}`)
			expect(`keys: 2\n>>> `)

			send(":quit")
			if err := cmd.Wait(); err != nil {
				t.Fatalf("ssh: %v\n%s", err, out.String())
			}
		})
	}
}

func TestE2EOpenSSHExec(t *testing.T) {
	needSSH(t)
	d := startDemo(t, 0o700)
	for name, proxy := range d.proxies(t) {
		t.Run(name, func(t *testing.T) {
			needProxy(t, proxy)
			var stdout, stderr bytes.Buffer
			cmd := exec.Command("ssh", append(d.sshArgs(t, proxy), "store.Len()")...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("exec store.Len(): %v\nstderr: %s", err, stderr.String())
			}
			if !regexp.MustCompile(`^\d+\n$`).MatchString(stdout.String()) {
				t.Errorf("stdout %q, want a number", stdout.String())
			}

			stdout.Reset()
			stderr.Reset()
			cmd = exec.Command("ssh", append(d.sshArgs(t, proxy), "store.NoSuchMethod()")...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("bad code: %v, want exit status 1", err)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "NoSuchMethod") {
				t.Errorf("bad code: stdout %q, stderr %q; want the error on stderr only", stdout.String(), stderr.String())
			}
		})
	}
}

func TestE2EOpenSSHPipedScript(t *testing.T) {
	needSSH(t)
	d := startDemo(t, 0o700)
	script := `
func double(s string) string { return s + s }
store.Set("twice", double("ab"))
v, _ := store.Get("twice")
fmt.Println("got", v)
`
	needProxy(t, "nc -U")
	cmd := exec.Command("ssh", append(d.sshArgs(t, "nc -U "+d.socket), "-T")...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if string(out) != "got abab\n" {
		t.Errorf("script output %q, want %q", out, "got abab\n")
	}
}

// TestE2EOtherUIDRefusedBeforeBanner runs the client as uid 65534 against a
// socket the file system lets it reach: the manhole closes the connection
// before sending even its SSH version banner, and logs the refusal.
func TestE2EOtherUIDRefusedBeforeBanner(t *testing.T) {
	needSSH(t)
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as uid 65534")
	}
	// A sticky world-writable directory is accepted, as /tmp is.
	d := startDemo(t, 0o777|os.ModeSticky)
	if err := os.Chmod(d.socket, 0o666); err != nil {
		t.Fatal(err)
	}
	asNobody := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Env = []string{"HOME=/tmp", "PATH=/usr/bin:/bin"}
		cmd.Dir = "/"
		return cmd
	}

	// The raw bytes: nothing at all arrives.
	proxy := asNobody(filepath.Join(binaries(t), "manhole"), "proxy", d.socket)
	// stdin stays open, as ssh's would, until the test ends.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	proxy.Stdin = pr
	var raw, proxyErr bytes.Buffer
	proxy.Stdout, proxy.Stderr = &raw, &proxyErr
	err = proxy.Run()
	pr.Close()
	if err != nil {
		t.Fatalf("proxy as nobody: %v %s", err, proxyErr.String())
	}
	if raw.Len() != 0 {
		t.Fatalf("uid 65534 received %q; want nothing, not even the banner", raw.String())
	}

	// The real ssh client as nobody fails at the identification exchange.
	args := d.sshArgs(t, filepath.Join(binaries(t), "manhole")+" proxy "+d.socket, "1+1")
	ssh := asNobody("/usr/bin/ssh", args...)
	out, err := ssh.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 255 {
		t.Fatalf("ssh as nobody: %v, want exit 255\n%s", err, out)
	}
	if !strings.Contains(string(out), "kex_exchange_identification") {
		t.Errorf("ssh as nobody: want a failure before the banner exchange, got:\n%s", out)
	}
	if _, err := d.stderr.Expect(`peer uid not allowed.*uid=65534`, 5*time.Second); err != nil {
		t.Errorf("refusal not logged: %v", err)
	}
}

func TestE2EDemoExitsCleanlyOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			d := startDemo(t, 0o700)
			meta := d.metaPath()
			if _, err := os.Stat(meta); err != nil {
				t.Fatalf("metadata file missing while running: %v", err)
			}
			d.cmd.Process.Signal(sig)
			select {
			case err := <-d.exited:
				d.exited <- err // for the cleanup
				if err != nil {
					t.Fatalf("demo exit: %v\n%s", err, d.stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("demo did not exit")
			}
			for _, p := range []string{d.socket, meta} {
				if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left behind (%v)", p, err)
				}
			}
		})
	}
}

func (d *demo) sshExec(t *testing.T, code string) (string, error) {
	t.Helper()
	out, err := exec.Command("ssh", append(d.sshArgs(t, filepath.Join(binaries(t), "manhole")+" proxy "+d.socket), code)...).CombinedOutput()
	return string(out), err
}

func waitForPath(t *testing.T, path string, exists bool) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("%s to exist: %v", path, exists), func() bool {
		_, err := os.Lstat(path)
		return (err == nil) == exists
	})
}

// TestE2EActivateOnSignal: nothing listens until SIGUSR1 reaches the
// process; the metadata file says which signal to send.
func TestE2EActivateOnSignal(t *testing.T) {
	needSSH(t)
	d := startDemoWith(t, 0o700, "waiting for", "-activate-on", "SIGUSR1")
	if _, err := os.Lstat(d.socket); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket exists before the signal (%v)", err)
	}
	m, err := discovery.ReadMetadata(d.metaPath())
	if err != nil {
		t.Fatal(err)
	}
	if m.ActivateOn != "SIGUSR1" {
		t.Errorf("metadata activate_on = %q, want SIGUSR1", m.ActivateOn)
	}
	d.cmd.Process.Signal(syscall.SIGUSR1)
	waitForPath(t, d.socket, true)
	if out, err := d.sshExec(t, "1+1"); err != nil || out != "2\n" {
		t.Fatalf("after activation: %v %q", err, out)
	}
	if _, err := d.stderr.Expect("activated by signal", 5*time.Second); err != nil {
		t.Error(err)
	}
}

// TestE2EOneShot: the first connection is served, then nothing listens;
// with -activate-on the next signal listens again.
func TestE2EOneShot(t *testing.T) {
	needSSH(t)
	t.Run("alone", func(t *testing.T) {
		d := startDemoWith(t, 0o700, "listening on", "-oneshot")
		if out, err := d.sshExec(t, "1+1"); err != nil || out != "2\n" {
			t.Fatalf("first connection: %v %q", err, out)
		}
		waitForPath(t, d.socket, false)
		if out, err := d.sshExec(t, "1+1"); err == nil {
			t.Fatalf("second connection served: %q", out)
		}
	})
	t.Run("with activate-on", func(t *testing.T) {
		d := startDemoWith(t, 0o700, "waiting for", "-oneshot", "-activate-on", "USR2")
		for round := 1; round <= 2; round++ {
			d.cmd.Process.Signal(syscall.SIGUSR2)
			waitForPath(t, d.socket, true)
			if out, err := d.sshExec(t, "40+2"); err != nil || out != "42\n" {
				t.Fatalf("round %d: %v %q", round, err, out)
			}
			waitForPath(t, d.socket, false)
		}
	})
}

// TestE2EOpenSSHInterop checks what OpenSSH negotiates: strict KEX on, no
// SHA-1 anywhere, an ed25519 host key.
func TestE2EOpenSSHInterop(t *testing.T) {
	needSSH(t)
	d := startDemo(t, 0o700)
	args := append(d.sshArgs(t, filepath.Join(binaries(t), "manhole")+" proxy "+d.socket, "-vvv"), "1+1")
	out, err := exec.Command("ssh", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"kex-strict-s-v00@openssh.com", "Server host key: ssh-ed25519"} {
		if !strings.Contains(text, want) {
			t.Errorf("ssh -vvv output lacks %q", want)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "debug1: kex: algorithm:") || strings.Contains(line, "debug1: kex: server->client") || strings.Contains(line, "debug1: kex: client->server") {
			if strings.Contains(line, "sha1") {
				t.Errorf("negotiated SHA-1: %s", line)
			}
		}
		if strings.Contains(line, "debug2: KEX algorithms:") && strings.Contains(line, "peer server KEXINIT") {
			t.Logf("%s", line)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
