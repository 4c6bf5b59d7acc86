package session

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	h := &history{}
	for _, e := range []string{"a", "", "b", "b", "", "c"} {
		h.Add(e)
	}
	if h.Len() != 3 || h.At(0) != "c" || h.At(1) != "b" || h.At(2) != "a" {
		t.Fatalf("history %q: want c, b, a (no empties, no repeats)", h.entries)
	}
	for i := 0; i < maxHistory+10; i++ {
		h.Add(string(rune('a' + i%26)))
	}
	if h.Len() != maxHistory {
		t.Errorf("history holds %d entries, max %d", h.Len(), maxHistory)
	}
}

func TestHistoryBounds(t *testing.T) {
	h := &history{}
	h.Add("a\nb") // a block is one entry
	if h.Len() != 1 || h.At(0) != "a\nb" {
		t.Fatalf("block entry: %q", h.entries)
	}
	big := strings.Repeat("x", maxHistoryBytes/3)
	for i := range 10 {
		h.Add(big + string(rune('a'+i)))
	}
	if h.bytes > maxHistoryBytes || h.Len() != 2 || h.At(0) != big+"j" {
		t.Fatalf("history holds %d bytes in %d entries; bound %d", h.bytes, h.Len(), maxHistoryBytes)
	}
	if h.At(5) != "" || h.At(-1) != "" {
		t.Fatal("At out of range must be empty")
	}
}

// TestHistoryFileStaysBounded: a file that grew past twice the bound is
// rewritten to the entries kept when it is loaded.
func TestHistoryFileStaysBounded(t *testing.T) {
	dir := t.TempDir()
	c := &Server{HistoryFile: filepath.Join(dir, "h")}
	id := "peer uid 7"
	h := c.historyFor(id, slog.New(slog.DiscardHandler))
	for i := range 3*maxHistory + 5 {
		h.Add(fmt.Sprintf("x := %d\n_ = x", i))
	}
	c2 := &Server{HistoryFile: c.HistoryFile}
	h2 := c2.historyFor(id, slog.New(slog.DiscardHandler))
	if h2.Len() != maxHistory || h2.At(0) != fmt.Sprintf("x := %d\n_ = x", 3*maxHistory+4) {
		t.Fatalf("loaded %d entries, newest %q", h2.Len(), h2.At(0))
	}
	b, err := os.ReadFile(HistoryPath(c.HistoryFile, id))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != maxHistory {
		t.Fatalf("file has %d lines after the rewrite, want %d", n, maxHistory)
	}
	// A bare address gets no file.
	c.historyFor("127.0.0.1:5555", slog.New(slog.DiscardHandler)).Add("1")
	if m, _ := filepath.Glob(filepath.Join(dir, "h-*")); len(m) != 1 {
		t.Fatalf("files %q, want one", m)
	}
	// At most maxIdentities histories are kept.
	for i := range maxIdentities + 10 {
		c.historyFor(fmt.Sprintf("SHA256:%d", i), slog.New(slog.DiscardHandler))
	}
	if len(c.histories.byID) != maxIdentities {
		t.Fatalf("%d histories kept", len(c.histories.byID))
	}
}
