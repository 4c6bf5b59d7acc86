package auth

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// CertInfo describes the OpenSSH user certificate a client logged in with.
type CertInfo struct {
	// KeyID is the certificate's key identity (ssh-keygen -I).
	KeyID string
	// Serial is its serial number (ssh-keygen -z).
	Serial uint64
	// CA is the SHA256 fingerprint of the key that signed it.
	CA string
	// Principal is the principal that let it in.
	Principal string
	// ValidBefore is when it stops being valid; zero for never.
	ValidBefore time.Time
}

// The critical options manhole enforces. A certificate with any other
// critical option is refused, as sshd refuses one it does not know.
const (
	optForceCommand  = "force-command"
	optSourceAddress = "source-address"
)

// lookupCert admits an OpenSSH user certificate as sshd does:
//   - it must be signed by a key of a cert-authority line (or of
//     PolicyConfig.TrustedUserCAKeys), with a signature other than SHA-1
//     RSA (sshd's default CASignatureAlgorithms);
//   - it must be valid now (its validity window; the line's expiry-time=
//     and from= apply as to a key);
//   - one of its principals must be in the line's principals="..." or,
//     without that option, be the account the process runs as
//     (PolicyConfig.Account): sshd checks the account logged into, and a
//     manhole has one, the process's; a certificate without principals is
//     refused;
//   - its critical options must be known: force-command becomes the
//     session's only command (refused if the line forces another one),
//     source-address must match the client (a unix-socket peer is
//     127.0.0.1); any other critical option refuses it;
//   - without the permit-pty extension it gets no terminal.
//
// The first CA line that admits it decides, as for keys. A certificate is
// never matched against plain key lines, even of its own key.
func (p *KeyPolicy) lookupCert(cert *ssh.Certificate, addr net.Addr, now time.Time) (*Rights, error) {
	if cert.CertType != ssh.UserCert {
		return nil, fmt.Errorf("%w: a host certificate cannot log in", ErrCert)
	}
	var cas []*Rights
	for _, r := range p.lines(string(cert.SignatureKey.Marshal())) {
		if r.CertAuthority {
			cas = append(cas, r)
		}
	}
	if cas == nil {
		return nil, fmt.Errorf("%w (%s)", ErrCAUnknown, ssh.FingerprintSHA256(cert.SignatureKey))
	}
	if cert.Signature == nil || cert.Signature.Format == ssh.KeyAlgoRSA {
		return nil, fmt.Errorf("%w: signed with SHA-1 RSA (ssh-rsa), which sshd refuses by default", ErrCert)
	}
	var first error
	for _, ca := range cas {
		r, err := ca.admitCert(cert, p.account, addr, now)
		if err == nil {
			return r, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// admitCert checks cert against r, a cert-authority line, and returns
// the rights of the key it certifies.
func (r *Rights) admitCert(cert *ssh.Certificate, account string, addr net.Addr, now time.Time) (*Rights, error) {
	switch {
	case r.Expired(now):
		return nil, fmt.Errorf("%w: the certificate authority's line has expired", ErrKeyExpired)
	case !r.AllowsFrom(addr):
		return nil, fmt.Errorf("%w: the certificate authority's line has a from= without it", ErrKeyFrom)
	}
	if len(cert.ValidPrincipals) == 0 {
		return nil, fmt.Errorf("%w: it names no principal", ErrCert)
	}
	// The CA's signature and the validity window first: nothing else the
	// certificate says is worth a word in the log before it verifies.
	var present []string
	for opt := range cert.CriticalOptions {
		present = append(present, opt)
	}
	checker := ssh.CertChecker{SupportedCriticalOptions: present, Clock: func() time.Time { return now }}
	if err := checker.CheckCert(cert.ValidPrincipals[0], cert); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCert, strings.TrimPrefix(err.Error(), "ssh: "))
	}
	for opt := range cert.CriticalOptions {
		if opt != optForceCommand && opt != optSourceAddress {
			return nil, fmt.Errorf("%w: unsupported critical option %s", ErrCert, clip(opt))
		}
	}
	want := r.Principals
	if want == nil {
		want = []string{account}
	}
	principal := ""
	for _, pr := range cert.ValidPrincipals {
		if pr != "" && slices.Contains(want, pr) {
			principal = pr
			break
		}
	}
	if principal == "" {
		return nil, fmt.Errorf("%w: none of its %d principals (%s) is %s", ErrCert, len(cert.ValidPrincipals),
			clip(strings.Join(cert.ValidPrincipals, ",")), clip(strings.Join(want, " or ")))
	}
	if list, ok := cert.CriticalOptions[optSourceAddress]; ok {
		if err := matchSourceAddress(list, addr); err != nil {
			return nil, err
		}
	}
	granted := *r
	granted.CertAuthority, granted.Principals = false, nil
	granted.Fingerprint = ssh.FingerprintSHA256(cert.Key)
	granted.Comment = cert.KeyId
	if cmd, ok := cert.CriticalOptions[optForceCommand]; ok {
		if cmd == "" {
			return nil, fmt.Errorf("%w: an empty force-command", ErrCert)
		}
		if granted.Command != "" && granted.Command != cmd {
			return nil, fmt.Errorf("%w: its force-command and the line's command= differ", ErrCert)
		}
		granted.Command = cmd
	}
	if _, ok := cert.Extensions["permit-pty"]; !ok {
		granted.NoPTY = true
	}
	granted.Cert = &CertInfo{KeyID: cert.KeyId, Serial: cert.Serial, CA: ssh.FingerprintSHA256(cert.SignatureKey), Principal: principal}
	if cert.ValidBefore != ssh.CertTimeInfinity {
		granted.Cert.ValidBefore = time.Unix(int64(cert.ValidBefore), 0)
		// The session re-checks the certificate when it opens; the key's
		// own expiry keeps the earlier of the two.
		if granted.Expiry.IsZero() || granted.Cert.ValidBefore.Before(granted.Expiry) {
			granted.Expiry = granted.Cert.ValidBefore
		}
	}
	return &granted, nil
}

// matchSourceAddress implements the source-address critical option: a
// comma-separated list of addresses and CIDR blocks, one of which must
// hold the client's address. A malformed list refuses the certificate, as
// in sshd.
func matchSourceAddress(list string, addr net.Addr) error {
	ip := net.IPv4(127, 0, 0, 1)
	if a, ok := addr.(*net.TCPAddr); ok {
		ip = a.IP
	}
	// The whole list must parse before any entry may match.
	var blocks []*net.IPNet
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if !strings.Contains(s, "/") {
			if strings.Contains(s, ":") {
				s += "/128"
			} else {
				s += "/32"
			}
		}
		_, block, err := net.ParseCIDR(s)
		if err != nil {
			return fmt.Errorf("%w: malformed source-address %q", ErrCert, list)
		}
		blocks = append(blocks, block)
	}
	for _, b := range blocks {
		if b.Contains(ip) {
			return nil
		}
	}
	return fmt.Errorf("%w: source-address %q does not allow %s", ErrCert, list, ip)
}

// clip shortens what a certificate says for an error message: a
// certificate is attacker-supplied until its signature verifies, and
// long after that it is still not the log's to carry in full.
func clip(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
