package auth

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Rights are what an authorized key may do, from its authorized_keys
// options.
type Rights struct {
	// Fingerprint is the key's SHA256 fingerprint.
	Fingerprint string
	// Comment is the key line's comment, usually user@host.
	Comment string
	// Command, if set, is the only thing the key may run (command="...").
	Command string
	// NoPTY refuses a terminal (no-pty, restrict).
	NoPTY bool
	// InspectOnly allows the ':' diagnostic commands and refuses
	// evaluation (manhole's own option "inspect-only").
	InspectOnly bool
	// Expiry, if not zero, is when the key stops being accepted
	// (expiry-time="YYYYMMDD[HHMM[SS]]", local time as in OpenSSH).
	Expiry time.Time
	// From lists the patterns of from="..." (nil: any address).
	From []string

	// CertAuthority marks a cert-authority line (or a line of
	// PolicyConfig.TrustedUserCAKeys): its key signs user certificates
	// and never logs in itself.
	CertAuthority bool
	// Principals are the principals="..." of a cert-authority line: a
	// certificate must name one of them. Nil: it must name the SSH user
	// name the client logs in as, as sshd requires the account name.
	Principals []string
	// Cert describes the certificate the client logged in with; nil for
	// a plain key. Set by Lookup only.
	Cert *CertInfo
}

// Expired reports whether the key has expired at now.
func (r *Rights) Expired(now time.Time) bool {
	return !r.Expiry.IsZero() && !now.Before(r.Expiry)
}

// AllowsFrom reports whether a client at addr may use the key. A
// unix-socket peer is local: it is matched as 127.0.0.1 and "localhost".
func (r *Rights) AllowsFrom(addr net.Addr) bool {
	if r.From == nil {
		return true
	}
	var ip net.IP
	host := "localhost"
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, host = a.IP, a.IP.String()
	default:
		ip = net.IPv4(127, 0, 0, 1)
	}
	return matchFrom(r.From, ip, host)
}

// matchFrom implements OpenSSH's from= pattern-list: patterns with * and
// ?, CIDR blocks, and negation with a leading '!' (a negated match
// refuses even if another pattern matches).
func matchFrom(patterns []string, ip net.IP, host string) bool {
	matched := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var m bool
		if _, cidr, err := net.ParseCIDR(p); err == nil {
			m = cidr.Contains(ip)
		} else {
			m1, _ := path.Match(strings.ToLower(p), strings.ToLower(host))
			m2, _ := path.Match(p, ip.String())
			m = m1 || m2
		}
		if m && neg {
			return false
		}
		matched = matched || m
	}
	return matched
}

// ParseAuthorizedKeys parses authorized_keys text into the lines of each
// key (by its wire form), in file order: as sshd, Lookup takes the first
// line of a key whose from= and expiry-time= let the client in. A line
// that does not parse, or has an option manhole does not know, is skipped
// and reported in bad (line number → reason); it never makes the whole
// file fail. A cert-authority line is kept with Rights.CertAuthority set:
// its key only signs certificates (see KeyPolicy.Lookup).
func ParseAuthorizedKeys(data []byte) (keys map[string][]*Rights, bad map[int]string) {
	return parseKeys(data, false)
}

// parseKeys parses authorized_keys text; with ca, every line is a
// cert-authority line (TrustedUserCAKeys).
func parseKeys(data []byte, ca bool) (keys map[string][]*Rights, bad map[int]string) {
	keys = map[string][]*Rights{}
	bad = map[int]string{}
	err := keyLines(data, func(n int, line []byte) error {
		key, comment, opts, rest, err := ssh.ParseAuthorizedKey(line)
		switch {
		case err != nil:
			bad[n] = err.Error()
			return nil
		case len(bytes.TrimSpace(rest)) != 0:
			bad[n] = "more than one key on the line"
			return nil
		}
		r := &Rights{Fingerprint: ssh.FingerprintSHA256(key), Comment: comment, CertAuthority: ca}
		if err := applyOptions(r, opts); err != nil {
			bad[n] = err.Error()
			return nil
		}
		if r.Principals != nil && !r.CertAuthority {
			bad[n] = "principals= applies to cert-authority lines only"
			return nil
		}
		if _, isCert := key.(*ssh.Certificate); isCert {
			bad[n] = "a certificate cannot be listed: list the key of its certificate authority with cert-authority"
			return nil
		}
		k := string(key.Marshal())
		keys[k] = append(keys[k], r)
		return nil
	})
	if err != nil {
		bad[0] = err.Error()
	}
	return keys, bad
}

