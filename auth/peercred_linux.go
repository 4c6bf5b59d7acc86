package auth

import "golang.org/x/sys/unix"

func getCreds(fd int) (*Creds, error) {
	u, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return nil, err
	}
	return &Creds{UID: int(u.Uid), GID: int(u.Gid), PID: int(u.Pid)}, nil
}
