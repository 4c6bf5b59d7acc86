package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/examples/inventory/store"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

const storePath = "github.com/gomanhole/manhole/examples/inventory/store"

// dial connects an x/crypto SSH client to the manhole of pid at socket,
// trusting the host key of its metadata file.
func dial(t *testing.T, socket string, pid int) *gossh.Client {
	t.Helper()
	m, err := discovery.ReadMetadata(discovery.MetadataBeside(socket, pid))
	if err != nil {
		t.Fatal(err)
	}
	key, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := gossh.NewClientConn(c, "manhole", &gossh.ClientConfig{
		User: "test", HostKeyCallback: gossh.FixedHostKey(key), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	client := gossh.NewClient(sc, chans, reqs)
	t.Cleanup(func() { client.Close() })
	return client
}

// run evaluates code in an exec session; it is safe to call from several
// goroutines (it reports with t.Errorf).
func run(t *testing.T, client *gossh.Client, code string) (stdout, stderr string, status int) {
	stdout, stderr, status, err := testkit.Exec(client, code)
	if err != nil {
		t.Errorf("exec %q: %v", code, err)
	}
	return stdout, stderr, status
}

// sessionChecks are what a user does with the application's package; each
// is one exec session, in order, with its expected stdout (and exit 0)
// or, with fail, a part of its stderr and exit 1.
var sessionChecks = []struct {
	code, want string
	fail       bool
}{
	// By its name, as fmt: the automatic import.
	{code: `store.Lookup("A-200")`, want: `A-200 "nut" x2 @0.05, nil` + "\n"},
	// By path, as in a Go file.
	{code: `import "` + storePath + `"` + "\n" + `store.Total([]store.Item{{Qty: 2, Cents: 5}, {Qty: 3, Cents: 10}})`, want: "40\n"},
	{code: `import st "` + storePath + `"` + "\n" + `st.MaxQty`, want: "10000\n"},
	// A type by name: a zero value, a composite literal, a method.
	{code: `var x store.Item; x.Qty = 4; x.Cents = 25; x.Value()`, want: "100\n"},
	{code: `it := store.Item{SKU: "C-1", Name: "washer", Qty: 50, Cents: 2}; inv.Put(it)`, want: "nil\n"},
	{code: `store.Lookup("C-1")`, want: `C-1 "washer" x50 @0.02, nil` + "\n"},
	{code: `var p *store.Inventory = inv; p == store.Default`, want: "true\n"},
	// Errors the package returns, and its error variable.
	{code: `_, err := store.Lookup("nope"); errors.Is(err, store.ErrNotFound)`, want: "true\n"},
	{code: `inv.Put(store.Item{SKU: "D-1", Qty: store.MaxQty + 1})`, want: "store: quantity 10001 of D-1 out of range [0, 10000]\n"},
	// A package-level variable: read, set, and what the package then does.
	{code: `store.LowStock`, want: "3\n"},
	{code: `store.LowStock = 20; store.LowStock`, want: "20\n"},
	{code: `store.LowStock += 0; *(&store.LowStock) = 20; store.LowStock`, want: "20\n"},
	{code: `store.LowStock++; store.LowStock`, want: "21\n"},
	// (The application sells A-100 meanwhile.)
	{code: `for _, it := range inv.Low() { if it.SKU != "A-100" { fmt.Print(it.SKU, " ") } }`, want: "A-200 B-300 "},
	// A session type implementing the package's interface.
	{code: `type P struct{ c int }; func (p P) Price() int { return p.c }; store.Cheapest(P{5}, P{2}, P{9})`, want: "1\n"},
	{code: `type Q struct{ c int }; func (q Q) Price() int { return q.c }; store.Cheapest([]store.Pricer{Q{5}, Q{2}}...)`, want: "1\n"},
	// What was left out says so; unexported names are not there.
	{code: `store.Filter`, fail: true, want: `has no symbol Filter`},
	{code: `store.seed`, fail: true, want: `seed`},
	{code: `import "` + storePath + `/nosuch"`, fail: true, want: `is not available in the manhole`},
}

// TestInventoryProcess builds the example, runs it, and uses its package
// in real sessions over its socket while it works.
func TestInventoryProcess(t *testing.T) {
	dir := testkit.ShortDir(t)
	bin := filepath.Join(dir, "inventory")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	socket := filepath.Join(dir, "inv.sock")
	cmd := exec.Command(bin, "-socket", socket)
	stdout, stderr := testexp.New(), testexp.New()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	if _, err := stdout.Expect("listening on", 30*time.Second); err != nil {
		t.Fatalf("%v; stderr: %s", err, stderr)
	}
	client := dial(t, socket, cmd.Process.Pid)
	for _, c := range sessionChecks {
		out, errOut, status := run(t, client, c.code)
		if c.fail {
			if status != 1 || !strings.Contains(errOut, c.want) {
				t.Errorf("%s\n  exit %d, stdout %q, stderr %q; want exit 1 and %q", c.code, status, out, errOut, c.want)
			}
			continue
		}
		if status != 0 || out != c.want {
			t.Errorf("%s\n  exit %d, stdout %q, stderr %q; want %q", c.code, status, out, errOut, c.want)
		}
	}

	// Interactive, as a user types it.
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := testexp.New()
	sess.Stdout, sess.Stderr = out, out
	if err := sess.RequestPty("xterm", 24, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ line, want string }{
		{"", ">>> "},
		{`import "` + storePath + `"` + "\r", ">>> "},
		{`b := store.Item{SKU: "E-5", Name: "spring", Qty: 7, Cents: 30}` + "\r", ">>> "},
		{"inv.Put(b)\r", "nil"},
		{`store.Lookup("E-5")` + "\r", `E-5 "spring" x7 @0.30, nil`},
		{"store.Default.Take(\"E-5\", 3)\r", "nil"},
		{`it, _ := store.Lookup("E-5"); it.Qty` + "\r", "4"},
	} {
		if step.line != "" {
			if _, err := in.Write([]byte(step.line)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := out.Expect(step.want, 10*time.Second); err != nil {
			t.Fatalf("after %q: %v", step.line, err)
		}
	}
	sess.Close()

	// The session's change is the application's.
	if got, _, _ := run(t, client, `store.LowStock`); got != "21\n" {
		t.Errorf("LowStock in a new session: %q", got)
	}
	client.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("exit: %v; stderr: %s", err, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the example did not exit on SIGTERM")
	}
}

// TestInventoryConcurrentSessions starts the same manhole in the test's
// process (so -race sees both sides) and runs several clients at once,
// repeatedly, against the package while the application changes it.
func TestInventoryConcurrentSessions(t *testing.T) {
	dir := testkit.ShortDir(t)
	inv := store.New()
	store.Seed(inv)
	mh, err := manhole.Start(manhole.Options{
		SocketPath: filepath.Join(dir, "m.sock"),
		Namespace:  map[string]any{"inv": inv},
		Symbols:    Symbols,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mh.Close() })

	// The application at work.
	stop := make(chan struct{})
	var busy sync.WaitGroup
	busy.Add(1)
	go func() {
		defer busy.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = inv.Put(store.Item{SKU: fmt.Sprintf("app-%d", i%50), Qty: i % 7, Cents: 1})
			_ = inv.Take("A-100", 1)
			_ = inv.Low()
		}
	}()
	defer func() { close(stop); busy.Wait() }()

	const clients, rounds = 4, 5
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := dial(t, mh.SocketPath(), os.Getpid())
			for r := range rounds {
				sku := fmt.Sprintf("s%d-%d", c, r)
				code := fmt.Sprintf(`x := store.Item{SKU: %q, Qty: %d, Cents: 10}; if err := inv.Put(x); err != nil { panic(err) }; got, err := inv.Get(%q); fmt.Println(got.Value(), err, errors.Is(inv.Take("nope", 1), store.ErrNotFound), store.MaxQty)`, sku, r+1, sku)
				if r%2 == 1 {
					code = `import "` + storePath + `"` + "\n" + code
				}
				out, errOut, status := run(t, client, code)
				if want := fmt.Sprintf("%d <nil> true 10000\n", 10*(r+1)); status != 0 || out != want {
					t.Errorf("client %d round %d: exit %d, stdout %q, stderr %q; want %q", c, r, status, out, errOut, want)
				}
			}
		}()
	}
	wg.Wait()
	// A panic in the application's code says where it happened.
	_, errOut, status := run(t, dial(t, mh.SocketPath(), os.Getpid()), `var z *store.Inventory; z.Put(store.Item{SKU: "a"})`)
	if !strings.Contains(errOut, "panic: runtime error: invalid memory address or nil pointer dereference (in store.(*Inventory).Put at ") ||
		!strings.Contains(errOut, "/examples/inventory/store/store.go:") || status == 0 {
		t.Errorf("a panic in the app: exit %d, stderr %q", status, errOut)
	}
	for c := range clients {
		for r := range rounds {
			if it, err := inv.Get(fmt.Sprintf("s%d-%d", c, r)); err != nil || it.Qty != r+1 {
				t.Errorf("the host sees %+v, %v", it, err)
			}
		}
	}
}
