//go:build !linux && !darwin && !freebsd

package auth

func getCreds(fd int) (*Creds, error) { return nil, ErrUnsupported }
