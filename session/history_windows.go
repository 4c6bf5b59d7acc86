package session

import (
	"errors"
	"os"
)

// openHistory refuses: Windows file modes do not say who may read a
// file (its ACL does), so a history file cannot be checked to be private
// as it is elsewhere. The root package refuses Options.HistoryFile on
// Windows before it gets here.
func openHistory(path string, flag int) (*os.File, error) {
	return nil, errors.New("session: history files are not supported on Windows")
}
