package diag_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/gomanhole/manhole/session/diag"
)

// app is a host with no sessions: what a test or a tool embedding the
// commands outside an SSH server might provide.
type app struct{ ns map[string]any }

func (a app) Sessions() []diag.SessionInfo { return nil }
func (a app) Kick(uint64, string) error    { return diag.ErrNoSession }
func (a app) Leftovers() int               { return 0 }
func (a app) Namespace() map[string]any    { return a.ns }
func (a app) Logger() *slog.Logger         { return slog.Default() }

func Example() {
	d := diag.New(app{ns: map[string]any{"answer": 42, "name": "inventory"}})
	for _, c := range d.Commands() {
		if c.Name == "vars" {
			e := &diag.Env{Stdout: os.Stdout, Stderr: os.Stderr, Width: 80}
			c.Run(context.Background(), e, "")
		}
	}
	// Output:
	// answer  int     42
	// name    string  "inventory"
}
