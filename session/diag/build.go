package diag

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

func cmdBuild(_ context.Context, c *Env, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :build")
		return 2
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(c.Stdout, "go\t%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		fmt.Fprintln(c.Stderr, "no build information: the binary was built without module support")
		return 1
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "go\t%s %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	if exe, err := os.Executable(); err == nil {
		fmt.Fprintf(w, "executable\t%s (pid %d)\n", exe, os.Getpid())
	}
	if bi.Path != "" {
		fmt.Fprintf(w, "package\t%s\n", bi.Path)
	}
	if bi.Main.Path != "" {
		fmt.Fprintf(w, "module\t%s\n", moduleLine(&bi.Main))
	}
	if vcs := settings["vcs"]; vcs != "" {
		line := vcs + " " + settings["vcs.revision"]
		if t := settings["vcs.time"]; t != "" {
			line += " " + t
		}
		if settings["vcs.modified"] == "true" {
			line += " (modified)"
		}
		fmt.Fprintf(w, "vcs\t%s\n", line)
	}
	w.Flush()
	if len(bi.Settings) > 0 {
		fmt.Fprintln(c.Stdout, "settings")
		for _, s := range bi.Settings {
			if !strings.HasPrefix(s.Key, "vcs") {
				fmt.Fprintf(c.Stdout, "  %s=%s\n", s.Key, s.Value)
			}
		}
	}
	fmt.Fprintf(c.Stdout, "dependencies (%d)\n", len(bi.Deps))
	w = tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	for _, d := range bi.Deps {
		fmt.Fprintf(w, "  %s\n", moduleLine(d))
	}
	w.Flush()
	return 0
}

func moduleLine(m *debug.Module) string {
	line := m.Path + "\t" + m.Version
	if m.Replace != nil {
		line += "\t=> " + m.Replace.Path
		if m.Replace.Version != "" {
			line += " " + m.Replace.Version
		}
	}
	return line
}
