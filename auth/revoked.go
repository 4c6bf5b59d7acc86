package auth

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// revocations is a RevokedKeysFile, re-read when it changes (checked at
// each look-up, as the authorized_keys file is). It fails closed: while the
// file cannot be read or parsed, or could be changed by another user,
// every key and certificate is refused.
type revocations struct {
	file string
	log  *slog.Logger

	mu    sync.Mutex // protects the fields below
	set   *revokedSet
	stamp fileStamp
	err   error
}

// load reads the file at start: an error there makes Start fail, as sshd
// refuses to start with a RevokedKeys file it cannot use.
func (r *revocations) load() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reload()
	return r.err
}

// check reports whether key, its certificate's key, its serial, its key
// id or its CA is revoked. A nil *revocations revokes nothing.
func (r *revocations) check(key ssh.PublicKey) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	r.reload()
	set, err := r.set, r.err
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: the revocation file is unusable, so every key is refused: %s", ErrKeyRevoked, strings.TrimPrefix(err.Error(), "auth: "))
	}
	return set.check(key)
}

// reload re-reads the file if it changed (see readStable). r.mu is held.
// A file that does not parse stays refused, without being read again,
// until it changes.
func (r *revocations) reload() {
	data, stamp, err := readStable(r.file, r.stamp)
	if err == nil && data == nil {
		return // unchanged: what it was, good or refused
	}
	var set *revokedSet
	if err == nil {
		set, err = parseRevoked(data)
	}
	if err != nil {
		if r.err == nil || err.Error() != r.err.Error() {
			r.log.Error("manhole: revocation file refused; no key or certificate gets in", "file", r.file, "err", err)
		}
		// The stamp of what did not parse, so that it is not parsed again
		// at every key offer; none when it could not be read.
		r.set, r.stamp, r.err = nil, stamp, err
		return
	}
	r.log.Info("manhole: revocation file loaded", "file", r.file, "format", set.format)
	r.set, r.stamp, r.err = set, stamp, nil
}

// revokedSet is what a KRL or a list of keys revokes.
type revokedSet struct {
	format string            // "KRL" or "key list", for the log
	keys   map[string]bool   // wire forms of plain keys
	sha1   map[[20]byte]bool // SHA-1 of plain keys' wire forms
	sha256 map[[32]byte]bool // SHA-256 of plain keys' wire forms
	anyCA  []*revokedCerts   // a KRL's certificate sections without a CA key
	byCA   map[string][]*revokedCerts
}

// revokedCerts are the certificates a KRL revokes for one CA.
type revokedCerts struct {
	ranges  [][2]uint64 // inclusive serial ranges
	bitmaps []serialBitmap
	keyIDs  map[string]bool
}

type serialBitmap struct {
	offset uint64
	bits   *big.Int
}

func (c *revokedCerts) revokes(cert *ssh.Certificate) bool {
	if c.keyIDs[cert.KeyId] {
		return true
	}
	s := cert.Serial
	for _, r := range c.ranges {
		if s >= r[0] && s <= r[1] {
			return true
		}
	}
	for _, b := range c.bitmaps {
		if s >= b.offset && s-b.offset < uint64(b.bits.BitLen()) && b.bits.Bit(int(s-b.offset)) == 1 {
			return true
		}
	}
	return false
}

func (s *revokedSet) keyRevoked(k ssh.PublicKey) bool {
	blob := k.Marshal()
	return s.keys[string(blob)] || s.sha1[sha1.Sum(blob)] || s.sha256[sha256.Sum256(blob)]
}

func (s *revokedSet) check(key ssh.PublicKey) error {
	cert, isCert := key.(*ssh.Certificate)
	plain := key
	if isCert {
		plain = cert.Key
	}
	// Revoking a key revokes its certificates too, as in sshd.
	if s.keyRevoked(plain) {
		return fmt.Errorf("%w (%s)", ErrKeyRevoked, ssh.FingerprintSHA256(plain))
	}
	if !isCert {
		return nil
	}
	if s.keyRevoked(cert.SignatureKey) {
		return fmt.Errorf("%w: its certificate authority %s is revoked", ErrKeyRevoked, ssh.FingerprintSHA256(cert.SignatureKey))
	}
	lists := slices.Concat(s.byCA[string(cert.SignatureKey.Marshal())], s.anyCA)
	for _, c := range lists {
		if c.revokes(cert) {
			return fmt.Errorf("%w: certificate %s serial %d", ErrKeyRevoked, clip(cert.KeyId), cert.Serial)
		}
	}
	return nil
}

// krlMagic opens an OpenSSH KRL (PROTOCOL.krl).
const krlMagic = "SSHKRL\n\x00"

// KRL section types (PROTOCOL.krl).
const (
	krlCertificates      = 1
	krlExplicitKey       = 2
	krlFingerprintSHA1   = 3
	krlSignature         = 4
	krlFingerprintSHA256 = 5
	krlExtension         = 255

	krlCertSerialList   = 0x20
	krlCertSerialRange  = 0x21
	krlCertSerialBitmap = 0x22
	krlCertKeyID        = 0x23
	krlCertExtension    = 0x39
)

