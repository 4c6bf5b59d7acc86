//go:build unix

package manhole_test

// Golden transcripts of whole terminal sessions. Each file under
// testdata/transcripts/NAME.in is a script: one input per line, sent as
// typed and followed by Enter, except for these directives:
//
//	#ctrl-c            send Ctrl-C (0x03)
//	#ctrl-d            send Ctrl-D (0x04)
//	#paste             the following lines up to #end are pasted (bracketed)
//	#sleep-ms N        wait N ms before the next input (to let a command start)
//	#raw TEXT          send TEXT with Go escapes (\r, \x1b...) and no Enter
//	#nowait LINE       send LINE and Enter without waiting for a prompt
//
// The session's output (CSI escape sequences and \r removed) after the
// banner is compared with NAME.golden; UPDATE=1 go test -run Transcript
// rewrites the golden files.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/vt"
)

var (
	promptRE = `(>>> |\.\.\. [ ]*)$`
)

// normalize makes terminal output comparable: the text an 80-column
// terminal shows for it, with volatile numbers (addresses, durations)
// replaced.
func normalize(s string) string {
	scr := vt.New(80)
	scr.Write([]byte(s))
	s = scr.String() + "\n"
	s = regexp.MustCompile(`0x[0-9a-f]{6,}`).ReplaceAllString(s, "0xADDR")
	s = regexp.MustCompile(`goroutine \d+`).ReplaceAllString(s, "goroutine N")
	s = regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `).ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

type transcriptApp struct {
	//lint:ignore U1000 the transcript shows that unexported fields are not offered
	mu    chan struct{}
	Count int
	Name  string
	Tags  []string
	inner *inner
}

type inner struct{ secret string }

func (a *transcriptApp) Hello(who string) string { return "hello, " + who }

func TestTranscripts(t *testing.T) {
	inputs, err := filepath.Glob("testdata/transcripts/*.in")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no transcripts")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			script, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			app := &transcriptApp{Count: 3, Name: "demo", Tags: []string{"a", "b"}, inner: &inner{secret: "s3cret"}}
			mh := start(t, manhole.Options{
				Namespace:   map[string]any{"app": app, "limit": 10},
				EvalTimeout: 2 * time.Second,
			})
			client := dial(t, mh)
			sh := openShell(t, client) // consumes the banner and first prompt
			got := runScript(t, sh, string(script))
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if os.Getenv("UPDATE") != "" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with UPDATE=1 to create it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (UPDATE=1 regenerates):\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

func runScript(t *testing.T, sh *shell, script string) string {
	t.Helper()
	// The output is rendered whole at the end, as a terminal shows it.
	mark := sh.out.Mark()
	rendered := func() string { return normalize(">>> " + sh.out.RawSince(mark)) }
	lines := strings.Split(strings.TrimRight(script, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		var send string
		switch {
		case line == "#ctrl-c":
			send = "\x03"
		case line == "#ctrl-d":
			sh.send(t, "\x04")
			err := sh.sess.Wait()
			sh.out.Rest()
			return rendered() + fmt.Sprintf("[session ended: %v]\n", err)
		case strings.HasPrefix(line, "#sleep-ms "):
			ms, _ := strconv.Atoi(strings.TrimPrefix(line, "#sleep-ms "))
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		case strings.HasPrefix(line, "#raw "):
			s, err := strconv.Unquote(`"` + strings.TrimPrefix(line, "#raw ") + `"`)
			if err != nil {
				t.Fatalf("bad #raw line %q: %v", line, err)
			}
			// No Enter, so no prompt to wait for: the next step's
			// wait takes this echo along.
			sh.send(t, s)
			continue
		case strings.HasPrefix(line, "#nowait "):
			sh.send(t, strings.TrimPrefix(line, "#nowait ")+"\r")
			continue
		case line == "#paste":
			var block []string
			for i++; i < len(lines) && lines[i] != "#end"; i++ {
				block = append(block, lines[i])
			}
			send = "\x1b[200~" + strings.Join(block, "\r\n") + "\r\n\x1b[201~"
		default:
			send = line + "\r"
		}
		sh.send(t, send)
		if _, err := sh.out.Expect(promptRE, 10*time.Second); err != nil {
			t.Fatalf("after %q: %v", line, err)
		}
	}
	return rendered()
}
