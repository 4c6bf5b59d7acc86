package testkit

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNeed runs TestNeedMissing in a child test binary, without and with
// CI set: a missing tool skips with the install command, or fails in CI.
func TestNeed(t *testing.T) {
	for _, tc := range []struct {
		ci       string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP: TestNeedMissing"},
		{"1", true, "--- FAIL: TestNeedMissing"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNeedMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTKIT_NEED_CHILD=1", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.wantFail || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "apt-get install -y no-such-package") {
			t.Errorf("CI=%q: err %v, want failure %v and %q with the install command:\n%s", tc.ci, err, tc.wantFail, tc.want, out)
		}
	}
	// A tool that is there passes, by name or by path.
	Need(t, "sh", "apt-get install -y dash")
	Need(t, "/bin/sh", "apt-get install -y dash")
}

func TestNeedMissing(t *testing.T) {
	if os.Getenv("TESTKIT_NEED_CHILD") == "" {
		t.Skip("run by TestNeed")
	}
	Need(t, "no-such-tool-for-testkit", "apt-get install -y no-such-package")
	t.Log("not reached")
}
