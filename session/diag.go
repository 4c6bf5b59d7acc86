package session

// diagCommands returns the diagnostic commands (goroutines, memory,
// profiles...). They live in diag*.go files.
func diagCommands() map[string]*command {
	return map[string]*command{}
}
