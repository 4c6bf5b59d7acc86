package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// exec --via runs a command per target, as OpenSSH runs a ProxyCommand,
// and speaks SSH over its stdin and stdout. The command is split into
// words here and run directly, never by a shell, so that a target's name
// is one argument wherever {} stands and cannot add commands.

// hostKeyPreamble starts the line that "manhole proxy -host-key" writes
// before the SSH stream: the host key of the manhole it bridges to, read
// from its metadata file on that side of the channel.
const hostKeyPreamble = "manhole-host-key "

// maxPreamble bounds the line read before the SSH stream.
const maxPreamble = 16 << 10

// viaTemplate is a --via command split into words.
type viaTemplate struct {
	words []string
}

// parseVia splits s into words as a shell would for simple quoting:
// blanks separate words, '...' is literal, "..." is literal but for \"
// \\ \$ and \`, a backslash outside quotes takes the next character. The
// characters a shell would act on (| ; & < > ( ) $ ` and newline) are
// refused outside quotes: no shell runs the command. The words must
// include {} and a "manhole proxy", which gets -host-key so that the host
// key comes through the same channel as the connection.
func parseVia(s string) (*viaTemplate, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("--via %q: unterminated '", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("--via %q: unterminated \"", s)
			}
			inWord = true
		case ch == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("--via %q ends with a backslash", s)
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("|;&<>()$`\n*?", ch) >= 0:
			return nil, fmt.Errorf("--via %q: %q is a shell's, and no shell runs the command; quote it, or put what needs a shell in a script", s, string(ch))
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, errors.New("--via is empty")
	}
	if !strings.Contains(s, "{}") {
		return nil, fmt.Errorf("--via %q has no {} for the target's name", s)
	}
	proxy := -1
	for i := 1; i < len(words); i++ {
		if words[i] == "proxy" && strings.HasPrefix(filepath.Base(words[i-1]), "manhole") {
			proxy = i
			break
		}
	}
	if proxy < 0 {
		return nil, fmt.Errorf("--via %q runs no \"manhole proxy TARGET\" (as words of their own): exec needs it to fetch each target's host key through the same channel", s)
	}
	words = append(words[:proxy+1], append([]string{"-host-key"}, words[proxy+1:]...)...)
	return &viaTemplate{words: words}, nil
}

// argv is the command for one target.
func (v *viaTemplate) argv(name string) []string {
	out := make([]string, len(v.words))
	for i, w := range v.words {
		out[i] = strings.ReplaceAll(w, "{}", name)
	}
	return out
}

// checkViaName refuses target names that the command they are put into
// could take for something else: an option (-oProxyCommand=... to ssh),
// or, where {} lands in a remote shell's command line (ssh HOST manhole
// proxy {}), a word a shell would act on.
func checkViaName(name string) error {
	if name == "" {
		return errors.New("empty target name")
	}
	if name[0] == '-' {
		return fmt.Errorf("target %q starts with -: a command would take it for an option", printable(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:/@+=,%", r)) {
			return fmt.Errorf("target %q has %q: a target name is letters, digits and . _ - : / @ + = , %%", printable(name), string(r))
		}
	}
	return nil
}

// viaConn is the SSH transport over a via command's stdin and stdout.
type viaConn struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	out    *os.File // stdout's read end: ours, so that cmd.Wait does not close it
	stderr *tailBuffer
	exited chan struct{} // closed when cmd has been waited for
	once   sync.Once
}

// startVia starts argv in a process group of its own, so that a timeout
// can end it and whatever it started.
func startVia(argv []string) (*viaConn, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = viaProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	// Not cmd.StdoutPipe: Wait closes that pipe when the command exits,
	// and a command that wrote its host key line and exited at once would
	// lose the line to a Wait that ran before the read.
	out, w, err := os.Pipe()
	if err != nil {
		stdin.Close()
		return nil, err
	}
	cmd.Stdout = w
	c := &viaConn{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(out, 32<<10), out: out, stderr: &tailBuffer{max: 4 << 10}, exited: make(chan struct{})}
	cmd.Stderr = c.stderr
	err = cmd.Start()
	w.Close() // the command holds its own copy
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("--via: %v", err)
	}
	return c, nil
}

