package gops

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
)

// tools are the binaries the benchmarks run: the programs under cmd/, the
// manhole CLI, and the gops CLI (a tool of this module, see go.mod).
var tools = benchkit.Tools{Pkgs: []string{"./cmd/...", "github.com/gomanhole/manhole/cmd/manhole", "github.com/google/gops"}}

func TestMain(m *testing.M) {
	// gops agents and the gops CLI meet in this directory, not in the
	// user's ~/.config/gops.
	dir, err := os.MkdirTemp("", "mhbench")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("GOPS_CONFIG_DIR", filepath.Join(dir, "gops"))
	code := m.Run()
	tools.Remove()
	os.RemoveAll(dir)
	os.Exit(code)
}