// parseRevoked parses a KRL, or else a text list of public keys (blank
// lines and # comments allowed), as sshd's RevokedKeys takes either.
func parseRevoked(data []byte) (*revokedSet, error) {
	s := &revokedSet{
		keys: map[string]bool{}, sha1: map[[20]byte]bool{}, sha256: map[[32]byte]bool{},
		byCA: map[string][]*revokedCerts{},
	}
	if bytes.HasPrefix(data, []byte(krlMagic)) {
		s.format = "KRL"
		if err := s.parseKRL(data[len(krlMagic):]); err != nil {
			return nil, err
		}
		return s, nil
	}
	s.format = "key list"
	err := keyLines(data, func(n int, line []byte) error {
		key, _, _, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			// Fail closed: a line meant to revoke a key that does not
			// parse must not leave that key in.
			return fmt.Errorf("auth: revoked keys line %d: %v", n, err)
		}
		if c, ok := key.(*ssh.Certificate); ok {
			key = c.Key
		}
		s.keys[string(key.Marshal())] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// krlReader reads the SSH wire types of a KRL.
type krlReader struct {
	b   []byte
	err error
}

var errKRLShort = errors.New("auth: KRL: truncated")

func (r *krlReader) u8() byte {
	if r.err != nil || len(r.b) < 1 {
		r.err = errKRLShort
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *krlReader) u32() uint32 {
	if r.err != nil || len(r.b) < 4 {
		r.err = errKRLShort
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *krlReader) u64() uint64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errKRLShort
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *krlReader) str() []byte {
	n := r.u32()
	if r.err != nil || uint64(len(r.b)) < uint64(n) {
		r.err = errKRLShort
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *krlReader) more() bool { return r.err == nil && len(r.b) > 0 }

func (s *revokedSet) parseKRL(data []byte) error {
	r := &krlReader{b: data}
	if v := r.u32(); r.err == nil && v != 1 {
		return fmt.Errorf("auth: KRL: format version %d, want 1", v)
	}
	r.u64() // krl_version
	r.u64() // generated_date
	r.u64() // flags
	r.str() // reserved
	r.str() // comment
	for r.more() {
		typ, body := r.u8(), r.str()
		if r.err != nil {
			break
		}
		sec := &krlReader{b: body}
		switch typ {
		case krlCertificates:
			if err := s.parseCertSection(sec); err != nil {
				return err
			}
		case krlExplicitKey:
			for sec.more() {
				blob := sec.str()
				if sec.err != nil {
					break
				}
				key, err := ssh.ParsePublicKey(blob)
				if err != nil {
					return fmt.Errorf("auth: KRL: revoked key: %v", err)
				}
				s.keys[string(key.Marshal())] = true
			}
		case krlFingerprintSHA1:
			for sec.more() {
				if h := sec.str(); sec.err == nil {
					if len(h) != 20 {
						return errors.New("auth: KRL: SHA-1 fingerprint of the wrong length")
					}
					s.sha1[[20]byte(h)] = true
				}
			}
		case krlFingerprintSHA256:
			for sec.more() {
				if h := sec.str(); sec.err == nil {
					if len(h) != 32 {
						return errors.New("auth: KRL: SHA-256 fingerprint of the wrong length")
					}
					s.sha256[[32]byte(h)] = true
				}
			}
		case krlSignature:
			// A signature over the KRL: the file's ownership is what we
			// trust (CheckFileModes), as sshd does not verify it either.
		case krlExtension:
			if err := skipExtension(sec); err != nil {
				return err
			}
		default:
			return fmt.Errorf("auth: KRL: unknown section type %d", typ)
		}
		if sec.err != nil {
			return fmt.Errorf("%w (section %d)", errKRLShort, typ)
		}
	}
	if r.err != nil {
		return r.err
	}
	return nil
}

// skipExtension skips a non-critical extension and refuses a critical one
// (PROTOCOL.krl: string name, bool critical, string data).
func skipExtension(r *krlReader) error {
	name := r.str()
	critical := r.u8()
	r.str()
	if r.err == nil && critical != 0 {
		return fmt.Errorf("auth: KRL: critical extension %q not supported", name)
	}
	return r.err
}

func (s *revokedSet) parseCertSection(r *krlReader) error {
	caBlob := r.str()
	r.str() // reserved
	if r.err != nil {
		return r.err
	}
	c := &revokedCerts{keyIDs: map[string]bool{}}
	if len(caBlob) == 0 {
		s.anyCA = append(s.anyCA, c)
	} else {
		ca, err := ssh.ParsePublicKey(caBlob)
		if err != nil {
			return fmt.Errorf("auth: KRL: certificate section CA key: %v", err)
		}
		k := string(ca.Marshal())
		s.byCA[k] = append(s.byCA[k], c)
	}
	for r.more() {
		typ, body := r.u8(), r.str()
		if r.err != nil {
			break
		}
		sub := &krlReader{b: body}
		switch typ {
		case krlCertSerialList:
			for sub.more() {
				if v := sub.u64(); sub.err == nil {
					c.ranges = append(c.ranges, [2]uint64{v, v})
				}
			}
		case krlCertSerialRange:
			lo, hi := sub.u64(), sub.u64()
			if sub.err == nil && lo > hi {
				return fmt.Errorf("auth: KRL: serial range %d-%d is inverted", lo, hi)
			}
			c.ranges = append(c.ranges, [2]uint64{lo, hi})
		case krlCertSerialBitmap:
			off := sub.u64()
			bits := sub.str()
			c.bitmaps = append(c.bitmaps, serialBitmap{offset: off, bits: new(big.Int).SetBytes(bits)})
		case krlCertKeyID:
			for sub.more() {
				if id := sub.str(); sub.err == nil {
					c.keyIDs[string(id)] = true
				}
			}
		case krlCertExtension:
			if err := skipExtension(sub); err != nil {
				return err
			}
		default:
			return fmt.Errorf("auth: KRL: unknown certificate subsection type %#x", typ)
		}
		if sub.err != nil {
			return fmt.Errorf("%w (certificate subsection %#x)", errKRLShort, typ)
		}
	}
	return r.err
}
