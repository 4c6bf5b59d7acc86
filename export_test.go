package manhole

// InterpretersBuilt reports how many interpreters m has built.
func InterpretersBuilt(m *Manhole) int64 { return m.sess.Built() }
