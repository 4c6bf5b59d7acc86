//go:build unix

package manhole_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func akLine(s gossh.Signer, opts string) string {
	l := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	if opts != "" {
		l = opts + " " + l
	}
	return l + "\n"
}

// lockedBuffer is a concurrency-safe log sink.
type lockedBuffer = testexp.LockedBuffer

func hostKeyOf(t *testing.T, mh *manhole.Manhole) gossh.PublicKey {
	t.Helper()
	m, err := discovery.ReadMetadata(mh.MetadataPath())
	if err != nil {
		t.Fatal(err)
	}
	k, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// dialAuth connects over network/addr with the given auth methods.
func dialAuth(t *testing.T, mh *manhole.Manhole, network, addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	t.Helper()
	client, err := testkit.Dial(network, addr, testkit.ClientConfig(hostKeyOf(t, mh), auth...))
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { client.Close() })
	return client, nil
}

// failingSigner offers a public key but cannot sign: the client asks the
// server about the key, then moves on to its next method.
type failingSigner struct{ gossh.Signer }

func (f failingSigner) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return nil, errors.New("no private key")
}

// TestRightsComeFromTheKeyThatSigned is CVE-2024-45337: the client asks
// about key B (full rights) but signs with key A (inspect-only); it must
// get A's identity and rights.
func TestRightsComeFromTheKeyThatSigned(t *testing.T) {
	a, b := newSigner(t), newSigner(t)
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{
		RequireKey:     true,
		AuthorizedKeys: akLine(a, "inspect-only") + akLine(b, ""),
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	// x/crypto tries one method of a name; AuthCallback picks the next.
	step := 0
	cfg := testkit.ClientConfig(hostKeyOf(t, mh))
	cfg.AuthCallback = func(*gossh.ClientAuthContext) (gossh.AuthMethod, error) {
		step++
		switch step {
		case 1:
			return gossh.PublicKeys(failingSigner{b}), nil // asks about B
		case 2:
			return gossh.PublicKeys(a), nil // signs with A
		}
		return nil, errors.New("no more methods")
	}
	client := testkit.Connect(t, "unix", mh.SocketPath(), cfg)
	if step != 2 {
		t.Fatalf("the client did not ask about B, then sign with A (step %d)", step)
	}
	_, errOut, st := execOut(t, client, "1+1")
	if st != 1 || !strings.Contains(errOut, "inspect-only") {
		t.Fatalf("after signing with the inspect-only key: status %d, stderr %q; want evaluation refused", st, errOut)
	}
	if out, _, st := execOut(t, client, ":help"); st != 0 || out == "" {
		t.Errorf(":help with the inspect-only key: status %d", st)
	}
	if fa := gossh.FingerprintSHA256(a.PublicKey()); !strings.Contains(logs.String(), "method=publickey key="+fa) {
		t.Errorf("audit log does not name key A (%s):\n%s", fa, logs.String())
	}
}

func TestAuthorizedKeysOptionsEndToEnd(t *testing.T) {
	full, inspect, forced, nopty, expired, unlisted := newSigner(t), newSigner(t), newSigner(t), newSigner(t), newSigner(t), newSigner(t)
	file := filepath.Join(t.TempDir(), "authorized_keys")
	text := "this line is garbage\n" +
		akLine(full, "") +
		akLine(inspect, "inspect-only") +
		akLine(forced, `command="40+2"`) +
		akLine(nopty, "no-pty") +
		akLine(expired, `expiry-time="20200101"`)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{RequireKey: true, AuthorizedKeysFile: file, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	login := func(s gossh.Signer) (*gossh.Client, error) {
		return dialAuth(t, mh, "unix", mh.SocketPath(), gossh.PublicKeys(s))
	}

	t.Run("bad line skipped and logged", func(t *testing.T) {
		if !strings.Contains(logs.String(), "authorized key skipped") || !strings.Contains(logs.String(), "line=1") {
			t.Errorf("log:\n%s", logs.String())
		}
	})
	t.Run("full", func(t *testing.T) {
		c, err := login(full)
		if err != nil {
			t.Fatal(err)
		}
		if out, _, _ := execOut(t, c, "1+1"); out != "2\n" {
			t.Errorf("1+1 = %q", out)
		}
	})
	t.Run("inspect-only", func(t *testing.T) {
		c, err := login(inspect)
		if err != nil {
			t.Fatal(err)
		}
		if _, e, st := execOut(t, c, "1+1"); st != 1 || !strings.Contains(e, "inspect-only") {
			t.Errorf("eval: %d %q", st, e)
		}
	})
	t.Run("command forced", func(t *testing.T) {
		c, err := login(forced)
		if err != nil {
			t.Fatal(err)
		}
		if out, _, st := execOut(t, c, `panic("not this")`); out != "42\n" || st != 0 {
			t.Errorf("forced command: %q status %d", out, st)
		}
	})
	t.Run("no-pty", func(t *testing.T) {
		c, err := login(nopty)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err == nil {
			t.Error("pty granted to a no-pty key")
		}
	})
	t.Run("expired", func(t *testing.T) {
		if _, err := login(expired); err == nil {
			t.Error("expired key got in")
		}
	})
	t.Run("unlisted", func(t *testing.T) {
		if _, err := login(unlisted); err == nil {
			t.Error("unlisted key got in")
		}
	})
	t.Run("no key, though the uid is allowed", func(t *testing.T) {
		if _, err := dialAuth(t, mh, "unix", mh.SocketPath()); err == nil {
			t.Error("RequireKey: a peer without a key got in")
		}
	})
	t.Run("hot reload", func(t *testing.T) {
		tmp := file + ".new"
		os.WriteFile(tmp, []byte(akLine(unlisted, "")), 0o600)
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
		c, err := login(unlisted)
		if err != nil {
			t.Fatalf("key added to the file is refused: %v", err)
		}
		execOut(t, c, "1")
		if _, err := login(full); err == nil {
			t.Error("key removed from the file still gets in")
		}
	})
}

func TestKeyRemovedIsRecheckedAtSessionStart(t *testing.T) {
	k := newSigner(t)
	file := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(file, []byte(akLine(k, "")), 0o600)
	mh := start(t, manhole.Options{RequireKey: true, AuthorizedKeysFile: file})
	c, err := dialAuth(t, mh, "unix", mh.SocketPath(), gossh.PublicKeys(k))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte("# nobody\n"), 0o600)
	if _, err := c.NewSession(); err == nil || !strings.Contains(err.Error(), "no longer authorized") {
		t.Fatalf("session on a connection whose key was removed: %v", err)
	}
	// The connection ends with it: it cannot go on asking.
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection of a removed key stays open")
	}
}

