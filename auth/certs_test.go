package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func newSigner(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// userCert signs a user certificate for key with ca, valid for an hour
// around now, with the extensions ssh-keygen -s gives by default; edit
// changes it before it is signed.
func userCert(t testing.TB, ca ssh.Signer, key ssh.PublicKey, now time.Time, edit func(*ssh.Certificate)) *ssh.Certificate {
	t.Helper()
	c := &ssh.Certificate{
		Key:             key,
		Serial:          7,
		CertType:        ssh.UserCert,
		KeyId:           "alice@laptop",
		ValidPrincipals: []string{"alice"},
		ValidAfter:      uint64(now.Add(-time.Hour).Unix()),
		ValidBefore:     uint64(now.Add(time.Hour).Unix()),
		Permissions: ssh.Permissions{Extensions: map[string]string{
			"permit-pty": "", "permit-X11-forwarding": "", "permit-agent-forwarding": "",
			"permit-port-forwarding": "", "permit-user-rc": "",
		}},
	}
	if edit != nil {
		edit(c)
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertificates(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ca, other, user := newSigner(t), newSigner(t), newKey(t)
	caLine := func(opts string) string {
		if opts != "" {
			opts = "," + opts
		}
		return line(ca.PublicKey(), "cert-authority"+opts)
	}
	for _, tc := range []struct {
		name    string
		keys    string // AuthorizedKeys
		cas     string // TrustedUserCAKeys
		user    string
		addr    net.Addr
		edit    func(*ssh.Certificate)
		signer  ssh.Signer
		wantErr string
		check   func(*Rights) bool
	}{
		{name: "principal from the line", keys: caLine(`principals="bob,alice"`), user: "root",
			check: func(r *Rights) bool {
				return r.Cert != nil && r.Cert.Principal == "alice" && r.Cert.KeyID == "alice@laptop" && r.Cert.Serial == 7 &&
					r.Fingerprint == ssh.FingerprintSHA256(user) && r.Cert.CA == ssh.FingerprintSHA256(ca.PublicKey()) &&
					!r.NoPTY && r.Command == "" && !r.CertAuthority && r.Principals == nil && r.Expiry.Equal(now.Add(time.Hour))
			}},
		{name: "principal not on the line", keys: caLine(`principals="bob"`), user: "alice", wantErr: `none of its 1 principals ("alice") is "bob"`},
		{name: "account as principal", keys: caLine(""), user: "alice"},
		{name: "account not a principal", keys: caLine(""), user: "root", wantErr: `none of its 1 principals ("alice") is "root"`},
		{name: "empty force-command", keys: caLine(""), user: "alice", wantErr: "empty force-command",
			edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"force-command": ""} }},
		{name: "long principals are clipped", keys: caLine(`principals="bob"`), user: "x", wantErr: `"...) is "bob"`,
			edit: func(c *ssh.Certificate) { c.ValidPrincipals = []string{strings.Repeat("\x01", 3000)} }},
		{name: "forged certificate: signature before anything else", keys: caLine(`principals="bob"`), user: "x", wantErr: "signature does not verify",
			signer: forger{ca.PublicKey(), other}, edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"nonsense": ""} }},
		{name: "TrustedUserCAKeys", cas: line(ca.PublicKey(), ""), user: "alice"},
		{name: "TrustedUserCAKeys with options", cas: line(ca.PublicKey(), `principals="alice",inspect-only`), user: "x",
			check: func(r *Rights) bool { return r.InspectOnly }},
		{name: "unknown CA", keys: caLine(""), user: "alice", signer: other, wantErr: "unknown certificate authority"},
		{name: "CA listed as a plain key only", keys: line(ca.PublicKey(), ""), user: "alice", wantErr: "unknown certificate authority"},
		{name: "own key listed, CA not", keys: line(user, ""), user: "alice", wantErr: "unknown certificate authority"},
		{name: "expired", keys: caLine(""), user: "alice", wantErr: "expired",
			edit: func(c *ssh.Certificate) { c.ValidBefore = uint64(now.Add(-time.Minute).Unix()) }},
		{name: "not yet valid", keys: caLine(""), user: "alice", wantErr: "not yet valid",
			edit: func(c *ssh.Certificate) { c.ValidAfter = uint64(now.Add(time.Minute).Unix()) }},
		{name: "forever", keys: caLine(""), user: "alice",
			edit:  func(c *ssh.Certificate) { c.ValidAfter, c.ValidBefore = 0, ssh.CertTimeInfinity },
			check: func(r *Rights) bool { return r.Expiry.IsZero() && r.Cert.ValidBefore.IsZero() }},
		{name: "CA line expired", keys: caLine(`expiry-time="20261201"`), user: "alice", wantErr: "key expired"},
		{name: "CA line from= refuses", keys: caLine(`from="10.0.0.0/8"`), user: "alice", addr: tcpAddr("127.0.0.1"), wantErr: "not allowed from"},
		{name: "force-command", keys: caLine(""), user: "alice",
			edit:  func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"force-command": ":mem"} },
			check: func(r *Rights) bool { return r.Command == ":mem" }},
		{name: "force-command equal to the line's", keys: caLine(`command=":mem"`), user: "alice",
			edit:  func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"force-command": ":mem"} },
			check: func(r *Rights) bool { return r.Command == ":mem" }},
		{name: "force-command against the line's", keys: caLine(`command="1+1"`), user: "alice", wantErr: "differ",
			edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"force-command": ":mem"} }},
		{name: "line command without force-command", keys: caLine(`command="1+1"`), user: "alice",
			check: func(r *Rights) bool { return r.Command == "1+1" }},
		{name: "source-address matches", keys: caLine(""), user: "alice", addr: tcpAddr("10.1.2.3"),
			edit: func(c *ssh.Certificate) {
				c.CriticalOptions = map[string]string{"source-address": "192.168.0.1,10.0.0.0/8"}
			}},
		{name: "source-address refuses", keys: caLine(""), user: "alice", addr: tcpAddr("127.0.0.1"), wantErr: "does not allow 127.0.0.1",
			edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"source-address": "10.0.0.0/8"} }},
		{name: "source-address unix peer is loopback", keys: caLine(""), user: "alice",
			edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"source-address": "127.0.0.1"} }},
		{name: "source-address malformed", keys: caLine(""), user: "alice", wantErr: "malformed source-address",
			edit: func(c *ssh.Certificate) {
				c.CriticalOptions = map[string]string{"source-address": "127.0.0.1,nonsense"}
			}},
		{name: "unknown critical option", keys: caLine(""), user: "alice", wantErr: `unsupported critical option "verify-required"`,
			edit: func(c *ssh.Certificate) { c.CriticalOptions = map[string]string{"verify-required": ""} }},
		{name: "no permit-pty", keys: caLine(""), user: "alice",
			edit:  func(c *ssh.Certificate) { c.Extensions = nil },
			check: func(r *Rights) bool { return r.NoPTY }},
		{name: "host certificate", keys: caLine(""), user: "alice", wantErr: "host certificate",
			edit: func(c *ssh.Certificate) { c.CertType = ssh.HostCert }},
		{name: "second CA line admits", keys: caLine(`principals="bob"`) + caLine(`principals="alice",inspect-only`), user: "x",
			check: func(r *Rights) bool { return r.InspectOnly }},
		{name: "first admitting CA line decides", keys: caLine(`principals="alice",inspect-only`) + caLine(`principals="alice"`), user: "x",
			check: func(r *Rights) bool { return r.InspectOnly }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: tc.keys, TrustedUserCAKeys: tc.cas, Account: tc.user})
			if err != nil {
				t.Fatal(err)
			}
			signer := ca
			if tc.signer != nil {
				signer = tc.signer
			}
			cert := userCert(t, signer, user, now, tc.edit)
			var addr net.Addr = unixAdr
			if tc.addr != nil {
				addr = tc.addr
			}
			r, err := p.Lookup(cert, addr, now)
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case err == nil && tc.check != nil && !tc.check(r):
				t.Errorf("rights %+v, cert %+v", r, r.Cert)
			}
		})
	}
}

