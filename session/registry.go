package session

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gomanhole/manhole/session/diag"
)

// Info describes a live session, for :sessions.
type Info struct {
	Meta
	// Since is when the session started.
	Since time.Time
	// Mode is "pty", "exec" or "script" ("" before shell or exec).
	Mode string
	// Activity is what the session runs now: code, a :command, or "".
	Activity string
	// Goroutines is how many goroutines the session's code runs now
	// (those of the shared interpreter, with Server.Shared); -1 before
	// it has an interpreter.
	Goroutines int
}

// registry tracks a Server's live sessions.
type registry struct {
	mu       sync.Mutex // protects sessions
	sessions map[uint64]*session
}

func (srv *Server) reg() *registry {
	srv.regOnce.Do(func() { srv.registry = &registry{sessions: map[uint64]*session{}} })
	return srv.registry
}

func (r *registry) add(s *session) {
	r.mu.Lock()
	r.sessions[s.meta.ID] = s
	r.mu.Unlock()
}

func (r *registry) remove(s *session) {
	r.mu.Lock()
	delete(r.sessions, s.meta.ID)
	r.mu.Unlock()
}

// Sessions lists the live sessions, oldest first.
func (srv *Server) Sessions() []Info {
	r := srv.reg()
	r.mu.Lock()
	list := make([]*session, 0, len(r.sessions))
	for _, s := range r.sessions {
		list = append(list, s)
	}
	r.mu.Unlock()
	infos := make([]Info, 0, len(list))
	for _, s := range list {
		s.mu.Lock()
		info := Info{Meta: s.meta, Since: s.since, Mode: s.mode, Activity: s.activity, Goroutines: -1}
		ev := s.ev
		s.mu.Unlock()
		if ev != nil {
			info.Goroutines = ev.ip.Goroutines()
		}
		infos = append(infos, info)
	}
	// sort.Slice, not slices.SortFunc: a generic sort of a struct type
	// costs the binary ~8 KiB per element type.
	sort.Slice(infos, func(i, j int) bool { return infos[i].ID < infos[j].ID })
	return infos
}

// ErrNoSession is returned by Kick for an unknown session id.
var ErrNoSession = diag.ErrNoSession

// Kick ends session id; the client is told reason and exits 255.
func (srv *Server) Kick(id uint64, reason string) error {
	r := srv.reg()
	r.mu.Lock()
	s := r.sessions[id]
	r.mu.Unlock()
	if s == nil {
		return fmt.Errorf("session: id %d: %w", id, ErrNoSession)
	}
	s.end(fmt.Errorf("session: %s", reason))
	return nil
}

func (s *session) setActivity(a string) {
	s.mu.Lock()
	s.activity = a
	s.mu.Unlock()
}

// end cancels the session with cause.
func (s *session) end(cause error) { s.cancel(cause) }
