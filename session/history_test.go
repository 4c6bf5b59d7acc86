package session

import "testing"

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
