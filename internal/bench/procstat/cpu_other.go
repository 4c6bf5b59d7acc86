//go:build !unix

package procstat

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
