package wire

import (
	"testing"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/session"
	"github.com/gomanhole/manhole/sshd"
)

func TestMeta(t *testing.T) {
	closed := false
	for _, tc := range []struct {
		name string
		info sshd.SessionInfo
		want func(t *testing.T, m session.Meta)
	}{
		{
			name: "peer uid over the unix socket: full rights",
			info: sshd.SessionInfo{ID: 3, ConnID: 2, Method: "peer-uid", Peer: &auth.Creds{UID: 1000, GID: 1000, PID: 4242}, Remote: "@"},
			want: func(t *testing.T, m session.Meta) {
				if m.ID != 3 || m.ConnID != 2 || m.UID != 1000 || m.PID != 4242 || m.Identity != "peer uid 1000" || m.Remote != "@" {
					t.Errorf("got %+v", m)
				}
				if m.ForcedCommand != "" || m.NoPTY || m.InspectOnly {
					t.Errorf("a peer-uid session got restricted: %+v", m)
				}
			},
		},
		{
			name: "key over TCP: its rights, no uid",
			info: sshd.SessionInfo{ID: 7, ConnID: 5, Method: "publickey", KeyFingerprint: "SHA256:abc", Remote: "127.0.0.1:5555",
				Rights:    &auth.Rights{Fingerprint: "SHA256:abc", Command: "stats()", NoPTY: true, InspectOnly: true},
				CloseConn: func() { closed = true }},
			want: func(t *testing.T, m session.Meta) {
				if m.UID != -1 || m.PID != -1 || m.Identity != "SHA256:abc" || m.Remote != "127.0.0.1:5555" {
					t.Errorf("got %+v", m)
				}
				if m.ForcedCommand != "stats()" || !m.NoPTY || !m.InspectOnly {
					t.Errorf("the key's rights were lost: %+v", m)
				}
				if m.CloseConn == nil {
					t.Fatal("no CloseConn")
				}
				m.CloseConn()
				if !closed {
					t.Error("CloseConn does not close the connection sshd gave")
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.want(t, Meta(&tc.info)) })
	}
}
