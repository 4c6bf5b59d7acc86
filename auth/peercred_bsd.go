//go:build darwin || freebsd

package auth

import "golang.org/x/sys/unix"

func getCreds(fd int) (*Creds, error) {
	x, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return nil, err
	}
	c := &Creds{UID: int(x.Uid), GID: -1, PID: peerPID(fd)}
	if x.Ngroups > 0 {
		c.GID = int(x.Groups[0])
	}
	return c, nil
}