// hostKey reads the line "manhole proxy -host-key" writes first.
func (c *viaConn) hostKey() (ssh.PublicKey, error) {
	var line []byte
	for {
		b, err := c.stdout.ReadByte()
		if err != nil {
			e, _ := c.exitError("before it sent the host key")
			return nil, e
		}
		if b == '\n' {
			break
		}
		line = append(line, b)
		if len(line) > maxPreamble {
			return nil, errors.New("the via command sent no host key line: is the manhole binary on the other side too old for exec --via?")
		}
	}
	rest, ok := bytes.CutPrefix(line, []byte(hostKeyPreamble))
	if !ok {
		return nil, fmt.Errorf("the via command sent %q, not the host key line: is the manhole binary on the other side too old for exec --via?", printable(string(truncate(line, 80))))
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey(rest)
	if err != nil {
		return nil, fmt.Errorf("the via command sent a bad host key: %v", err)
	}
	return key, nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// exitError describes the via command's end, with the last line it wrote
// to stderr (manhole proxy's own message, or podman's, kubectl's, ssh's),
// and whether it exited with status 0. It waits a moment for the end: the
// command has closed its stdout, or is about to.
func (c *viaConn) exitError(when string) (error, bool) {
	c.stdin.Close()
	var st string
	ok := false
	select {
	case <-c.waited():
		st = c.cmd.ProcessState.String()
		ok = c.cmd.ProcessState.Success()
	case <-time.After(500 * time.Millisecond):
		st = "still running"
	}
	msg := fmt.Sprintf("the via command (%s) ended %s: %s", c.cmd.Args[0], when, st)
	if last := c.stderr.lastLine(); last != "" {
		msg += ": " + printable(last)
	}
	return errors.New(msg), ok
}

// waited waits for the process once, in the background.
func (c *viaConn) waited() <-chan struct{} {
	c.once.Do(func() {
		go func() {
			c.cmd.Wait()
			close(c.exited)
		}()
	})
	return c.exited
}

// kill ends the via command's process group.
func (c *viaConn) kill() {
	if c.cmd.Process != nil {
		killGroup(c.cmd.Process)
	}
	c.stdin.Close()
	c.waited()
	c.out.Close()
}

func (c *viaConn) Read(p []byte) (int, error)  { return c.stdout.Read(p) }
func (c *viaConn) Write(p []byte) (int, error) { return c.stdin.Write(p) }

// Close ends our side: the command sees EOF and leaves (see finish).
func (c *viaConn) Close() error {
	return c.stdin.Close()
}

// finish closes our side and gives the command a moment to leave on its
// own before its group is killed.
func (c *viaConn) finish() {
	c.stdin.Close()
	select {
	case <-c.waited():
		c.out.Close()
	case <-time.After(2 * time.Second):
		c.kill()
	}
}

func (c *viaConn) LocalAddr() net.Addr              { return viaAddr(c.cmd.Args[0]) }
func (c *viaConn) RemoteAddr() net.Addr             { return viaAddr(c.cmd.Args[0]) }
func (c *viaConn) SetDeadline(time.Time) error      { return nil }
func (c *viaConn) SetReadDeadline(time.Time) error  { return nil }
func (c *viaConn) SetWriteDeadline(time.Time) error { return nil }
func (c *viaConn) String() string                   { return strings.Join(c.cmd.Args, " ") }
func (a viaAddr) Network() string                   { return "via" }
func (a viaAddr) String() string                    { return string(a) }

type viaAddr string

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex // protects b: the process's stderr is copied in while an error reads it
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func (t *tailBuffer) lastLine() string {
	s := strings.TrimRight(t.String(), "\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}