func TestTCP(t *testing.T) {
	k, other := newSigner(t), newSigner(t)
	hostKeyFile := filepath.Join(t.TempDir(), "host_key")
	opts := manhole.Options{Addr: "127.0.0.1:0", AuthorizedKeys: akLine(k, ""), HostKeyFile: hostKeyFile}
	mh := start(t, opts)
	if mh.Addr() == "" {
		t.Fatal("no TCP address")
	}
	t.Run("authorized key in", func(t *testing.T) {
		c, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(k))
		if err != nil {
			t.Fatal(err)
		}
		if out, _, _ := execOut(t, c, "2*21"); out != "42\n" {
			t.Errorf("got %q", out)
		}
	})
	t.Run("unlisted key out", func(t *testing.T) {
		if _, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(other)); err == nil {
			t.Error("unlisted key got in over TCP")
		}
	})
	t.Run("no key out", func(t *testing.T) {
		if _, err := dialAuth(t, mh, "tcp", mh.Addr()); err == nil {
			t.Error("a client without a key got in over TCP")
		}
	})
	t.Run("host key stable across restarts", func(t *testing.T) {
		first := gossh.FingerprintSHA256(hostKeyOf(t, mh))
		mh.Close()
		mh2 := start(t, manhole.Options{Addr: "127.0.0.1:0", AuthorizedKeys: akLine(k, ""), HostKeyFile: hostKeyFile})
		if second := gossh.FingerprintSHA256(hostKeyOf(t, mh2)); second != first {
			t.Errorf("host key changed: %s then %s", first, second)
		}
	})
	for _, tc := range []struct {
		name string
		opts manhole.Options
		want error
	}{
		{"non-loopback refused", manhole.Options{Addr: "0.0.0.0:0", AuthorizedKeys: akLine(k, "")}, manhole.ErrRemoteAddr},
		{"all interfaces refused", manhole.Options{Addr: ":0", AuthorizedKeys: akLine(k, "")}, manhole.ErrRemoteAddr},
		{"TCP without keys refused", manhole.Options{Addr: "127.0.0.1:0"}, manhole.ErrNoAuth},
		{"RequireKey without keys refused", manhole.Options{RequireKey: true}, manhole.ErrNoAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.SocketPath = socketPath(t)
			mh, err := manhole.Start(tc.opts)
			if err == nil {
				mh.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Start: %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("AllowRemote permits all interfaces", func(t *testing.T) {
		mh := start(t, manhole.Options{Addr: ":0", AllowRemote: true, AuthorizedKeys: akLine(k, "")})
		if mh.Addr() == "" {
			t.Fatal("no address")
		}
	})
}

func TestMaxAuthTriesCutsOffTheSeventh(t *testing.T) {
	good := newSigner(t)
	mh := start(t, manhole.Options{RequireKey: true, AuthorizedKeys: akLine(good, "")})
	var wrong []gossh.Signer
	for range 6 {
		wrong = append(wrong, newSigner(t))
	}
	// Six wrong keys, then the right one as the 7th attempt.
	_, err := dialAuth(t, mh, "unix", mh.SocketPath(), gossh.PublicKeys(append(wrong[:6:6], good)...))
	if err == nil {
		t.Fatal("the 7th authentication attempt was allowed")
	}
	// Five wrong keys, then the right one, is fine.
	if _, err := dialAuth(t, mh, "unix", mh.SocketPath(), gossh.PublicKeys(append(wrong[:5:5], good)...)); err != nil {
		t.Fatalf("6th attempt refused: %v", err)
	}
}

// TestStalledHandshakeDoesNotBlockLogin ports OpenSSH's login-timeout.sh:
// a client that connects and says nothing neither blocks a real login nor
// outlives LoginGraceTime.
func TestStalledHandshakeDoesNotBlockLogin(t *testing.T) {
	mh := start(t, manhole.Options{LoginGraceTime: 300 * time.Millisecond})
	stalled, err := net.Dial("unix", mh.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	client := dial(t, mh)
	if out, _, _ := execOut(t, client, "1+1"); out != "2\n" {
		t.Fatalf("login while another stalls: %q", out)
	}
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(stalled); err != nil {
		t.Fatalf("stalled connection not closed after LoginGraceTime: %v", err)
	}
}

// TestThousandIdleConnections: 1 000 unauthenticated connections cost a
// bounded amount of memory and a real login still succeeds.
func TestThousandIdleConnections(t *testing.T) {
	mh := start(t, manhole.Options{})
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var conns []net.Conn
	for i := 0; i < 1000; i++ {
		c, err := net.Dial("unix", mh.SocketPath())
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	client := dial(t, mh)
	if out, _, _ := execOut(t, client, "1+1"); out != "2\n" {
		t.Fatalf("login with 1000 idle connections: %q", out)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("heap growth with 1000 idle connections: %d KiB", growth/1024)
	if growth > 32<<20 {
		t.Errorf("1000 idle connections grew the heap by %d MiB", growth>>20)
	}
}

func TestNoSHA1Algorithms(t *testing.T) {
	mh := start(t, manhole.Options{})
	for _, tc := range []struct {
		name string
		cfg  gossh.Config
	}{
		{"kex diffie-hellman-group14-sha1", gossh.Config{KeyExchanges: []string{"diffie-hellman-group14-sha1"}}},
		{"kex diffie-hellman-group1-sha1", gossh.Config{KeyExchanges: []string{"diffie-hellman-group1-sha1"}}},
		{"mac hmac-sha1", gossh.Config{MACs: []string{"hmac-sha1"}, Ciphers: []string{"aes128-ctr"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, err := testkit.Dial("unix", mh.SocketPath(), &gossh.ClientConfig{
				Config: tc.cfg, User: "t", HostKeyCallback: gossh.InsecureIgnoreHostKey(),
			})
			if err == nil {
				client.Close()
			}
			if err == nil || !strings.Contains(err.Error(), "no common algorithm") {
				t.Fatalf("handshake offering only %s: %v; want no common algorithm", tc.name, err)
			}
		})
	}
}

func TestForwardingAndSubsystemsRefused(t *testing.T) {
	mh := start(t, manhole.Options{})
	client := dial(t, mh)
	if _, err := client.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Error("direct-tcpip (ssh -L) accepted")
	}
	if _, err := client.Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Error("tcpip-forward (ssh -R) accepted")
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if ok, _ := sess.SendRequest("auth-agent-req@openssh.com", true, nil); ok {
		t.Error("agent forwarding accepted")
	}
	if ok, _ := sess.SendRequest("x11-req", true, gossh.Marshal(struct {
		Single        bool
		Proto, Cookie string
		Screen        uint32
	}{false, "MIT-MAGIC-COOKIE-1", "00", 0})); ok {
		t.Error("X11 forwarding accepted")
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp subsystem accepted")
	}
}

func TestMaxSessionsPerConnection(t *testing.T) {
	mh := start(t, manhole.Options{MaxSessions: 2})
	client := dial(t, mh)
	var open []*gossh.Session
	for i := range 3 {
		s, err := client.NewSession()
		if i < 2 && err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		if i == 2 {
			if err == nil {
				t.Fatal("a 3rd session was allowed with MaxSessions 2")
			}
			return
		}
		open = append(open, s)
	}
	_ = open
}

func TestMaxSessionDurationTellsWhy(t *testing.T) {
	mh := start(t, manhole.Options{MaxSessionDuration: 200 * time.Millisecond})
	client := dial(t, mh)
	sh := openShell(t, client)
	sh.expect(t, "maximum session duration")
	var ee *gossh.ExitError
	if err := sh.sess.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 255 {
		t.Fatalf("session end: %v, want exit 255", err)
	}
}

func TestAuditLogOfAScriptedSession(t *testing.T) {
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	client := dial(t, mh)
	execOut(t, client, `x := 6 * 7`)
	execOut(t, client, `undefinedThing`)
	sh := openShell(t, client)
	sh.send(t, ":quit\r")
	sh.sess.Wait()
	client.Close()
	mh.Close()
	text := logs.String()
	for _, want := range []string{
		`msg="manhole: connection accepted"`, "uid=", "pid=",
		`msg="manhole: authenticated"`, "method=peer-uid",
		`msg="manhole: session start"`, "mode=exec", "mode=pty",
		`msg="manhole: eval"`, `code="x := 6 * 7"`, "duration=", "err=",
		`msg="manhole: session end"`, "exit_status=0", "exit_status=1",
		`msg="manhole: connection closed"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// Another local user appends a key to an authorized_keys file others may
// write: as with sshd's StrictModes, the file is refused, and Start
// refuses it outright when it is so from the start.
func TestAuthorizedKeysWritableByOthersIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to act as uid 65534")
	}
	good, intruder := newSigner(t), newSigner(t)
	dir := testkit.ShortDir(t)
	os.Chmod(dir, 0o755)
	file := filepath.Join(dir, "authorized_keys")
	os.WriteFile(file, []byte(akLine(good, "")), 0o600)

	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{Addr: "127.0.0.1:0", AuthorizedKeysFile: file, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if _, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(good)); err != nil {
		t.Fatalf("the listed key: %v", err)
	}
	// Made world-writable (by mistake), then another user appends a key.
	os.Chmod(file, 0o666)
	cmd := exec.Command("/bin/sh", "-c", `printf '%s' "$KEY" >> "$FILE"`)
	cmd.Env = []string{"KEY=" + akLine(intruder, ""), "FILE=" + file}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("append as nobody: %v %s", err, out)
	}
	if _, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(intruder)); err == nil {
		t.Fatal("a key another user appended got in")
	}
	waitForLog(t, logs, "authorized_keys refused")

	// Start refuses the file as it is now.
	_, err := manhole.Start(manhole.Options{SocketPath: socketPath(t), AuthorizedKeysFile: file})
	if err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("Start with a 0666 authorized_keys: %v", err)
	}
}

// Authorized keys, inspect-only even, holding sessions can neither take
// more than their share nor lock the owner out.
func TestOneKeyCannotTakeEverySession(t *testing.T) {
	k1, k2 := newSigner(t), newSigner(t)
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{
		Addr: "127.0.0.1:0", AuthorizedKeys: akLine(k1, "inspect-only") + akLine(k2, ""),
		MaxSessions: 64, MaxSessionsTotal: 8, MaxSessionsPerIdentity: 3,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	hold := func(k gossh.Signer) int {
		c, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(k))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for range 5 {
			if _, err := c.NewSession(); err == nil {
				n++
			}
		}
		return n
	}
	if n := hold(k1); n != 3 {
		t.Errorf("one key holds %d sessions, want MaxSessionsPerIdentity 3", n)
	}
	// Of MaxSessionsTotal 8, 4 are kept for the owner and root.
	if n := hold(k2); n != 1 {
		t.Errorf("a second key holds %d sessions, want the 1 left before the reserve", n)
	}
	// The owner (its kernel-reported uid) still gets in and runs code.
	if out, _, _ := execOut(t, dial(t, mh), "6*7"); out != "42\n" {
		t.Fatalf("the owner, with keys holding sessions: %q\n%s", out, logs.String())
	}
	waitForLog(t, logs, "reason=MaxSessionsPerIdentity")
	waitForLog(t, logs, "reason=MaxSessionsTotal")
}

func TestSessionWithoutRequestIsClosed(t *testing.T) {
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	manhole.SetRequestTimeout(mh, 200*time.Millisecond)
	client := dial(t, mh)
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(out); done <- err }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a session that asked for nothing stayed open")
	}
	waitForLog(t, logs, "reason=\"no shell or exec request\"")
}

// badSigner offers one key and signs with another: the server's
// verification of the signature fails.
type badSigner struct {
	gossh.Signer
	pub gossh.PublicKey
}

func (b badSigner) PublicKey() gossh.PublicKey { return b.pub }

// A listed key whose signature does not verify is logged with its
// fingerprint, not only as an accepted and closed connection.
func TestFailedSignatureIsLoggedWithTheKey(t *testing.T) {
	listed, other := newSigner(t), newSigner(t)
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{Addr: "127.0.0.1:0", AuthorizedKeys: akLine(listed, ""), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if _, err := dialAuth(t, mh, "tcp", mh.Addr(), gossh.PublicKeys(badSigner{other, listed.PublicKey()})); err == nil {
		t.Fatal("a bad signature got in")
	}
	waitForLog(t, logs, `msg="manhole: authentication failed" conn=1 method=publickey`)
	waitForLog(t, logs, "key="+gossh.FingerprintSHA256(listed.PublicKey()))
}
