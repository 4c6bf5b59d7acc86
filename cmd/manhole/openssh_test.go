//go:build unix

package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

func needSSH(t *testing.T) {
	t.Helper()
	testkit.Need(t, "ssh", testkit.InstallSSH)
}

// ssh runs the real ssh client with env added to a clean HOME, so that
// no user configuration, key or agent takes part.
func sshRun(t *testing.T, env []string, args ...string) result {
	t.Helper()
	home := tempDir(t, 0o700)
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), append([]string{"HOME=" + home, "SSH_AUTH_SOCK="}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

func TestSSHConfig(t *testing.T) {
	needSSH(t)
	d := startDemo(t)
	r := run(t, nil, "", "ssh-config")
	if r.code != 0 || !strings.Contains(r.stdout, "KnownHostsCommand "+manholeBin(t)+" known-hosts %H\n") ||
		!strings.Contains(r.stdout, "ProxyCommand "+manholeBin(t)+" proxy %n\n") {
		t.Fatalf("ssh-config: %v", r)
	}
	cfg := filepath.Join(tempDir(t, 0o700), "config")
	os.WriteFile(cfg, []byte(r.stdout), 0o600)
	sshArgs := func(host string, extra ...string) []string {
		return append([]string{"-F", cfg, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
			"-o", "IdentityAgent=none", "-o", "LogLevel=ERROR", host}, extra...)
	}

	r = sshRun(t, d.env(), sshArgs("manhole-"+d.pidArg(), "1+1")...)
	if r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("ssh manhole-%d '1+1': %v", d.pid, r)
	}
	// A port in the name: ssh asks for [manhole-PID]:PORT.
	r = sshRun(t, d.env(), sshArgs("manhole-"+d.pidArg(), "-p", "2222", "2+1")...)
	if r.code != 0 || r.stdout != "3\n" {
		t.Fatalf("ssh -p 2222 manhole-%d: %v", d.pid, r)
	}

	// The key check is real: a metadata file with another key stops ssh.
	m, _ := discovery.ReadMetadata(d.metaPath())
	real := *m
	m.HostKey = newHostKey(t)
	discovery.WriteMetadata(d.metaPath(), m)
	r = sshRun(t, d.env(), sshArgs("manhole-"+d.pidArg(), "1+1")...)
	if r.code != 255 || !strings.Contains(r.stderr, "Host key verification failed") {
		t.Fatalf("ssh with a wrong key in the metadata: %v", r)
	}
	discovery.WriteMetadata(d.metaPath(), &real)

	// A dormant manhole is woken up by the ProxyCommand.
	dir := tempDir(t, 0o700)
	h := startHelper(t, "activate-on", dir)
	r = sshRun(t, []string{"MANHOLE_DIR=" + dir}, sshArgs("manhole-"+strconv.Itoa(h.pid), "2*21")...)
	if r.code != 0 || r.stdout != "42\n" {
		t.Fatalf("ssh to a dormant manhole: %v", r)
	}
}

func TestKnownHosts(t *testing.T) {
	d := startDemo(t)
	m, err := discovery.ReadMetadata(d.metaPath())
	if err != nil {
		t.Fatal(err)
	}
	pid := d.pidArg()
	r := run(t, d.env(), "", "known-hosts", "manhole-"+pid, "[manhole-"+pid+"]:2222", pid)
	want := fmt.Sprintf("manhole-%s %s\n[manhole-%s]:2222 %s\n%s %s\n", pid, m.HostKey, pid, m.HostKey, pid, m.HostKey)
	if r.code != 0 || r.stdout != want {
		t.Fatalf("known-hosts: %v\nwant stdout %q", r, want)
	}
	r = run(t, d.env(), "", "known-hosts", "manhole-99999999", "manhole-"+pid, "github.com")
	r.expect(t, 1, "manhole-99999999: no process with pid 99999999", "github.com: not a manhole")
	if r.stdout != fmt.Sprintf("manhole-%s %s\n", pid, m.HostKey) {
		t.Errorf("known-hosts with unknown hosts: want the known one printed: %v", r)
	}

	// The recipe for plain ssh: a known_hosts file from known-hosts.
	needSSH(t)
	kh := filepath.Join(tempDir(t, 0o700), "kh")
	os.WriteFile(kh, []byte(run(t, d.env(), "", "known-hosts", pid).stdout), 0o600)
	r = sshRun(t, d.env(), "-F", "none", "-o", "UserKnownHostsFile="+kh, "-o", "HostKeyAlias="+pid,
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentityAgent=none",
		"-o", "ProxyCommand="+manholeBin(t)+" proxy "+pid, "app", "1+1")
	if r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("ssh with known-hosts' line: %v", r)
	}
}

