package session

// namespace is what :vars lists.
func (cfg *Config) namespace() map[string]any { return cfg.Namespace }

// logHub is what :logs follows; nil when the application did not route
// its logs through the manhole.
func (cfg *Config) logHub() *LogHub { return cfg.Logs }
