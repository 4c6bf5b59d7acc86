package diag

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// fmtBytes formats a byte count in binary units, as GOMEMLIMIT writes them.
func fmtBytes[T int64 | uint64 | int](n T) string {
	v := float64(n)
	neg := v < 0
	if neg {
		v = -v
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%s%.0f B", sign, v)
	case v < 10:
		return fmt.Sprintf("%s%.2f %s", sign, v, units[i])
	case v < 100:
		return fmt.Sprintf("%s%.1f %s", sign, v, units[i])
	}
	return fmt.Sprintf("%s%.0f %s", sign, v, units[i])
}

var errBadSize = errors.New("want a number of bytes with an optional suffix B, KiB, MiB, GiB or TiB, e.g. 512MiB")

// parseBytes reads a size as GOMEMLIMIT spells it: "1073741824", "512MiB",
// "1 GiB".
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRight(s, "BKMGTPEikb ")
	suffix := strings.TrimSpace(s[len(num):])
	mult := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[suffix]
	if mult == 0 {
		return 0, errBadSize
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 {
		return 0, errBadSize
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%s is too large", s)
	}
	return n * mult, nil
}

// cut shortens s to at most width runes, marking the cut with "…", and
// keeps it on one line.
func cut(s string, width int) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
	}
	s = escapeControls(s)
	if width < 2 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// escapeControls writes the control characters of s (ESC starts a
// sequence that retitles or clears the reader's terminal) and invalid
// UTF-8 as Go escapes: text from the app or from other sessions is shown
// to people, never obeyed by their terminal.
func escapeControls(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) && r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fmtDuration rounds d to what a person reads at a glance.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// fetchHint tells a terminal user how to get the binary form of a
// profile. The pid names the default socket, which `manhole exec` finds;
// any ssh alias for the manhole works the same way.
func fetchHint(cmd, file, reader string) string {
	return fmt.Sprintf("the binary profile: manhole exec %d '%s' > %s && %s %s\n", os.Getpid(), cmd, file, reader, file)
}

// fmtSeconds writes d as the SECONDS argument of :cpu and :trace.
func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// profileSeconds parses the SECONDS argument of :cpu and :trace.
func profileSeconds(args string, def int) (time.Duration, error) {
	if args == "" {
		return time.Duration(def) * time.Second, nil
	}
	f, err := strconv.ParseFloat(args, 64)
	if err != nil || f <= 0 || f > maxProfileSeconds || math.IsNaN(f) {
		return 0, fmt.Errorf("want a number of seconds from 0 to %d, not %q", maxProfileSeconds, args)
	}
	return time.Duration(f * float64(time.Second)), nil
}

const maxProfileSeconds = 300

// trimLineEnds removes the padding tabwriter leaves after a line's last
// cell.
func trimLineEnds(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	out := b[:0:0]
	for _, l := range lines {
		nl := bytes.HasSuffix(l, []byte("\n"))
		out = append(out, bytes.TrimRight(l, " \n")...)
		if nl {
			out = append(out, '\n')
		}
	}
	return out
}
