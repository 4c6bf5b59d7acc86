// Package wire connects package sshd to package session for the root
// package: what one package says about a session channel, translated for
// the other. It is glue only the manhole needs, kept out of both
// packages' exported APIs so that each stays usable alone.
package wire

import (
	"context"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/session"
	"github.com/gomanhole/manhole/sshd"
)

// Handler serves sshd's session channels with srv.
func Handler(srv *session.Server) sshd.Handler {
	return func(ctx context.Context, info *sshd.SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
		srv.Serve(ctx, Meta(info), ch, reqs)
	}
}

// Meta is what session needs to know of a session sshd accepted: who it
// is (the peer's uid and pid, -1 over TCP) and the rights of the key
// that authenticated, which sshd re-checked as the channel opened.
func Meta(info *sshd.SessionInfo) session.Meta {
	meta := session.Meta{ID: info.ID, ConnID: info.ConnID, Identity: info.Identity(), UID: -1, PID: -1, Remote: info.Remote, CloseConn: info.CloseConn}
	if info.Peer != nil {
		meta.UID, meta.PID = info.Peer.UID, info.Peer.PID
	}
	if r := info.Rights; r != nil {
		meta.ForcedCommand, meta.NoPTY, meta.InspectOnly = r.Command, r.NoPTY, r.InspectOnly
	}
	return meta
}
