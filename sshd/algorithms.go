package sshd

import (
	"errors"
	"syscall"

	gossh "golang.org/x/crypto/ssh"
)

// No SHA-1 in key exchange or MACs; OpenSSH 8.x and later speak all of
// these. Strict KEX (CVE-2023-48795, Terrapin) is negotiated by x/crypto
// itself.
var (
	kexAlgorithms = []string{
		gossh.KeyExchangeMLKEM768X25519,
		gossh.KeyExchangeCurve25519,
		gossh.KeyExchangeECDHP256,
		gossh.KeyExchangeECDHP384,
		gossh.KeyExchangeECDHP521,
		gossh.KeyExchangeDH14SHA256,
	}
	macAlgorithms = []string{
		gossh.HMACSHA256ETM,
		gossh.HMACSHA512ETM,
		gossh.HMACSHA256,
		gossh.HMACSHA512,
	}
)

// isTemporary reports accept errors worth retrying: out of file
// descriptors, out of memory, aborted connections.
func isTemporary(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}
