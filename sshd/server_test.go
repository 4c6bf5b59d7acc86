package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

// syncBuffer is a log sink safe for concurrent use.
type syncBuffer = testexp.LockedBuffer

// echoHandler answers an exec request with its command and the session's
// identity; a shell request waits until the session ends, reporting why.
func echoHandler(ctx context.Context, info *SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "exec":
			req.Reply(true, nil)
			var p struct{ Command string }
			gossh.Unmarshal(req.Payload, &p)
			io.WriteString(ch, p.Command+" "+info.Method+" "+info.Identity())
			ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{0}))
			return
		case "shell":
			req.Reply(true, nil)
			<-ctx.Done()
			io.WriteString(ch.Stderr(), context.Cause(ctx).Error())
			ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{255}))
			return
		default:
			req.Reply(false, nil)
		}
	}
}

type testServer struct {
	srv    *Server
	path   string
	log    *syncBuffer
	host   gossh.PublicKey
	served chan error
}

func startServer(t *testing.T, mod func(*Config)) *testServer {
	t.Helper()
	signer, err := hostkeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := Config{
		HostSigner: signer,
		UIDs:       auth.NewUIDPolicy(nil),
		Handler:    echoHandler,
		Logger:     slog.New(slog.NewTextHandler(logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(testkit.ShortDir(t), "m.sock")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, path: path, log: logs, host: signer.PublicKey(), served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testServer) dial(t *testing.T) (*gossh.Client, error) {
	t.Helper()
	return testkit.Dial("unix", ts.path, testkit.ClientConfig(ts.host))
}

func TestVerifiedPeerNeedsNoKey(t *testing.T) {
	ts := startServer(t, nil)
	client, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("hello")
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello peer-uid peer uid " + itoa(uidSelf()); string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if logs := ts.log.String(); !strings.Contains(logs, "connection accepted") || !strings.Contains(logs, "method=peer-uid") {
		t.Errorf("audit log lacks the accept and auth records:\n%s", logs)
	}
}

func TestTCPPeerCannotUseNone(t *testing.T) {
	signer, _ := hostkeys.Generate()
	srv, err := New(Config{HostSigner: signer, Handler: echoHandler})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	client, err := testkit.Dial("tcp", l.Addr().String(), testkit.ClientConfig(signer.PublicKey()))
	if err == nil {
		client.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("TCP client without a key: %v, want an authentication failure", err)
	}
}

func TestRefusedUIDClosedBeforeBanner(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.UIDs = auth.NewUIDPolicy([]int{uidSelf() + 4242}) })
	c, err := net.Dial("unix", ts.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v (want EOF: closed by the server)", err)
	}
	if len(b) != 0 {
		t.Fatalf("refused peer received %q; want nothing, not even the SSH banner", b)
	}
	testkit.Eventually(t, "refusal logged", func() bool { return strings.Contains(ts.log.String(), "peer uid not allowed") })
	if !strings.Contains(ts.log.String(), "uid="+itoa(uidSelf())) {
		t.Errorf("refusal log lacks the uid:\n%s", ts.log.String())
	}
}

func TestLoginGraceTimeClosesSilentClient(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.LoginGraceTime = 100 * time.Millisecond })
	c, err := net.Dial("unix", ts.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	// The server sends its banner, then closes when the grace time ends.
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	// A real login still works.
	client, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
}

