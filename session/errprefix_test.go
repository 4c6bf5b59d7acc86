package session

import (
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

// TestErrorPrefix: every error this package makes says it made it.
func TestErrorPrefix(t *testing.T) { testkit.ErrorPrefix(t, ".", "session: ") }
