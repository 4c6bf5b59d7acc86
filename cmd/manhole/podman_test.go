//go:build unix

package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// podmanConf is the containers.conf the podman test points CONTAINERS_CONF
// at: these machines have a hybrid cgroup layout that crun refuses and
// no systemd to manage cgroups or take events.
const podmanConf = `[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
`

// podman runs podman with a test's configuration.
type podman struct {
	t      *testing.T
	global []string // flags before the subcommand (another storage driver)
	env    []string
}

func (p *podman) run(args ...string) (string, error) {
	cmd := exec.Command("podman", append(append([]string{}, p.global...), args...)...)
	cmd.Env = append(os.Environ(), p.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (p *podman) must(args ...string) string {
	p.t.Helper()
	out, err := p.run(args...)
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func needPodman(t *testing.T) {
	t.Helper()
	testkit.Need(t, "podman", testkit.InstallPodman)
	testkit.Need(t, "runc", testkit.InstallPodman) // crun refuses these machines' cgroup layout
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the podman test runs containers as root")
		}
		t.Skip("the podman test runs containers as root")
	}
}

// scratchImage is a tar of a scratch image: the demo and a static
// manhole, and a /tmp for the manhole's socket directory.
func scratchImage(t *testing.T) string {
	t.Helper()
	dir := tempDir(t, 0o755)
	cmd := exec.Command("go", "build", "-o", dir, ".", "../manhole-demo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build (static): %v\n%s", err, out)
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777, ModTime: time.Now()})
	for _, name := range []string{"manhole", "manhole-demo"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o755, Size: int64(len(data)), ModTime: time.Now()})
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "image.tar")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExecFleetPodman: the --via recipe for containers on a real podman:
// three containers of a scratch image whose pid 1 is the demo.
func TestExecFleetPodman(t *testing.T) {
	needPodman(t)
	conf := filepath.Join(tempDir(t, 0o755), "containers.conf")
	os.WriteFile(conf, []byte(podmanConf), 0o644)
	p := &podman{t: t, env: []string{"CONTAINERS_CONF=" + conf}}
	tarball := scratchImage(t)
	image := "localhost/manhole-test:" + strconv.Itoa(os.Getpid())
	importArgs := []string{"import", "--change", `CMD ["/manhole-demo"]`, tarball, image}
	if out, err := p.run(importArgs...); err != nil {
		// Overlay storage may not stack on this machine's filesystem: vfs
		// always works, in a storage root of its own.
		if !strings.Contains(out, "overlay") {
			t.Fatalf("podman import: %v\n%s", err, out)
		}
		root := "/var/tmp/manhole-test-podman"
		p.global = []string{"--storage-driver", "vfs", "--root", root + "/root", "--runroot", root + "/run"}
		p.must(importArgs...)
	}
	t.Cleanup(func() { p.run("rmi", "-f", image) })

	prefix := fmt.Sprintf("mh%d-", os.Getpid())
	names := []string{prefix + "a", prefix + "b", prefix + "c"}
	t.Cleanup(func() { p.run(append([]string{"rm", "-f", "-t", "0"}, names...)...) })
	for _, n := range names {
		// Limits below these machines' hard limits: runc cannot raise them.
		p.must("run", "-d", "--name", n, "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", image)
	}
	// The manhole is up once the manhole in the container reaches it with
	// the host key of its metadata file (after a restart, not the last
	// run's).
	ready := func(n string) bool {
		out, err := p.run("exec", n, "/manhole", "exec", "1", "1+1")
		return err == nil && out == "2\n"
	}
	for _, n := range names {
		testkit.Eventually(t, n+"'s manhole", func() bool { return ready(n) })
	}

	via := "podman " + strings.Join(p.global, " ") + " exec -i {} /manhole proxy 1"
	ask := func(extra ...string) result {
		args := append([]string{"exec", "--via", via}, extra...)
		return run(t, p.env, "", append(append(args, names...), "--", "os.Getpid()")...)
	}
	w := len(names[0]) + 1
	r := ask()
	r.expect(t, 0)
	wantLines(t, r, prefixed(w, names[0], "1"), prefixed(w, names[1], "1"), prefixed(w, names[2], "1"))

	r = ask("--json")
	r.expect(t, 0)
	got := decodeJSON(t, r.stdout)
	for _, n := range names {
		if g := got[n]; g.Stdout != "1\n" || g.ExitStatus != 0 || g.Duration <= 0 {
			t.Errorf("--json %s: %+v (%v)", n, g, r)
		}
	}

	// A stopped container: the other two still answer.
	p.must("stop", "-t", "5", names[1])
	r = ask()
	r.expect(t, 255, names[1]+": manhole exec: the via command (podman) ended before it sent the host key",
		"manhole exec: 1 of 3 targets failed: "+names[1]+" (not reached)")
	wantLines(t, r, prefixed(w, names[0], "1"), prefixed(w, names[2], "1"))

	// A container whose manhole's metadata vouches for another key than
	// the one it answers with fails alone.
	p.must("start", names[1])
	testkit.Eventually(t, names[1]+"'s manhole", func() bool { return ready(names[1]) })
	meta := filepath.Join(tempDir(t, 0o700), "1.json")
	p.must("cp", names[2]+":/tmp/manhole-0/1.json", meta)
	m, err := discovery.ReadMetadata(meta)
	if err != nil {
		t.Fatal(err)
	}
	m.HostKey = newHostKey(t)
	if err := discovery.WriteMetadata(meta, m); err != nil {
		t.Fatal(err)
	}
	p.must("cp", meta, names[2]+":/tmp/manhole-0/1.json")
	r = ask("--json")
	r.expect(t, 255, "manhole exec: 1 of 3 targets failed: "+names[2]+" (host key mismatch)")
	got = decodeJSON(t, r.stdout)
	if g := got[names[2]]; !strings.Contains(g.Error, "HOST KEY MISMATCH: "+names[2]+" answered with") || g.Stdout != "" {
		t.Errorf("swapped key: %+v", g)
	}
	if got[names[0]].Stdout != "1\n" || got[names[1]].Stdout != "1\n" {
		t.Errorf("the others: %v", r)
	}
}
