package sshd

import (
	"context"
	"errors"
	"net"
)

// Close stops listening and closes every connection at once; sessions are
// told the server is shutting down as their connections drop. It waits
// for the goroutines it started.
func (s *Server) Close() error {
	err := s.stop()
	s.closeConns()
	s.sessWG.Wait()
	s.connWG.Wait()
	s.pre.close()
	s.authLog.close()
	return err
}

// Shutdown stops listening, tells every session why it ends (exit status
// 255), waits for sessions to finish or ctx to expire, then closes the
// connections. It returns ctx's error if ctx expired first.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.stop()
	done := make(chan struct{})
	go func() {
		s.sessWG.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.closeConns()
	<-done
	s.connWG.Wait()
	s.pre.close()
	s.authLog.close()
	return err
}

// stop marks the server closed, closes the listeners and cancels every
// session with ErrShutdown.
func (s *Server) stop() error {
	s.mu.Lock()
	s.closed = true
	var err error
	for l := range s.listeners {
		if cerr := l.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	s.mu.Unlock()
	s.cancelSess(ErrShutdown)
	return err
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}