// keyLines calls each for the lines of authorized_keys-like text that are
// neither blank nor comments, trimmed, with their numbers; it stops at the
// first error of each or of reading.
func keyLines(data []byte, each func(n int, line []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 16<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if err := each(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}

func applyOptions(r *Rights, opts []string) error {
	for _, o := range opts {
		name, val, hasVal := strings.Cut(o, "=")
		name = strings.ToLower(name)
		if hasVal {
			uq, err := strconv.Unquote(val)
			if err != nil {
				return fmt.Errorf("auth: option %s: value must be double-quoted", name)
			}
			val = uq
		}
		switch name {
		case "command":
			if val == "" {
				// sshd would run an empty command; "" here means none.
				return errors.New(`auth: command="": an empty forced command`)
			}
			r.Command = val
		case "no-pty", "restrict":
			r.NoPTY = true
		case "inspect-only":
			r.InspectOnly = true
		case "from":
			r.From = strings.Split(val, ",")
		case "principals":
			r.Principals = strings.Split(val, ",")
		case "cert-authority":
			r.CertAuthority = true
		case "expiry-time":
			t, err := parseExpiry(val)
			if err != nil {
				return err
			}
			r.Expiry = t
		case "no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding", "no-user-rc", "pty", "port-forwarding",
			"agent-forwarding", "x11-forwarding", "user-rc", "environment", "permitopen", "permitlisten",
			"tunnel", "no-touch-required", "verify-required":
			// Forwarding and the rest are refused to everyone anyway or do
			// not apply; accepted so a file shared with sshd parses.
		default:
			return fmt.Errorf("auth: unknown option %q", name)
		}
	}
	return nil
}

// parseExpiry parses OpenSSH's YYYYMMDD[HHMM[SS]] in local time, or with
// a trailing Z in UTC.
func parseExpiry(s string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		s, loc = s[:len(s)-1], time.UTC
	}
	for _, layout := range []string{"20060102150405", "200601021504", "20060102"} {
		if len(s) == len(layout) {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("auth: expiry-time %q: want YYYYMMDD[HHMM[SS]]", s)
}

// KeyPolicy decides which public keys and certificates get in and with
// which rights. It holds keys given in code and, optionally, an
// authorized_keys file and a revocation file, each re-read when it
// changes: checked at each authentication attempt, so an idle manhole has
// no timer or watcher.
type KeyPolicy struct {
	static  map[string][]*Rights // AuthorizedKeys and TrustedUserCAKeys
	file    string
	account string // the principal a CA line without principals= wants
	log     *slog.Logger

	mu      sync.Mutex // protects the fields below
	fileKey map[string][]*Rights
	stamp   fileStamp
	loadErr error

	revoked *revocations // nil without a RevokedKeysFile
}

// PolicyConfig configures a KeyPolicy. Every field is optional.
type PolicyConfig struct {
	// AuthorizedKeys is authorized_keys text.
	AuthorizedKeys string
	// AuthorizedKeysFile is an authorized_keys file. A missing file is
	// not an error: it may appear later.
	AuthorizedKeysFile string
	// TrustedUserCAKeys are the public keys of certificate authorities,
	// one per line in authorized_keys form (options allowed): as sshd's
	// TrustedUserCAKeys, or as authorized_keys lines with cert-authority.
	TrustedUserCAKeys string
	// RevokedKeysFile lists revoked keys and certificates: an OpenSSH KRL
	// (ssh-keygen -k) or a text file of public keys, one per line, as
	// sshd's RevokedKeys. When it exists but cannot be read or parsed,
	// or another user could change it, no key or certificate gets in.
	RevokedKeysFile string
	// Account is the principal a certificate must name when its CA's
	// line has no principals="...": sshd wants the account logged into,
	// and a manhole's account is the process's. Default: the name of the
	// user the process runs as (its uid in decimal when it has no name).
	Account string
	// Logger receives skipped lines and refused files.
	Logger *slog.Logger
}

// NewKeyPolicy builds a policy. Bad lines are logged and skipped; a file
// another user could change is an error (see CheckFileModes).
func NewKeyPolicy(cfg PolicyConfig) (*KeyPolicy, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	file, err := absPath(cfg.AuthorizedKeysFile)
	if err != nil {
		return nil, err
	}
	revoked, err := absPath(cfg.RevokedKeysFile)
	if err != nil {
		return nil, err
	}
	p := &KeyPolicy{file: file, account: cfg.Account, log: log}
	if p.account == "" {
		// By uid, not user.Current: without cgo, that one believes $USER
		// when the uid has no passwd entry.
		uid := strconv.Itoa(os.Getuid())
		p.account = uid
		if u, err := user.LookupId(uid); err == nil && u.Username != "" {
			p.account = u.Username
		}
	}
	keys, bad := ParseAuthorizedKeys([]byte(cfg.AuthorizedKeys))
	for n, why := range bad {
		log.Warn("manhole: authorized key skipped", "source", "Options.AuthorizedKeys", "line", n, "err", why)
	}
	cas, bad := parseKeys([]byte(cfg.TrustedUserCAKeys), true)
	for n, why := range bad {
		log.Warn("manhole: CA key skipped", "source", "Options.TrustedUserCAKeys", "line", n, "err", why)
	}
	for k, lines := range cas {
		keys[k] = append(keys[k], lines...)
	}
	p.static = keys
	if p.file != "" {
		if _, err := CheckFileModes(p.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		p.reload()
	}
	if revoked != "" {
		p.revoked = &revocations{file: revoked, log: log}
		if err := p.revoked.load(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Empty reports whether no key could ever get in: no keys or CAs given in
// code and no file configured.
func (p *KeyPolicy) Empty() bool { return p == nil || (len(p.static) == 0 && p.file == "") }

// reload re-reads the file if it changed (see readStable).
func (p *KeyPolicy) reload() {
	p.mu.Lock()
	defer p.mu.Unlock()
	data, stamp, err := readStable(p.file, p.stamp)
	if err != nil {
		if p.loadErr == nil || p.fileKey != nil || err.Error() != p.loadErr.Error() {
			p.log.Warn("manhole: authorized_keys refused; no keys from it", "file", p.file, "err", err)
		}
		p.fileKey, p.stamp, p.loadErr = nil, fileStamp{}, err
		return
	}
	if data == nil {
		return // unchanged
	}
	keys, bad := ParseAuthorizedKeys(data)
	for n, why := range bad {
		p.log.Warn("manhole: authorized key skipped", "file", p.file, "line", n, "err", why)
	}
	p.log.Info("manhole: authorized_keys loaded", "file", p.file, "keys", len(keys))
	p.fileKey, p.stamp, p.loadErr = keys, stamp, nil
}

// Errors of Lookup.
var (
	ErrKeyUnknown = errors.New("auth: key not authorized")
	ErrKeyExpired = errors.New("auth: key expired")
	ErrKeyFrom    = errors.New("auth: key not allowed from this address")
	ErrKeyRevoked = errors.New("auth: key revoked")
	ErrCAUnknown  = errors.New("auth: certificate signed by an unknown certificate authority")
	ErrCert       = errors.New("auth: certificate refused")
)

// lines returns the authorized lines of a key's wire form: those given in
// code first, then the file's.
func (p *KeyPolicy) lines(k string) []*Rights {
	lines := p.static[k]
	if p.file != "" {
		p.reload()
		p.mu.Lock()
		if more := p.fileKey[k]; more != nil {
			lines = append(lines[:len(lines):len(lines)], more...)
		}
		p.mu.Unlock()
	}
	return lines
}

// Lookup returns the rights of key for a client at addr, or an error saying why it may not get in. A plain key is matched
// against the lines listing it that are not cert-authority lines; a
// certificate only against the cert-authority lines of its CA (see
// lookupCert). A revoked key, certificate or CA is refused first.
func (p *KeyPolicy) Lookup(key ssh.PublicKey, addr net.Addr, now time.Time) (*Rights, error) {
	if p == nil {
		return nil, ErrKeyUnknown
	}
	if err := p.revoked.check(key); err != nil {
		return nil, err
	}
	if cert, ok := key.(*ssh.Certificate); ok {
		return p.lookupCert(cert, addr, now)
	}
	var plain []*Rights
	for _, r := range p.lines(string(key.Marshal())) {
		if !r.CertAuthority {
			plain = append(plain, r)
		}
	}
	if plain == nil {
		return nil, ErrKeyUnknown
	}
	// The first line that lets the client in decides, as in sshd: a key
	// listed twice gets the rights of its first line, not of the last.
	var first error
	for _, r := range plain {
		err := r.admits(addr, now)
		if err == nil {
			cp := *r
			return &cp, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// admits checks a line's expiry-time= and from= options.
func (r *Rights) admits(addr net.Addr, now time.Time) error {
	switch {
	case r.Expired(now):
		return ErrKeyExpired
	case !r.AllowsFrom(addr):
		return ErrKeyFrom
	}
	return nil
}
