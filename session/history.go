package session

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// history keeps the inputs of one identity, whole blocks as single
// entries: no empty entries, no immediate repeats, at most maxHistory
// entries and maxHistoryBytes bytes. The sessions of one identity share
// it for the life of the process; with a file, it outlives the process.
type history struct {
	mu      sync.Mutex // protects the fields below
	entries []string   // oldest first
	bytes   int
	file    string // where entries are appended, or ""
	log     *slog.Logger
	// fileBytes is the size of the file, as loaded and appended to: past
	// maxFileBytes it is rewritten to the entries kept.
	fileBytes int64
}

// maxFileBytes bounds a history file: it holds the entries kept in
// memory (quoted, at most 4 times their size) and what was appended
// since the last rewrite.
const maxFileBytes = 8 * maxHistoryBytes

// maxQuoted bounds an entry's line in the file; an entry whose quoted form
// is longer stays in memory only.
const maxQuoted = 2 * maxHistoryBytes

const (
	maxHistory      = 1000
	maxHistoryBytes = 1 << 20
	// maxIdentities bounds the histories kept in memory; the least
	// recently used goes first.
	maxIdentities = 64
)

func (h *history) Add(entry string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.add(entry) {
		return
	}
	if h.file == "" {
		return
	}
	line := strconv.Quote(entry) + "\n"
	if len(line) > maxQuoted {
		return
	}
	var err error
	if h.fileBytes+int64(len(line)) > maxFileBytes {
		err = rewriteHistory(h)
	} else if err = appendHistory(h.file, line); err == nil {
		h.fileBytes += int64(len(line))
	}
	if err != nil {
		h.log.Warn("manhole: history not saved", "file", h.file, "err", err)
		h.file = "" // one warning, not one per input
	}
}

// add adds entry in memory (h.mu held) and reports whether it did.
func (h *history) add(entry string) bool {
	if strings.TrimSpace(entry) == "" || len(entry) > maxHistoryBytes ||
		(len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry) {
		return false
	}
	h.entries = append(h.entries, entry)
	h.bytes += len(entry)
	drop := 0
	for len(h.entries)-drop > maxHistory || h.bytes > maxHistoryBytes {
		h.bytes -= len(h.entries[drop])
		drop++
	}
	if drop > 0 {
		h.entries = append(h.entries[:0], h.entries[drop:]...)
	}
	return true
}

func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

// At returns the idx-th most recent entry.
func (h *history) At(idx int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if idx < 0 || idx >= len(h.entries) {
		return ""
	}
	return h.entries[len(h.entries)-1-idx]
}

// histories holds each identity's history.
type histories struct {
	mu    sync.Mutex
	byID  map[string]*history
	order []string // least recently used first
}

// historyFor returns the history of identity, loading it from the
// history file the first time.
func (srv *Server) historyFor(identity string, log *slog.Logger) *history {
	hs := &srv.histories
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.byID == nil {
		hs.byID = map[string]*history{}
	}
	if h, ok := hs.byID[identity]; ok {
		for i, id := range hs.order {
			if id == identity {
				hs.order = append(append(hs.order[:i:i], hs.order[i+1:]...), identity)
				break
			}
		}
		return h
	}
	h := &history{log: log}
	// Only a key or a peer uid is an identity worth a file: a bare
	// address is a new one at each connection.
	durable := strings.HasPrefix(identity, "SHA256:") || strings.HasPrefix(identity, "peer uid ")
	if srv.HistoryFile != "" && durable {
		h.file = HistoryPath(srv.HistoryFile, identity)
		if err := loadHistory(h); err != nil {
			log.Warn("manhole: history file not used", "file", h.file, "err", err)
			h.file = ""
		}
	}
	if len(hs.order) == maxIdentities {
		delete(hs.byID, hs.order[0])
		hs.order = hs.order[1:]
	}
	hs.byID[identity] = h
	hs.order = append(hs.order, identity)
	return h
}

// HistoryPath is the file that keeps identity's history: the stem, a
// dash and 16 hex digits of the identity's SHA-256, so that no file holds
// two identities' lines.
func HistoryPath(stem, identity string) string {
	sum := sha256.Sum256([]byte(identity))
	return stem + "-" + hex.EncodeToString(sum[:8])
}

// The history file holds one entry per line, as a Go string literal.

func loadHistory(h *history) error {
	f, err := openHistory(h.file, os.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(h.file)); err != nil {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// Only the end matters: read at most a few times the bound.
	const window = 4 * maxHistoryBytes
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		if _, err := f.Seek(-window, io.SeekEnd); err != nil {
			return err
		}
	}
	// Lines longer than any written are skipped, not fatal.
	r := bufio.NewReaderSize(f, 64<<10)
	lines := 0
	var long bool
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) <= maxQuoted+1 && !long {
			line = append(line, chunk...)
		} else {
			long, line = true, line[:0]
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) > 0 && !long {
			lines++
			if s, uerr := strconv.Unquote(strings.TrimSuffix(string(line), "\n")); uerr == nil {
				h.add(s)
			}
		}
		line, long = line[:0], false
		if err != nil {
			if err != io.EOF {
				return err
			}
			break
		}
	}
	if fi, err := f.Stat(); err == nil {
		h.fileBytes = fi.Size()
	}
	if lines > 2*maxHistory || h.fileBytes > maxFileBytes/2 {
		return rewriteHistory(h)
	}
	return nil
}

// rewriteHistory replaces the file with the entries kept, so that it
// stays bounded.
func rewriteHistory(h *history) error {
	tmp := h.file + ".tmp"
	os.Remove(tmp)
	f, err := openHistory(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, e := range h.entries {
		if q := strconv.Quote(e); len(q) < maxQuoted {
			w.WriteString(q)
			w.WriteByte('\n')
		}
	}
	var size int64
	for _, e := range h.entries {
		size += int64(len(strconv.Quote(e)) + 1)
	}
	err = errors.Join(w.Flush(), f.Close())
	if err == nil {
		err = os.Rename(tmp, h.file)
	}
	if err == nil {
		h.fileBytes = size
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func appendHistory(path, line string) error {
	f, err := openHistory(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	return errors.Join(err, f.Close())
}
