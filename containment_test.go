//go:build unix

package manhole_test

import (
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomanhole/manhole"
)

// The statement that wedges (or would kill) the host is on record before
// it runs; its outcome follows when it ends.
func TestAuditRecordPrecedesTheEvaluation(t *testing.T) {
	logs := &lockedBuffer{}
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	mh := start(t, manhole.Options{
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		Namespace: map[string]any{"wedge": func() { <-release }},
	})
	client := dial(t, mh)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sess, err := client.NewSession()
		if err != nil {
			return
		}
		defer sess.Close()
		_ = sess.Run(`wedge()`)
	}()
	waitForLog(t, logs, `code=wedge()`)
	if strings.Contains(logs.String(), `msg="manhole: eval done"`) {
		t.Fatalf("the outcome is logged before the evaluation ended:\n%s", logs.String())
	}
	free()
	<-done
	waitForLog(t, logs, `msg="manhole: eval done"`)
	if !regexp.MustCompile(`msg="manhole: eval" .*eval=1 code=wedge\(\)`).MatchString(logs.String()) {
		t.Errorf("the eval record lacks its number or code:\n%s", logs.String())
	}
}

// :sessions shows what each session's code runs; what a session leaves
// behind in compiled code, which cannot be stopped, is logged and counted.
func TestSessionsCountGoroutinesAndLeftovers(t *testing.T) {
	logs := &lockedBuffer{}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var entered atomic.Int32
	mh := start(t, manhole.Options{
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		Namespace: map[string]any{"wedge": func() { entered.Add(1); <-release }},
	})
	client := dial(t, mh)
	sh := openShell(t, client)
	sh.send(t, "for i := 0; i < 7; i++ { go func() { select {} }() }\r")
	sh.expect(t, ">>> ")
	sh.send(t, ":sessions\r")
	sh.expect(t, `pty +7 +:sessions`)
	// Parked goroutines stop with the session; two wedged in a host call
	// cannot.
	sh.send(t, "go wedge(); go wedge()\r")
	sh.expect(t, ">>> ")
	// Both inside the host's call before the session ends (a goroutine
	// the session's end finds not yet started does not start).
	for deadline := time.Now().Add(10 * time.Second); entered.Load() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the goroutines did not call wedge")
		}
	}
	sh.send(t, ":quit\r")
	sh.sess.Wait()
	waitForLog(t, logs, `msg="manhole: session left goroutines running"`)
	if !strings.Contains(logs.String(), "goroutines=2 ") {
		t.Errorf("leftovers not counted as 2:\n%s", logs.String())
	}
	out, _, _ := execOut(t, dial(t, mh), ":sessions")
	if !strings.Contains(out, "2 goroutines of ended sessions still run") {
		t.Errorf(":sessions does not count the leftovers:\n%s", out)
	}
}