// forger claims to be a CA's key but signs with another.
type forger struct {
	pub ssh.PublicKey
	ssh.Signer
}

func (f forger) PublicKey() ssh.PublicKey { return f.pub }

// The key of a cert-authority line signs; it never logs in itself.
func TestCAKeyDoesNotLogIn(t *testing.T) {
	ca := newSigner(t)
	for _, cfg := range []PolicyConfig{
		{AuthorizedKeys: line(ca.PublicKey(), `cert-authority,principals="alice"`)},
		{TrustedUserCAKeys: line(ca.PublicKey(), "")},
	} {
		p, _ := NewKeyPolicy(cfg)
		if _, err := p.Lookup(ca.PublicKey(), unixAdr, time.Now()); !errors.Is(err, ErrKeyUnknown) {
			t.Fatalf("%+v: the CA key logged in: %v", cfg, err)
		}
	}
}

func TestCertificateSignedWithSHA1IsRefused(t *testing.T) {
	now := time.Now()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := ssh.NewSignerFromKey(priv)
	sha1CA, err := ssh.NewSignerWithAlgorithms(rs.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSA})
	if err != nil {
		t.Fatal(err)
	}
	sha2CA, _ := ssh.NewSignerWithAlgorithms(rs.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSASHA256})
	p, _ := NewKeyPolicy(PolicyConfig{TrustedUserCAKeys: line(rs.PublicKey(), ""), Account: "alice"})
	user := newKey(t)
	if _, err := p.Lookup(userCert(t, sha1CA, user, now, nil), unixAdr, now); err == nil || !strings.Contains(err.Error(), "SHA-1") {
		t.Errorf("ssh-rsa signed certificate: %v", err)
	}
	if _, err := p.Lookup(userCert(t, sha2CA, user, now, nil), unixAdr, now); err != nil {
		t.Errorf("rsa-sha2-256 signed certificate: %v", err)
	}
}

func TestCertificateLinesThatDoNotParse(t *testing.T) {
	ca, user := newSigner(t), newKey(t)
	cert := userCert(t, ca, user, time.Now(), nil)
	text := line(user, `principals="alice"`) + line(cert, "") + line(ca.PublicKey(), "cert-authority")
	keys, bad := ParseAuthorizedKeys([]byte(text))
	if !strings.Contains(bad[1], "principals= applies to cert-authority") || !strings.Contains(bad[2], "certificate cannot be listed") {
		t.Errorf("bad lines: %v", bad)
	}
	if len(keys) != 1 {
		t.Errorf("keys: %d, want the CA line only", len(keys))
	}
}
