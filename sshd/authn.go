package sshd

import (
	"errors"
	"strconv"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// clip shortens a client-supplied string for the log.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "...(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

// keyFingerprint is the SHA256 fingerprint of a key, or of a
// certificate's key: what names the holder, whichever certificate it
// shows today.
func keyFingerprint(k gossh.PublicKey) string {
	if c, ok := k.(*gossh.Certificate); ok {
		k = c.Key
	}
	return gossh.FingerprintSHA256(k)
}

// serverConfig builds the per-connection x/crypto config. The "none"
// method is enabled only for a connection whose unix peer was admitted
// (and only when keys are not required); rights always come from what
// actually authenticated, recorded on the conn by the callbacks below.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	tc := connOf(ctx)
	cfg := &gossh.ServerConfig{
		MaxAuthTries: DefaultMaxAuthTries,
		Config: gossh.Config{
			KeyExchanges: kexAlgorithms,
			MACs:         macAlgorithms,
		},
	}
	if tc.peer != nil && !s.cfg.RequireKey {
		cfg.NoClientAuth = true
		cfg.NoClientAuthCallback = func(meta gossh.ConnMetadata) (*gossh.Permissions, error) {
			if err := s.claimShot(tc); err != nil {
				return nil, err
			}
			tc.mu.Lock()
			tc.method = "peer-uid"
			tc.mu.Unlock()
			tc.authenticated()
			s.log.Info("manhole: authenticated", "conn", tc.id, "method", "peer-uid",
				"uid", tc.peer.UID, "pid", tc.peer.PID, "user", clip(meta.User()))
			return &gossh.Permissions{}, nil
		}
	}
	// gliderlabs shares one Permissions and records the last key it was
	// asked about; the verified callback sees the key that signed.
	cfg.VerifiedPublicKeyCallback = func(meta gossh.ConnMetadata, key gossh.PublicKey, _ *gossh.Permissions, _ string) (*gossh.Permissions, error) {
		r, err := s.cfg.Keys.Lookup(key, tc.RemoteAddr(), time.Now())
		if err != nil {
			return nil, err
		}
		if err := s.claimShot(tc); err != nil {
			return nil, err
		}
		tc.mu.Lock()
		tc.method, tc.key, tc.rights = "publickey", key, r
		tc.mu.Unlock()
		tc.authenticated()
		attrs := []any{"conn", tc.id, "method", "publickey", "key", r.Fingerprint, "comment", clip(r.Comment), "user", clip(meta.User())}
		if c := r.Cert; c != nil {
			attrs = append(attrs, "cert_id", clip(c.KeyID), "serial", c.Serial, "ca", c.CA, "principal", c.Principal)
		}
		if tc.peer != nil {
			attrs = append(attrs, "uid", tc.peer.UID, "pid", tc.peer.PID)
		} else {
			attrs = append(attrs, "remote", tc.RemoteAddr().String())
		}
		s.log.Info("manhole: authenticated", attrs...)
		return &gossh.Permissions{}, nil
	}
	cfg.AuthLogCallback = func(meta gossh.ConnMetadata, method string, err error) {
		var pe *gossh.PartialSuccessError
		if err == nil || errors.As(err, &pe) {
			return
		}
		// x/crypto (since v0.59.0) no longer counts an offered key that
		// is refused as a failure; sshd does, and so do we: a client
		// offering every key of its agent gets DefaultMaxAuthTries.
		tc.mu.Lock()
		counts := method != "none" || tc.noneSeen
		if method == "none" {
			tc.noneSeen = true
		}
		if counts {
			tc.failures++
		}
		tooMany := tc.failures >= DefaultMaxAuthTries
		offered := tc.offered
		tc.mu.Unlock()
		if method != "none" || cfg.NoClientAuth {
			// What the client sent reaches these texts (an algorithm
			// or method name of any length).
			attrs := []any{"conn", tc.id, "method", clip(method), "err", clip(err.Error())}
			if method == "publickey" && offered != nil {
				// Which key: a listed key whose signature fails is worth
				// knowing (a stolen public key, a broken agent).
				attrs = append(attrs, "key", keyFingerprint(offered))
			}
			s.authLog.Info("manhole: authentication failed", attrs...)
		}
		if tooMany {
			s.authLog.Info("manhole: too many authentication failures", "conn", tc.id, "max", DefaultMaxAuthTries)
			tc.Close()
		}
	}
	return cfg
}

// publicKey answers gliderlabs' question "may this key try?". It is also
// asked about keys a client only offers; rights are decided in the
// verified callback from the key that signed.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	tc := connOf(ctx)
	tc.mu.Lock()
	tc.offered = key
	tc.mu.Unlock()
	if _, err := s.cfg.Keys.Lookup(key, tc.RemoteAddr(), time.Now()); err != nil {
		s.authLog.Info("manhole: key refused", "conn", tc.id, "key", keyFingerprint(key), "reason", err)
		return false
	}
	return true
}
