//go:build unix

package manhole_test

import (
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/testkit"
)

// sshKeygen runs ssh-keygen in dir.
func sshKeygen(t *testing.T, dir string, args ...string) {
	t.Helper()
	testkit.Need(t, "ssh-keygen", testkit.InstallSSH)
	cmd := exec.Command("ssh-keygen", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen %q: %v\n%s", args, err, out)
	}
}

func readFile(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCertificatesEndToEnd logs in with OpenSSH user certificates made by
// ssh-keygen -s, through the real ssh client over TCP: principals (from a
// cert-authority line and the process's account), validity, force-command,
// source-address, permit-pty, and revocation by a KRL that changes while
// the manhole runs.
func TestCertificatesEndToEnd(t *testing.T) {
	needSSH(t)
	dir := t.TempDir()
	gen := func(name string) {
		sshKeygen(t, dir, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name)
	}
	gen("ca")
	gen("ca2")
	gen("ca3") // trusted nowhere
	gen("user")
	// sign writes cert-NAME.pub: the user key signed by ca with the
	// given ssh-keygen options. Not user-cert.pub, which ssh would load
	// by itself next to the key.
	sign := func(name, ca string, opts ...string) string {
		sshKeygen(t, dir, append(append([]string{"-q", "-s", ca, "-I", name}, opts...), "user.pub")...)
		out := filepath.Join(dir, "cert-"+name+".pub")
		if err := os.Rename(filepath.Join(dir, "user-cert.pub"), out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	account := me.Username
	certs := map[string]string{
		"alice":        sign("alice", "ca", "-n", "alice", "-z", "1"),
		"bob":          sign("bob", "ca", "-n", "bob", "-z", "2"),
		"account":      sign("account", "ca2", "-n", account, "-z", "3"),
		"ca2-alice":    sign("ca2-alice", "ca2", "-n", "alice", "-z", "14"),
		"expired":      sign("expired", "ca", "-n", "alice", "-z", "4", "-V", "-2d:-1d"),
		"future":       sign("future", "ca", "-n", "alice", "-z", "5", "-V", "+1d:+2d"),
		"forced":       sign("forced", "ca", "-n", "alice", "-z", "6", "-O", "force-command=40+2"),
		"elsewhere":    sign("elsewhere", "ca", "-n", "alice", "-z", "7", "-O", "source-address=10.0.0.0/8"),
		"here":         sign("here", "ca", "-n", "alice", "-z", "8", "-O", "source-address=10.0.0.0/8,127.0.0.1"),
		"nopty":        sign("nopty", "ca", "-n", "alice", "-z", "9", "-O", "clear"),
		"noprincipal":  sign("noprincipal", "ca", "-z", "10"),
		"to-revoke":    sign("to-revoke", "ca", "-n", "alice", "-z", "11"),
		"revoked-late": sign("revoked-late", "ca", "-n", "alice", "-z", "12"),
		"stranger":     sign("stranger", "ca3", "-n", "alice", "-z", "13"),
	}
	krlSpec := filepath.Join(dir, "krl.spec")
	os.WriteFile(krlSpec, []byte("serial: 11\n"), 0o600)
	krl := filepath.Join(dir, "revoked.krl")
	sshKeygen(t, dir, "-q", "-k", "-f", krl, "-s", "ca.pub", krlSpec)

	ak := filepath.Join(dir, "authorized_keys")
	os.WriteFile(ak, []byte(`cert-authority,principals="alice,carol" `+readFile(t, filepath.Join(dir, "ca.pub"))), 0o600)
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{
		Addr:               "127.0.0.1:0",
		AuthorizedKeysFile: ak,
		TrustedUserCAKeys:  readFile(t, filepath.Join(dir, "ca2.pub")),
		RevokedKeysFile:    krl,
		Logger:             slog.New(slog.NewTextHandler(logs, nil)),
	})
	_, port, _ := net.SplitHostPort(mh.Addr())
	kh := filepath.Join(dir, "known_hosts")
	os.WriteFile(kh, []byte("mh "+strings.TrimSpace(string(gossh.MarshalAuthorizedKey(hostKeyOf(t, mh))))+"\n"), 0o600)

	// run logs in as user with the given identity and certificate (""
	// for none) and runs code.
	run := func(user, identity, cert string, extra ...string) (string, error) {
		args := []string{"-F", "none", "-p", port,
			"-o", "UserKnownHostsFile=" + kh, "-o", "GlobalKnownHostsFile=/dev/null",
			"-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlias=mh",
			"-o", "IdentityAgent=none", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
			"-o", "LogLevel=ERROR", "-i", filepath.Join(dir, identity)}
		if cert != "" {
			args = append(args, "-o", "CertificateFile="+cert)
		}
		args = append(append(args, extra...), user+"@127.0.0.1", "1+1")
		out, err := exec.Command("ssh", args...).CombinedOutput()
		return string(out), err
	}
	ok := func(t *testing.T, want, user, identity, cert string, extra ...string) {
		t.Helper()
		out, err := run(user, identity, cert, extra...)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("ssh as %s with %s: %v\n%s", user, filepath.Base(cert), err, out)
		}
	}
	refused := func(t *testing.T, user, identity, cert string) {
		t.Helper()
		if out, err := run(user, identity, cert); err == nil || !strings.Contains(out, "Permission denied") {
			t.Errorf("ssh as %s with %s got in: %v\n%s", user, filepath.Base(cert), err, out)
		}
	}

	t.Run("principal from the cert-authority line", func(t *testing.T) { ok(t, "2", "anyone", "user", certs["alice"]) })
	t.Run("principal not on the line", func(t *testing.T) { refused(t, "bob", "user", certs["bob"]) })
	t.Run("TrustedUserCAKeys: principal is the process's account", func(t *testing.T) {
		ok(t, "2", "anyone", "user", certs["account"])
		refused(t, "alice", "user", certs["ca2-alice"])
	})
	t.Run("CA key does not log in", func(t *testing.T) {
		refused(t, "alice", "ca", "")
		refused(t, account, "ca2", "")
	})
	t.Run("unknown CA", func(t *testing.T) { refused(t, "alice", "user", certs["stranger"]) })
	t.Run("key without its certificate", func(t *testing.T) { refused(t, "alice", "user", "") })
	t.Run("expired", func(t *testing.T) { refused(t, "alice", "user", certs["expired"]) })
	t.Run("not yet valid", func(t *testing.T) { refused(t, "alice", "user", certs["future"]) })
	t.Run("no principal", func(t *testing.T) { refused(t, "alice", "user", certs["noprincipal"]) })
	t.Run("force-command", func(t *testing.T) { ok(t, "42", "alice", "user", certs["forced"]) })
	t.Run("source-address elsewhere", func(t *testing.T) { refused(t, "alice", "user", certs["elsewhere"]) })
	t.Run("source-address here", func(t *testing.T) { ok(t, "2", "alice", "user", certs["here"]) })
	t.Run("no permit-pty", func(t *testing.T) {
		// ssh -tt gives up when the terminal it insisted on is refused.
		if out, _ := run("alice", "user", certs["nopty"], "-tt"); !strings.Contains(out, "PTY allocation request failed") {
			t.Errorf("terminal granted without permit-pty:\n%s", out)
		}
		ok(t, "2", "alice", "user", certs["nopty"])
		ok(t, "2", "alice", "user", certs["alice"], "-tt")
	})
	t.Run("revoked by serial", func(t *testing.T) { refused(t, "alice", "user", certs["to-revoke"]) })
	t.Run("revoked while running", func(t *testing.T) {
		ok(t, "2", "alice", "user", certs["revoked-late"])
		os.WriteFile(krlSpec, []byte("id: revoked-late\n"), 0o600)
		sshKeygen(t, dir, "-q", "-k", "-u", "-f", krl, "-s", "ca.pub", krlSpec)
		refused(t, "alice", "user", certs["revoked-late"])
		ok(t, "2", "alice", "user", certs["alice"])
	})
	t.Run("logged", func(t *testing.T) {
		l := logs.String()
		for _, want := range []string{"cert_id=alice serial=1", "principal=alice", "key revoked", "certificate refused", "unknown certificate authority"} {
			if !strings.Contains(l, want) {
				t.Errorf("log lacks %q", want)
			}
		}
		if t.Failed() {
			t.Log(l)
		}
	})
}
