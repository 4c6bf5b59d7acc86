package diag

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// parkedForDiagTest is a distinctive frame for :goroutines to group on.
//
//go:noinline
func parkedForDiagTest(release <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	<-release
}

func TestGoroutinesGroupsIdenticalStacks(t *testing.T) {
	d := New(&testHost{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 1000 {
		wg.Add(1)
		go parkedForDiagTest(release, &wg)
	}
	defer func() {
		close(release)
		wg.Wait()
	}()

	group := regexp.MustCompile(`(?m)^(\d+) goroutines? \[chan receive\]:\n((?:.+\n)+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := run(t, context.Background(), d, "goroutines", "-stacks")
		if r.code != 0 {
			t.Fatalf("exit status %d: %s", r.code, r.stderr)
		}
		var found []string
		for _, g := range group.FindAllStringSubmatch(string(r.stdout), -1) {
			if strings.Contains(g[2], "parkedForDiagTest") {
				found = append(found, g[1])
			}
		}
		// Until every goroutine has reached the receive, some are still
		// runnable: poll.
		if len(found) == 1 && found[0] == "1000" {
			// The summary has them as one row, at the frame that matters.
			sum := run(t, context.Background(), d, "goroutines", "")
			row := regexp.MustCompile(`(?m)^1000 +chan receive +diag\.parkedForDiagTest goroutines_test\.go:\d+$`)
			if !row.Match(sum.stdout) {
				t.Fatalf("summary lacks the row of 1000 parked goroutines:\n%s", sum.stdout)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("want one group of 1000 parked goroutines, found groups of %v in:\n%s", found, r.stdout)
		}
	}
}

func TestGroupGoroutinesOrdersByWaitThenCount(t *testing.T) {
	dump := `goroutine 1 [running]:
main.main()
	/src/main.go:10 +0x1d

goroutine 7 [chan receive, 3 minutes]:
main.worker(0xc000012345, 0x1)
	/src/main.go:20 +0x2e
created by main.main in goroutine 1
	/src/main.go:9 +0x3f

goroutine 8 [chan receive, 5 minutes]:
main.worker(0xc000099999, 0x2)
	/src/main.go:20 +0x2e
created by main.main in goroutine 1
	/src/main.go:9 +0x3f

goroutine 9 [chan receive]:
main.worker(0xc000011111, 0x3)
	/src/main.go:20 +0x2e
created by main.main in goroutine 4
	/src/main.go:9 +0x3f

goroutine 10 [select]:
main.(*Server).loop(...)
	/src/server.go:5 +0x10
created by main.main in goroutine 1
	/src/main.go:8 +0x11

goroutine 11 [select]:
main.(*Server).loop({0x1, 0x2})
	/src/server.go:5 +0x99
created by main.main in goroutine 1
	/src/main.go:8 +0x11

goroutine 12 [IO wait, 7 minutes, locked to thread]:
internal/poll.runtime_pollWait(0x7f, 0x72)
	/go/src/runtime/netpoll.go:351 +0x85
`
	groups := groupGoroutines(strings.NewReader(dump))
	var got []string
	for _, g := range groups {
		got = append(got, plural(g.count, "goroutine")+" ["+g.header()+"]")
	}
	want := []string{
		"1 goroutine [IO wait, locked to thread, 7 minutes]",
		"3 goroutines [chan receive, up to 5 minutes]",
		"2 goroutines [select]",
		"1 goroutine [running]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, g := range groups {
		if g.state == "chan receive" {
			wantStack := "main.worker(...)\n\t/src/main.go:20\ncreated by main.main\n\t/src/main.go:9\n"
			if g.stack != wantStack {
				t.Errorf("stack %q, want %q", g.stack, wantStack)
			}
		}
	}
}