func TestMaxStartupsDropsOldestSoLoginStillWorks(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStartups = 3 })
	var idle []net.Conn
	for range 3 {
		c, err := net.Dial("unix", ts.path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	testkit.Eventually(t, "three startups in flight", func() bool { return ts.srv.startups.Load() == 3 })
	// A real login beyond MaxStartups gets in; the oldest idle one goes.
	client, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	idle[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(idle[0]); err != nil {
		t.Fatalf("oldest idle connection not dropped: %v", err)
	}
	if n := ts.srv.startups.Load(); n > 3 {
		t.Errorf("%d unauthenticated connections, MaxStartups 3", n)
	}
}

func TestShutdownTellsSessionsWhy(t *testing.T) {
	ts := startServer(t, nil)
	client, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 255 {
		t.Fatalf("session ended with %v, want exit status 255", err)
	}
	if !strings.Contains(stderr.String(), ErrShutdown.Error()) {
		t.Errorf("stderr %q does not say why", stderr.String())
	}
	if err := <-ts.served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
}

func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := startServer(t, nil)
	var clients []*gossh.Client
	for range 3 {
		client, err := ts.dial(t)
		if err != nil {
			t.Fatal(err)
		}
		sess, _ := client.NewSession()
		sess.Shell()
		clients = append(clients, client)
	}
	half, _ := net.Dial("unix", ts.path) // mid-handshake
	defer half.Close()
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	<-ts.served
	for _, c := range clients {
		c.Close()
	}
	testkit.Eventually(t, "goroutines back to the count before start", func() bool { return runtime.NumGoroutine() <= before })
}

// TestHandlerPanicIsContained is the gliderlabs trap: its handler
// goroutine has no recover, so a panic there would kill the host.
func TestHandlerPanicIsContained(t *testing.T) {
	panicky := func(ctx context.Context, info *SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
		if info.ID == 1 {
			panic("handler bug")
		}
		echoHandler(ctx, info, ch, reqs)
	}
	ts := startServer(t, func(c *Config) { c.Handler = panicky })
	client, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Run("x"); err == nil {
		t.Error("the panicking session reported success")
	}
	testkit.Eventually(t, "panic logged", func() bool { return strings.Contains(ts.log.String(), "session panic") })
	sess2, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := sess2.Output("still here"); err != nil || !strings.HasPrefix(string(out), "still here") {
		t.Fatalf("after a handler panic: %q %v", out, err)
	}
}

// In OneShot mode only an authenticated connection uses the shot: a
// process that connects and leaves does not lock the owner out.
func TestOneShotCountsOnlyAnAuthenticatedConnection(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.OneShot = true })
	for range 3 {
		c, err := net.Dial("unix", ts.path)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	client, err := ts.dial(t)
	if err != nil {
		t.Fatalf("after three probes, the one shot is gone: %v", err)
	}
	defer client.Close()
	select {
	case err := <-ts.served:
		if !errors.Is(err, ErrOneShot) {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still listening after the one-shot login")
	}
	if _, err := ts.dial(t); err == nil {
		t.Fatal("a second login after the one shot")
	}
}

// The unix socket and TCP have their own MaxStartups: a flood of
// unauthenticated TCP connections, which any local process can open,
// never drops a kernel-authenticated unix peer's login.
func TestTCPFloodDoesNotStarveTheUnixSocket(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStartups = 2; c.LoginGraceTime = time.Minute })
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.srv.Serve(tl)
	// A unix peer is mid-handshake (connected, nothing sent yet).
	unixConn, err := net.Dial("unix", ts.path)
	if err != nil {
		t.Fatal(err)
	}
	defer unixConn.Close()
	testkit.Eventually(t, "the unix connection pending", func() bool { return ts.srv.startups.Load() == 1 })
	for range 50 {
		c, err := net.Dial("tcp", tl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	testkit.Eventually(t, "the TCP flood to be trimmed", func() bool { return ts.srv.nextConn.Load() >= 51 && ts.srv.startups.Load() <= 3 })
	// The pending unix connection was not the one dropped: it can still
	// log in.
	client, err := testkit.Client(unixConn, testkit.ClientConfig(ts.host))
	if err != nil {
		t.Fatalf("the unix peer's login, after a TCP flood: %v", err)
	}
	client.Close()
}

// Two listeners evicting each other's connections under MaxStartups 1:
// the login grace timer was set after the connection was visible to the
// other accept loop (a data race under -race, and a timer never stopped).
func TestEvictionAcrossListenersRacesNothing(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStartups = 1 })
	second := filepath.Join(filepath.Dir(ts.path), "b.sock")
	l2, err := ListenUnix(second)
	if err != nil {
		t.Fatal(err)
	}
	go ts.srv.Serve(l2)
	done := make(chan struct{})
	for _, p := range []string{ts.path, second} {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				if c, err := net.Dial("unix", p); err == nil {
					c.Close()
				}
			}
		}()
	}
	<-done
	<-done
	// Connections still in the accept queue evict a login under
	// MaxStartups 1 (they are newer): try until the queue has drained.
	var err2 error
	for range 20 {
		testkit.Eventually(t, "the churn to drain", func() bool { return ts.srv.startups.Load() == 0 })
		var c *gossh.Client
		if c, err2 = ts.dial(t); err2 == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("login after the churn: %v", err2)
}

// A connect-and-close flood, which anyone who can reach the port can
// start, writes at most preAuthBurst lines per interval and a summary of
// what it left out; a login in the middle of it is logged in full.
func TestFloodLogIsRateLimited(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStartups = 4 })
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.srv.Serve(tl)
	const flood = 3000
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range flood / 4 {
				if c, err := net.Dial("tcp", tl.Addr().String()); err == nil {
					c.Close()
				}
			}
		}()
	}
	c, err := ts.dial(t)
	if err != nil {
		t.Fatalf("unix login during the flood: %v", err)
	}
	c.Close()
	wg.Wait()
	// A key refused after the flood is still logged: failed
	// authentications have a budget of their own.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	if client, err := testkit.Dial("tcp", tl.Addr().String(), testkit.ClientConfig(ts.host, gossh.PublicKeys(signer))); err == nil {
		client.Close()
	}
	testkit.Eventually(t, "the flood to drain", func() bool { return ts.srv.nextConn.Load() >= flood+2 && ts.srv.startups.Load() == 0 })
	ts.srv.Close()
	logs := ts.log.String()
	lines := strings.Count(logs, "\n")
	if lines > preAuthBurst+20 {
		t.Errorf("%d log lines for a flood of %d connections", lines, flood)
	}
	if !strings.Contains(logs, "msg=\"manhole: authenticated\"") {
		t.Error("the login during the flood is not logged")
	}
	if !strings.Contains(logs, "key="+gossh.FingerprintSHA256(signer.PublicKey())) {
		t.Error("the key refused after the flood is not logged")
	}
	m := regexp.MustCompile(`suppressed \(a flood\?\)" about="unauthenticated connections" suppressed=(\d+)`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no summary line:\n%s", logs)
	}
	// Each connection of the flood is accepted and closed: two lines.
	if n, _ := strconv.Atoi(m[1]); n+strings.Count(logs, "connection accepted")+strings.Count(logs, "connection closed") < 2*flood {
		t.Errorf("summary counts %d suppressed lines, fewer than the flood made", n)
	}
	t.Logf("%d lines, summary: %s", lines, m[0])
}
