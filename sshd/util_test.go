package sshd

import (
	"os"
	"strconv"
)

func uidSelf() int      { return os.Getuid() }
func itoa(i int) string { return strconv.Itoa(i) }