// sshServer is a real OpenSSH server on a loopback port, standing in for a
// remote host: root logs in with a throwaway key.
type sshServer struct {
	port      string
	key       string // the client's private key
	knownHost string // known_hosts line for [127.0.0.1]:port
}

func startSSHD(t *testing.T) *sshServer {
	t.Helper()
	needSSH(t)
	const bin = "/usr/sbin/sshd"
	testkit.Need(t, bin, testkit.InstallSSHD)
	testkit.Need(t, "ssh-keygen", testkit.InstallSSH)
	if os.Getuid() != 0 {
		t.Skip("sshd needs root to log a user in")
	}
	// Its privilege separation directory.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod("/run/sshd", 0o755)
	dir := tempDir(t, 0o700)
	s := &sshServer{key: filepath.Join(dir, "client")}
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, _ := os.ReadFile(s.key + ".pub")
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	hostPub, _ := os.ReadFile(filepath.Join(dir, "host.pub"))

	// sshd cannot be told to pick a free port and say which: take one
	// the kernel just handed out, and try again if someone grabbed it.
	for attempt := 0; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		cfg := filepath.Join(dir, "sshd_config")
		os.WriteFile(cfg, []byte(strings.Join([]string{
			"ListenAddress 127.0.0.1:" + s.port,
			"HostKey " + filepath.Join(dir, "host"),
			"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
			"PidFile none",
			"UsePAM no",
			"StrictModes no",
			"PermitRootLogin prohibit-password",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"LogLevel VERBOSE",
			"",
		}, "\n")), 0o600)
		p := start(t, exec.Command(bin, "-f", cfg, "-D", "-e"))
		if _, err := p.stderr.Expect("Server listening on", 20*time.Second); err == nil {
			break
		} else if attempt == 2 {
			t.Fatalf("sshd did not start: %v", err)
		}
	}
	s.knownHost = "[127.0.0.1]:" + s.port + " " + string(hostPub)
	return s
}

// sshCommand is ssh to the sshd as root, for a ProxyCommand.
func (s *sshServer) sshCommand(t *testing.T) string {
	kh := filepath.Join(tempDir(t, 0o700), "kh")
	os.WriteFile(kh, []byte(s.knownHost), 0o600)
	return fmt.Sprintf("ssh -F none -p %s -i %s -o IdentitiesOnly=yes -o IdentityAgent=none -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1",
		s.port, s.key, kh)
}

// TestRemoteHostProxy: ssh reaches a manhole on another host through
// "ssh HOST manhole proxy PID" as its ProxyCommand.
func TestRemoteHostProxy(t *testing.T) {
	s := startSSHD(t)
	d := startDemo(t)
	kh := filepath.Join(tempDir(t, 0o700), "kh")
	os.WriteFile(kh, []byte(run(t, d.env(), "", "known-hosts", "manhole-"+d.pidArg()).stdout), 0o600)
	proxy := fmt.Sprintf("%s MANHOLE_DIR=%s %s proxy %s", s.sshCommand(t), d.dir, manholeBin(t), d.pidArg())
	args := []string{"-F", "none", "-o", "UserKnownHostsFile=" + kh, "-o", "HostKeyAlias=manhole-" + d.pidArg(),
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentityAgent=none", "-o", "LogLevel=ERROR",
		"-o", "ProxyCommand=" + proxy, "x"}
	r := sshRun(t, nil, append(args, "1+1")...)
	if r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("ssh through a remote manhole proxy: %v", r)
	}

	// The same bridge under manhole connect's feet: an interactive session.
	x := newTmux(t, 80, 24, "ssh -tt "+shellQuote(args...))
	x.waitScreen(`(?m)^>>>`)
	x.send("20+22", "Enter")
	x.waitScreen(`(?m)^42$`)
	x.send(":quit", "Enter")
	x.finish(0)
}

