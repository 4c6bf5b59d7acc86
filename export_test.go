//go:build unix

package manhole

import "time"

// InterpretersBuilt reports how many interpreters m has built.
func InterpretersBuilt(m *Manhole) int64 { return m.sess.Built() }

// SetRequestTimeout shortens the time a session has to send its shell or
// exec request, for a test.
func SetRequestTimeout(m *Manhole, d time.Duration) { m.sess.RequestTimeout = d }
