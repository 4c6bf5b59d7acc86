package sshd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
)

// fakeCtx is the little of gliderlabs' ssh.Context the callbacks use.
type fakeCtx struct {
	context.Context
	*sync.Mutex
}

func (fakeCtx) User() string          { return "u" }
func (fakeCtx) SessionID() string     { return "s" }
func (fakeCtx) ClientVersion() string { return "SSH-2.0-x" }
func (fakeCtx) ServerVersion() string { return "SSH-2.0-manhole" }
func (fakeCtx) RemoteAddr() net.Addr  { return &net.UnixAddr{Name: "@"} }
func (fakeCtx) LocalAddr() net.Addr   { return &net.UnixAddr{Name: "@"} }
func (fakeCtx) Permissions() *ssh.Permissions {
	return &ssh.Permissions{Permissions: &gossh.Permissions{}}
}
func (fakeCtx) SetValue(key, value any) {}

type fakeMeta struct{ gossh.ConnMetadata }

func (fakeMeta) User() string { return "u" }

func pubKey(t *testing.T) gossh.PublicKey {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRightsFromVerifiedKeyNotLastQueried drives the callbacks in the
// order of CVE-2024-45337's attack: key A is asked about, then key B,
// then A's signature is verified (x/crypto before 0.31 skipped the
// callback on a cache hit). Rights must be A's, whatever was asked last.
func TestRightsFromVerifiedKeyNotLastQueried(t *testing.T) {
	a, b := pubKey(t), pubKey(t)
	text := "inspect-only " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(a))) + "\n" +
		string(gossh.MarshalAuthorizedKey(b))
	keys, _ := auth.NewKeyPolicy(auth.PolicyConfig{AuthorizedKeys: text})
	signer, _ := hostkeys.Generate()
	s, err := New(Config{HostSigner: signer, Handler: echoHandler, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	tc := &conn{Conn: c1, id: 1, srv: s}
	ctx := fakeCtx{Context: context.WithValue(context.Background(), ctxKey{}, tc), Mutex: &sync.Mutex{}}

	cfg := s.serverConfig(ctx)
	if !s.publicKey(ctx, a) || !s.publicKey(ctx, b) {
		t.Fatal("authorized keys refused at the query")
	}
	if _, err := cfg.VerifiedPublicKeyCallback(fakeMeta{}, a, nil, gossh.KeyAlgoED25519); err != nil {
		t.Fatal(err)
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.rights == nil || !tc.rights.InspectOnly || tc.rights.Fingerprint != gossh.FingerprintSHA256(a) {
		t.Fatalf("rights %+v; want A's (inspect-only)", tc.rights)
	}
	if cfg.NoClientAuth {
		t.Error("none method enabled for a connection without a verified unix peer")
	}
}