func shellQuote(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// TestTCPTarget drives HOST:PORT targets against the sshd: host keys from
// known_hosts, keys from ~/.ssh, the remote exit status passed through.
func TestTCPTarget(t *testing.T) {
	s := startSSHD(t)
	addr := "127.0.0.1:" + s.port
	home := func(knownHosts string, withKey bool) []string {
		h := tempDir(t, 0o700)
		os.Mkdir(filepath.Join(h, ".ssh"), 0o700)
		if knownHosts != "" {
			os.WriteFile(filepath.Join(h, ".ssh", "known_hosts"), []byte(knownHosts), 0o600)
		}
		if withKey {
			b, _ := os.ReadFile(s.key)
			os.WriteFile(filepath.Join(h, ".ssh", "id_ed25519"), b, 0o600)
		}
		return []string{"HOME=" + h, "SSH_AUTH_SOCK=", "MANHOLE_DIR=" + tempDir(t, 0o700)}
	}

	r := run(t, home(s.knownHost, true), "", "exec", addr, "echo out; echo err >&2; exit 3")
	if r.code != 3 || r.stdout != "out\n" || r.stderr != "err\n" {
		t.Fatalf("exec %s: %v", addr, r)
	}
	r = run(t, home(s.knownHost, true), "", "exec", "root@"+addr, "true")
	r.expect(t, 0)

	r = run(t, home("", true), "", "exec", addr, "true")
	r.expect(t, 255, "the host key of "+addr+" is unknown", "known_hosts")

	otherKey := "[127.0.0.1]:" + s.port + " " + newHostKey(t) + "\n"
	r = run(t, home(otherKey, true), "", "exec", addr, "true")
	r.expect(t, 255, "HOST KEY MISMATCH for "+addr, "known_hosts:1")

	r = run(t, home(s.knownHost, false), "", "exec", addr, "true")
	r.expect(t, 255, addr+" refused our keys", "authorized_keys")

	// A ProxyCommand bridge to TCP.
	pr := testexp.New()
	cmd := exec.Command(manholeBin(t), "proxy", addr)
	cmd.Stdout = pr
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	if _, err := pr.Expect(`^SSH-2\.0-OpenSSH`, 20*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestTCPManhole drives a manhole's loopback TCP listener: its host key
// comes from the metadata file found by address (no known_hosts entry
// needed), and the client's key from ~/.ssh.
func TestTCPManhole(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	dir := tempDir(t, 0o700)
	h := startHelper(t, "tcp", dir, "MANHOLE_TEST_KEY="+hostkeys.AuthorizedKey(signer.PublicKey()))
	line, err := h.stdout.Expect(`addr \S+\n`, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line[strings.LastIndex(line, "addr "):], "addr "))
	home := tempDir(t, 0o700)
	os.Mkdir(filepath.Join(home, ".ssh"), 0o700)
	env := []string{"HOME=" + home, "SSH_AUTH_SOCK=", "MANHOLE_DIR=" + dir}

	// No key yet.
	run(t, env, "", "exec", addr, "1+1").expect(t, 255, addr+" refused our keys", "no ssh-agent and no ~/.ssh/id_ed25519")
	os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519"), pem.EncodeToMemory(block), 0o600)
	for _, target := range []string{addr, "someone@" + addr, strconv.Itoa(h.pid)} {
		if r := run(t, env, "", "exec", target, "1+1"); r.code != 0 || r.stdout != "2\n" {
			t.Fatalf("exec %s: %v", target, r)
		}
	}

	// Elsewhere (no metadata to look at), known_hosts vouches for the key,
	// and known-hosts writes that line.
	r := run(t, env, "", "known-hosts", addr)
	m, _ := discovery.ReadMetadata(filepath.Join(dir, strconv.Itoa(h.pid)+".json"))
	if want := knownhosts.Normalize(addr) + " " + m.HostKey + "\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("known-hosts %s: %v\nwant %q", addr, r, want)
	}
	elsewhere := []string{"HOME=" + home, "SSH_AUTH_SOCK=", "MANHOLE_DIR=" + tempDir(t, 0o700)}
	run(t, elsewhere, "", "exec", addr, "1+1").expect(t, 255, "the host key of "+addr+" is unknown")
	os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(r.stdout), 0o600)
	if r := run(t, elsewhere, "", "exec", addr, "1+1"); r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("exec %s with known_hosts: %v", addr, r)
	}
}
