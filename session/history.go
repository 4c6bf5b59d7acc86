package session

// history keeps a session's input lines for x/term's up/down keys: no
// empty entries, no immediate repeats, at most maxHistory lines.
type history struct {
	entries []string // oldest first
}

const maxHistory = 1000

func (h *history) Add(entry string) {
	if entry == "" || (len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry) {
		return
	}
	if len(h.entries) == maxHistory {
		copy(h.entries, h.entries[1:])
		h.entries = h.entries[:maxHistory-1]
	}
	h.entries = append(h.entries, entry)
}

func (h *history) Len() int { return len(h.entries) }

// At returns the idx-th most recent entry, as x/term expects.
func (h *history) At(idx int) string { return h.entries[len(h.entries)-1-idx] }
