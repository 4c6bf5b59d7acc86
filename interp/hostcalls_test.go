package interp

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// A map that holds itself, printed by compiled code that takes ...any (a
// Logger's methods, slog, the application's own loggers), is refused
// before fmt overflows the stack: Go's stack overflow is fatal.
func TestPrintingThroughHostLoggers(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	appLog := log.New(&lockedWriter{mu: &mu, w: &buf}, "", 0)
	ns := map[string]any{"applog": appLog, "sl": slog.New(slog.NewTextHandler(io.Discard, nil))}
	const cycle = `m := map[string]any{}; m["m"] = m`
	for _, src := range []string{
		`l := log.New(os.Stdout, "", 0); l.Println(m)`,
		`l := log.New(os.Stdout, "", 0); l.Printf("%v", m)`,
		`l := log.New(os.Stdout, "", 0); l.Fatal(m)`,
		`slog.Info("x", "m", m)`,
		`slog.Default().Info("x", "m", m)`,
		`slog.Any("m", m)`,
		`applog.Println(m)`,
		`sl.Info("x", "m", m)`,
		`args := []any{m}; applog.Println(args...)`,
		`func lg() { applog.Print(m) }; lg()`,
		`func lg2() { l := log.New(io.Discard, "", 0); l.Println(m) }; lg2()`,
		`f := applog.Printf; f("%v", m)`,
		`slog.AnyValue(m).String()`,
	} {
		t.Run(src, func(t *testing.T) {
			f := newFixture(t, ns)
			f.eval(t, cycle)
			_, err := f.in.Eval(context.Background(), src)
			if err == nil || !strings.Contains(err.Error(), "refused to print a value that nests more than 1000 levels") {
				t.Fatalf("err = %v", err)
			}
		})
	}
	f := newFixture(t, ns)
	f.eval(t, cycle)
	f.eval(t, `g := applog.Printf`)
	if _, err := f.in.Eval(context.Background(), `g("%v", m)`); err == nil || !strings.Contains(err.Error(), "refused to print") {
		t.Errorf("a method value of an earlier input: %v", err)
	}
	f.eval(t, `applog.Println("fine", 1, []int{2}); slog.Info("fine", "n", 1)`)
	mu.Lock()
	defer mu.Unlock()
	if got := buf.String(); got != "fine 1 [2]\n" {
		t.Errorf("the app's log got %q", got)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
