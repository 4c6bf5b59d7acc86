package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCLILinksNoSSHServer: the CLI is an SSH client. What it shares with
// the library (the socket directory, the metadata file, the trust rules)
// is internal/discovery, so that it links neither the library's server
// (sshd) nor gliderlabs/ssh, on any system it is built for.
func TestCLILinksNoSSHServer(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOOS=%s go list -deps: %v\n%s", goos, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 || deps[len(deps)-1] != "github.com/gomanhole/manhole/cmd/manhole" {
			t.Fatalf("GOOS=%s go list -deps printed no dependency list:\n%s", goos, out)
		}
		for _, p := range deps {
			if strings.HasPrefix(p, "github.com/gliderlabs/") || p == "github.com/gomanhole/manhole/sshd" || p == "github.com/gomanhole/manhole" {
				t.Errorf("GOOS=%s: the CLI depends on %s", goos, p)
			}
		}
	}
}
